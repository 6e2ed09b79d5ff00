"""The deployer against moto (in-process): plan, up, status, burst, down and the guardrails.

What moto proves here: the change-set flow, the stack's SQS queues (redrive, visibility timeout,
encryption flag), bucket settings and tags, ECS cluster/task definition/service, IAM roles and
policies, Lambda functions, log groups, VPC pieces, REST API resources and integrations, and the
deployer's reads and teardown. What it skips (Application Auto Scaling, CloudWatch alarms,
EventBridge Scheduler) is checked from the template in test_deploy_template.py; see the README.
"""
import io
import json
import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reference_impl import jobs
from reference_impl.deploy import ConfigError, Deployer, GuardrailError
from reference_impl.deploy import __main__ as cli
from reference_impl.deploy.__main__ import main
from reference_impl.deploy.sigv4 import ApiError
from reference_impl.deploy.template import parsed_template
from reference_impl.model import artifacts
from reference_impl.model.catalog import spec
from reference_impl.scaling import ScalingPolicy
from reference_impl.worker import WorkerConfig

from .deploy_support import lab_stacks, ACCOUNT, NOW, POLICY, REGION, lab_config, moto_aws, prepare_account, stack_ids, stub_unmodelled

# moto warns once per resource type it does not implement in CloudFormation; the tests that
# care read the template instead.
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")


@pytest.fixture
def aws(monkeypatch):
    with moto_aws(monkeypatch) as session:
        prepare_account(session)
        yield session


def stubbed(d):
    stub_unmodelled(d)
    return d


def deployer(session, **overrides):
    allowed = overrides.pop("allowed_accounts", frozenset({ACCOUNT}))
    d = Deployer(lab_config(**overrides), session=session, allowed_accounts=allowed,
                 now=lambda: NOW, sleep=lambda s: None, poll_s=0)
    stub_unmodelled(d)
    return d


@pytest.fixture
def deployed(aws):
    # Training and uploading the model takes seconds; only the test about the model does it.
    events = list(deployer(aws).up(upload_model=False))
    return aws, events


# ------------------------------------------------------------------ guardrails
def test_it_refuses_an_account_not_on_the_allow_list(aws):
    d = deployer(aws, allowed_accounts=frozenset({"111111111111"}))
    with pytest.raises(GuardrailError, match=f"account {ACCOUNT} .* not in LAB_ALLOWED_ACCOUNT_IDS"):
        d.plan()
    with pytest.raises(GuardrailError, match="not in LAB_ALLOWED_ACCOUNT_IDS"):
        list(d.up())
    assert lab_stacks(aws) == []


def test_it_refuses_when_the_allow_list_is_empty(aws):
    with pytest.raises(GuardrailError, match="LAB_ALLOWED_ACCOUNT_IDS is empty"):
        deployer(aws, allowed_accounts=frozenset()).status()


def test_it_refuses_a_lab_without_a_time_limit(aws):
    with pytest.raises(ConfigError, match=r"ttl_minutes \(--ttl-minutes\) is required"):
        list(deployer(aws, ttl_minutes=None).up())
    with pytest.raises(ConfigError, match="ttl_minutes .* is 241; allowed: 30 to 240"):
        deployer(aws, ttl_minutes=241).plan()
    assert lab_stacks(aws) == []


def test_it_caps_max_tasks_at_twenty(aws):
    too_many = ScalingPolicy(acceptable_latency_s=60, seconds_per_message=0.5, max_tasks=21)
    with pytest.raises(ConfigError, match="max_tasks .* is 21; a lab may run at most 20"):
        list(deployer(aws, policy=too_many).up())
    at_cap = ScalingPolicy(acceptable_latency_s=60, seconds_per_message=0.5, max_tasks=20)
    assert deployer(aws, policy=at_cap).plan().parameters["MaxTasks"] == "20"


def test_it_refuses_up_without_the_bootstrap_and_says_who_can_fix_it(aws):
    aws.client("ecr").batch_delete_image(repositoryName="lab-worker", imageIds=[{"imageTag": "1.0"}])
    aws.client("cloudformation").delete_stack(StackName="labs-bootstrap")
    with pytest.raises(GuardrailError, match="no labs-bootstrap stack in us-east-1.*ask your AWS administrator to "
                                             "run `python -m reference_impl.deploy bootstrap"):
        list(deployer(aws, stack_role_arn=None).up())
    assert lab_stacks(aws) == []


def test_an_assumed_role_is_checked_against_the_allow_list(aws):
    iam = aws.client("iam")
    iam.create_role(RoleName="lab-deployer", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    d = Deployer(lab_config(), session=aws, role_arn=f"arn:aws:iam::{ACCOUNT}:role/lab-deployer",
                 allowed_accounts=frozenset({ACCOUNT}), now=lambda: NOW)
    stub_unmodelled(d)
    assert d.plan().caller.startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/lab-deployer/")


# ------------------------------------------------------------------ plan
def test_plan_changes_nothing_and_shows_resources_caps_and_cost(aws):
    plan = deployer(aws).plan()
    assert lab_stacks(aws) == []
    assert aws.client("sqs").list_queues().get("QueueUrls", []) == []
    assert ("JobQueue", "AWS::SQS::Queue") in plan.resources
    assert ("BacklogPerTaskPolicy", "AWS::ApplicationAutoScaling::ScalingPolicy") in plan.resources
    assert plan.caps["tasks"] == "0 to 7 (a lab may not exceed 20)"
    assert plan.expires_at == "2030-01-02T04:34:05+00:00"  # NOW + 90 minutes
    assert plan.tags == {"owner": "ann@example.org", "lab": "week3", "expires-at": "2030-01-02T04:34:05"}
    # 1 vCPU x 0.04048 + 4 GB x 0.004445 + 1 GB extra disk x 0.000111 + IPv4 0.005 + 180 receives
    assert plan.cost.task_usd_per_hour == pytest.approx(0.04048 + 4 * 0.004445 + 0.000111 + 0.005 + 180 * 4e-7)
    assert plan.cost.at_max_usd_per_hour == pytest.approx(plan.cost.idle_usd_per_hour + 7 * plan.cost.task_usd_per_hour)
    assert plan.cost.worst_case_usd == pytest.approx(plan.cost.at_max_usd_per_hour * 1.5)
    assert all(line.sources and all(s for s in line.sources) for line in (*plan.cost.idle, *plan.cost.per_task))


def test_plan_parameters_come_from_the_scaling_policy(aws):
    params = deployer(aws).plan().parameters
    assert params["TargetBacklogPerTask"] == f"{POLICY.target_backlog_per_task:g}" == "120"
    assert params["MinTasks"] == "0" and params["MaxTasks"] == "7"
    # Target tracking's scale-out cooldown outlasts its metric's lag (scaling.TARGET_TRACKING_SCALE_OUT_COOLDOWN_S).
    assert params["ScaleOutCooldownSeconds"] == "120" and params["ScaleInCooldownSeconds"] == "240"
    # 2 x 10 messages per receive x 0.5 s = 10 s, raised to SQS's 30 s default
    assert params["VisibilityTimeoutSeconds"] == "30"
    slow = ScalingPolicy(acceptable_latency_s=600, seconds_per_message=12, max_tasks=3)
    assert deployer(aws, policy=slow).plan().parameters["VisibilityTimeoutSeconds"] == "240"


def test_the_cli_plan_prints_caps_costs_and_sources(aws, monkeypatch):
    monkeypatch.setenv("LAB_ALLOWED_ACCOUNT_IDS", ACCOUNT)
    monkeypatch.delenv("LAB_STACK_ROLE_ARN", raising=False)   # the bootstrap's role
    monkeypatch.setattr(cli, "Deployer", lambda config, **kw: stubbed(Deployer(config, **kw)))
    out, err = io.StringIO(), io.StringIO()
    code = main(["plan", "--model", "digits", "--lab", "week3", "--owner", "ann", "--ttl-minutes", "60",
                 "--max-tasks", "4", "--image", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/lab-worker:1.0"], out, err)
    assert code == 0, err.getvalue()
    text = out.getvalue()
    assert "Nothing was created or changed" in text
    assert "tasks: 0 to 4 (a lab may not exceed 20)" in text
    assert "https://aws.amazon.com/fargate/pricing/" in text
    assert "at the cap (4 tasks)" in text


def test_the_cli_refuses_with_exit_status_2_and_says_why(aws, monkeypatch):
    monkeypatch.setenv("LAB_ALLOWED_ACCOUNT_IDS", "111111111111")
    out, err = io.StringIO(), io.StringIO()
    code = main(["status", "--model", "digits", "--lab", "week3", "--owner", "ann"], out, err)
    assert code == 2
    assert f"refused: account {ACCOUNT}" in err.getvalue()


# ------------------------------------------------------------------ up
def test_up_creates_the_stack_through_a_change_set_and_reports_progress(deployed):
    session, events = deployed
    cf = session.client("cloudformation")
    stack = cf.describe_stacks(StackName="lab-week3-digits")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["RoleARN"] == f"arn:aws:iam::{ACCOUNT}:role/labs-cloudformation-role"   # the bootstrap's
    assert {t["Key"]: t["Value"] for t in stack["Tags"]} == {
        "owner": "ann@example.org", "lab": "week3", "expires-at": "2030-01-02T04:34:05"}
    changeset = next(e for e in events if e.kind == "changeset")
    assert changeset.total == len(changeset.data["changes"]) == len(parsed_template()["Resources"])
    assert events[-1].kind == "done" and events[-1].done == events[-1].total == changeset.total
    assert [e.message for e in events if e.kind == "stack"][-1].endswith("CREATE_COMPLETE")


def test_up_builds_the_queue_with_redrive_encryption_and_the_sized_timeout(deployed):
    session, _ = deployed
    ids = stack_ids(session)
    sqs = session.client("sqs")
    attrs = sqs.get_queue_attributes(QueueUrl=ids["JobQueue"], AttributeNames=["All"])["Attributes"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=ids["DeadLetterQueue"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert json.loads(attrs["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}
    assert attrs["VisibilityTimeout"] == "30"
    assert attrs["SqsManagedSseEnabled"] == "true"
    assert attrs["ReceiveMessageWaitTimeSeconds"] == "20"


def test_up_builds_an_encrypted_bucket(deployed):
    # moto's CloudFormation applies a bucket's encryption and tags only; the public access block
    # and the results expiry are checked from the template (test_deploy_template.py).
    session, _ = deployed
    s3, bucket = session.client("s3"), stack_ids(session)["Bucket"]
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_up_builds_a_service_at_zero_with_a_task_sized_for_the_model(deployed):
    session, _ = deployed
    ids = stack_ids(session)
    ecs = session.client("ecs")
    service = ecs.describe_services(cluster=ids["Cluster"], services=[ids["Service"]])["services"][0]
    assert service["desiredCount"] == 0
    # moto's CloudFormation keeps a task definition's family, containers and memory only; CPU,
    # ephemeral storage, roles and tags are checked from the template.
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert task["memory"] == "4096"
    container = task["containerDefinitions"][0]
    assert container["stopTimeout"] == 120
    env = {e["name"]: e["value"] for e in container["environment"]}
    assert env["QUEUE_URL"] == ids["JobQueue"]
    assert env["MODEL_S3_URI"] == f"s3://{ids['Bucket']}/models/model.skops"


def test_every_taggable_resource_moto_created_carries_the_lab_tags(deployed):
    session, _ = deployed
    ids = stack_ids(session)
    want = {"owner": "ann@example.org", "lab": "week3", "expires-at": "2030-01-02T04:34:05"}

    def has(tags: dict) -> bool:
        return all(tags.get(k) == v for k, v in want.items())

    # moto's CloudFormation drops the tags of ECS resources, Lambda functions and REST APIs;
    # test_deploy_template.py checks every resource's tags in the template itself.
    sqs, s3 = session.client("sqs"), session.client("s3")
    for queue in ("JobQueue", "DeadLetterQueue"):
        assert has(sqs.list_queue_tags(QueueUrl=ids[queue])["Tags"]), queue
    assert has({t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=ids["Bucket"])["TagSet"]})
    iam = session.client("iam")
    for role in ("TaskRole", "ExecutionRole", "ScalerRole", "ReaperRole", "SchedulerRole", "ApiRole"):
        assert has({t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=ids[role])["Tags"]}), role
    logs = session.client("logs")
    for group in ("LogGroup", "ScalerLogGroup", "ReaperLogGroup"):
        arn = logs.describe_log_groups(logGroupNamePrefix=ids[group])["logGroups"][0]["arn"].removesuffix(":*")
        assert has(logs.list_tags_for_resource(resourceArn=arn)["tags"]), group
    group = session.client("ec2").describe_security_groups(GroupIds=[ids["TaskSecurityGroup"]])["SecurityGroups"][0]
    assert has({t["Key"]: t["Value"] for t in group.get("Tags", [])})


def test_the_api_sends_to_the_queue_and_answers_through_the_result_function(deployed):
    session, _ = deployed
    ids = stack_ids(session)
    apigw = session.client("apigateway")
    resources = {r["path"]: r["id"] for r in apigw.get_resources(restApiId=ids["Api"])["items"]}
    submit = apigw.get_integration(restApiId=ids["Api"], resourceId=resources["/jobs"], httpMethod="POST")
    assert submit["type"] == "AWS"
    assert submit["uri"] == f"arn:aws:apigateway:{REGION}:sqs:path/{ACCOUNT}/lab-week3-digits-jobs"
    assert submit["credentials"].endswith(ids["ApiRole"])
    assert "Action=SendMessage" in submit["requestTemplates"]["application/json"]
    read = apigw.get_integration(restApiId=ids["Api"], resourceId=resources["/jobs/{id}"], httpMethod="GET")
    function = session.client("lambda").get_function(FunctionName=ids["ResultFunction"])["Configuration"]
    assert read["type"] == "AWS_PROXY" and read["credentials"].endswith(ids["ApiRole"])
    assert read["uri"] == f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function['FunctionArn']}/invocations"
    assert function["Environment"]["Variables"] == {"BUCKET": ids["Bucket"], "PREFIX": "results/"}
    method = apigw.get_method(restApiId=ids["Api"], resourceId=resources["/jobs"], httpMethod="POST")
    assert method["authorizationType"] == "AWS_IAM"


def test_up_refuses_a_second_stack_of_the_same_name(deployed):
    session, _ = deployed
    with pytest.raises(GuardrailError, match="already exists"):
        list(deployer(session).up())


def test_up_uploads_a_model_the_worker_can_load(aws):
    session, events = aws, list(deployer(aws).up())
    uri = f"s3://{stack_ids(session)['Bucket']}/models/model.skops"
    assert any(e.message.startswith("model uploaded: ") for e in events)
    model = artifacts.load(session.client("s3"), uri)  # the worker's own loader: checks sha256
    assert model.name == "digits"
    assert len(model.predict(spec("digits").sample_inputs(3))) == 3


def test_the_task_definition_points_the_worker_at_the_queue_model_and_results(deployed):
    session, _ = deployed
    ids = stack_ids(session)
    ecs = session.client("ecs")
    service = ecs.describe_services(cluster=ids["Cluster"], services=[ids["Service"]])["services"][0]
    container = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]["containerDefinitions"][0]
    env = {e["name"]: e["value"] for e in container["environment"]}
    assert WorkerConfig.from_env(env).visibility_timeout_s == 30  # the queue's timeout, from the policy
    assert env["RESULTS_S3_URI"] == f"s3://{ids['Bucket']}/results/"
    assert env["WORKER_STOP_TIMEOUT_S"] == str(container["stopTimeout"]) == "120"


# ------------------------------------------------------------------ status and burst
def test_status_reports_absent_before_up(aws):
    assert deployer(aws).status().stack_status == "ABSENT"


def test_status_reads_queue_dead_letters_service_and_time_left(deployed):
    session, _ = deployed
    ids = stack_ids(session)
    sqs = session.client("sqs")
    sqs.send_message(QueueUrl=ids["JobQueue"], MessageBody="{}")
    sqs.send_message(QueueUrl=ids["JobQueue"], MessageBody="{}")
    sqs.receive_message(QueueUrl=ids["JobQueue"], MaxNumberOfMessages=1)
    sqs.send_message(QueueUrl=ids["DeadLetterQueue"], MessageBody="poison")
    status = deployer(session).status()
    assert (status.visible, status.in_flight, status.dead_letter) == (1, 1, 1)
    assert (status.desired, status.running) == (0, 0)
    assert status.seconds_left == 90 * 60
    assert status.api_url == f"https://{ids['Api']}.execute-api.{REGION}.amazonaws.com/v1"


def test_burst_through_the_queue_when_asked_says_so_and_queues_valid_jobs(deployed):
    session, _ = deployed
    events = list(deployer(session).burst(25, via="queue", inputs_per_job=2))
    assert "directly to the queue (as asked)" in events[0].message
    assert events[-1].data == {"via": "queue", "sent": 25}
    assert deployer(session).status().visible == 25
    received = session.client("sqs").receive_message(QueueUrl=stack_ids(session)["JobQueue"], MaxNumberOfMessages=10)
    for message in received["Messages"]:
        job = jobs.decode(message["Body"], "digits", message["MessageId"])  # as the worker reads it
        assert len(job.inputs) == 2 and job.job_id.startswith("digits.")


@contextmanager
def local_api(status_for=lambda n: 202):
    """A stand-in for the lab's API on loopback: records each POST, answers `status_for(n)`."""
    seen = []
    lock = threading.Lock()

    class Api(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                seen.append((self.path, self.headers["Authorization"], self.headers["X-Amz-Date"], body))
                n = len(seen)
            answer = json.dumps({"message_id": f"m{n}"}).encode()
            self.send_response(status_for(n))
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1", seen
    finally:
        server.shutdown()


def test_burst_through_the_api_signs_each_request_with_the_callers_identity(deployed):
    session, _ = deployed
    with local_api() as (url, seen):
        events = list(deployer(session).burst(12, api_url=url, workers=3))
    assert events[0].message == f"submitting 12 jobs through the API: POST {url}/jobs (SigV4-signed)"
    assert sorted(events[-1].data["message_ids"]) == sorted(f"m{i}" for i in range(1, 13))
    assert len(seen) == 12 and {path for path, *_ in seen} == {"/v1/jobs"}
    for _, authorization, _, body in seen:
        assert re.fullmatch(r"AWS4-HMAC-SHA256 Credential=[A-Z0-9]+/\d{8}/us-east-1/execute-api/aws4_request, "
                            r"SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}", authorization)
        sent = json.loads(body)
        # No job id of its own: the message id the API answers with is the job's id.
        assert sent["model"] == "digits" and "job_id" not in sent


def test_a_burst_through_the_api_stops_sending_at_the_first_error_and_says_so(deployed):
    session, _ = deployed
    with local_api(lambda n: 202 if n < 5 else 502) as (url, seen):  # fails from the 5th request on
        with pytest.raises(ApiError, match=r"burst stopped at the first error, \d of 200 jobs accepted: .*HTTP 502"):
            list(deployer(session).burst(200, api_url=url, workers=3))
    # the failing request and at most the two others in flight beside it: nothing sent after
    assert 5 <= len(seen) <= 5 + 2


def test_the_cli_status_json_and_burst_report_what_they_did(deployed, monkeypatch):
    session, _ = deployed
    monkeypatch.setenv("LAB_ALLOWED_ACCOUNT_IDS", ACCOUNT)
    args = ["--model", "digits", "--lab", "week3", "--owner", "ann"]
    out, err = io.StringIO(), io.StringIO()
    assert main(["burst", "120", "--via", "queue", *args], out, err) == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    assert "directly to the queue (as asked)" in lines[0]
    assert lines[-1].startswith("[" + "#" * 30 + "] 120/120 120 jobs sent to the queue")
    out = io.StringIO()
    assert main(["status", "--json", *args], out, err) == 0
    status = json.loads(out.getvalue())
    assert (status["stack_status"], status["visible"], status["desired"]) == ("CREATE_COMPLETE", 120, 0)


def test_burst_refuses_sizes_outside_its_range(deployed):
    session, _ = deployed
    with pytest.raises(ValueError, match="a burst is 1 to 10000 jobs"):
        list(deployer(session).burst(0))


# ------------------------------------------------------------------ down
def test_down_empties_the_bucket_holds_scaling_at_zero_and_deletes_the_stack(deployed):
    session, _ = deployed
    ids = stack_ids(session)
    s3 = session.client("s3")
    s3.put_object(Bucket=ids["Bucket"], Key="results/a.json", Body=b"{}")
    s3.put_object(Bucket=ids["Bucket"], Key="models/model.skops", Body=b"m")
    # moto's CloudFormation skips the scalable target; register it as AWS would have.
    aas = session.client("application-autoscaling")
    resource_id = f"service/{ids['Cluster']}/digits-worker"
    aas.register_scalable_target(ServiceNamespace="ecs", ResourceId=resource_id,
                                 ScalableDimension="ecs:service:DesiredCount", MinCapacity=0, MaxCapacity=7)
    session.client("ecs").update_service(cluster=ids["Cluster"], service=ids["Service"], desiredCount=3)

    events = list(deployer(session).down())

    messages = [e.message for e in events]
    assert "scaling held at 0 (MaxCapacity 0)" in messages
    assert f"bucket {ids['Bucket']} emptied (2 objects)" in messages
    assert events[-1].message == "stack lab-week3-digits deleted"
    target = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource_id])["ScalableTargets"][0]
    assert target["MaxCapacity"] == 0
    assert deployer(session).status().stack_status == "ABSENT"
    assert "lab-week3-digits-jobs" not in " ".join(session.client("sqs").list_queues().get("QueueUrls", []))


def test_status_and_down_skip_resources_the_stack_lists_as_deleted(deployed, monkeypatch):
    # A rolled-back stack still lists its resources, with DELETE_COMPLETE; moto keeps no such
    # state, so the listing is shaped here the way CloudFormation returns it.
    session, _ = deployed
    d = deployer(session)
    client = d._client("cloudformation")  # the deployer keeps one client per service
    real = client.describe_stack_resources

    def rolled_back(**kwargs):
        listed = real(**kwargs)
        for r in listed["StackResources"]:
            if r.get("LogicalResourceId") in ("Service", "JobQueue"):
                r["ResourceStatus"] = "DELETE_COMPLETE"
        return listed

    monkeypatch.setattr(client, "describe_stack_resources", rolled_back)
    status = d.status()
    assert (status.visible, status.desired, status.dead_letter) == (None, None, 0)
    messages = [e.message for e in d.down()]
    assert not any("desired count" in m for m in messages)
    assert messages[-1] == "stack lab-week3-digits deleted"


def test_down_of_an_absent_stack_says_there_is_nothing_to_delete(aws):
    events = list(deployer(aws).down())
    assert events == [events[0]] and "nothing to delete" in events[0].message
