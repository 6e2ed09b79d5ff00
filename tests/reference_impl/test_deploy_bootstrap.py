"""The administrator's bootstrap stack: its template, its boundary, and the janitor that ends labs.

The template is checked offline (cfn-lint; the boundary against the lab template's own role
policies). The janitor's code is taken from bootstrap.yaml and run against moto the way its
EventBridge schedule would call it (moto runs no schedule): a lab stack created by `up`, its
reaper deleted, is deleted once its expires-at has passed. moto's CloudFormation cannot make
a deletion fail, so the alert test makes DeleteStack answer an error on the janitor's clients
(boto3's default session, the one a Lambda function's code uses).
"""
import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from reference_impl.deploy import Deployer, bootstrap
from reference_impl.deploy import __main__ as cli
from reference_impl.deploy.stack_role import BOOTSTRAP_PATH
from reference_impl.deploy.template import parsed_template

from .deploy_support import (ACCOUNT, ALERT_EMAIL, NOW, REGION, bootstrap_policies, lab_config, lab_stacks, moto_aws,
                             prepare_account, stub_unmodelled)
from .iam_eval import allows, granted

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")
STACK = "lab-week3-digits"
BOOT = parsed_template(BOOTSTRAP_PATH)["Resources"]
EXPIRES = NOW + timedelta(minutes=90)   # lab_config's ttl


def test_the_bootstrap_template_is_cfn_lint_clean():
    result = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), "--format", "parseable",
                             str(BOOTSTRAP_PATH)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "bootstrap.yaml" in (Path(__file__).resolve().parents[2] / "Makefile").read_text()


def test_what_the_bootstrap_owns_is_named_outside_lab_star():
    named = {BOOT["StackRole"]["Properties"]["RoleName"], BOOT["LabRoleBoundary"]["Properties"]["ManagedPolicyName"],
             BOOT["InstructorPolicy"]["Properties"]["ManagedPolicyName"], BOOT["JanitorFunction"]["Properties"]["FunctionName"],
             BOOT["AlertTopic"]["Properties"]["TopicName"]}
    assert not [n for n in named if n.startswith("lab-")], named
    lifecycle = json.loads(BOOT["WorkerRepository"]["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])
    assert [r["selection"]["tagStatus"] for r in lifecycle["rules"]] == ["untagged", "any"]


def test_the_janitor_fits_cloudformations_zipfile_limit():
    # the same 4,096 characters as the lab's functions (test_deploy_template.py, with its source)
    assert len(BOOT["JanitorFunction"]["Properties"]["Code"]["ZipFile"]) <= 4096


def _lab_role_policies() -> dict[str, dict]:
    out = {}
    for logical, spec in parsed_template()["Resources"].items():
        if spec["Type"] == "AWS::IAM::Role":
            out[logical] = spec
    return out


def test_every_lab_role_carries_the_boundary_and_the_boundary_covers_what_they_grant():
    boundary = bootstrap_policies()["LabRoleBoundary"]
    for logical, spec in _lab_role_policies().items():
        assert spec["Properties"]["PermissionsBoundary"] == {"Ref": "PermissionsBoundaryArn"}, logical
        for policy in spec["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                missing = [a for a in actions if a not in granted(boundary)]
                assert not missing, f"{logical}: the boundary would deny {missing}"
    # the boundary grants no IAM action at all: a lab role can never make or change a role
    assert not [a for a in granted(boundary) if a.startswith("iam:")]
    assert not allows(boundary, "sqs:DeleteQueue", f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders")
    assert not allows(boundary, "s3:GetObject", "arn:aws:s3:::company-backups/a")
    assert allows(boundary, "s3:GetObject", f"arn:aws:s3:::{STACK}-bucket-abc/models/model.skops")


def test_the_lab_template_only_accepts_the_bootstraps_boundary_and_topic():
    params = parsed_template()["Parameters"]
    assert params["PermissionsBoundaryArn"]["AllowedPattern"].endswith(":policy/labs-role-boundary$")
    assert params["AlertTopicArn"]["AllowedPattern"].endswith(":labs-alerts$")
    invoke = parsed_template()["Resources"]["ReaperInvokeConfig"]["Properties"]
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"] == {"Ref": "AlertTopicArn"}


# ------------------------------------------------------------------ in moto
@pytest.fixture
def aws(monkeypatch):
    with moto_aws(monkeypatch) as session:
        prepare_account(session)
        yield session


def lab(session, **overrides) -> Deployer:
    d = Deployer(lab_config(**overrides), session=session, allowed_accounts=frozenset({ACCOUNT}),
                 now=lambda: NOW, sleep=lambda s: None, poll_s=0)
    stub_unmodelled(d)
    return d


def janitor(monkeypatch):
    code = BOOT["JanitorFunction"]["Properties"]
    for name, value in code["Environment"]["Variables"].items():
        monkeypatch.setenv(name, value if isinstance(value, str) else f"arn:aws:sns:{REGION}:{ACCOUNT}:labs-alerts")
    namespace: dict = {}
    exec(compile(code["Code"]["ZipFile"], "labs-janitor/index.py", "exec"), namespace)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)   # a fresh default session, put back afterwards
    boto3.setup_default_session(region_name=REGION)   # what the function's boto3.client() calls use
    return namespace["handler"]


def status(session, name=STACK) -> str:
    try:
        return session.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    except ClientError:
        return "ABSENT"


def test_bootstrap_outputs_are_what_the_deployer_reads(aws):
    outputs = bootstrap.read_outputs(aws.client("cloudformation"))
    assert outputs["StackRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/labs-cloudformation-role"
    assert outputs["PermissionsBoundaryArn"] == f"arn:aws:iam::{ACCOUNT}:policy/labs-role-boundary"
    key = bootstrap.template_key()
    body = aws.client("s3").get_object(Bucket=outputs["TemplateBucketName"], Key=key)["Body"].read().decode()
    assert body == (Path(bootstrap.__file__).with_name("template.yaml")).read_text()
    topic = outputs["AlertTopicArn"]
    subs = aws.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("email", ALERT_EMAIL)]


def test_the_janitor_deletes_an_expired_lab_whose_reaper_was_removed(aws, monkeypatch):
    d = lab(aws)
    list(d.up(upload_model=False))
    ids = d._physical_ids()
    aws.client("s3").put_object(Bucket=ids["Bucket"], Key="results/a.json", Body=b"{}")
    aws.client("lambda").delete_function(FunctionName=f"{STACK}-reaper")
    handler = janitor(monkeypatch)

    early = handler({}, None, now=EXPIRES - timedelta(minutes=1))
    assert early["deleting"] == [] and status(aws) == "CREATE_COMPLETE"

    report = handler({}, None, now=EXPIRES + timedelta(minutes=1))
    assert report["deleting"] == [STACK] and report["alerted"] == []
    assert status(aws) in ("DELETE_COMPLETE", "ABSENT")
    assert lab_stacks(aws) == []
    assert status(aws, "labs-bootstrap") == "CREATE_COMPLETE"


def test_the_janitor_leaves_stacks_that_are_not_this_tools_labs(aws, monkeypatch):
    cf = aws.client("cloudformation")
    body = json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    cf.create_stack(StackName="lab-someone-else", TemplateBody=body,
                    Tags=[{"Key": "expires-at", "Value": "2000-01-01T00:00:00"}])
    cf.create_stack(StackName="billing", TemplateBody=body, Tags=[
        {"Key": "owner", "Value": "x"}, {"Key": "lab", "Value": "x"}, {"Key": "expires-at", "Value": "2000-01-01T00:00:00"}])
    report = janitor(monkeypatch)({}, None, now=EXPIRES + timedelta(days=1))
    assert report["deleting"] == []
    assert status(aws, "lab-someone-else") == status(aws, "billing") == "CREATE_COMPLETE"


def test_the_janitor_alerts_when_it_cannot_delete_a_lab(aws, monkeypatch):
    list(lab(aws).up(upload_model=False))
    sqs = aws.client("sqs")
    inbox = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.client("sns").subscribe(TopicArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:labs-alerts", Protocol="sqs", Endpoint=arn)
    handler = janitor(monkeypatch)

    def refuse(**kwargs):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed to delete"}}, "DeleteStack")
    boto3.DEFAULT_SESSION.events.register("before-call.cloudformation.DeleteStack", refuse)

    report = handler({}, None, now=EXPIRES + timedelta(minutes=20))
    assert report["alerted"] == [STACK] and report["deleting"] == []
    assert any("delete stack: An error occurred (AccessDenied)" in e for e in report["errors"])
    message = json.loads(sqs.receive_message(QueueUrl=inbox)["Messages"][0]["Body"])
    assert message["Subject"] == f"Lab {STACK} did not end"
    assert "expired 20 minutes ago and is still CREATE_COMPLETE" in message["Message"]
    assert status(aws) == "CREATE_COMPLETE"


def test_the_cli_bootstrap_refuses_an_account_not_on_the_allow_list(monkeypatch):
    with moto_aws(monkeypatch):
        monkeypatch.setenv("LAB_ALLOWED_ACCOUNT_IDS", "111111111111")
        err = io.StringIO()
        assert cli.main(["bootstrap", "--email", ALERT_EMAIL, "--region", REGION], io.StringIO(), err) == 2
        assert f"refused: account {ACCOUNT}" in err.getvalue()
        assert boto3.client("cloudformation", region_name=REGION).list_stacks()["StackSummaries"] == []


def test_the_cli_bootstrap_creates_the_stack_and_prints_what_to_do_next(monkeypatch):
    with moto_aws(monkeypatch):
        monkeypatch.setenv("LAB_ALLOWED_ACCOUNT_IDS", ACCOUNT)
        out = io.StringIO()
        monkeypatch.setattr(cli, "Bootstrapper", lambda *a, **kw: bootstrap.Bootstrapper(*a, **kw, poll_s=0))
        assert cli.main(["bootstrap", "--email", ALERT_EMAIL, "--region", REGION], out, io.StringIO()) == 0
        text = out.getvalue()
        assert "lab template published: https://" in text
        assert f"Attach the instructor policy to each instructor: arn:aws:iam::{ACCOUNT}:policy/labs-instructor" in text
        assert "AWSServiceRoleForECS will be created" in text


def test_status_says_why_a_lab_was_held_at_zero_with_the_stopped_tasks_reasons(aws, monkeypatch):
    d = lab(aws)
    list(d.up(upload_model=False))
    ids = d._physical_ids()
    ecs = aws.client("ecs")
    ecs.update_service(cluster=ids["Cluster"], service=ids["Service"], desiredCount=2)
    # a task of the service that stopped, as ECS records an image that will not pull
    family = ecs.register_task_definition(family=f"{STACK}-worker", containerDefinitions=[
        {"name": "worker", "image": "x", "memory": 512}])["taskDefinition"]["taskDefinitionArn"]
    task = ecs.run_task(cluster=ids["Cluster"], taskDefinition=family, launchType="FARGATE", count=1,
                        startedBy="ecs-svc/1", group=f"service:{ids['Service'].rsplit('/', 1)[-1]}")["tasks"][0]
    ecs.stop_task(cluster=ids["Cluster"], task=task["taskArn"], reason="CannotPullContainerError: pull access denied")
    scaler = parsed_template()["Resources"]["ScalerFunction"]["Properties"]
    for name, value in {"CLUSTER": ids["Cluster"].rsplit("/", 1)[-1], "SERVICE": ids["Service"].rsplit("/", 1)[-1],
                        "QUEUE_URL": ids["JobQueue"], "TARGET_BACKLOG_PER_TASK": "10",
                        "NO_TASK_GIVE_UP_S": scaler["Environment"]["Variables"]["NO_TASK_GIVE_UP_S"]}.items():
        monkeypatch.setenv(name, value)
    aws.client("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId=f"service/{STACK}/{ids['Service'].rsplit('/', 1)[-1]}",
        ScalableDimension="ecs:service:DesiredCount", MinCapacity=0, MaxCapacity=7)   # moto skips the stack's
    namespace: dict = {}
    exec(compile(scaler["Code"]["ZipFile"], "scaler/index.py", "exec"), namespace)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    boto3.setup_default_session(region_name=REGION)
    assert lab(aws).status().held_at_zero is None
    namespace["handler"]({}, None, now=NOW)
    assert namespace["handler"]({}, None, now=NOW + timedelta(minutes=10))["action"] == "hold_at_zero"
    st = lab(aws).status()
    assert st.desired == 0 and st.max_tasks == 0
    assert st.held_at_zero.startswith("no task stayed running for 10 minutes, so the lab was held at 0 tasks")
    assert "CannotPullContainerError: pull access denied" in st.held_at_zero
