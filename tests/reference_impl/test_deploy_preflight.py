"""`plan`'s prerequisite checks and `up`'s refusal when one fails.

Runs in moto for what moto models (STS, IAM roles, ECR images, EC2 subnets, and that nothing gets
created); Service Quotas' Fargate quota and IAM's SimulatePrincipalPolicy are not in moto, so those
two calls go to botocore Stubber clients that check the exact request the deployer sends.
"""
import io

import pytest

from reference_impl import aws_facts
from reference_impl.deploy import Deployer, preflight, stack_role
from reference_impl.deploy import __main__ as cli
from reference_impl.deploy.preflight import PreflightError

from .deploy_support import lab_stacks, ACCOUNT, NOW, REGION, lab_config, moto_aws, prepare_account, stub_unmodelled

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/lab-worker:1.0"


@pytest.fixture
def fresh(monkeypatch):
    """An account nobody has prepared: no image, no service-linked roles."""
    with moto_aws(monkeypatch) as session:
        yield session


@pytest.fixture
def ready(fresh):
    prepare_account(fresh)
    return fresh


def deployer(session, stubs: dict | None = None, **overrides) -> Deployer:
    d = Deployer(lab_config(**overrides), session=session, allowed_accounts=frozenset({ACCOUNT}),
                 now=lambda: NOW, sleep=lambda s: None, poll_s=0)
    stub_unmodelled(d, **(stubs or {}))
    return d


def by_name(checks) -> dict[str, preflight.Check]:
    return {c.name: c for c in checks}


def test_a_prepared_account_passes_every_check(ready):
    checks = deployer(ready).plan().checks
    assert [c.name for c in checks] == [
        "account", "bootstrap (labs-bootstrap stack, published lab template)", "service-linked role AWSServiceRoleForECS",
        "service-linked role AWSServiceRoleForApplicationAutoScaling_ECSService", "worker image",
        "Fargate On-Demand vCPU quota (L-3032A538)", "Fargate Spot vCPU quota (L-36FBB829)", "subnets in Fargate zones",
        "subnets reach ECR, S3 and SQS", "stack role trusts CloudFormation", "stack role grants the template's actions"]
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]


def test_a_fresh_account_fails_with_the_fix_for_each_missing_piece(fresh):
    checks = by_name(deployer(fresh).plan().checks)
    boot = checks["bootstrap (labs-bootstrap stack, published lab template)"]
    assert not boot.ok and "no labs-bootstrap stack in us-east-1" in boot.detail
    assert boot.fix.startswith("ask your AWS administrator to run `python -m reference_impl.deploy bootstrap")
    ecs_role = checks["service-linked role AWSServiceRoleForECS"]
    assert not ecs_role.ok and ecs_role.fix.startswith("ask your AWS administrator to run")
    assert "aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com" in ecs_role.fix
    scaling = checks["service-linked role AWSServiceRoleForApplicationAutoScaling_ECSService"]
    assert "--aws-service-name ecs.application-autoscaling.amazonaws.com" in scaling.fix
    image = checks["worker image"]
    assert not image.ok and image.detail == f"repository lab-worker (from the image URI) does not exist in {ACCOUNT}/{REGION}"
    assert image.fix.startswith("ask your AWS administrator to run")   # the bootstrap creates it
    assert checks["account"].ok
    role = checks["stack role grants the template's actions"]
    assert not role.ok and role.detail == "no stack role (no bootstrap, and no --stack-role-arn)"


def test_an_image_in_another_account_or_region_fails(ready):
    other = f"210987654321.dkr.ecr.{REGION}.amazonaws.com/lab-worker:1.0"
    check = by_name(deployer(ready, image_uri=other).plan().checks)["worker image"]
    assert not check.ok and "tasks pull from the lab's own account and region" in check.detail
    missing_tag = by_name(deployer(ready, image_uri=IMAGE.replace(":1.0", ":2.0")).plan().checks)["worker image"]
    assert not missing_tag.ok and missing_tag.detail == "repository lab-worker has no image with tag 2.0"
    assert f"-t {IMAGE.replace(':1.0', ':2.0')} --push" in missing_tag.fix


def test_an_image_outside_the_boundarys_repositories_fails_naming_the_repository(ready):
    other = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team/worker:1.0"
    check = by_name(deployer(ready, image_uri=other).plan().checks)["worker image"]
    assert not check.ok
    assert check.detail.startswith("repository team/worker (from the image URI) is outside lab-*")
    assert f"push it to {ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/lab-worker" in check.fix


def test_a_spot_quota_below_the_spot_share_of_the_cap_fails(ready):
    # 7 tasks, 3 of every 4 on Spot (the template's weights): ceil(7 * 3 / 4) = 6 tasks of 1 vCPU
    name = "Fargate Spot vCPU quota (L-36FBB829)"
    check = by_name(deployer(ready, {"spot_vcpu_quota": 5.0}).plan().checks)[name]
    assert not check.ok and check.detail == "5 vCPU, the task cap needs 6"
    assert "--quota-code L-36FBB829 --desired-value 6" in check.fix
    assert by_name(deployer(ready, {"spot_vcpu_quota": 6.0}).plan().checks)[name].ok


def test_private_subnets_fail_naming_the_route_table_and_the_missing_route(ready):
    ec2 = ready.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    check = by_name(deployer(ready, vpc_id=vpc, subnet_ids=(subnet,)).plan().checks)["subnets reach ECR, S3 and SQS"]
    assert not check.ok
    assert check.detail.startswith(f"{subnet}: route table {table} has no 0.0.0.0/0 route (no internet gateway) "
                                   f"and VPC {vpc} has no endpoint for ecr.api, ecr.dkr, s3, logs, sqs, ecs")
    assert "ResourceInitializationError" in check.detail and "igw-" in check.fix
    # an internet gateway route makes it public
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    fixed = by_name(deployer(ready, vpc_id=vpc, subnet_ids=(subnet,)).plan().checks)["subnets reach ECR, S3 and SQS"]
    assert fixed.ok and f"{table}: 0.0.0.0/0 -> {igw}" in fixed.detail


def test_the_route_check_reads_each_vpcs_route_tables_and_endpoints_once(ready):
    ec2 = ready.client("ec2")
    calls: list[str] = []
    ec2.meta.events.register("before-call.ec2.*", lambda model, **kwargs: calls.append(model.name))
    default = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    public = tuple(s["SubnetId"] for s in ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [default]}])["Subnets"])
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    private = tuple(ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"{REGION}a")
                    ["Subnet"]["SubnetId"] for i in (1, 2))
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    for subnet in private:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    calls.clear()
    check = preflight.routes(ec2, REGION, public + private)
    assert len(public) > 1 and not check.ok
    assert check.detail.startswith(f"{', '.join(private)}: route table {table} has no 0.0.0.0/0 route")
    assert sorted(calls) == ["DescribeRouteTables", "DescribeRouteTables", "DescribeSubnets", "DescribeVpcEndpoints"]
    calls.clear()
    check = preflight.routes(ec2, REGION, public)
    assert check.ok and all(f"{s} (rtb-" in check.detail for s in public)
    assert sorted(calls) == ["DescribeRouteTables", "DescribeSubnets"]


def test_a_template_the_bootstrap_has_not_published_fails_with_who_can_fix_it(ready, monkeypatch):
    from reference_impl.deploy import bootstrap
    monkeypatch.setattr(bootstrap, "template_key", lambda body=None: "templates/lab-0000.yaml")
    check = by_name(deployer(ready).plan().checks)["bootstrap (labs-bootstrap stack, published lab template)"]
    assert not check.ok and "templates/lab-0000.yaml) is not published" in check.detail
    assert check.fix.startswith("ask your AWS administrator to run")


def test_a_stack_role_cloudformation_may_not_assume_fails(ready):
    ready.client("iam").update_assume_role_policy(RoleName="labs-cloudformation-role", PolicyDocument=(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, '
        '"Action": "sts:AssumeRole"}]}'))
    check = by_name(deployer(ready).plan().checks)["stack role trusts CloudFormation"]
    assert not check.ok and "does not let cloudformation.amazonaws.com assume it" in check.detail


def test_a_reply_botocore_cannot_parse_is_a_fail_line_not_a_traceback(ready, monkeypatch):
    from botocore.parsers import ResponseParserError

    d = deployer(ready)

    def garbled(*args, **kwargs):   # what botocore raises for a reply it cannot read
        raise ResponseParserError("Unable to parse response (not well-formed (invalid token))")
    monkeypatch.setattr(d._clients["iam:simulate"], "get_paginator", garbled)
    check = by_name(d.plan().checks)["stack role grants the template's actions"]
    assert not check.ok and check.detail.startswith("could not check (ResponseParserError: Unable to parse")


def test_a_fargate_quota_below_the_task_cap_fails_with_the_increase_request(ready):
    # POLICY caps the lab at 7 tasks of 1 vCPU
    check = by_name(deployer(ready, {"vcpu_quota": 6.0}).plan().checks)["Fargate On-Demand vCPU quota (L-3032A538)"]
    assert not check.ok and check.detail == "6 vCPU, the task cap needs 7"
    assert "--service-code fargate --quota-code L-3032A538 --desired-value 7" in check.fix
    assert by_name(deployer(ready, {"vcpu_quota": 7.0}).plan().checks)["Fargate On-Demand vCPU quota (L-3032A538)"].ok


def test_subnets_outside_fargates_zones_fail_and_the_default_vpc_skips_them(ready, monkeypatch):
    ec2 = ready.client("ec2")
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    keep = subnets[0]["AvailabilityZoneId"]
    monkeypatch.setitem(aws_facts.FARGATE_ZONES_ONLY, REGION, (keep,))
    other = next(s for s in subnets if s["AvailabilityZoneId"] != keep)
    chosen = deployer(ready, vpc_id=other["VpcId"], subnet_ids=(other["SubnetId"],))
    check = by_name(chosen.plan().checks)["subnets in Fargate zones"]
    assert not check.ok and other["SubnetId"] in check.detail and check.fix == f"pass --subnet-ids of subnets in {keep}"
    default = deployer(ready).plan()
    assert by_name(default.checks)["subnets in Fargate zones"].ok
    assert default.parameters["SubnetIds"] == subnets[0]["SubnetId"]


def test_the_simulation_asks_for_every_handler_action_on_this_labs_resources():
    config = lab_config(stack_role_arn=stack_role.stack_role_arn("aws", ACCOUNT))
    requests = preflight.simulation_requests(config, "aws", ACCOUNT)
    assert {a for r in requests for a in r["ActionNames"]} == stack_role.required_actions()
    assert all(r["PolicySourceArn"] == config.stack_role_arn for r in requests)
    queue = next(r for r in requests if "sqs:CreateQueue" in r["ActionNames"])
    assert queue["ResourceArns"] == [f"arn:aws:sqs:{REGION}:{ACCOUNT}:lab-week3-digits-jobs"]


def test_a_stack_role_missing_an_action_fails_and_names_it(ready):
    denied = frozenset({"iam:ListRolePolicies", "sqs:GetQueueUrl"})
    check = by_name(deployer(ready, {"denied": denied}).plan().checks)["stack role grants the template's actions"]
    assert not check.ok
    assert f"iam:ListRolePolicies on arn:aws:iam::{ACCOUNT}:role/lab-week3-digits-TaskRole-ABC123" in check.detail
    assert "sqs:GetQueueUrl on" in check.detail and "run `python -m reference_impl.deploy bootstrap" in check.fix


def test_up_refuses_with_the_failed_checks_and_creates_nothing(fresh):
    with pytest.raises(PreflightError, match="AWSServiceRoleForECS: missing") as refused:
        list(deployer(fresh).up(upload_model=False))
    assert {c.name for c in refused.value.checks if not c.ok} >= {
        "worker image", "bootstrap (labs-bootstrap stack, published lab template)"}
    assert lab_stacks(fresh) == []


@pytest.mark.parametrize("command", ["plan", "up"])
def test_the_cli_prints_each_failure_with_its_fix_and_exits_2(fresh, monkeypatch, command):
    monkeypatch.setenv("LAB_ALLOWED_ACCOUNT_IDS", ACCOUNT)
    monkeypatch.delenv("LAB_STACK_ROLE_ARN", raising=False)

    def stubbed(config, **kwargs):
        d = Deployer(config, **kwargs)
        stub_unmodelled(d)
        return d

    monkeypatch.setattr(cli, "Deployer", stubbed)
    out, err = io.StringIO(), io.StringIO()
    code = cli.main([command, "--model", "digits", "--lab", "week3", "--owner", "ann", "--ttl-minutes", "60",
                     "--image", IMAGE, "--region", REGION], out, err)
    assert code == 2
    text = out.getvalue()
    assert "[FAIL] service-linked role AWSServiceRoleForECS: missing" in text
    assert "[FAIL] bootstrap (labs-bootstrap stack, published lab template): no labs-bootstrap stack" in text
    assert "fix: ask your AWS administrator to run `python -m reference_impl.deploy bootstrap --email ADDRESS`" in text
    assert "[pass] account: 123456789012 is on LAB_ALLOWED_ACCOUNT_IDS" in text
    assert "refused: a prerequisite is missing" in err.getvalue()
    assert lab_stacks(fresh) == []
