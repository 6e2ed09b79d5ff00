"""Every number the simulator uses: value, unit, source. One table; any entry can be overridden.

AWS limits and prices come from `reference_impl.aws_facts` (the project's one table of them,
with their pages); this table adds the workload and the designs' settings. Entries whose source
starts with "assumption" are our estimates, labelled as such wherever they are shown. The bounds
(`minimum`, `maximum`) are what an override may set: wide enough to argue with, narrow enough
that one run stays quick.
"""
from dataclasses import dataclass

from reference_impl import aws_facts
from reference_impl.aws_facts import FACTS
from reference_impl.workload import WORKLOAD


@dataclass(frozen=True)
class Param:
    name: str
    value: float
    unit: str
    source: str
    description: str
    minimum: float = 0.0
    maximum: float = 1e9
    whole: bool = False  # a count: overrides must be whole numbers


def _fact(fact: str, minimum: float = 0.0, maximum: float = 1e9, *, name: str | None = None,
          description: str | None = None, whole: bool = False) -> Param:
    """A parameter whose default is an AWS fact: value, unit and source come from aws_facts."""
    f = FACTS[fact]
    source = f"observed (not documented by AWS): {f.source}" if f.observed else f.source
    return Param(name or f.name, f.value, f.unit, source, description or f.description, minimum, maximum, whole)


PARAMS: dict[str, Param] = {p.name: p for p in [
    # The workload (from the question, or assumptions where it is silent)
    Param(*WORKLOAD["model_size_gb"].fields(), 0.01, 200),
    Param(*WORKLOAD["service_time_s"].fields(), 0.001, 600),
    Param("worker_overhead_gb", 0.5, "GB", "assumption: the runtime, its libraries and the request being served",
          "memory a worker needs besides the model itself; model size + this must fit in a function's or task's memory "
          "(the model is taken to need its file size in memory)", 0, 100),
    Param("model_deserialize_s", 5.0, "s", "assumption", "time to turn the downloaded bytes into a model in memory", 0, 600),
    # S3
    _fact("s3_stream_mb_s", 1, 10_000),
    Param("s3_parallel_streams", 1, "connections",
          f"the documented figure: S3 states 85-90 MB/s for one connection; parallel ranged GETs can add up, but "
          f"neither Lambda's nor a Fargate task's network bandwidth is documented ({aws_facts.S3_PERF})",
          "S3 connections a worker (ECS task or Lambda environment) downloads the model over; the same for every "
          "design, so none is favoured. Raise it to try parallel ranged GETs", 1, 64, whole=True),
    # Latency goal and the backlog policy (reference_impl/scaling.py)
    Param(*WORKLOAD["acceptable_latency_s"].fields(), 1, 86_400),
    Param("max_tasks", 20, "tasks", "assumption: a per-model cap chosen by the operator", "most ECS tasks (B, D) one model may run", 1, 1000, whole=True),
    Param("d_min_tasks", 0, "tasks", "assumption: models idle for weeks should cost nothing while idle",
          "option D's minimum tasks (1 keeps a warm task: no start-up wait, but billed all period)", 0, 1000, whole=True),
    Param("d_scale_in_max_step", 1, "tasks per step", "assumption: reference_impl/scaling.py's default, gradual scale-in",
          "while work remains, the most tasks D's scaler removes at one scale-in (then it waits a cooldown); "
          "once the queue is idle, every idle task goes at once", 1, 1000, whole=True),
    Param("d_idle_before_zero_s", 300, "s", "assumption: reference_impl/scaling.py's default (the ECS default cooldown)",
          "D keeps its tasks until the queue and the work in flight have been empty this long, then stops every "
          "idle one (against flapping on sparse traffic)", 0, 86_400),
    _fact("ecs_default_cooldown_s", 0, 86_400, name="scale_in_cooldown_s",
          description="scale-in cooldown (Application Auto Scaling's ECS default)"),
    # ECS on Fargate
    _fact("fargate_task_start_s", 0, 3600, name="task_start_s"),
    Param("image_pull_s", 0.0, "s",
          f"assumption: AWS's ~30 s Fargate start depends on the image's size ({aws_facts.FARGATE_START}), so it "
          "includes pulling a slim worker image; counting a pull again on top would count it twice",
          "extra image pull time beyond the task start (raise it for a large image)", 0, 3600),
    Param("task_vcpu", 1.0, "vCPU", "assumption", "Fargate task size; raised with the memory when the model needs "
          f"a larger task ({aws_facts.FARGATE_SIZES})", 0.25, 16),
    Param("task_memory_gb", 4.0, "GB", "assumption: room for a 1.5 GB model in memory",
          "Fargate task memory; raised to the smallest valid task size that holds the model, up to Fargate's 120 GB "
          "(a bigger model cannot run)", 0.5, 120),
    _fact("fargate_vcpu_hour_usd"),
    _fact("fargate_gb_hour_usd"),
    # D's autoscaler
    _fact("scheduler_min_rate_s", 1, 3600, name="d_scaler_period_s",
          description="how often D's scaler reads the queue (a scheduled function calling GetQueueAttributes)"),
    Param("d_scaler_gb_s", 0.128, "GB-s per run", "assumption: a 128 MB function running about 1 s",
          "one run of D's scaler function (billed at Lambda's on-demand price)", 0, 100),
    _fact("sqs_metric_period_s", 0, 3600, name="cw_metric_delay_s",
          description="SQS metrics reach CloudWatch once a minute (D's CloudWatch variant)"),
    _fact("tt_scale_out_datapoints", 1, 60, name="cw_alarm_datapoints", whole=True),
    _fact("tt_scale_in_datapoints", 1, 60, whole=True),
    _fact("sqs_inactive_after_s", 0, 1e7),
    _fact("sqs_wake_delay_s", 0, 3600),
    # Lambda
    Param("lambda_memory_gb", 4.0, "GB",
          f"assumption: must hold the model; {aws_facts.LAMBDA_MEMORY} (128 MB to 10,240 MB, a static setting)",
          "function memory: raised to what the model needs when set lower, up to 10,240 MB (a bigger model cannot run); "
          "nothing scales it on backlog. CPU comes with it: 1,769 MB is one vCPU",
          aws_facts.value("lambda_memory_min_gb"), aws_facts.value("lambda_memory_max_gb")),
    Param("lambda_runtime_init_s", 1.0, "s", "assumption (not documented; depends on runtime and package)",
          "runtime start before the model download", 0, 60),
    _fact("lambda_init_limit_s", 1, 60),
    _fact("lambda_timeout_max_s", 1, 900, name="lambda_timeout_s",
          description="function timeout (at most 15 minutes): a longer invocation, batch or retried init, fails"),
    Param("lambda_idle_recycle_s", 600, "s",
          f"assumption: Lambda does not document how long idle environments live ({aws_facts.LAMBDA_ENV})",
          "an idle execution environment is recycled after this", 1, 86_400),
    _fact("lambda_gb_s_usd", 0, 1),
    _fact("lambda_request_usd", 0, 1),
    _fact("lambda_pc_gb_s_usd", 0, 1),
    _fact("lambda_pc_duration_gb_s_usd", 0, 1),
    _fact("lambda_sqs_initial_concurrency", 1, 1000, name="sqs_initial_concurrency", whole=True),
    _fact("lambda_sqs_ramp_per_min", 1, 10_000, name="sqs_ramp_per_min"),
    _fact("lambda_account_concurrency", 1, 100_000, name="lambda_max_concurrency",
          description="most concurrent Lambda environments: the account's default concurrency limit (an SQS event "
                      "source alone could reach 1,250)", whole=True),
    _fact("lambda_sqs_min_pollers", 0, 1000, name="c_idle_pollers",
          description="pollers of option C's event source while the queue is empty, each a 20 s long poll "
                      "(the fewest AWS documents: the cheapest honest figure for C)", whole=True),
    Param("a_provisioned_concurrency", 10, "environments", "assumption: option A's \"provisioned concurrency to minimize cold starts\"", "environments kept warm in option A", 0, 10_000, whole=True),
    # Load balancers and queues
    _fact("alb_hour_usd", 0, 10, description="ALB hourly charge (LCUs not modelled)"),
    _fact("alb_idle_timeout_s", 1, 4000, name="sync_timeout_s",
          description="a synchronous request still unanswered after this fails (ALB's default idle timeout)"),
    Param("b_min_tasks", 1, "tasks", "assumption: at 0 tasks an ALB has no target and every request fails, so B keeps one", "option B's minimum tasks", 0, 1000, whole=True),
    Param("b_requests_per_task_min", 0, "requests per minute",
          "derived: what one task can serve, 60 s ÷ the mean seconds per request of the traffic (0 means derive it); "
          "target for ALBRequestCountPerTarget (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
          "service-autoscaling-targettracking.html)",
          "option B's target for requests per task per minute (0: what one task can serve)", 0, 1e6),
    _fact("sqs_request_usd", 0, 1),
]}


def defaults() -> dict[str, float]:
    return {name: p.value for name, p in PARAMS.items()}


def table() -> list[dict]:
    """The parameter table for pages and --json: every number with its unit and source."""
    return [
        {"name": p.name, "value": p.value, "unit": p.unit, "source": p.source, "description": p.description,
         "assumption": p.source.startswith("assumption"), "minimum": p.minimum, "maximum": p.maximum,
         "whole_number": p.whole}
        for p in PARAMS.values()
    ]
