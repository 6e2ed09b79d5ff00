"""The template itself: cfn-lint, tags, scaling, IAM, queue, bucket, tasks, API, teardown.

These read the parsed template (CloudFormation's short tags turned into their long forms)
because moto skips or strips much of it: it does not create Application Auto Scaling targets and
policies, CloudWatch alarms or EventBridge Scheduler resources, and drops a bucket's public access
block and lifecycle, a task definition's CPU and disk, and ECS, Lambda and API tags. What moto does
create is checked in test_deploy_deployer.py.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from reference_impl import aws_facts
from reference_impl.deploy.config import visibility_timeout_s
from reference_impl.deploy.template import TEMPLATE_PATH, parsed_template
from reference_impl.scaling import ScalingPolicy, target_tracking_config

from .deploy_support import NOW, lab_config

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = parsed_template()
RESOURCES = TEMPLATE["Resources"]
LAB_TAGS = {"owner": {"Ref": "Owner"}, "lab": {"Ref": "LabName"}, "expires-at": {"Ref": "ExpiresAt"}}


def props(logical_id: str) -> dict:
    return RESOURCES[logical_id]["Properties"]


def resolve(value, parameters: dict[str, str]):
    """Substitute {"Ref": parameter} with the deployer's value, as CloudFormation would."""
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in parameters:
        return parameters[value["Ref"]]
    if isinstance(value, dict):
        return {k: resolve(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, parameters) for v in value]
    return value


def test_cfn_lint_passes_with_no_error_or_warning():
    result = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), "--format", "parseable", str(TEMPLATE_PATH)],
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_every_resource_that_can_carry_tags_carries_the_lab_tags():
    untaggable = []
    for logical_id, resource in RESOURCES.items():
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource["Type"]).schema
        if "Tags" not in schema["properties"]:
            untaggable.append(resource["Type"])
            continue
        tags = resource["Properties"].get("Tags")
        if isinstance(tags, list):
            tags = {t["Key"]: t["Value"] for t in tags}
        assert tags is not None and all(tags.get(k) == v for k, v in LAB_TAGS.items()), logical_id
    # What CloudFormation cannot tag: sub-parts of a tagged parent (API methods, the deployment,
    # policies of a tagged scalable target, schedules inside a tagged group, a tagged function's
    # asynchronous-invocation settings).
    assert sorted(set(untaggable)) == ["AWS::ApiGateway::Deployment", "AWS::ApiGateway::Method",
                                       "AWS::ApiGateway::Resource", "AWS::ApplicationAutoScaling::ScalingPolicy",
                                       "AWS::Lambda::EventInvokeConfig", "AWS::Scheduler::Schedule"]


# ------------------------------------------------------------------ scaling
@pytest.mark.parametrize("policy", [
    ScalingPolicy(acceptable_latency_s=60, seconds_per_message=0.5, max_tasks=7, scale_in_cooldown_s=240),
    ScalingPolicy(acceptable_latency_s=300, seconds_per_message=2, max_tasks=20, scale_out_cooldown_s=30),
])
def test_the_scaling_resources_take_their_numbers_from_the_scaling_policy(policy):
    config = lab_config(policy=policy)
    params = config.stack_parameters(config.expires_at(NOW), "vpc-0123abcd", ("subnet-0123abcd",))
    expected = target_tracking_config(policy)
    target = resolve(props("ScalableTarget"), params)
    tracking = resolve(props("BacklogPerTaskPolicy"), params)["TargetTrackingScalingPolicyConfiguration"]
    assert float(tracking["TargetValue"]) == expected["TargetBacklogPerTask"] == policy.target_backlog_per_task
    assert int(target["MinCapacity"]) == expected["MinTasks"] == 0
    assert int(target["MaxCapacity"]) == expected["MaxTasks"]
    assert int(tracking["ScaleOutCooldown"]) == expected["ScaleOutCooldownSeconds"]
    assert int(tracking["ScaleInCooldown"]) == expected["ScaleInCooldownSeconds"]
    assert int(resolve(props("JobQueue"), params)["VisibilityTimeout"]) == visibility_timeout_s(policy)
    scaler_env = resolve(props("ScalerFunction"), params)["Environment"]["Variables"]
    assert float(scaler_env["TARGET_BACKLOG_PER_TASK"]) == policy.target_backlog_per_task


def test_target_tracking_uses_backlog_per_task_metric_math():
    spec = props("BacklogPerTaskPolicy")["TargetTrackingScalingPolicyConfiguration"]["CustomizedMetricSpecification"]
    metrics = {m["Id"]: m for m in spec["Metrics"]}
    assert metrics["m1"]["MetricStat"]["Metric"]["Namespace"] == "AWS/SQS"
    assert metrics["m1"]["MetricStat"]["Metric"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert metrics["m3"]["MetricStat"]["Metric"]["MetricName"] == "ApproximateNumberOfMessagesNotVisible"
    assert metrics["m1"]["MetricStat"]["Metric"]["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["JobQueue", "QueueName"]}}]
    assert metrics["m2"]["MetricStat"]["Metric"]["Namespace"] == "ECS/ContainerInsights"
    # Desired, not running: a metric divided by running tasks stays high while tasks start, and
    # target tracking multiplies the capacity again each minute (tests/reference_impl/test_simulate_deployed.py).
    assert metrics["m2"]["MetricStat"]["Metric"]["MetricName"] == "DesiredTaskCount"
    assert metrics["e1"]["Expression"] == "(m1 + m3) / m2"
    assert [m["Id"] for m in spec["Metrics"] if m["ReturnData"]] == ["e1"]
    # DesiredTaskCount exists only with Container Insights on.
    assert {"Name": "containerInsights", "Value": "enabled"} in props("Cluster")["ClusterSettings"]


def test_the_queue_reading_scaler_runs_every_minute_with_least_privilege():
    schedule = props("ScalerSchedule")
    assert schedule["ScheduleExpression"] == "rate(1 minute)"
    assert schedule["Target"]["Arn"] == {"Fn::GetAtt": ["ScalerFunction", "Arn"]}
    statements = props("ScalerRole")["Policies"][0]["PolicyDocument"]["Statement"]
    assert {s["Action"] if isinstance(s["Action"], str) else tuple(s["Action"]): s["Resource"] for s in statements} == {
        "sqs:GetQueueAttributes": {"Fn::GetAtt": ["JobQueue", "Arn"]},
        ("ecs:DescribeServices", "ecs:UpdateService"): {"Ref": "Service"},
        # the guard that holds a service without running tasks at zero
        ("application-autoscaling:DescribeScalableTargets", "application-autoscaling:RegisterScalableTarget"): "*",
        ("ecs:ListTagsForResource", "ecs:TagResource", "ecs:UntagResource"): {"Ref": "Service"},
        "ecs:DescribeTasks": {"Fn::Sub": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/${Cluster}/*"},
        "ecs:ListTasks": "*",
        ("logs:CreateLogStream", "logs:PutLogEvents"): {"Fn::GetAtt": ["ScalerLogGroup", "Arn"]},
    }


# ------------------------------------------------------------------ IAM
def _statements(role: str) -> list[dict]:
    return [s for policy in props(role)["Policies"] for s in policy["PolicyDocument"]["Statement"]]


def _actions(statement: dict) -> list[str]:
    return [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]


def test_the_task_may_only_work_its_own_queue_model_results_and_protection():
    grants = {tuple(_actions(s)): s["Resource"] for s in _statements("TaskRole")}
    assert grants == {
        ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"):
            {"Fn::GetAtt": ["JobQueue", "Arn"]},
        ("s3:GetObject",): {"Fn::Sub": "${Bucket.Arn}/${ModelKey}"},
        ("s3:PutObject",): {"Fn::Sub": "${Bucket.Arn}/results/*"},
        ("ecs:UpdateTaskProtection", "ecs:GetTaskProtection"):
            {"Fn::Sub": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/${Cluster}/*"},
    }


# Actions that take no resource-level permission, the only ones allowed on "*".
RESOURCELESS = {"ecr:GetAuthorizationToken", "application-autoscaling:DescribeScalableTargets",
                "application-autoscaling:RegisterScalableTarget",
                "ecs:ListTasks"}  # takes no task resource; the reaper's statement adds an ecs:cluster condition


@pytest.mark.parametrize("role", [k for k, v in RESOURCES.items() if v["Type"] == "AWS::IAM::Role"])
def test_no_role_has_wildcard_actions_or_wildcard_resources_beyond_the_resourceless(role):
    for statement in _statements(role):
        assert statement["Effect"] == "Allow"
        assert not any("*" in action for action in _actions(statement)), statement
        if statement["Resource"] == "*":
            assert set(_actions(statement)) <= RESOURCELESS, statement
    assert "ManagedPolicyArns" not in props(role)


def test_the_reaper_may_delete_only_its_own_stack():
    grants = {tuple(_actions(s)): s["Resource"] for s in _statements("ReaperRole")}
    assert grants[("cloudformation:DeleteStack",)] == {"Ref": "AWS::StackId"}
    assert grants[("s3:DeleteObject",)] == {"Fn::Sub": "${Bucket.Arn}/*"}


# ------------------------------------------------------------------ queue, bucket, tasks, logs
def test_the_queue_has_a_dead_letter_queue_and_encryption():
    queue = props("JobQueue")
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
                                      "maxReceiveCount": {"Ref": "MaxReceiveCount"}}
    assert queue["SqsManagedSseEnabled"] is True and props("DeadLetterQueue")["SqsManagedSseEnabled"] is True
    assert queue["VisibilityTimeout"] == {"Ref": "VisibilityTimeoutSeconds"}


def test_the_bucket_blocks_public_access_encrypts_and_expires_results():
    bucket = props("Bucket")
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"}
    assert bucket["LifecycleConfiguration"]["Rules"] == [{
        "Id": "expire-results", "Status": "Enabled", "Prefix": "results/",
        "ExpirationInDays": {"Ref": "ResultsExpireDays"}}]


def test_the_task_is_sized_for_a_one_and_a_half_gigabyte_model():
    task, params = props("TaskDefinition"), TEMPLATE["Parameters"]
    assert task["Cpu"] == {"Fn::Select": [0, {"Fn::Split": ["/", {"Ref": "TaskSize"}]}]}
    assert task["Memory"] == {"Fn::Select": [1, {"Fn::Split": ["/", {"Ref": "TaskSize"}]}]}
    # 4 GiB holds the 1.5 GB model in memory with room for the runtime and a batch.
    sizes = [tuple(int(p) for p in v.split("/")) for v in params["TaskSize"]["AllowedValues"]]
    assert params["TaskSize"]["Default"] == "1024/4096"
    assert all(memory >= 4096 > 1.5 * 1024 * 2 for _, memory in sizes)
    assert task["EphemeralStorage"] == {"SizeInGiB": {"Ref": "EphemeralStorageGiB"}}
    assert int(params["EphemeralStorageGiB"]["Default"]) >= 21
    assert task["ContainerDefinitions"][0]["StopTimeout"] == 120
    assert task["TaskRoleArn"] == {"Fn::GetAtt": ["TaskRole", "Arn"]}


def test_every_task_size_offered_is_a_pair_fargate_accepts():
    """AWS's table of valid Fargate CPU/memory pairs is in aws_facts, with its source."""
    offered = [tuple(int(p) for p in v.split("/")) for v in TEMPLATE["Parameters"]["TaskSize"]["AllowedValues"]]
    table = aws_facts.FARGATE_TASK_SIZES
    assert all(memory in table[cpu] for cpu, memory in offered), offered
    # the pairs the two separate parameters used to admit and Fargate rejects
    assert (4096, 4096) not in offered and (1024, 16384) not in offered
    assert table[1024] == (2048, 3072, 4096, 5120, 6144, 7168, 8192) and table[4096][-1] == 30720


def test_the_service_starts_at_zero_on_fargate_and_fargate_spot():
    service, cluster = props("Service"), props("Cluster")
    assert service["DesiredCount"] == 0
    assert {p["CapacityProvider"] for p in service["CapacityProviderStrategy"]} == {"FARGATE", "FARGATE_SPOT"}
    assert cluster["CapacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert props("TaskSecurityGroup").get("SecurityGroupIngress") is None


def test_every_log_group_has_a_retention():
    groups = [k for k, v in RESOURCES.items() if v["Type"] == "AWS::Logs::LogGroup"]
    assert len(groups) == 5  # the worker's, Container Insights', the scaler's, the reaper's, the result's
    assert all(props(g)["RetentionInDays"] == {"Ref": "LogRetentionDays"} for g in groups)
    assert TEMPLATE["Parameters"]["LogRetentionDays"]["Default"] == 7


# ------------------------------------------------------------------ API and teardown
def test_the_api_is_signed_queues_through_sqs_and_answers_through_the_result_function():
    submit, result = props("SubmitMethod"), props("ResultMethod")
    assert submit["AuthorizationType"] == result["AuthorizationType"] == "AWS_IAM"
    assert submit["Integration"]["Type"] == "AWS"
    assert ":sqs:path/" in submit["Integration"]["Uri"]["Fn::Sub"]
    assert submit["Integration"]["RequestTemplates"]["application/json"].startswith("Action=SendMessage&")
    # Errors from SQS map to error statuses, not to the default 202.
    patterns = {r["StatusCode"]: r.get("SelectionPattern") for r in submit["Integration"]["IntegrationResponses"]}
    assert patterns == {"202": None, "400": r"4\d{2}", "502": r"5\d{2}"}
    # GET reads the error record too (a dead-lettered job has no result): the function does.
    assert result["Integration"]["Type"] == "AWS_PROXY"
    assert "/functions/${ResultFunction.Arn}/invocations" in result["Integration"]["Uri"]["Fn::Sub"]
    assert result["Integration"]["Credentials"] == {"Fn::GetAtt": ["ApiRole", "Arn"]}
    statements = props("ApiRole")["Policies"][0]["PolicyDocument"]["Statement"]
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        ("sqs:SendMessage", {"Fn::GetAtt": ["JobQueue", "Arn"]}),
        ("lambda:InvokeFunction", {"Fn::GetAtt": ["ResultFunction", "Arn"]})]
    types = {v["Type"] for v in RESOURCES.values()}
    assert not types & {"AWS::EC2::Instance", "AWS::ElasticLoadBalancingV2::LoadBalancer"}


def test_a_one_time_schedule_deletes_the_stack_at_its_time_limit():
    schedule = props("ExpirySchedule")
    assert schedule["ScheduleExpression"] == {"Fn::Sub": "at(${ExpiresAt})"}
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["Target"]["Arn"] == {"Fn::GetAtt": ["ReaperFunction", "Arn"]}
    assert re.fullmatch(TEMPLATE["Parameters"]["ExpiresAt"]["AllowedPattern"],
                        lab_config().stack_parameters(NOW, "vpc-0123abcd", ("subnet-0123abcd",))["ExpiresAt"])
    code = props("ReaperFunction")["Code"]["ZipFile"]
    # Order matters: hold at zero, wait, empty the bucket, then delete.
    order = [code.index(s) for s in ("register_scalable_target", "desiredCount=0", "delete_objects", "delete_stack")]
    assert order == sorted(order)


def test_inline_functions_fit_cloudformations_zipfile_limit():
    # CloudFormation's Code.ZipFile takes at most 4,096 characters
    # (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-code.html).
    for fn in ("ScalerFunction", "ReaperFunction", "ResultFunction"):
        assert len(props(fn)["Code"]["ZipFile"]) <= 4096, fn


def test_the_template_fits_in_a_request_body():
    # CreateChangeSet's TemplateBody takes at most 51,200 bytes
    # (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html);
    # beyond it the template would have to go through S3.
    assert len(TEMPLATE_PATH.read_bytes()) <= 51_200
