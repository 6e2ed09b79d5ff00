"""Shared pieces of the deploy tests: a lab config, and moto with its API Gateway gap filled.

moto 5.2.5 builds an AWS::ApiGateway::Method from CloudFormation without the integration's
Credentials (moto/apigateway/models.py, Method.create_from_cloudformation_json), and then its own
put_integration refuses an AWS integration without a role. `_method_from_cloudformation`
replaces that one constructor with one that passes the properties moto's put_integration already
accepts (Credentials, RequestTemplates, RequestParameters, PassthroughBehavior), so the stack
deploys and the tests can read the integrations back. moto's CloudFormation also never deletes
an AWS::ECS::Cluster or an AWS::ApiGateway::RestApi with its stack (the two classes have no
delete_from_cloudformation_json); `moto_aws` gives them one that calls moto's own DeleteCluster
and DeleteRestApi, so the teardown test can expect nothing left. Nothing else in moto is changed
but the memo of its template lint, below.

Two of `plan`'s reads are not in moto: Service Quotas knows only VPC quotas, and IAM has no
SimulatePrincipalPolicy. `stub_unmodelled` gives a Deployer botocore-Stubber clients for those
two, each answering the exact request the deployer must send (Stubber checks the parameters).

moto answers ValidateTemplate by running cfn-lint over the whole template, about 1.7 s a call and
the same answer for the same text; `moto_aws` keeps that answer per template text for the process
(`_lint_once`), so every `plan` still gets cfn-lint's verdict, computed once.
"""
import json
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import cache

import boto3
import botocore.session
from botocore.stub import Stubber
from moto import mock_aws
from moto.apigateway import models as apigateway_models
from moto.cloudformation import models as cloudformation_models
from moto.ecs import models as ecs_models

from reference_impl.deploy import Deployer, LabConfig, preflight
from reference_impl.scaling import ScalingPolicy

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
STACK = "lab-week3-digits"  # lab_config()'s stack
POLICY = ScalingPolicy(acceptable_latency_s=60, seconds_per_message=0.5, max_tasks=7, scale_in_cooldown_s=240)


def lab_config(**overrides) -> LabConfig:
    values = dict(model_name="digits", owner="ann@example.org", lab="week3", ttl_minutes=90,
                  image_uri=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/lab-worker:1.0", region=REGION,
                  policy=POLICY, stack_role_arn=f"arn:aws:iam::{ACCOUNT}:role/lab-stack")
    values.update(overrides)
    return LabConfig(**values)


def _method_from_cloudformation(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = cloudformation_json["Properties"]
    integration = props["Integration"]
    backend = apigateway_models.apigateway_backends[account_id][region_name]
    method = backend.put_method(function_id=props["RestApiId"], resource_id=props["ResourceId"],
                                method_type=props["HttpMethod"], authorization_type=props["AuthorizationType"],
                                api_key_required=props.get("ApiKeyRequired"),
                                request_parameters=props.get("RequestParameters"))
    backend.put_integration(function_id=props["RestApiId"], resource_id=props["ResourceId"],
                            method_type=props["HttpMethod"], integration_type=integration["Type"],
                            uri=integration["Uri"], integration_method=integration["IntegrationHttpMethod"],
                            credentials=integration.get("Credentials"),
                            request_templates=integration.get("RequestTemplates"),
                            passthrough_behavior=integration.get("PassthroughBehavior"),
                            request_parameters=integration.get("RequestParameters"))
    return method


def _delete_cluster(cls, resource_name, cloudformation_json, account_id, region_name):
    ecs_models.ecs_backends[account_id][region_name].delete_cluster(resource_name.rsplit("/", 1)[-1])


def _delete_rest_api(cls, resource_name, cloudformation_json, account_id, region_name):
    apigateway_models.apigateway_backends[account_id][region_name].delete_rest_api(resource_name)


_lint_once = cache(cloudformation_models.validate_template_cfn_lint)


@contextmanager
def moto_aws(monkeypatch):
    monkeypatch.setattr(cloudformation_models, "validate_template_cfn_lint", _lint_once)
    monkeypatch.setattr(apigateway_models.Method, "create_from_cloudformation_json",
                        classmethod(_method_from_cloudformation))
    monkeypatch.setattr(ecs_models.Cluster, "delete_from_cloudformation_json", classmethod(_delete_cluster))
    monkeypatch.setattr(apigateway_models.RestAPI, "delete_from_cloudformation_json", classmethod(_delete_rest_api))
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def prepare_account(session, repository: str = "lab-worker", tag: str = "1.0") -> None:
    """What the README has an administrator do once: push the worker image, create the two
    service-linked roles (IAM names them; moto would name the scaling one differently)."""
    ecr = session.client("ecr")
    ecr.create_repository(repositoryName=repository)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1,
                           "digest": "sha256:" + "a" * 64}, "layers": []}
    ecr.put_image(repositoryName=repository, imageManifest=json.dumps(manifest), imageTag=tag)
    iam = session.client("iam")
    for role, service in preflight.LINKED_ROLES.items():
        iam.create_role(RoleName=role, Path=f"/aws-service-role/{service}/", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service},
                                                     "Action": "sts:AssumeRole"}]}))


def _stubbed(service: str):
    client = botocore.session.Session().create_client(service, region_name=REGION, aws_access_key_id="testing",
                                                      aws_secret_access_key="testing")
    return client, Stubber(client)


def stub_unmodelled(deployer, *, vcpu_quota: float = 4000.0, denied: frozenset[str] = frozenset(),
                    rounds: int = 2) -> dict:
    """Stubbed service-quotas and iam:simulate clients for `deployer`, answering `rounds` preflights."""
    quotas, quota_stub = _stubbed("service-quotas")
    simulate, simulate_stub = _stubbed("iam")
    service, code = preflight.aws_facts.FARGATE_ON_DEMAND_VCPU_QUOTA
    for _ in range(rounds):
        quota_stub.add_response("get_service_quota", {"Quota": {"ServiceCode": service, "QuotaCode": code,
                                                                "QuotaName": "Fargate On-Demand vCPU resource count",
                                                                "Value": vcpu_quota}},
                                {"ServiceCode": service, "QuotaCode": code})
        for request in preflight.simulation_requests(deployer.config, "aws", ACCOUNT):
            resource = request.get("ResourceArns", ["*"])[0]
            simulate_stub.add_response("simulate_principal_policy", {"IsTruncated": False, "EvaluationResults": [
                {"EvalActionName": a, "EvalResourceName": resource,
                 "EvalDecision": "implicitDeny" if a in denied else "allowed"} for a in request["ActionNames"]]},
                request)
    quota_stub.activate()
    simulate_stub.activate()
    deployer._clients.update({"service-quotas": quotas, "iam:simulate": simulate})
    return {"service-quotas": quota_stub, "iam:simulate": simulate_stub}


def stack_ids(session, stack=STACK):
    listed = session.client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in listed if r.get("LogicalResourceId") and r.get("PhysicalResourceId")}


def failed_deletion(d: Deployer, monkeypatch) -> None:
    """CloudFormation's answers for a stack whose bucket could not be deleted."""
    cf = d._client("cloudformation")
    real_stacks, real_events = cf.describe_stacks, cf.describe_stack_events

    def stacks(**kwargs):
        answer = real_stacks(**kwargs)
        answer["Stacks"][0].update(StackStatus="DELETE_FAILED", StackStatusReason="The following resource(s) "
                                   "failed to delete: [Bucket]. ")
        return answer

    def events(**kwargs):
        answer = real_events(**kwargs)
        answer["StackEvents"].insert(0, {"EventId": "e-failed", "StackId": "x", "StackName": STACK,
                                         "LogicalResourceId": "Bucket", "ResourceType": "AWS::S3::Bucket",
                                         "ResourceStatus": "DELETE_FAILED", "Timestamp": NOW,
                                         "ResourceStatusReason": "The bucket you tried to delete is not empty"})
        return answer

    real_resources = cf.describe_stack_resources

    def resources(**kwargs):
        answer = real_resources(**kwargs)
        for r in answer["StackResources"]:
            r["ResourceStatus"] = "DELETE_FAILED" if r.get("LogicalResourceId") == "Bucket" else "DELETE_COMPLETE"
        return answer

    monkeypatch.setattr(cf, "describe_stacks", stacks)
    monkeypatch.setattr(cf, "describe_stack_events", events)
    monkeypatch.setattr(cf, "describe_stack_resources", resources)
    monkeypatch.setattr(cf, "delete_stack", lambda **kwargs: {})
