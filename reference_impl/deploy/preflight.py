"""Read-only checks before a lab is created: each passes or fails with the one-line fix.

`plan` prints them; `up` runs them and creates nothing unless all pass. Every call here is a
read (IAM GetRole and SimulatePrincipalPolicy, ECR DescribeImages, Service Quotas GetServiceQuota,
EC2 DescribeSubnets): a fresh account's missing prerequisite shows here instead of as a
CREATE_FAILED twenty minutes into a class.
"""
import math
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from reference_impl import aws_facts

from . import stack_role
from .config import LabConfig, parse_image_uri
from .guardrails import GuardrailError

# Service-linked roles a Fargate cluster and an ECS scalable target assume; IAM names them so.
LINKED_ROLES = {"AWSServiceRoleForECS": "ecs.amazonaws.com",
                "AWSServiceRoleForApplicationAutoScaling_ECSService": "ecs.application-autoscaling.amazonaws.com"}
README = "reference_impl/deploy/README.md"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


class PreflightError(GuardrailError):
    """A prerequisite is missing; `checks` says which, each with its fix."""

    def __init__(self, checks: list[Check]):
        self.checks = checks
        failed = [c for c in checks if not c.ok]
        super().__init__("; ".join(f"{c.name}: {c.detail} (fix: {c.fix})" for c in failed))


def account_check(identity: dict) -> Check:
    return Check("account", True, f"{identity['Account']} is on LAB_ALLOWED_ACCOUNT_IDS (caller {identity['Arn']})")


def linked_roles(iam) -> list[Check]:
    out = []
    for role, service in LINKED_ROLES.items():
        try:
            iam.get_role(RoleName=role)
            out.append(Check(f"service-linked role {role}", True, "exists"))
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "NoSuchEntity":
                raise
            out.append(Check(f"service-linked role {role}", False, "missing (a fresh account has none)",
                             f"aws iam create-service-linked-role --aws-service-name {service}"))
    return out


def image(ecr, config: LabConfig, account: str) -> Check:
    uri = parse_image_uri(config.image_uri)
    name = "worker image"
    push = f"build and push it: {README}, 'Build and push the worker image'"
    if uri is None:
        return Check(name, False, f"{config.image_uri!r} is not an ECR image URI", push)
    if (uri["account"], uri["region"]) != (account, config.region):
        return Check(name, False, f"{config.image_uri} is in {uri['account']}/{uri['region']}, the lab in "
                     f"{account}/{config.region}; tasks pull from the lab's own account and region", push)
    image_id = {"imageTag": uri["tag"]} if uri["tag"] else {"imageDigest": uri["digest"]}
    try:
        ecr.describe_images(registryId=account, repositoryName=uri["repo"], imageIds=[image_id])
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("ImageNotFoundException", "RepositoryNotFoundException"):
            raise
        return Check(name, False, f"{config.image_uri} not found ({exc.response['Error']['Code']})", push)
    return Check(name, True, f"{config.image_uri} exists")


def fargate_quota(quotas, needed_vcpu: float) -> Check:
    service, code = aws_facts.FARGATE_ON_DEMAND_VCPU_QUOTA
    name = f"Fargate On-Demand vCPU quota ({code})"
    try:
        quota = quotas.get_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchResourceException":
            raise
        # No account-level value applied: the default is in force.
        quota = quotas.get_aws_default_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]
    value = quota["Value"]
    if value < needed_vcpu:
        return Check(name, False, f"{value:g} vCPU, the task cap needs {needed_vcpu:g}",
                     f"lower --max-tasks, or aws service-quotas request-service-quota-increase --service-code "
                     f"{service} --quota-code {code} --desired-value {math.ceil(needed_vcpu)}")
    return Check(name, True, f"{value:g} vCPU covers the cap's {needed_vcpu:g}")


def subnets(ec2, region: str, subnet_ids: tuple[str, ...]) -> Check:
    name = "subnets in Fargate zones"
    found = ec2.describe_subnets(SubnetIds=list(subnet_ids))["Subnets"]
    only = aws_facts.FARGATE_ZONES_ONLY.get(region)
    bad = [f"{s['SubnetId']} ({s.get('AvailabilityZoneId')})" for s in found
           if only is not None and s.get("AvailabilityZoneId") not in only]
    if bad:
        return Check(name, False, f"Fargate does not run in the zone of {', '.join(bad)}",
                     f"pass --subnet-ids of subnets in {', '.join(only)}")
    return Check(name, True, f"{', '.join(s['SubnetId'] for s in found)}")


def simulation_requests(config: LabConfig, partition: str, account: str) -> list[dict]:
    """SimulatePrincipalPolicy calls asking for every action the template's handlers need.

    Scoped actions are asked about an ARN of this lab's kind; creating service-linked roles
    is asked with the service name the policy's condition allows.
    """
    by_kind: dict[str, list[str]] = {}
    for action in sorted(stack_role.required_actions()):
        by_kind.setdefault(stack_role.SCOPED.get(action, "*"), []).append(action)
    requests = []
    for kind, actions in sorted(by_kind.items()):
        if kind == "*":
            plain = [a for a in actions if a != "iam:CreateServiceLinkedRole"]
            requests.append({"PolicySourceArn": config.stack_role_arn, "ActionNames": plain})
            if len(plain) != len(actions):
                requests.extend({"PolicySourceArn": config.stack_role_arn, "ActionNames": ["iam:CreateServiceLinkedRole"],
                                 "ContextEntries": [{"ContextKeyName": "iam:AWSServiceName", "ContextKeyValues": [service],
                                                     "ContextKeyType": "string"}]}
                                for service in stack_role.LINKED_ROLE_SERVICES)
        else:
            arn = stack_role.example_arn(kind, config.stack_name, partition, config.region, account)
            requests.append({"PolicySourceArn": config.stack_role_arn, "ActionNames": actions, "ResourceArns": [arn]})
    return requests


def stack_role_grants(iam, config: LabConfig, partition: str, account: str) -> Check:
    name = "stack role grants the template's actions"
    fix = ("python -m reference_impl.deploy stack-role-policy --account-id ACCOUNT --region REGION, "
           "then aws iam put-role-policy (README, 'IAM for the sandbox account')")
    if config.stack_role_arn is None:
        return Check(name, False, "no stack role given (--stack-role-arn or $LAB_STACK_ROLE_ARN)", fix)
    denied = []
    for request in simulation_requests(config, partition, account):
        for page in iam.get_paginator("simulate_principal_policy").paginate(**request):
            denied += [f"{r['EvalActionName']} on {r.get('EvalResourceName', '*')}"
                       for r in page["EvaluationResults"] if r["EvalDecision"] != "allowed"]
    if denied:
        more = f" and {len(denied) - 5} more" if len(denied) > 5 else ""
        return Check(name, False, f"{config.stack_role_arn} is denied {', '.join(denied[:5])}{more}", fix)
    return Check(name, True, f"{config.stack_role_arn}: all {len(stack_role.required_actions())} actions allowed")


def run(client: Callable[[str], object], identity: dict, config: LabConfig, subnet_ids: tuple[str, ...],
        needed_vcpu: float) -> list[Check]:
    """Every check, in the order a fresh account needs them fixed. AWS errors other than the
    ones a check expects (AccessDenied on a read, say) become that check's failure."""
    partition = identity["Arn"].split(":")[1]
    account = identity["Account"]
    steps: list[tuple[str, Callable[[], list[Check]]]] = [
        ("service-linked roles", lambda: linked_roles(client("iam"))),
        ("worker image", lambda: [image(client("ecr"), config, account)]),
        ("Fargate On-Demand vCPU quota", lambda: [fargate_quota(client("service-quotas"), needed_vcpu)]),
        ("subnets in Fargate zones", lambda: [subnets(client("ec2"), config.region, subnet_ids)]),
        ("stack role grants the template's actions",
         lambda: [stack_role_grants(client("iam:simulate"), config, partition, account)]),
    ]
    out = [account_check(identity)]
    for name, step in steps:
        try:
            out += step()
        except (ClientError, BotoCoreError) as exc:
            out.append(Check(name, False, f"could not check: {exc}", "grant the instructor policy's read actions "
                                                                      "(README, 'The instructor's permissions')"))
    return out
