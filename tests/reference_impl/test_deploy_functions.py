"""The template's two inline functions, run against moto: the queue-reading scaler and the reaper.

Their code is taken from the parsed template, so what is tested is what CloudFormation deploys.
moto cannot run them on a schedule (it skips EventBridge Scheduler in CloudFormation), so each
test calls the handler the way the schedule would.
"""
import json
from datetime import datetime, timedelta, timezone

import pytest

from reference_impl.deploy.template import parsed_template
from reference_impl.scaling import ScalingPolicy, tasks_for_backlog

from .deploy_support import moto_aws

RESOURCES = parsed_template()["Resources"]
CLUSTER, SERVICE = "lab", "digits-worker"
RESOURCE_ID = f"service/{CLUSTER}/{SERVICE}"


def load(function: str) -> dict:
    namespace: dict = {}
    exec(compile(RESOURCES[function]["Properties"]["Code"]["ZipFile"], f"{function}/index.py", "exec"), namespace)
    return namespace


@pytest.fixture
def aws(monkeypatch):
    with moto_aws(monkeypatch) as session:
        ecs = session.client("ecs")
        ecs.create_cluster(clusterName=CLUSTER)
        family = ecs.register_task_definition(family="w", containerDefinitions=[{"name": "w", "image": "x", "memory": 512}])
        ecs.create_service(cluster=CLUSTER, serviceName=SERVICE, desiredCount=0,
                           taskDefinition=family["taskDefinition"]["taskDefinitionArn"])
        queue = session.client("sqs").create_queue(QueueName="lab-jobs")["QueueUrl"]
        monkeypatch.setenv("CLUSTER", CLUSTER)
        monkeypatch.setenv("SERVICE", SERVICE)
        monkeypatch.setenv("QUEUE_URL", queue)
        yield session


def register_target(session, max_tasks: int) -> None:
    session.client("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId=RESOURCE_ID, ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=0, MaxCapacity=max_tasks)


def send(session, count: int) -> None:
    sqs = session.client("sqs")
    url = sqs.get_queue_url(QueueName="lab-jobs")["QueueUrl"]
    for start in range(0, count, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "{}"}
                                                      for i in range(start, min(start + 10, count))])


def desired(session) -> int:
    return session.client("ecs").describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]["desiredCount"]


# moto's SQS slows down as a queue deepens, so the target is small: 10 messages per task, and
# 120 messages already hit the cap of 7 tasks.
@pytest.mark.parametrize("backlog", [1, 9, 11, 45, 120])
def test_the_scaler_wakes_the_service_with_the_scaling_policys_arithmetic(aws, monkeypatch, backlog):
    policy = ScalingPolicy(acceptable_latency_s=5, seconds_per_message=0.5, max_tasks=7)
    monkeypatch.setenv("TARGET_BACKLOG_PER_TASK", f"{policy.target_backlog_per_task:g}")
    register_target(aws, policy.max_tasks)
    send(aws, backlog)
    decision = load("ScalerFunction")["handler"]({}, None)
    assert decision["action"] == "scale_out"
    assert desired(aws) == decision["desired"] == tasks_for_backlog(policy, backlog)


def test_the_scaler_leaves_a_running_service_to_application_auto_scaling(aws, monkeypatch):
    monkeypatch.setenv("TARGET_BACKLOG_PER_TASK", "120")
    register_target(aws, 7)
    aws.client("ecs").update_service(cluster=CLUSTER, service=SERVICE, desiredCount=2)
    send(aws, 30)
    decision = load("ScalerFunction")["handler"]({}, None)
    assert (decision["action"], desired(aws)) == ("hold", 2)


@pytest.mark.parametrize("max_tasks, why", [(None, "no scalable target"), (0, "max capacity is 0")])
def test_the_scaler_does_not_wake_a_lab_being_torn_down(aws, monkeypatch, max_tasks, why):
    monkeypatch.setenv("TARGET_BACKLOG_PER_TASK", "120")
    if max_tasks is not None:
        register_target(aws, max_tasks)
    send(aws, 5)
    decision = load("ScalerFunction")["handler"]({}, None)
    assert decision["action"] == "hold" and decision["reason"].startswith(why)
    assert desired(aws) == 0


def test_the_scaler_does_nothing_when_the_queue_is_empty(aws, monkeypatch):
    monkeypatch.setenv("TARGET_BACKLOG_PER_TASK", "120")
    register_target(aws, 7)
    assert load("ScalerFunction")["handler"]({}, None)["action"] == "hold"
    assert desired(aws) == 0


def test_the_reaper_holds_at_zero_empties_the_bucket_and_deletes_its_stack(aws, monkeypatch, capsys):
    register_target(aws, 7)
    aws.client("ecs").update_service(cluster=CLUSTER, service=SERVICE, desiredCount=3)
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="lab-bucket")
    for key in ("models/model.skops", "results/a.json", "results/b.json"):
        s3.put_object(Bucket="lab-bucket", Key=key, Body=b"x")
    cf = aws.client("cloudformation")
    stack_id = cf.create_stack(StackName="lab-week3-digits", TemplateBody=json.dumps(
        {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}))["StackId"]
    monkeypatch.setenv("STACK_ID", stack_id)
    monkeypatch.setenv("BUCKET", "lab-bucket")
    send(aws, 4)

    report = load("ReaperFunction")["handler"]({}, None, sleep=lambda s: None, wait_s=5)

    assert report == {"errors": [], "stopped": 0, "objects_deleted": 3, "stack": stack_id, "delete_requested": True}
    target = aws.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[RESOURCE_ID])["ScalableTargets"][0]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (0, 0)
    assert desired(aws) == 0
    assert s3.list_objects_v2(Bucket="lab-bucket")["KeyCount"] == 0
    queue = aws.client("sqs").get_queue_url(QueueName="lab-jobs")["QueueUrl"]
    attrs = aws.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])
    assert attrs["Attributes"]["ApproximateNumberOfMessages"] == "0"  # purged
    assert cf.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
    assert json.loads(capsys.readouterr().out) == report


def _role_actions(role: str) -> set[str]:
    out = set()
    for policy in RESOURCES[role]["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            out.update([actions] if isinstance(actions, str) else actions)
    return out


# S3 authorises ListObjectsV2 as ListBucket and DeleteObjects as DeleteObject
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html).
S3_ACTIONS = {"ListObjectsV2": "ListBucket", "DeleteObjects": "DeleteObject"}
# (the reaper's StopTask and the tasks_stopped waiter's DescribeTasks run only when tasks exist:
# test_deploy_teardown.py runs it with one)


@pytest.mark.parametrize("function, role", [("ScalerFunction", "ScalerRole"), ("ReaperFunction", "ReaperRole"),
                                            ("ResultFunction", "ResultRole")])
def test_each_function_calls_only_what_its_role_allows(aws, monkeypatch, function, role):
    import boto3

    calls = set()

    def record(model, **kwargs):
        service = model.service_model.signing_name
        calls.add(f"{service}:{S3_ACTIONS.get(model.name, model.name) if service == 's3' else model.name}")

    # The functions use boto3.client(...), i.e. boto3's default session; a fresh one for this test,
    # put back afterwards.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register("before-call", record)
    register_target(aws, 7)
    send(aws, 3)
    aws.client("s3").create_bucket(Bucket="lab-bucket")
    aws.client("s3").put_object(Bucket="lab-bucket", Key="results/a.json", Body=b"x")
    stack_id = aws.client("cloudformation").create_stack(StackName="lab-s", TemplateBody=json.dumps(
        {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}))["StackId"]
    for name, value in {"TARGET_BACKLOG_PER_TASK": "10", "STACK_ID": stack_id, "BUCKET": "lab-bucket"}.items():
        monkeypatch.setenv(name, value)
    handler = load(function)["handler"]
    if function == "ReaperFunction":
        handler({}, None, sleep=lambda s: None, wait_s=5)
    elif function == "ResultFunction":
        monkeypatch.setenv("PREFIX", "results/")
        assert handler({"pathParameters": {"id": "not-yet"}}, None)["statusCode"] == 404  # both keys read
    else:
        assert handler({}, None)["action"] == "scale_out"
    assert calls and calls <= _role_actions(role), sorted(calls - _role_actions(role))


def _tags(session) -> dict:
    ecs = session.client("ecs")
    arn = ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]["serviceArn"]
    return {t["key"]: t["value"] for t in ecs.list_tags_for_resource(resourceArn=arn)["tags"]}


def test_a_service_with_no_running_task_for_ten_minutes_goes_to_zero_and_stays_there(aws, monkeypatch):
    # moto's services never run a task: desired 2, running 0, as with an image that will not pull
    monkeypatch.setenv("TARGET_BACKLOG_PER_TASK", "10")
    monkeypatch.setenv("NO_TASK_GIVE_UP_S", RESOURCES["ScalerFunction"]["Properties"]["Environment"]["Variables"]
                       ["NO_TASK_GIVE_UP_S"])
    register_target(aws, 7)
    aws.client("ecs").update_service(cluster=CLUSTER, service=SERVICE, desiredCount=2)
    send(aws, 30)
    handler = load("ScalerFunction")["handler"]
    start = datetime(2030, 1, 2, 3, 0, tzinfo=timezone.utc)

    assert handler({}, None, now=start)["action"] == "hold"
    assert _tags(aws) == {"no-task-since": "2030-01-02T03:00:00Z"}
    assert handler({}, None, now=start + timedelta(minutes=9, seconds=59))["action"] == "hold"
    assert desired(aws) == 2

    decision = handler({}, None, now=start + timedelta(minutes=10))
    assert decision["action"] == "hold_at_zero" and "no task stayed running since 2030-01-02T03:00:00Z" in decision["reason"]
    assert desired(aws) == 0
    target = aws.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[RESOURCE_ID])["ScalableTargets"][0]
    assert target["MaxCapacity"] == 0
    assert _tags(aws)["held-at-zero"] == "2030-01-02T03:10:00Z"
    # messages still wait, but neither controller starts the failing tasks again
    later = handler({}, None, now=start + timedelta(minutes=11))
    assert (later["action"], desired(aws)) == ("hold", 0)


def test_the_scaler_role_allows_what_the_guard_calls():
    actions = _role_actions("ScalerRole")
    assert {"ecs:ListTagsForResource", "ecs:TagResource", "ecs:UntagResource", "ecs:ListTasks", "ecs:DescribeTasks",
            "application-autoscaling:RegisterScalableTarget", "ecs:UpdateService"} <= actions


# ------------------------------------------------------------------ GET /jobs/{id}: the result function
def _job_api(function, job_id: str, now: float) -> tuple[int, dict]:
    answer = function({"pathParameters": {"id": job_id}}, None, now=now)
    return answer["statusCode"], json.loads(answer["body"])


def test_the_job_api_reports_a_dead_lettered_job_as_failed_with_the_workers_note(aws, monkeypatch):
    """GET /jobs/{id} read only results/<id>.json: a job whose worker died on every delivery has
    none, so it stayed "pending" for ever. It now answers what reference_impl.jobs.get answers."""
    from reference_impl import jobs
    from reference_impl.results import JOB_ID_PATTERN, S3ResultStore

    aws.client("s3").create_bucket(Bucket="lab-bucket")
    store = S3ResultStore(aws.client("s3"), "lab-bucket", "results/")
    monkeypatch.setenv("BUCKET", "lab-bucket")
    monkeypatch.setenv("PREFIX", "results/")
    function = load("ResultFunction")
    assert function["JOB_ID"].pattern == JOB_ID_PATTERN.pattern  # one rule for what an id is
    now = 2_000_000_000.0
    # What the worker writes (worker.py): before a job's last delivery, the note that comes true
    # if it dies on it; on a real failure, the error, dead-lettered on the last attempt.
    note = {"job_id": "m-killed", "reason": "the worker stopped while processing it (3 deliveries)", "attempt": 3,
            "max_attempts": 3, "dead_lettered": True, "worker_stopped": True, "unless_done_by": now + 60}
    store.put_error("m-killed", note)
    store.put_error("m-bad", {"job_id": "m-bad", "reason": "inputs: expected 64 numbers", "attempt": 3,
                              "max_attempts": 3, "dead_lettered": True})
    store.put_error("m-again", {"job_id": "m-again", "reason": "timeout", "attempt": 1, "max_attempts": 3,
                                "dead_lettered": False})
    store.put_result("m-done", {"job_id": "m-done", "predictions": [3]})

    assert _job_api(function["handler"], "m-killed", now)[1]["status"] == "running"  # its last delivery runs
    code, body = _job_api(function["handler"], "m-killed", now + 61)  # the worker never came back
    assert (code, body["status"]) == (200, "failed")
    assert body["error"]["reason"] == "the worker stopped while processing it (3 deliveries)"
    code, body = _job_api(function["handler"], "m-bad", now)
    assert (code, body["status"], body["error"]["reason"]) == (200, "failed", "inputs: expected 64 numbers")
    assert _job_api(function["handler"], "m-again", now)[1]["status"] == "retrying"
    assert _job_api(function["handler"], "m-done", now) == (200, {"job_id": "m-done", "status": "done",
                                                                  "result": store.get_result("m-done")})
    assert _job_api(function["handler"], "m-unknown", now) == (404, {"job_id": "m-unknown", "status": "pending"})
    code, body = _job_api(function["handler"], "../etc", now)
    assert code == 400 and body["field"] == "id"
    # The same answers as the local runtime's reader, for every case.
    for job_id in ("m-killed", "m-bad", "m-again", "m-done", "m-unknown"):
        for at in (now, now + 61):
            api = _job_api(function["handler"], job_id, at)[1]
            local = jobs.get(job_id, store=store, now_s=at)
            assert {k: local.get(k) for k in api} == api, job_id
