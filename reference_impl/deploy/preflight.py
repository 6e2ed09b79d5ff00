"""Read-only checks before a lab is created: each passes or fails with the one-line fix.

`plan` prints them; `up` runs them and creates nothing unless all pass; the labs page shows them
all at once. Every call here is a read (CloudFormation DescribeStacks, S3 HeadObject, IAM GetRole
and SimulatePrincipalPolicy, ECR DescribeImages, Service Quotas GetServiceQuota, EC2
DescribeSubnets, DescribeRouteTables and DescribeVpcEndpoints): a fresh account's missing
prerequisite shows here instead of as a CREATE_FAILED twenty minutes into a class. A check that
cannot run (AccessDenied, a reply botocore cannot parse) is that check's FAIL line, never a
traceback.
"""
import math
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from reference_impl import aws_facts

from . import stack_role
from .config import LabConfig, parse_image_uri
from .guardrails import GuardrailError
from .template import parsed_template

# Service-linked roles a Fargate cluster and an ECS scalable target assume; IAM names them so.
LINKED_ROLES = {"AWSServiceRoleForECS": "ecs.amazonaws.com",
                "AWSServiceRoleForApplicationAutoScaling_ECSService": "ecs.application-autoscaling.amazonaws.com"}
README = "reference_impl/deploy/README.md"
ASK_ADMIN = ("ask your AWS administrator to run `python -m reference_impl.deploy bootstrap --email ADDRESS` "
             f"({README}, 'Administrator, once')")
# What a task in a subnet without an internet route needs a VPC endpoint for: pulling the image
# (ECR API and registry, layers from S3), its logs, its queue, its task protection (ECS)
# (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html).
ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "s3", "logs", "sqs", "ecs")


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
                             f"{ASK_ADMIN}: it creates the role (an administrator by hand: "
                             f"aws iam create-service-linked-role --aws-service-name {service})"))
    return out


def image(ecr, config: LabConfig, account: str, repository_uri: str | None = None) -> Check:
    """The image URI's account, region and repository, then the image itself.

    The repository is read from the URI; a lab role may pull only from `lab-*` repositories
    (the bootstrap's boundary), so any other repository fails here with that reason."""
    uri = parse_image_uri(config.image_uri)
    name = "worker image"
    bootstrap_repo = repository_uri or f"{account}.dkr.ecr.{config.region}.amazonaws.com/lab-worker"
    push = f"build and push it to {bootstrap_repo}: {README}, 'Build and push the worker image'"
    if uri is None:
        return Check(name, False, f"{config.image_uri!r} is not an ECR image URI", push)
    if (uri["account"], uri["region"]) != (account, config.region):
        return Check(name, False, f"{config.image_uri} is in {uri['account']}/{uri['region']}, the lab in "
                     f"{account}/{config.region}; tasks pull from the lab's own account and region", push)
    if not (uri["repo"] or "").startswith("lab-"):
        return Check(name, False, f"repository {uri['repo']} (from the image URI) is outside lab-*: the "
                     "bootstrap's permissions boundary lets lab tasks pull only from lab-* repositories", push)
    image_id = {"imageTag": uri["tag"]} if uri["tag"] else {"imageDigest": uri["digest"]}
    try:
        ecr.describe_images(registryId=account, repositoryName=uri["repo"], imageIds=[image_id])
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code == "RepositoryNotFoundException":
            return Check(name, False, f"repository {uri['repo']} (from the image URI) does not exist in "
                         f"{account}/{config.region}", push if repository_uri else ASK_ADMIN)
        if code != "ImageNotFoundException":
            raise
        what = f"tag {uri['tag']}" if uri["tag"] else f"digest {uri['digest']}"
        return Check(name, False, f"repository {uri['repo']} has no image with {what}",
                     f"push it: docker buildx build ... -t {config.image_uri} --push ({README}, "
                     "'Build and push the worker image')")
    return Check(name, True, f"{config.image_uri} exists")


def spot_share() -> float:
    """The Service's share of tasks on FARGATE_SPOT, from the template's capacity provider weights."""
    service = next(s for s in parsed_template()["Resources"].values() if s["Type"] == "AWS::ECS::Service")
    weights = {s["CapacityProvider"]: s["Weight"] for s in service["Properties"]["CapacityProviderStrategy"]}
    return weights.get("FARGATE_SPOT", 0) / sum(weights.values())


def fargate_quota(quotas, needed_vcpu: float, quota: tuple[str, str] = aws_facts.FARGATE_ON_DEMAND_VCPU_QUOTA,
                  label: str = "On-Demand") -> Check:
    service, code = quota
    name = f"Fargate {label} vCPU quota ({code})"
    try:
        applied = quotas.get_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchResourceException":
            raise
        # No account-level value applied: the default is in force.
        applied = quotas.get_aws_default_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]
    value: float = applied["Value"]
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
    if bad and only is not None:
        return Check(name, False, f"Fargate does not run in the zone of {', '.join(bad)}",
                     f"pass --subnet-ids of subnets in {', '.join(only)}")
    return Check(name, True, f"{', '.join(s['SubnetId'] for s in found)}")


def _route_tables(ec2, vpc_id: str) -> tuple[dict[str, dict], dict | None]:
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    by_subnet, main = {}, None
    for table in tables:
        for assoc in table.get("Associations", []):
            if assoc.get("SubnetId"):
                by_subnet[assoc["SubnetId"]] = table
            if assoc.get("Main"):
                main = table
    return by_subnet, main


def _default_route(table: dict) -> str | None:
    for route in table.get("Routes", []):
        if route.get("DestinationCidrBlock") == "0.0.0.0/0" and route.get("State", "active") == "active":
            return route.get("GatewayId") or route.get("NatGatewayId") or route.get("TransitGatewayId") \
                or route.get("NetworkInterfaceId") or "an unknown target"
    return None


def routes(ec2, region: str, subnet_ids: tuple[str, ...]) -> Check:
    """Each subnet's route table has 0.0.0.0/0 to an internet gateway (tasks get a public IP) or a
    NAT gateway; otherwise the VPC needs the endpoints a task calls, or every task fails with
    ResourceInitializationError (image pull i/o timeout)."""
    name = "subnets reach ECR, S3 and SQS"
    found = ec2.describe_subnets(SubnetIds=list(subnet_ids))["Subnets"]
    bad: dict[str, list[str]] = {}    # problem -> subnets
    ok = []
    # Read once per VPC, not once per subnet: the subnets are usually one VPC's (the default
    # VPC's six in us-east-1 were six DescribeRouteTables of the same tables).
    tables: dict[str, tuple[dict[str, dict], dict | None]] = {}
    endpoints_of: dict[str, list[dict]] = {}
    for subnet in found:
        if subnet["VpcId"] not in tables:
            tables[subnet["VpcId"]] = _route_tables(ec2, subnet["VpcId"])
        by_subnet, main = tables[subnet["VpcId"]]
        table = by_subnet.get(subnet["SubnetId"], main)
        target = _default_route(table) if table else None
        table_id = table["RouteTableId"] if table else "no route table"
        if target and target.startswith(("igw-", "nat-")):
            ok.append(f"{subnet['SubnetId']} ({table_id}: 0.0.0.0/0 -> {target})")
            continue
        if subnet["VpcId"] not in endpoints_of:
            endpoints_of[subnet["VpcId"]] = ec2.describe_vpc_endpoints(
                Filters=[{"Name": "vpc-id", "Values": [subnet["VpcId"]]}])["VpcEndpoints"]
        endpoints = endpoints_of[subnet["VpcId"]]
        # com.amazonaws.REGION.ecr.api -> ecr.api
        have = {e["ServiceName"].split(f".{region}.", 1)[-1] for e in endpoints
                if e.get("State", "available").lower() == "available"}
        missing = [s for s in ENDPOINT_SERVICES if s not in have]
        if not missing:
            ok.append(f"{subnet['SubnetId']} (private, VPC endpoints for {', '.join(ENDPOINT_SERVICES)})")
            continue
        route = f"0.0.0.0/0 goes to {target}" if target else "has no 0.0.0.0/0 route"
        problem = (f"route table {table_id} {route} (no internet gateway) and VPC {subnet['VpcId']} has no endpoint "
                   f"for {', '.join(missing)}")
        bad.setdefault(problem, []).append(subnet["SubnetId"])
    if bad:
        detail = "; ".join(f"{', '.join(subnets)}: {problem}" for problem, subnets in bad.items())
        return Check(name, False, f"{detail}. Every task would fail to pull its image (ResourceInitializationError)",
                     "pass --vpc-id and --subnet-ids of public subnets (a route 0.0.0.0/0 to an igw-...), e.g. "
                     "the default VPC's, or add the VPC endpoints listed")
    return Check(name, True, "; ".join(ok))


def bootstrap_check(outputs: dict | None, s3, region: str, key: str) -> Check:
    name = "bootstrap (labs-bootstrap stack, published lab template)"
    if outputs is None:
        return Check(name, False, f"no labs-bootstrap stack in {region}: there is no stack role, boundary or "
                     "janitor for labs here yet", ASK_ADMIN)
    try:
        s3.head_object(Bucket=outputs["TemplateBucketName"], Key=key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("404", "NoSuchKey", "NotFound"):
            raise
        return Check(name, False, f"this version of the lab template ({key}) is not published in the account "
                     "(the bootstrap is older than this code)", ASK_ADMIN)
    return Check(name, True, f"stack role {outputs['StackRoleArn']}; template {key} published")


def stack_role_trust(iam, config: LabConfig) -> Check:
    """The stack role's trust policy, as far as it can be read offline: CloudFormation may assume it."""
    name = "stack role trusts CloudFormation"
    fix = ASK_ADMIN
    if config.stack_role_arn is None:
        return Check(name, False, "no stack role (no bootstrap, and no --stack-role-arn)", fix)
    role = iam.get_role(RoleName=config.stack_role_arn.rsplit("/", 1)[-1])["Role"]
    document = role["AssumeRolePolicyDocument"]
    if isinstance(document, str):
        import json
        from urllib.parse import unquote
        document = json.loads(unquote(document))
    statements = document.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    trusted = any(s.get("Effect") == "Allow" and "sts:AssumeRole" in ([s["Action"]] if isinstance(s.get("Action"), str)
                                                                      else s.get("Action", []))
                  and "cloudformation.amazonaws.com" in str(s.get("Principal", {}).get("Service", ""))
                  for s in statements)
    if not trusted:
        return Check(name, False, f"{config.stack_role_arn}'s trust policy does not let cloudformation.amazonaws.com "
                     "assume it", fix)
    return Check(name, True, f"{config.stack_role_arn} may be assumed by cloudformation.amazonaws.com")


def simulation_requests(config: LabConfig, partition: str, account: str) -> list[dict]:
    """SimulatePrincipalPolicy calls asking for every action the template's handlers need.

    Scoped actions are asked about an ARN of this lab's kind; creating service-linked roles
    is asked with the service name the policy's condition allows.
    """
    by_kind: dict[str, list[str]] = {}
    for action in sorted(stack_role.required_actions()):
        by_kind.setdefault(stack_role.SCOPED.get(action, "*"), []).append(action)
    requests: list[dict] = []
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
    fix = ASK_ADMIN + " again: it deploys the stack role generated from this template"
    if config.stack_role_arn is None:
        return Check(name, False, "no stack role (no bootstrap, and no --stack-role-arn)", ASK_ADMIN)
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
        needed_vcpu: float, bootstrap: dict | None = None, template_key: str = "") -> list[Check]:
    """Every check, in the order a fresh account needs them fixed. AWS errors other than the
    ones a check expects (AccessDenied on a read, say) become that check's failure, and so does
    anything else a check raises (a reply botocore cannot parse): a FAIL line, not a traceback."""
    partition = identity["Arn"].split(":")[1]
    account = identity["Account"]
    spot = math.ceil(config.policy.max_tasks * spot_share()) * needed_vcpu / max(config.policy.max_tasks, 1)
    repository = (bootstrap or {}).get("RepositoryUri")
    steps: list[tuple[str, Callable[[], list[Check]]]] = [
        ("bootstrap", lambda: [bootstrap_check(bootstrap, client("s3"), config.region, template_key)]),
        ("service-linked roles", lambda: linked_roles(client("iam"))),
        ("worker image", lambda: [image(client("ecr"), config, account, repository)]),
        ("Fargate On-Demand vCPU quota", lambda: [fargate_quota(client("service-quotas"), needed_vcpu)]),
        ("Fargate Spot vCPU quota", lambda: [fargate_quota(client("service-quotas"), spot,
                                                           aws_facts.FARGATE_SPOT_VCPU_QUOTA, "Spot")]),
        ("subnets in Fargate zones", lambda: [subnets(client("ec2"), config.region, subnet_ids)]),
        ("subnets reach ECR, S3 and SQS", lambda: [routes(client("ec2"), config.region, subnet_ids)]),
        ("stack role trusts CloudFormation", lambda: [stack_role_trust(client("iam"), config)]),
        ("stack role grants the template's actions",
         lambda: [stack_role_grants(client("iam:simulate"), config, partition, account)]),
    ]
    out = [account_check(identity)]
    for name, step in steps:
        try:
            out += step()
        except (ClientError, BotoCoreError) as exc:
            out.append(Check(name, False, f"could not check: {exc}", "attach the bootstrap's instructor policy "
                                                                      f"(labs-instructor) to you, or {ASK_ADMIN}"))
        except Exception as exc:  # noqa: BLE001 - any failure of a read-only check is reported, not raised
            out.append(Check(name, False, f"could not check ({type(exc).__name__}: {exc})",
                             "run plan again; if it persists, report this line"))
    return out
