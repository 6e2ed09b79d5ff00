"""`down`, the in-stack reaper and a failed deletion: nothing the lab created may survive.

In moto where moto models it: the stack and its queues, bucket, cluster, tasks (moto's run_task
stands in for a service task that protected itself from scale-in: moto's services launch none),
roles, functions, log groups, security group and REST API, listed after `down`. moto cannot make a
deletion fail, so the DELETE_FAILED tests shape CloudFormation's answers (DescribeStacks and
DescribeStackEvents, as the API documents them) on the deployer's own client.
"""
import io
import json

import boto3
import pytest
from botocore.exceptions import ClientError

from reference_impl.deploy import Deployer, GuardrailError
from reference_impl.deploy import __main__ as cli
from reference_impl.deploy.config import DOWN_TIMEOUT_S
from reference_impl.deploy.events import DeployError
from reference_impl.deploy.template import parsed_template

from .deploy_support import ACCOUNT, NOW, lab_config, moto_aws, prepare_account, stub_unmodelled

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")
STACK = "lab-week3-digits"


@pytest.fixture
def aws(monkeypatch):
    with moto_aws(monkeypatch) as session:
        prepare_account(session)
        yield session


def deployer(session, **overrides) -> Deployer:
    d = Deployer(lab_config(**overrides), session=session, allowed_accounts=frozenset({ACCOUNT}),
                 now=lambda: NOW, sleep=lambda s: None, poll_s=0)
    stub_unmodelled(d)
    return d


@pytest.fixture
def deployed(aws):
    list(deployer(aws).up(upload_model=False))
    return aws


def ids(session) -> dict[str, str]:
    listed = session.client("cloudformation").describe_stack_resources(StackName=STACK)["StackResources"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in listed if r.get("LogicalResourceId") and r.get("PhysicalResourceId")}


def leftovers(session) -> dict[str, list]:
    """Everything of the lab that could still exist (and bill), service by service."""
    ec2, ecs = session.client("ec2"), session.client("ecs")
    clusters = ecs.describe_clusters(clusters=ecs.list_clusters()["clusterArns"])["clusters"] if ecs.list_clusters()["clusterArns"] else []
    return {
        "stacks": [s["StackName"] for s in session.client("cloudformation").list_stacks()["StackSummaries"]
                   if s["StackStatus"] != "DELETE_COMPLETE"],
        "queues": session.client("sqs").list_queues().get("QueueUrls", []),
        "buckets": [b["Name"] for b in session.client("s3").list_buckets()["Buckets"]],
        "clusters": [c["clusterName"] for c in clusters if c["status"] == "ACTIVE"],
        "running tasks": [t for c in clusters for t in ecs.list_tasks(cluster=c["clusterName"], desiredStatus="RUNNING")["taskArns"]],
        "roles": [r["RoleName"] for r in session.client("iam").list_roles()["Roles"] if r["Path"] == "/"],
        "functions": [f["FunctionName"] for f in session.client("lambda").list_functions()["Functions"]],
        "log groups": [g["logGroupName"] for g in session.client("logs").describe_log_groups()["logGroups"]],
        "security groups": [g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"] != "default"],
        "rest apis": [a["name"] for a in session.client("apigateway").get_rest_apis()["items"]],
    }


def test_bootstrap_plan_up_down_leaves_only_what_the_bootstrap_owns(aws):
    session = aws
    bootstrapped = leftovers(session)   # prepare_account ran the administrator's bootstrap
    assert bootstrapped["stacks"] == ["labs-bootstrap"] and "labs-janitor" in bootstrapped["functions"]
    assert deployer(session).plan().ready
    list(deployer(session).up(upload_model=False))
    created = leftovers(session)
    assert created["stacks"] == ["labs-bootstrap", STACK] and created["queues"] and created["functions"]
    assert f"/aws/ecs/containerinsights/{STACK}/performance" in created["log groups"]
    found = ids(session)
    session.client("s3").put_object(Bucket=found["Bucket"], Key="results/a.json", Body=b"{}")
    # A task that protected itself from scale-in: desired count 0 does not stop it.
    # (moto's run_task needs container-level memory, which the lab's task definition does not set)
    ecs = session.client("ecs")
    stand_in = ecs.register_task_definition(family=f"{STACK}-worker", containerDefinitions=[
        {"name": "worker", "image": "x", "memory": 512}])["taskDefinition"]["taskDefinitionArn"]
    protected = ecs.run_task(cluster=found["Cluster"], taskDefinition=stand_in, launchType="FARGATE",
                             count=1)["tasks"][0]["taskArn"]

    events = list(deployer(session).down())

    assert f"stopped protected task {protected.rsplit('/', 1)[-1]}" in [e.message for e in events]
    assert leftovers(session) == bootstrapped
    # CloudFormation leaves the task definition INACTIVE; down deletes it
    assert "(it was INACTIVE)" in [e.message for e in events if e.kind == "info"][-1]


def test_container_insights_log_group_created_outside_the_stack_is_swept(deployed):
    session = deployed
    logs = session.client("logs")
    name = f"/aws/ecs/containerinsights/{STACK}/performance"
    list(deployer(session).down())
    logs.create_log_group(logGroupName=name)  # as ECS would if it outlived the stack's own group
    d = deployer(session)
    d._sweep_outside_the_stack()
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []


def test_the_cluster_is_created_after_and_deleted_before_its_insights_log_group():
    resources = parsed_template()["Resources"]
    assert resources["Cluster"]["DependsOn"] == "ContainerInsightsLogGroup"
    assert resources["ContainerInsightsLogGroup"]["Properties"]["LogGroupName"] == {
        "Fn::Sub": "/aws/ecs/containerinsights/${AWS::StackName}/performance"}
    assert resources["Cluster"]["Properties"]["ClusterName"] == {"Ref": "AWS::StackName"}


@pytest.mark.parametrize("tags", [
    {"owner": "someone"},                                                           # not made by this tool
    {"owner": "ann", "lab": "week3-digits", "expires-at": "2030-01-02T04:34:05"},   # another lab's, same name
])
def test_down_refuses_a_stack_without_the_lab_tags_and_touches_nothing(aws, monkeypatch, tags):
    cf = aws.client("cloudformation")
    cf.create_stack(StackName=STACK, TemplateBody=json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}),
                    Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    with pytest.raises(GuardrailError, match="does not carry this tool's lab tags"):
        list(deployer(aws).down())
    assert cf.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    monkeypatch.setenv("LAB_ALLOWED_ACCOUNT_IDS", ACCOUNT)
    err = io.StringIO()
    assert cli.main(["down", "--model", "digits", "--lab", "week3", "--owner", "ann"], io.StringIO(), err) == 2
    assert "refused: stack lab-week3-digits does not carry this tool's lab tags" in err.getvalue()
    assert cf.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert len(aws.client("sqs").list_queues()["QueueUrls"]) == 1


def test_down_refuses_another_owners_lab_and_says_whose_it_is(deployed):
    with pytest.raises(GuardrailError, match="stack lab-week3-digits belongs to 'ann@example.org', not 'bob' \\(--owner\\): "
                                             "refusing to delete another owner's lab"):
        list(deployer(deployed, owner="bob").down())
    stack = deployed.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"


def test_down_refuses_a_lab_tagged_stack_not_created_with_the_bootstrap_role(aws):
    cf = aws.client("cloudformation")
    tags = {"owner": "ann@example.org", "lab": "week3", "expires-at": "2030-01-02T04:34:05"}
    cf.create_stack(StackName=STACK, TemplateBody=json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}),
                    Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    with pytest.raises(GuardrailError, match="was created with no service role, not this tool's stack role "
                                             f"arn:aws:iam::{ACCOUNT}:role/labs-cloudformation-role"):
        list(deployer(aws).down())
    assert len(aws.client("sqs").list_queues()["QueueUrls"]) == 1


def _failed_deletion(d: Deployer, monkeypatch) -> None:
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


def test_a_failed_deletion_shows_its_status_and_reason_and_can_be_retried(deployed, monkeypatch):
    d = deployer(deployed)
    _failed_deletion(d, monkeypatch)
    status = d.status()
    assert status.stack_status == "DELETE_FAILED"
    assert status.reason == ("The following resource(s) failed to delete: [Bucket]. ; "
                             "Bucket: The bucket you tried to delete is not empty")
    deployed.client("s3").put_object(Bucket=ids(deployed)["Bucket"], Key="results/late.json", Body=b"{}")
    with pytest.raises(DeployError, match="ended DELETE_FAILED: .*Bucket: The bucket you tried to delete is not empty"):
        for event in d.down():
            seen = event.message
            # the bucket that failed to delete is still emptied; resources already gone are not touched
            assert "desired count" not in seen and "queue" not in seen
    assert deployed.client("s3").list_objects_v2(Bucket=ids(deployed)["Bucket"])["KeyCount"] == 0
    # the retry is a fresh deletion that goes through
    events = list(deployer(deployed).retry_delete())
    assert events[-1].message == f"stack {STACK} deleted"


def test_down_has_its_own_timeout_whatever_the_labs_time_left(deployed, monkeypatch):
    seen = {}
    d = deployer(deployed)
    real = d._stream

    def stream(cf, stack_id, total, action, timeout_s=None):
        seen["timeout_s"] = timeout_s
        return (yield from real(cf, stack_id, total, action, timeout_s))

    monkeypatch.setattr(d, "_stream", stream)
    list(d.down())
    # the lab expired long ago (NOW is far past nothing here: the budget is down's own)
    assert DOWN_TIMEOUT_S - 60 < seen["timeout_s"] <= DOWN_TIMEOUT_S


# ------------------------------------------------------------------ the reaper (the template's code, run against moto)
def _reaper():
    namespace: dict = {}
    code = parsed_template()["Resources"]["ReaperFunction"]["Properties"]["Code"]["ZipFile"]
    exec(compile(code, "ReaperFunction/index.py", "exec"), namespace)
    return namespace["handler"]


@pytest.fixture
def reaper_env(deployed, monkeypatch):
    found = ids(deployed)
    stack_id = deployed.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]["StackId"]
    for name, value in {"STACK_ID": stack_id, "CLUSTER": found["Cluster"], "SERVICE": "digits-worker",
                        "BUCKET": found["Bucket"], "QUEUE_URL": found["JobQueue"]}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    boto3.setup_default_session()
    return deployed, stack_id


def _fail(operation: str, times: int):
    calls = {"n": 0}

    def handler(**kwargs):
        calls["n"] += 1
        if calls["n"] <= times:
            raise ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, operation)
    return handler


def test_the_reaper_deletes_the_stack_even_when_earlier_steps_fail(reaper_env, monkeypatch, capsys):
    session, stack_id = reaper_env
    monkeypatch.setenv("BUCKET", "no-such-bucket")  # emptying fails
    boto3.DEFAULT_SESSION.events.register("before-call.sqs.PurgeQueue", _fail("PurgeQueue", 99))
    report = _reaper()({}, None, sleep=lambda s: None, wait_s=10)
    assert report["delete_requested"] is True
    assert any(e.startswith("purge queue:") for e in report["errors"])
    assert any(e.startswith("empty bucket:") for e in report["errors"])
    status = session.client("cloudformation").describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
    assert status == "DELETE_COMPLETE"


def test_the_reaper_retries_delete_stack_and_fails_loudly_when_it_never_succeeds(reaper_env):
    session, stack_id = reaper_env
    boto3.DEFAULT_SESSION.events.register("before-call.cloudformation.DeleteStack", _fail("DeleteStack", 2))
    report = _reaper()({}, None, sleep=lambda s: None, wait_s=10)
    assert report["delete_requested"] and len([e for e in report["errors"] if e.startswith("delete stack")]) == 2
    boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register("before-call.cloudformation.DeleteStack", _fail("DeleteStack", 99))
    with pytest.raises(RuntimeError, match="DeleteStack failed 4 times"):
        _reaper()({}, None, sleep=lambda s: None, wait_s=10)
