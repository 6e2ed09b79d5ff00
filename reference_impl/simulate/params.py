"""Every number the simulator uses: value, unit, source. One table; any entry can be overridden.

Prices are us-east-1 list prices; check the linked pricing page before quoting them. Entries
whose source is "assumption" are our estimates, labelled as such wherever they are shown.
"""
from dataclasses import dataclass

S3_PERF = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance-guidelines.html"
LAMBDA_PRICING = "https://aws.amazon.com/lambda/pricing/"
FARGATE_PRICING = "https://aws.amazon.com/fargate/pricing/"
SQS_SCALING = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"
LAMBDA_ENV = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html"
SQS_CW = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html"
TT_OVERVIEW = "https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html"


@dataclass(frozen=True)
class Param:
    name: str
    value: float
    unit: str
    source: str
    description: str
    minimum: float = 0.0
    maximum: float = 1e9


PARAMS: dict[str, Param] = {p.name: p for p in [
    # The workload (from the question, or assumptions where it is silent)
    Param("model_size_gb", 1.5, "GB", "question #1973", "model data each worker downloads from S3 at start", 0.01, 200),
    Param("service_time_s", 0.1, "s per item", "assumption (AWS's SQS scaling example uses 0.1 s per message: https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-using-sqs-queue.html)",
          "inference time for one input, once the model is loaded", 0.001, 600),
    Param("model_deserialize_s", 5.0, "s", "assumption", "time to turn the downloaded bytes into a model in memory", 0, 600),
    # S3
    Param("s3_stream_mb_s", 88.0, "MB/s per connection", S3_PERF, "one S3 GET stream (85-90 MB/s)", 1, 10_000),
    Param("s3_parallel_streams", 8, "connections", S3_PERF, "parallel ranged GETs a worker uses to download the model", 1, 64),
    # Latency goal and the backlog policy (reference_impl/scaling.py)
    Param("acceptable_latency_s", 60.0, "s", "assumption: an asynchronous batch API; the policy's target is latency / service time (https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-using-sqs-queue.html)",
          "how long a request may wait in the queue", 1, 86_400),
    Param("max_tasks", 20, "tasks", "assumption: a per-model cap chosen by the operator", "most ECS tasks (B, D) one model may run", 1, 1000),
    Param("scale_in_cooldown_s", 300, "s", TT_OVERVIEW, "Application Auto Scaling's default ECS scale-in cooldown", 0, 86_400),
    # ECS on Fargate
    Param("task_start_s", 30.0, "s", "https://docs.aws.amazon.com/batch/latest/userguide/fargate.html (tasks provision in about 30 s)", "Fargate task provisioning", 0, 3600),
    Param("image_pull_s", 20.0, "s", "assumption: a slim worker image", "container image pull", 0, 3600),
    Param("task_vcpu", 1.0, "vCPU", "assumption", "Fargate task size", 0.25, 16),
    Param("task_memory_gb", 4.0, "GB", "assumption: room for a 1.5 GB model in memory", "Fargate task memory", 0.5, 120),
    Param("fargate_vcpu_hour_usd", 0.04048, "USD per vCPU-hour", FARGATE_PRICING, "Fargate Linux/x86 price"),
    Param("fargate_gb_hour_usd", 0.004445, "USD per GB-hour", FARGATE_PRICING, "Fargate memory price"),
    # D's autoscaler
    Param("d_scaler_period_s", 60, "s", "https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (rate schedules, 1 minute minimum)",
          "how often D's scaler reads the queue (a scheduled function calling GetQueueAttributes)", 1, 3600),
    Param("cw_metric_delay_s", 60, "s", SQS_CW, "SQS metrics are published every minute", 0, 3600),
    Param("cw_alarm_datapoints", 3, "minutes", "https://github.com/aws/copilot-cli/issues/4233 (target tracking scale-out alarm: 3 datapoints of 60 s)", "scale-out alarm evaluation", 1, 60),
    Param("sqs_inactive_after_s", 6 * 3600, "s", SQS_CW, "a queue with no activity for 6 hours stops publishing metrics", 0, 1e7),
    Param("sqs_wake_delay_s", 15 * 60, "s", SQS_CW, "metrics of a waking queue can be delayed up to 15 minutes", 0, 3600),
    # Lambda
    Param("lambda_memory_gb", 4.0, "GB", "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html (128 MB to 10,240 MB, a static setting)",
          "function memory: must hold the model; nothing scales it on backlog", 0.128, 10.24),
    Param("lambda_runtime_init_s", 1.0, "s", "assumption", "runtime start before the model download", 0, 60),
    Param("lambda_init_limit_s", 10.0, "s", LAMBDA_ENV, "on-demand init is limited to 10 s, then retried inside the first invocation", 1, 60),
    Param("lambda_idle_recycle_s", 600, "s", "assumption: Lambda does not document how long idle environments live (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)",
          "an idle execution environment is recycled after this", 1, 86_400),
    Param("lambda_gb_s_usd", 0.0000166667, "USD per GB-second", LAMBDA_PRICING, "on-demand duration (x86); init is billed too", 0, 1),
    Param("lambda_request_usd", 0.0000002, "USD per request", LAMBDA_PRICING, "per invocation ($0.20 per million)", 0, 1),
    Param("lambda_pc_gb_s_usd", 0.0000041667, "USD per GB-second", LAMBDA_PRICING, "provisioned concurrency, billed while enabled", 0, 1),
    Param("lambda_pc_duration_gb_s_usd", 0.0000097222, "USD per GB-second", LAMBDA_PRICING, "duration on provisioned environments", 0, 1),
    Param("sqs_initial_concurrency", 5, "batches", SQS_SCALING, "the SQS event source starts with 5 concurrent batches", 1, 1000),
    Param("sqs_ramp_per_min", 300, "per minute", SQS_SCALING, "it adds up to 300 concurrent invocations per minute", 1, 10_000),
    Param("lambda_max_concurrency", 1000, "environments", SQS_SCALING, "up to 1,000 (MaximumConcurrency and the default account limit)", 1, 100_000),
    Param("a_provisioned_concurrency", 10, "environments", "assumption: option A's \"provisioned concurrency to minimize cold starts\"", "environments kept warm in option A", 0, 10_000),
    # Load balancers and queues
    Param("alb_hour_usd", 0.0225, "USD per hour", "https://aws.amazon.com/elasticloadbalancing/pricing/", "ALB hourly charge (LCUs not modelled)", 0, 10),
    Param("sync_timeout_s", 60, "s", "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#connection-idle-timeout (default idle timeout 60 s)",
          "a synchronous request still unanswered after this fails", 1, 4000),
    Param("b_min_tasks", 1, "tasks", "assumption: at 0 tasks an ALB has no target and every request fails, so B keeps one", "option B's minimum tasks", 0, 1000),
    Param("b_requests_per_task_min", 300, "requests per minute", "assumption: ALBRequestCountPerTarget target (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html)",
          "option B's target for requests per task per minute", 1, 1e6),
    Param("sqs_request_usd", 0.0000004, "USD per request", "https://aws.amazon.com/sqs/pricing/", "standard queue ($0.40 per million requests)", 0, 1),
]}


def defaults() -> dict[str, float]:
    return {name: p.value for name, p in PARAMS.items()}


def table() -> list[dict]:
    """The parameter table for pages and --json: every number with its unit and source."""
    return [
        {"name": p.name, "value": p.value, "unit": p.unit, "source": p.source, "description": p.description,
         "assumption": p.source.startswith("assumption")}
        for p in PARAMS.values()
    ]
