"""AWS limits and prices, one table, each with its unit and the page that states it.

Everything in the project that needs an AWS number reads it here: the scaling policy's defaults
(`scaling.py`), the simulator's parameter table (`simulate/params.py`, which adds the workload
assumptions on top) and, through that table, the pages that show it. A number belongs here only
if an AWS page (or, where marked, an AWS-maintained repository's issue) states it; our own
estimates are assumptions and live beside the code that makes them, labelled as such.

One way to read a fact: `value("name")` for the number, `FACTS["name"]` for the whole record
(unit, source, whether it is observed rather than documented). Facts marked `observed` are
behaviour reported by users of AWS, not stated on an AWS page; they are labelled so wherever
they are shown.

Prices are us-east-1 list prices (Linux/x86, on-demand) as published on the linked pages; check
the page before quoting them. Limits are defaults unless the description says otherwise.
"""
from dataclasses import dataclass

# The pages, named once.
S3_PERF = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance-guidelines.html"
SQS_RECEIVE = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html"
SQS_VISIBILITY = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html"
# The page that states the 6-hour activity rule and the 15-minute wake-up delay (the metrics list does not).
SQS_CW = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-monitoring-using-cloudwatch.html"
SQS_PRICING = "https://aws.amazon.com/sqs/pricing/"
LAMBDA_SQS_SCALING = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"
LAMBDA_ENV = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html"
LAMBDA_LIMITS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
LAMBDA_MEMORY = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html"
LAMBDA_PRICING = "https://aws.amazon.com/lambda/pricing/"
FARGATE_PRICING = "https://aws.amazon.com/fargate/pricing/"
FARGATE_START = "https://docs.aws.amazon.com/batch/latest/userguide/when-to-use-fargate.html"
LAMBDA_SQS_MAX_CONCURRENCY = "https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html"
LAMBDA_SQS_PROVISIONED_POLLERS = "https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html"
SQS_MESSAGE_QUOTAS = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html"
ECS_STOP = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html"
ECS_PROTECTION = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-scale-in-protection.html"
AAS_TARGET_TRACKING = ("https://docs.aws.amazon.com/autoscaling/application/userguide/"
                       "target-tracking-scaling-policy-overview.html")
TT_ALARMS = ("https://github.com/aws/copilot-cli/issues/4233 (users' reports of target tracking's managed alarms; "
             "AWS's target tracking page does not state the datapoints)")
ALB_PRICING = "https://aws.amazon.com/elasticloadbalancing/pricing/"
ALB_TIMEOUT = ("https://docs.aws.amazon.com/elasticloadbalancing/latest/application/"
               "application-load-balancers.html#connection-idle-timeout")
SCHEDULER_RATE = "https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html"
VPC_PRICING = "https://aws.amazon.com/vpc/pricing/"
CLOUDWATCH_PRICING = "https://aws.amazon.com/cloudwatch/pricing/"
S3_PRICING = "https://aws.amazon.com/s3/pricing/"


@dataclass(frozen=True)
class Fact:
    name: str
    value: float
    unit: str
    source: str
    description: str
    observed: bool = False  # reported behaviour, not stated on an AWS page


FACTS: dict[str, Fact] = {f.name: f for f in [
    # S3
    Fact("s3_stream_mb_s", 88.0, "MB/s per connection", S3_PERF,
         "throughput of one S3 GET stream (85-90 MB/s); parallel ranged GETs add up"),
    # SQS
    Fact("sqs_receive_max_messages", 10, "messages", SQS_RECEIVE, "one ReceiveMessage call returns 1 to 10 messages"),
    Fact("sqs_long_poll_max_s", 20, "s", SQS_RECEIVE, "longest long-poll wait of one ReceiveMessage call"),
    Fact("sqs_visibility_timeout_default_s", 30, "s", SQS_VISIBILITY, "default visibility timeout"),
    Fact("sqs_visibility_timeout_max_s", 43_200, "s", SQS_VISIBILITY, "longest visibility timeout (12 hours)"),
    Fact("sqs_metric_period_s", 60, "s", SQS_CW, "SQS publishes its CloudWatch metrics every minute, for active queues"),
    Fact("sqs_inactive_after_s", 6 * 3600, "s", SQS_CW,
         "a queue that holds no messages and is not accessed by any action for 6 hours is inactive and stops "
         "publishing metrics"),
    Fact("sqs_wake_delay_s", 15 * 60, "s", SQS_CW, "metrics of a queue waking from inactivity can be up to 15 minutes late"),
    Fact("sqs_message_max_bytes", 1_048_576, "bytes", SQS_MESSAGE_QUOTAS,
         "largest message: 1 MiB, the queue's MaximumMessageSize ceiling (raised from 256 KiB in August 2025); "
         "bigger payloads go through S3"),
    Fact("sqs_request_usd", 0.0000004, "USD per request", SQS_PRICING,
         "standard queue, $0.40 per million requests (each 64 KB chunk of a payload is one request)"),
    # Application Auto Scaling and CloudWatch
    Fact("ecs_default_cooldown_s", 300, "s", AAS_TARGET_TRACKING,
         "Application Auto Scaling's default scale-out and scale-in cooldowns for ECS services"),
    Fact("tt_scale_out_datapoints", 3, "datapoints of 60 s", TT_ALARMS,
         "target tracking's scale-out alarm needs 3 consecutive one-minute datapoints (observed, not documented)",
         observed=True),
    Fact("tt_scale_in_datapoints", 15, "datapoints of 60 s", TT_ALARMS,
         "target tracking's scale-in alarm needs 15 consecutive one-minute datapoints (observed, not documented)",
         observed=True),
    Fact("scheduler_min_rate_s", 60, "s", SCHEDULER_RATE, "EventBridge Scheduler's shortest rate schedule is 1 minute"),
    # ECS on Fargate
    Fact("fargate_task_start_s", 30.0, "s", FARGATE_START,
         "jobs on Fargate are provisioned in about 30 s; the exact time depends on the image size and the number "
         "of jobs (AWS Batch guide); here it is taken to include pulling a slim image (image_pull_s adds any extra "
         "pull for a large image); the model load comes on top"),
    Fact("ecs_stop_timeout_default_s", 30, "s", ECS_STOP, "SIGTERM to SIGKILL when a Fargate task stops (default)"),
    Fact("ecs_stop_timeout_max_s", 120, "s", ECS_STOP, "longest stopTimeout on Fargate"),
    Fact("ecs_protection_default_min", 120, "minutes", ECS_PROTECTION, "task scale-in protection lasts 2 hours by default"),
    Fact("ecs_protection_max_min", 2880, "minutes", ECS_PROTECTION, "longest scale-in protection (expiresInMinutes)"),
    Fact("fargate_vcpu_hour_usd", 0.04048, "USD per vCPU-hour", FARGATE_PRICING, "Fargate Linux/x86 vCPU price"),
    Fact("fargate_gb_hour_usd", 0.004445, "USD per GB-hour", FARGATE_PRICING, "Fargate Linux/x86 memory price"),
    Fact("fargate_storage_gb_hour_usd", 0.000111, "USD per GB-hour", FARGATE_PRICING,
         "ephemeral storage above the 20 GB included with every task"),
    Fact("public_ipv4_hour_usd", 0.005, "USD per address-hour",
         VPC_PRICING + " (Public IPv4 address tab; charged since 1 February 2024)",
         "each running task has a public IPv4 address to reach ECR, S3 and SQS without a NAT gateway"),
    Fact("ecr_gb_month_usd", 0.10, "USD per GB-month", "https://aws.amazon.com/ecr/pricing/",
         "private repository storage for the worker image"),
    # S3, API Gateway, EventBridge, CloudWatch prices
    Fact("s3_gb_month_usd", 0.023, "USD per GB-month", S3_PRICING,
         "S3 Standard storage (the model; results expire after a day)"),
    Fact("s3_put_usd", 0.000005, "USD per request", S3_PRICING, "PUT requests ($0.005 per 1,000): one result per job"),
    Fact("apigw_rest_request_usd", 0.0000035, "USD per request", "https://aws.amazon.com/api-gateway/pricing/",
         "REST API calls ($3.50 per million, first 333 million)"),
    Fact("scheduler_invocation_usd", 0.000001, "USD per invocation", "https://aws.amazon.com/eventbridge/pricing/",
         "EventBridge Scheduler ($1.00 per million after 14 million free a month)"),
    Fact("alarm_metric_month_usd", 0.10, "USD per alarm metric-month", CLOUDWATCH_PRICING,
         "standard-resolution alarms are billed per metric they read, metric-math alarms included"),
    Fact("custom_metric_month_usd", 0.30, "USD per metric-month", CLOUDWATCH_PRICING,
         "Container Insights metrics are billed as custom metrics (first 10,000 tier)"),
    Fact("hours_per_month", 730, "hours", FARGATE_PRICING, "AWS's pricing pages convert monthly prices at 730 hours"),
    # Lambda
    Fact("lambda_init_limit_s", 10.0, "s", LAMBDA_ENV,
         "on-demand init is limited to 10 s; beyond it init is retried inside the first invocation, under the "
         "function timeout. The limit does not apply to provisioned concurrency or SnapStart, whose init is limited "
         "to the higher of 130 s and the function timeout (at most 900 s)"),
    Fact("lambda_timeout_max_s", 900, "s", LAMBDA_LIMITS,
         "longest timeout of a standard (on-demand) function invocation (15 minutes); Lambda Managed Instances "
         "allow 90 minutes for asynchronous invocations and event source mappings (except Amazon MQ and DocumentDB)"),
    # Lambda's memory is set in MB and billed in GB-seconds at 1,024 MB per GB (the pricing page's
    # examples: 512 MB is 0.5 GB); every GB figure of a function below uses that one conversion.
    Fact("lambda_mb_per_gb", 1024, "MB per GB", LAMBDA_PRICING,
         "Lambda bills memory in GB-seconds, counting 1,024 MB as 1 GB"),
    Fact("lambda_memory_min_gb", 128 / 1024, "GB", LAMBDA_MEMORY, "smallest memory setting (128 MB)"),
    Fact("lambda_memory_max_gb", 10_240 / 1024, "GB", LAMBDA_MEMORY,
         "largest memory setting (10,240 MB); a static setting. New accounts start lower and AWS raises it with "
         "usage (" + LAMBDA_LIMITS + ")"),
    Fact("lambda_mb_per_vcpu", 1769, "MB per vCPU", LAMBDA_MEMORY,
         "Lambda allocates CPU in proportion to memory: at 1,769 MB a function has the equivalent of one vCPU"),
    Fact("lambda_tmp_max_mb", 10_240, "MB", LAMBDA_LIMITS, "largest /tmp (ephemeral storage) of a function"),
    Fact("lambda_account_concurrency", 1000, "environments", LAMBDA_LIMITS,
         "default concurrent executions per account and region (new accounts start lower; AWS raises it with usage)"),
    Fact("lambda_sqs_initial_concurrency", 5, "concurrent batches", LAMBDA_SQS_SCALING,
         "the SQS event source starts with 5 concurrent batches"),
    Fact("lambda_sqs_ramp_per_min", 300, "environments per minute", LAMBDA_SQS_SCALING,
         "while messages remain, the SQS event source adds up to 300 concurrent invocations a minute"),
    Fact("lambda_sqs_provisioned_speedup", 3, "times", LAMBDA_SQS_SCALING,
         "provisioned mode (dedicated event pollers, MinimumPollers 2 or more) enables \"3 times faster "
         "scaling\" than the standard mode and up to 16 times the processing capacity (AWS's words); its Event "
         "Poller Units are billed. AWS does not say faster in what: the simulator's reading is 3 times the "
         "standard mode's 300 invocations a minute"),
    Fact("lambda_sqs_max_concurrency_setting", 1000, "environments", LAMBDA_SQS_MAX_CONCURRENCY,
         "the SQS event source's MaximumConcurrency setting is 2 to 1,000"),
    Fact("lambda_sqs_event_source_max", 1250, "concurrent invocations", LAMBDA_SQS_SCALING,
         "without a MaximumConcurrency setting, one SQS event source scales up to 1,250 concurrent invocations "
         "(earlier versions of the page said 1,000 batches); the account's concurrency limit still applies"),
    Fact("lambda_sqs_min_pollers", 2, "concurrent batches", LAMBDA_SQS_SCALING,
         "when traffic is low the SQS event source scales back to 5 concurrent batches and can go down to as few "
         "as 2 (not with a maximum concurrency set); provisioned mode's MinimumPollers is also 2 "
         "(" + LAMBDA_SQS_PROVISIONED_POLLERS + ")"),
    Fact("lambda_gb_s_usd", 0.0000166667, "USD per GB-second", LAMBDA_PRICING,
         "on-demand duration (x86); the init phase is billed too"),
    Fact("lambda_request_usd", 0.0000002, "USD per request", LAMBDA_PRICING, "per invocation ($0.20 per million)"),
    Fact("lambda_pc_gb_s_usd", 0.0000041667, "USD per GB-second", LAMBDA_PRICING,
         "provisioned concurrency, billed from enabling to disabling, idle or not"),
    Fact("lambda_pc_duration_gb_s_usd", 0.0000097222, "USD per GB-second", LAMBDA_PRICING,
         "duration of invocations on provisioned environments"),
    # Load balancers
    Fact("alb_hour_usd", 0.0225, "USD per hour", ALB_PRICING, "ALB hourly charge (LCUs extra)"),
    Fact("alb_idle_timeout_s", 60, "s", ALB_TIMEOUT, "ALB's default connection idle timeout"),
]}


def value(name: str) -> float:
    return FACTS[name].value


def table() -> list[dict]:
    """Every fact with its unit and source, for pages and for checking."""
    return [{"name": f.name, "value": f.value, "unit": f.unit, "source": f.source, "description": f.description,
             "observed": f.observed} for f in FACTS.values()]


# ---------------------------------------------------------------- the lab deployer (reference_impl/deploy)
# Limits the deployer checks before any call, so a lab fails in `plan` with a named field rather
# than halfway through a stack creation.
IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
LAMBDA_CREATE = "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html"
SCHEDULER_GROUP = "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateScheduleGroup.html"
SQS_QUEUE_QUOTAS = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html"
CFN_STACK = "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html"
ECS_CLUSTER = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html"
ECS_SERVICE = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html"
ECS_TASK_DEF = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html"
LOGS_GROUP = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"
AAS_POLICY = "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html"
FARGATE_SIZES = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size"
FARGATE_REGIONS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate-Regions.html"
FARGATE_QUOTAS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html#service-quotas-fargate"
FARGATE_STORAGE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html"
SQS_PURGE = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html"
SQS_BATCH = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html"

FACTS.update({f.name: f for f in [
    Fact("iam_role_inline_policy_max_chars", 10_240, "characters", IAM_QUOTAS,
         "all inline policies of one role together, whitespace not counted"),
    Fact("iam_managed_policy_max_chars", 6_144, "characters", IAM_QUOTAS, "one customer managed policy"),
    Fact("cfn_stack_name_max_chars", 128, "characters", CFN_STACK, "a stack name"),
    Fact("lambda_function_name_max_chars", 64, "characters", LAMBDA_CREATE, "a function name (the name alone, not its ARN)"),
    Fact("scheduler_group_name_max_chars", 64, "characters", SCHEDULER_GROUP, "a schedule group name"),
    Fact("sqs_queue_name_max_chars", 80, "characters", SQS_QUEUE_QUOTAS, "a queue name"),
    Fact("ecs_cluster_name_max_chars", 255, "characters", ECS_CLUSTER, "a cluster name"),
    Fact("ecs_service_name_max_chars", 255, "characters", ECS_SERVICE, "a service name"),
    Fact("ecs_family_max_chars", 255, "characters", ECS_TASK_DEF, "a task definition family"),
    Fact("logs_group_name_max_chars", 512, "characters", LOGS_GROUP, "a log group name"),
    Fact("aas_policy_name_max_chars", 256, "characters", AAS_POLICY, "a scaling policy name"),
    Fact("fargate_storage_included_gib", 20, "GiB", FARGATE_STORAGE,
         "ephemeral storage every Fargate task gets without paying for more"),
    Fact("fargate_task_memory_max_gb", 120, "GB", FARGATE_SIZES, "largest Fargate task memory (with 16 vCPU)"),
    Fact("fargate_storage_max_gib", 200, "GiB", FARGATE_STORAGE, "most ephemeral storage a Fargate task can have"),
    Fact("sqs_batch_max_entries", 10, "messages", SQS_BATCH, "entries in one SendMessageBatch call"),
    Fact("sqs_purge_interval_s", 60, "s", SQS_PURGE, "a queue may be purged once every 60 seconds"),
]})

# Service Quotas' code of "Fargate On-Demand vCPU resource count" (service code fargate), the
# quota a lab's running tasks draw on: FARGATE_QUOTAS, and `aws service-quotas list-service-quotas
# --service-code fargate` lists it under this code.
FARGATE_ON_DEMAND_VCPU_QUOTA = ("fargate", "L-3032A538")
# "Fargate Spot vCPU resource count" (FARGATE_QUOTAS): the lab's service puts most tasks on
# Fargate Spot, which draws on this quota, not the On-Demand one.
FARGATE_SPOT_VCPU_QUOTA = ("fargate", "L-36FBB829")

# Valid Fargate task sizes: CPU units -> memory MiB (Linux), from FARGATE_SIZES' table.
FARGATE_TASK_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

# Regions where Linux tasks on Fargate run in some Availability Zones only (zone ids), from
# FARGATE_REGIONS; every other Region listed there supports all of its zones. China (Beijing) is
# annotated too (cnn1-az1 and cnn1-az2 in the awsdocs copy of the page).
FARGATE_ZONES_ONLY: dict[str, tuple[str, ...]] = {
    "us-west-1": ("usw1-az1", "usw1-az3"),
    "ap-northeast-1": ("apne1-az1", "apne1-az2", "apne1-az4"),
    "cn-north-1": ("cnn1-az1", "cnn1-az2"),
}

# ---------------------------------------------------------------- the reference system's runtime
# What the worker, the job contract and the local runtime read besides the facts above.

FACTS.update({f.name: f for f in [
    Fact("sqs_message_max_bytes_before_2025", 262_144, "bytes", SQS_MESSAGE_QUOTAS,
         "the 256 KiB message limit before August 2025, still the MaximumMessageSize of queues set to it then"),
    Fact("sqs_batch_max_bytes", 1_048_576, "bytes", SQS_BATCH,
         "the sum of the bodies in one SendMessageBatch request (1 MiB)"),
    Fact("sqs_retention_max_s", 1_209_600, "s", SQS_MESSAGE_QUOTAS, "longest message retention (14 days)"),
    Fact("s3_ranged_get_part_mb", 8, "MB", S3_PERF, "S3 advises parallel ranged GETs of 8 to 16 MB; the smaller end"),
]})
