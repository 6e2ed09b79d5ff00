"""Every number the simulator uses: value, unit, source. One table; any entry can be overridden.

AWS limits and prices come from `reference_impl.aws_facts` (the project's one table of them,
with their pages); this table adds the workload and the designs' settings. Entries whose source
starts with "assumption" are our estimates, labelled as such wherever they are shown. The bounds
(`minimum`, `maximum`) are what an override may set: wide enough to argue with, narrow enough
that one run stays quick.

`Params` is the simulator's parameters as one frozen dataclass: each field's default, unit,
source and bounds are declared on the field itself (`_param`, `_fact`, `_workload`), `PARAMS`
is the same as a table for pages, and `check` is the one place a value is checked (what is
wrong and what is allowed, the message the explorer's 4xx answers show for the field).
"""
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any

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


def _param(value: float, unit: str, source: str, description: str, minimum: float = 0.0, maximum: float = 1e9,
           whole: bool = False) -> Any:
    """A field of `Params`: its default and what the parameter table says about it."""
    return field(default=value, metadata={"unit": unit, "source": source, "description": description,
                                          "minimum": minimum, "maximum": maximum, "whole": whole})


def _fact(fact: str, minimum: float = 0.0, maximum: float = 1e9, *, description: str | None = None,
          whole: bool = False) -> Any:
    """A field whose default is an AWS fact: value, unit and source come from aws_facts."""
    f = FACTS[fact]
    source = f"observed (not documented by AWS): {f.source}" if f.observed else f.source
    return _param(f.value, f.unit, source, description or f.description, minimum, maximum, whole)


def _workload(name: str, minimum: float, maximum: float) -> Any:
    """A field from the question's workload (reference_impl.workload)."""
    w = WORKLOAD[name]
    return _param(w.value, w.unit, w.source, w.description, minimum, maximum)


@dataclass(frozen=True)
class Params:
    """Every number one simulation runs with. Counts (`whole` in the table) hold whole numbers."""
    # The workload (from the question, or assumptions where it is silent)
    model_size_gb: float = _workload('model_size_gb', 0.01, 200)
    service_time_s: float = _workload('service_time_s', 0.001, 600)
    worker_overhead_gb: float = _param(
        0.5,
        "GB",
        "assumption: the runtime, its libraries and the request being served",
        "memory a worker needs besides the model itself; model size + this must fit in a function's or task's"
        " memory "
        "(the model is taken to need its file size in memory)",
        0, 100)
    model_deserialize_s: float = _param(
        5.0,
        "s",
        "assumption",
        "time to turn the downloaded bytes into a model in memory",
        0, 600)
    # S3
    s3_stream_mb_s: float = _fact("s3_stream_mb_s", 1, 10_000)
    s3_parallel_streams: float = _param(
        1,
        "connections",
        f"the documented figure: S3 states 85-90 MB/s for one connection; parallel ranged GETs can add up, but "
        f"neither Lambda's nor a Fargate task's network bandwidth is documented ({aws_facts.S3_PERF})",
        "S3 connections a worker (ECS task or Lambda environment) downloads the model over; the same for every "
        "design, so none is favoured. Raise it to try parallel ranged GETs",
        1, 64, whole=True)
    # Latency goal and the backlog policy (reference_impl/scaling.py)
    acceptable_latency_s: float = _workload('acceptable_latency_s', 1, 86_400)
    max_tasks: float = _param(
        20,
        "tasks",
        "assumption: a per-model cap chosen by the operator",
        "most ECS tasks (B, D) one model may run",
        1, 1000, whole=True)
    d_min_tasks: float = _param(
        0,
        "tasks",
        "assumption: models idle for weeks should cost nothing while idle",
        "option D's minimum tasks (1 keeps a warm task: no start-up wait, but billed all period)",
        0, 1000, whole=True)
    d_scale_in_max_step: float = _param(
        1,
        "tasks per step",
        "assumption: reference_impl/scaling.py's default, gradual scale-in",
        "while work remains, the most tasks D's scaler removes at one scale-in (then it waits a cooldown); "
        "once the queue is idle, every idle task goes at once",
        1, 1000, whole=True)
    d_idle_before_zero_s: float = _param(
        300,
        "s",
        "assumption: reference_impl/scaling.py's default (the ECS default cooldown)",
        "D keeps its tasks until the queue and the work in flight have been empty this long, then stops every "
        "idle one (against flapping on sparse traffic)",
        0, 86_400)
    scale_in_cooldown_s: float = _fact(
        "ecs_default_cooldown_s",
        0, 86_400, description="scale-in cooldown (Application Auto Scaling's ECS default)")
    # ECS on Fargate
    task_start_s: float = _fact("fargate_task_start_s", 0, 3600)
    image_pull_s: float = _param(
        0.0,
        "s",
        f"assumption: AWS's ~30 s Fargate start depends on the image's size ({aws_facts.FARGATE_START}), so it "
        "includes pulling a slim worker image; counting a pull again on top would count it twice",
        "extra image pull time beyond the task start (raise it for a large image)",
        0, 3600)
    task_vcpu: float = _param(
        1.0,
        "vCPU",
        "assumption",
        "Fargate task size; raised with the memory when the model needs "
        f"a larger task ({aws_facts.FARGATE_SIZES})",
        0.25, 16)
    task_memory_gb: float = _param(
        4.0,
        "GB",
        "assumption: room for a 1.5 GB model in memory",
        "Fargate task memory; raised to the smallest valid task size that holds the model, up to Fargate's 120 GB "
        "(a bigger model cannot run)",
        0.5, 120)
    fargate_vcpu_hour_usd: float = _fact("fargate_vcpu_hour_usd")
    fargate_gb_hour_usd: float = _fact("fargate_gb_hour_usd")
    # D's autoscaler
    d_scaler_period_s: float = _fact(
        "scheduler_min_rate_s",
        1, 3600,
        description="how often D's scaler reads the queue (a scheduled function calling GetQueueAttributes)")
    d_scaler_gb_s: float = _param(
        0.128,
        "GB-s per run",
        "assumption: a 128 MB function running about 1 s",
        "one run of D's scaler function (billed at Lambda's on-demand price)",
        0, 100)
    cw_metric_delay_s: float = _fact(
        "sqs_metric_period_s",
        0, 3600, description="SQS metrics reach CloudWatch once a minute (D's CloudWatch variant)")
    cw_alarm_datapoints: float = _fact("tt_scale_out_datapoints", 1, 60, whole=True)
    tt_scale_in_datapoints: float = _fact("tt_scale_in_datapoints", 1, 60, whole=True)
    sqs_inactive_after_s: float = _fact("sqs_inactive_after_s", 0, 1e7)
    sqs_wake_delay_s: float = _fact("sqs_wake_delay_s", 0, 3600)
    # Lambda
    lambda_memory_gb: float = _param(
        4.0,
        "GB",
        f"assumption: must hold the model; {aws_facts.LAMBDA_MEMORY} (128 MB to 10,240 MB, a static setting)",
        "function memory: raised to what the model needs when set lower, up to 10,240 MB (a bigger model "
        "cannot run); "
        "nothing scales it on backlog. CPU comes with it: 1,769 MB is one vCPU",
        aws_facts.value("lambda_memory_min_gb"), aws_facts.value("lambda_memory_max_gb"))
    lambda_runtime_init_s: float = _param(
        1.0,
        "s",
        "assumption (not documented; depends on runtime and package)",
        "runtime start before the model download",
        0, 60)
    lambda_init_limit_s: float = _fact("lambda_init_limit_s", 1, 60)
    lambda_timeout_s: float = _fact(
        "lambda_timeout_max_s",
        1, 900,
        description="function timeout (at most 15 minutes): a longer invocation, batch or retried init, fails")
    lambda_idle_recycle_s: float = _param(
        600,
        "s",
        f"assumption: Lambda does not document how long idle environments live ({aws_facts.LAMBDA_ENV})",
        "an idle execution environment is recycled after this",
        1, 86_400)
    lambda_gb_s_usd: float = _fact("lambda_gb_s_usd", 0, 1)
    lambda_request_usd: float = _fact("lambda_request_usd", 0, 1)
    lambda_pc_gb_s_usd: float = _fact("lambda_pc_gb_s_usd", 0, 1)
    lambda_pc_duration_gb_s_usd: float = _fact("lambda_pc_duration_gb_s_usd", 0, 1)
    sqs_initial_concurrency: float = _fact("lambda_sqs_initial_concurrency", 1, 1000, whole=True)
    sqs_ramp_per_min: float = _fact("lambda_sqs_ramp_per_min", 1, 10_000)
    lambda_max_concurrency: float = _fact(
        "lambda_account_concurrency",
        1, 100_000,
        description="most concurrent Lambda environments: the account's default concurrency limit (an SQS event "
        "source alone could reach 1,250)",
        whole=True)
    c_idle_pollers: float = _fact(
        "lambda_sqs_min_pollers",
        0, 1000,
        description="pollers of option C's event source while the queue is empty, each a 20 s long poll "
        "(the fewest AWS documents: the cheapest honest figure for C)",
        whole=True)
    a_provisioned_concurrency: float = _param(
        10,
        "environments",
        "assumption: option A's \"provisioned concurrency to minimize cold starts\"",
        "environments kept warm in option A",
        0, 10_000, whole=True)
    # Load balancers and queues
    alb_hour_usd: float = _fact("alb_hour_usd", 0, 10, description="ALB hourly charge (LCUs not modelled)")
    sync_timeout_s: float = _fact(
        "alb_idle_timeout_s",
        1, 4000,
        description="a synchronous request still unanswered after this fails (ALB's default idle timeout)")
    b_min_tasks: float = _param(
        1,
        "tasks",
        "assumption: at 0 tasks an ALB has no target and every request fails, so B keeps one",
        "option B's minimum tasks",
        0, 1000, whole=True)
    b_requests_per_task_min: float = _param(
        0,
        "requests per minute",
        "derived: what one task can serve, 60 s ÷ the mean seconds per request of the traffic (0 means derive it); "
        "target for ALBRequestCountPerTarget (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
        "service-autoscaling-targettracking.html)",
        "option B's target for requests per task per minute (0: what one task can serve)",
        0, 1e6)
    sqs_request_usd: float = _fact("sqs_request_usd", 0, 1)


def number_problem(value: Any) -> str:
    """'must be a number' unless `value` is a JSON number (not a boolean, not NaN), else ''."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return "must be a number"
    return ""


def check(key: str, value: Any, minimum: float | None = None, maximum: float | None = None,
          whole: bool | None = None) -> str:
    """What is wrong with `value` for parameter `key` ('' when nothing): a number, in range, whole
    for counts. Bounds default to the parameter table's; the scenario's fields pass their own."""
    if number_problem(value):
        return number_problem(value)
    if minimum is None or maximum is None or whole is None:
        param = PARAMS[key]
        minimum, maximum, whole = param.minimum, param.maximum, param.whole
    if not minimum <= value <= maximum:
        return f"must be between {minimum:g} and {maximum:g}"
    if whole and value != int(value):
        return f"must be a whole number (between {minimum:g} and {maximum:g})"
    return ""


def _table_entry(f: Any) -> Param:
    m = f.metadata
    assert f.default is not MISSING
    return Param(f.name, f.default, m["unit"], m["source"], m["description"], m["minimum"], m["maximum"], m["whole"])


PARAMS: dict[str, Param] = {f.name: _table_entry(f) for f in fields(Params)}


def defaults() -> Params:
    return Params()


def table() -> list[dict]:
    """The parameter table for pages and --json: every number with its unit and source."""
    return [
        {"name": p.name, "value": p.value, "unit": p.unit, "source": p.source, "description": p.description,
         "assumption": p.source.startswith("assumption"), "minimum": p.minimum, "maximum": p.maximum,
         "whole_number": p.whole}
        for p in PARAMS.values()
    ]
