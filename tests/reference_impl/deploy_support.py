"""Shared pieces of the deploy tests: a lab config, and moto with its API Gateway gap filled.

moto 5.2.5 builds an AWS::ApiGateway::Method from CloudFormation without the integration's
Credentials (moto/apigateway/models.py, Method.create_from_cloudformation_json), and then its own
put_integration refuses an AWS integration without a role. `_method_from_cloudformation`
replaces that one constructor with one that passes the properties moto's put_integration already
accepts (Credentials, RequestTemplates, RequestParameters, PassthroughBehavior), so the stack
deploys and the tests can read the integrations back. moto's CloudFormation also never deletes
an AWS::ECS::Cluster or an AWS::ApiGateway::RestApi with its stack (the two classes have no
delete_from_cloudformation_json); `moto_aws` gives them one that calls moto's own DeleteCluster
and DeleteRestApi, so the teardown test can expect nothing left. Two more gaps, each named where
it is filled: a stack made through a change set gets no outputs (the bootstrap's are what the
deployer reads), and a function deleted outside its stack stops the stack's deletion. Nothing
else in moto is changed but the memo of its template lint, below.

Two of `plan`'s reads are not in moto: Service Quotas knows only VPC quotas, and IAM has no
SimulatePrincipalPolicy. `stub_unmodelled` gives a Deployer botocore-Stubber clients for those
two, each answering the exact request the deployer must send (Stubber checks the parameters).

moto answers ValidateTemplate by running cfn-lint over the whole template, about 1.7 s a call and
the same answer for the same text; `moto_aws` keeps that answer per template text for the process
(`_lint_once`), so every `plan` still gets cfn-lint's verdict, computed once. Likewise moto parses
a template with PyYAML's pure-Python loader at every ValidateTemplate, change set and stack (a
tenth of the deploy tests' time); `_yaml_load_once` keeps each text's parse and hands out copies.
"""
import copy
import json
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from functools import cache

import boto3
import botocore.session
import yaml
from botocore.stub import Stubber
from moto import mock_aws
from moto.apigateway import models as apigateway_models
from moto.awslambda import exceptions as lambda_exceptions
from moto.awslambda import models as lambda_models
from moto.cloudformation import models as cloudformation_models
from moto.ecs import models as ecs_models

from reference_impl.deploy import Deployer, LabConfig, preflight, stack_role
from reference_impl.deploy.bootstrap import Bootstrapper
from reference_impl.scaling import ScalingPolicy
from tests.support import collect_and_freeze_after_test

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
STACK = "lab-week3-digits"  # lab_config()'s stack
POLICY = ScalingPolicy(acceptable_latency_s=60, seconds_per_message=0.5, max_tasks=7, scale_in_cooldown_s=240)


def lab_config(**overrides) -> LabConfig:
    values = dict(model_name="digits", owner="ann@example.org", lab="week3", ttl_minutes=90,
                  image_uri=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/lab-worker:1.0", region=REGION,
                  policy=POLICY)
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
_yaml_load = yaml.load
_parsed: dict[tuple[str, type], object] = {}


def _yaml_load_once(stream, Loader):
    """yaml.load for moto: one parse per template text and loader, a deep copy for each caller
    (moto may change what it gets). moto registers the same constructors before every call."""
    if not isinstance(stream, str):
        return _yaml_load(stream, Loader=Loader)
    if (stream, Loader) not in _parsed:
        _parsed[stream, Loader] = _yaml_load(stream, Loader=Loader)
    return copy.deepcopy(_parsed[stream, Loader])
_delete_function = lambda_models.LambdaFunction.delete


def _delete_function_gone_already(self, account_id, region):
    """CloudFormation treats a resource deleted outside the stack as deleted (a delete handler
    answers NotFound, https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-test-contract.html);
    moto's stack deletion stops with the function's UnknownFunctionException instead."""
    try:
        _delete_function(self, account_id, region)
    except lambda_exceptions.UnknownFunctionException:
        pass
_execute_change_set = cloudformation_models.CloudFormationBackend.execute_change_set


def _execute_and_map_outputs(self, change_set_name, stack_name=None):
    """moto builds a stack's outputs when the change set is created, from the stack's empty
    template, so a stack made through a change set has none; built again here from the template
    the change set applied, they are what CloudFormation reports."""
    _execute_change_set(self, change_set_name, stack_name)
    for stack in self.stacks.values():
        if stack.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            stack._parse_template()
            stack.output_map = stack._create_output_map()


@contextmanager
def moto_aws(monkeypatch):
    monkeypatch.setattr(cloudformation_models, "validate_template_cfn_lint", _lint_once)
    monkeypatch.setattr(yaml, "load", _yaml_load_once)
    monkeypatch.setattr(cloudformation_models.CloudFormationBackend, "execute_change_set", _execute_and_map_outputs)
    monkeypatch.setattr(lambda_models.LambdaFunction, "delete", _delete_function_gone_already)
    monkeypatch.setattr(apigateway_models.Method, "create_from_cloudformation_json",
                        classmethod(_method_from_cloudformation))
    monkeypatch.setattr(ecs_models.Cluster, "delete_from_cloudformation_json", classmethod(_delete_cluster))
    monkeypatch.setattr(apigateway_models.RestAPI, "delete_from_cloudformation_json", classmethod(_delete_rest_api))
    # Labs run on Fargate and use no machine image: moto's few hundred default AMIs, each with a
    # snapshot and a volume, made for every EC2 backend, were 3% of the suite's test time.
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # moto's backends are cyclic garbage once it resets them: freed by one full collection after
    # the test, and not walked again in every later one (tests/conftest.py).
    collect_and_freeze_after_test["requested"] = True
    with mock_aws():
        yield boto3.Session(region_name=REGION)


ALERT_EMAIL = "admin@example.org"


def default_vpc_route_to_the_internet(session) -> None:
    """A real default VPC has an internet gateway and a 0.0.0.0/0 route to it in its main route
    table (https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html); moto's has only
    the local route."""
    ec2 = session.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                              {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
    ec2.create_route(RouteTableId=main["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)


def bootstrap(session) -> dict:
    """`python -m reference_impl.deploy bootstrap`, as the administrator runs it once; its outputs."""
    events = list(Bootstrapper(REGION, ALERT_EMAIL, session=session, allowed_accounts=frozenset({ACCOUNT}),
                               sleep=lambda s: None, poll_s=0).run())
    return events[-1].data


def prepare_account(session, repository: str = "lab-worker", tag: str = "1.0") -> None:
    """What the README's run-book does before the first lab: the administrator's bootstrap (the
    two service-linked roles are created here because moto's CloudFormation skips
    AWS::IAM::ServiceLinkedRole; IAM names them so), then the worker image pushed."""
    iam = session.client("iam")
    for role, service in preflight.LINKED_ROLES.items():
        iam.create_role(RoleName=role, Path=f"/aws-service-role/{service}/", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service},
                                                     "Action": "sts:AssumeRole"}]}))
    default_vpc_route_to_the_internet(session)
    bootstrap(session)
    ecr = session.client("ecr")
    if repository != "lab-worker":
        ecr.create_repository(repositoryName=repository)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1,
                           "digest": "sha256:" + "a" * 64}, "layers": []}
    ecr.put_image(repositoryName=repository, imageManifest=json.dumps(manifest), imageTag=tag)


@cache
def _stub_session() -> botocore.session.Session:
    """The botocore session the Stubber clients come from, one per process: a new session was
    most of a stub client's cost (it registers botocore's few hundred handlers: about 5 ms), and it
    holds nothing of a test's: each client gets its own copy of the handlers, its Stubber its
    own responses, and the credentials and region are given to each client."""
    return botocore.session.Session()


def _stubbed(service: str):
    client = _stub_session().create_client(service, region_name=REGION, aws_access_key_id="testing",
                                           aws_secret_access_key="testing")
    return client, Stubber(client)


def stub_unmodelled(deployer, *, vcpu_quota: float = 4000.0, spot_vcpu_quota: float = 4000.0,
                    denied: frozenset[str] = frozenset(), rounds: int = 2) -> dict:
    """Stubbed service-quotas and iam:simulate clients for `deployer`, answering `rounds` preflights."""
    quotas, quota_stub = _stubbed("service-quotas")
    simulate, simulate_stub = _stubbed("iam")
    config = replace(deployer.config, stack_role_arn=deployer.config.stack_role_arn
                     or stack_role.stack_role_arn("aws", ACCOUNT))
    for _ in range(rounds):
        for (service, code), name, value in (
                (preflight.aws_facts.FARGATE_ON_DEMAND_VCPU_QUOTA, "Fargate On-Demand vCPU resource count", vcpu_quota),
                (preflight.aws_facts.FARGATE_SPOT_VCPU_QUOTA, "Fargate Spot vCPU resource count", spot_vcpu_quota)):
            quota_stub.add_response("get_service_quota", {"Quota": {"ServiceCode": service, "QuotaCode": code,
                                                                    "QuotaName": name, "Value": value}},
                                    {"ServiceCode": service, "QuotaCode": code})
        for request in preflight.simulation_requests(config, "aws", ACCOUNT):
            resource = request.get("ResourceArns", ["*"])[0]
            simulate_stub.add_response("simulate_principal_policy", {"IsTruncated": False, "EvaluationResults": [
                {"EvalActionName": a, "EvalResourceName": resource,
                 "EvalDecision": "implicitDeny" if a in denied else "allowed"} for a in request["ActionNames"]]},
                request)
    quota_stub.activate()
    simulate_stub.activate()
    deployer._clients.update({"service-quotas": quotas, "iam:simulate": simulate})
    return {"service-quotas": quota_stub, "iam:simulate": simulate_stub}


def lab_stacks(session) -> list[str]:
    """Stacks other than the bootstrap's that exist (not DELETE_COMPLETE)."""
    return [s["StackName"] for s in session.client("cloudformation").list_stacks()["StackSummaries"]
            if s["StackStatus"] != "DELETE_COMPLETE" and s["StackName"] != "labs-bootstrap"]


TEMPLATE_BUCKET = "labs-bootstrap-templatebucket-abc123"


def _resolve(value, names: dict[str, str]):
    """A bootstrap.yaml value with !Sub, !Ref and !GetAtt replaced by this account's names."""
    if isinstance(value, dict):
        if set(value) == {"Fn::Sub"}:
            text = value["Fn::Sub"]
            for key, replacement in names.items():
                text = text.replace("${" + key + "}", replacement)
            assert "${" not in text, text
            return text
        if set(value) == {"Ref"}:
            return names[value["Ref"]]
        if set(value) == {"Fn::GetAtt"}:
            return names[".".join(value["Fn::GetAtt"])]
        return {k: _resolve(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, names) for v in value]
    return value


def bootstrap_policies(account: str = ACCOUNT, region: str = REGION) -> dict[str, dict]:
    """Every IAM policy document in bootstrap.yaml, resolved for `account` and `region`."""
    from reference_impl.deploy.stack_role import BOOTSTRAP_PATH
    from reference_impl.deploy.template import parsed_template

    resources = parsed_template(BOOTSTRAP_PATH)["Resources"]
    names = {"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": account,
             "AWS::StackId": f"arn:aws:cloudformation:{region}:{account}:stack/labs-bootstrap/1",
             "AlertTopic": f"arn:aws:sns:{region}:{account}:labs-alerts",
             "StackRole.Arn": f"arn:aws:iam::{account}:role/labs-cloudformation-role",
             "WorkerRepository.Arn": f"arn:aws:ecr:{region}:{account}:repository/lab-worker",
             "TemplateBucket.Arn": f"arn:aws:s3:::{TEMPLATE_BUCKET}",
             "TemplateBucket.RegionalDomainName": f"{TEMPLATE_BUCKET}.s3.{region}.amazonaws.com",
             "JanitorLogGroup.Arn": f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/labs-janitor:*"}
    out = {}
    for logical, spec in resources.items():
        props = spec.get("Properties", {})
        if spec["Type"] == "AWS::IAM::ManagedPolicy":
            out[logical] = _resolve(props["PolicyDocument"], names)
        elif spec["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                out[f"{logical}/{policy['PolicyName']}"] = _resolve(policy["PolicyDocument"], names)
    return out


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
