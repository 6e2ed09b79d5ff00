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

from .deploy_support import ACCOUNT, NOW, REGION, lab_config, moto_aws, prepare_account, stub_unmodelled

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
        "account", "service-linked role AWSServiceRoleForECS",
        "service-linked role AWSServiceRoleForApplicationAutoScaling_ECSService", "worker image",
        "Fargate On-Demand vCPU quota (L-3032A538)", "subnets in Fargate zones", "stack role grants the template's actions"]
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]


def test_a_fresh_account_fails_with_the_fix_for_each_missing_piece(fresh):
    checks = by_name(deployer(fresh).plan().checks)
    ecs_role = checks["service-linked role AWSServiceRoleForECS"]
    assert not ecs_role.ok and ecs_role.fix == "aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com"
    scaling = checks["service-linked role AWSServiceRoleForApplicationAutoScaling_ECSService"]
    assert scaling.fix.endswith("--aws-service-name ecs.application-autoscaling.amazonaws.com")
    assert not checks["worker image"].ok and "RepositoryNotFoundException" in checks["worker image"].detail
    assert "Build and push the worker image" in checks["worker image"].fix
    assert checks["account"].ok and checks["stack role grants the template's actions"].ok


def test_an_image_in_another_account_or_region_fails(ready):
    other = f"210987654321.dkr.ecr.{REGION}.amazonaws.com/lab-worker:1.0"
    check = by_name(deployer(ready, image_uri=other).plan().checks)["worker image"]
    assert not check.ok and "tasks pull from the lab's own account and region" in check.detail
    missing_tag = by_name(deployer(ready, image_uri=IMAGE.replace(":1.0", ":2.0")).plan().checks)["worker image"]
    assert not missing_tag.ok and "ImageNotFoundException" in missing_tag.detail


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
    config = lab_config()
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
    assert "sqs:GetQueueUrl on" in check.detail and "stack-role-policy" in check.fix


def test_up_refuses_with_the_failed_checks_and_creates_nothing(fresh):
    with pytest.raises(PreflightError, match="AWSServiceRoleForECS: missing") as refused:
        list(deployer(fresh).up(upload_model=False))
    assert {c.name for c in refused.value.checks if not c.ok} >= {"worker image"}
    assert fresh.client("cloudformation").list_stacks()["StackSummaries"] == []


@pytest.mark.parametrize("command", ["plan", "up"])
def test_the_cli_prints_each_failure_with_its_fix_and_exits_2(fresh, monkeypatch, command):
    monkeypatch.setenv("LAB_ALLOWED_ACCOUNT_IDS", ACCOUNT)
    monkeypatch.setenv("LAB_STACK_ROLE_ARN", f"arn:aws:iam::{ACCOUNT}:role/lab-stack")

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
    assert "fix: aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com" in text
    assert "[pass] account: 123456789012 is on LAB_ALLOWED_ACCOUNT_IDS" in text
    assert "refused: a prerequisite is missing" in err.getvalue()
    assert fresh.client("cloudformation").list_stacks()["StackSummaries"] == []
