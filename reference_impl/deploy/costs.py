"""Hourly cost estimate of one lab, every line traceable to prices.py and the template's sizes."""
from dataclasses import dataclass

from reference_impl import aws_facts

from . import prices
from .prices import HOURS_PER_MONTH
from .template import parsed_template


@dataclass(frozen=True)
class CostLine:
    item: str
    usd_per_hour: float
    basis: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CostEstimate:
    idle: tuple[CostLine, ...]        # paid every hour the stack exists, at 0 tasks
    per_task: tuple[CostLine, ...]    # paid per running task-hour
    per_1000_jobs_usd: float
    max_tasks: int
    ttl_hours: float

    @property
    def idle_usd_per_hour(self) -> float:
        return sum(line.usd_per_hour for line in self.idle)

    @property
    def task_usd_per_hour(self) -> float:
        return sum(line.usd_per_hour for line in self.per_task)

    @property
    def at_max_usd_per_hour(self) -> float:
        return self.idle_usd_per_hour + self.max_tasks * self.task_usd_per_hour

    @property
    def worst_case_usd(self) -> float:
        """Every task running on on-demand Fargate for the whole time limit."""
        return self.at_max_usd_per_hour * self.ttl_hours


def task_size() -> dict[str, float]:
    """vCPU, memory and disk of one task, from the template's parameter defaults."""
    params = parsed_template()["Parameters"]
    cpu, memory_mib = (int(part) for part in params["TaskSize"]["Default"].split("/"))
    return {"vcpu": cpu / 1024,
            "memory_gb": memory_mib / 1024,
            "storage_gib": float(params["EphemeralStorageGiB"]["Default"])}


def _src(*names: str) -> tuple[str, ...]:
    return tuple((prices.PRICES.get(n) or prices.ASSUMPTIONS[n]).source for n in names)


def estimate(max_tasks: int, ttl_minutes: int) -> CostEstimate:
    v = prices.value
    size = task_size()
    runs_per_hour = 3600 / aws_facts.value("scheduler_min_rate_s")  # the scaler runs at the shortest rate
    idle = (
        CostLine("Container Insights metrics", v("container_insights_metrics") * v("custom_metric_month_usd") / HOURS_PER_MONTH,
                 f"{v('container_insights_metrics'):g} metrics x ${v('custom_metric_month_usd')}/month",
                 _src("container_insights_metrics", "custom_metric_month_usd")),
        CostLine("CloudWatch alarms", v("alarm_metrics") * v("alarm_metric_month_usd") / HOURS_PER_MONTH,
                 f"{v('alarm_metrics'):g} alarm metrics x ${v('alarm_metric_month_usd')}/month",
                 _src("alarm_metrics", "alarm_metric_month_usd")),
        CostLine("Scaler (Scheduler + Lambda + GetQueueAttributes)",
                 runs_per_hour * (v("scheduler_invocation_usd") + v("lambda_request_usd")
                                     + v("scaler_gb_s_per_call") * v("lambda_gb_s_usd") + v("sqs_request_usd")),
                 f"{runs_per_hour:g} runs an hour", _src("scheduler_invocation_usd", "lambda_request_usd", "lambda_gb_s_usd", "sqs_request_usd")),
        CostLine("S3 (model) and ECR (image) storage",
                 (v("model_gb") * v("s3_gb_month_usd") + v("image_gb") * v("ecr_gb_month_usd")) / HOURS_PER_MONTH,
                 f"{v('model_gb'):g} GB model, {v('image_gb'):g} GB image",
                 _src("model_gb", "s3_gb_month_usd", "image_gb", "ecr_gb_month_usd")),
    )
    extra_storage = max(0.0, size["storage_gib"] - aws_facts.value("fargate_storage_included_gib"))
    per_task = (
        CostLine("Fargate vCPU (on-demand)", size["vcpu"] * v("fargate_vcpu_hour_usd"), f"{size['vcpu']:g} vCPU",
                 _src("fargate_vcpu_hour_usd")),
        CostLine("Fargate memory (on-demand)", size["memory_gb"] * v("fargate_gb_hour_usd"), f"{size['memory_gb']:g} GB",
                 _src("fargate_gb_hour_usd")),
        CostLine(f"Fargate storage above {aws_facts.value('fargate_storage_included_gib'):g} GB", extra_storage * v("fargate_storage_gb_hour_usd"),
                 f"{extra_storage:g} GB extra", _src("fargate_storage_gb_hour_usd")),
        CostLine("Public IPv4 address", v("public_ipv4_hour_usd"), "one per task", _src("public_ipv4_hour_usd")),
        CostLine("SQS long polls", v("worker_receives_per_hour") * v("sqs_request_usd"),
                 f"{v('worker_receives_per_hour'):g} receives an hour", _src("worker_receives_per_hour", "sqs_request_usd")),
    )
    # A job: one API call, send + receive + delete on SQS, one result PUT.
    per_job = v("apigw_rest_request_usd") + 3 * v("sqs_request_usd") + v("s3_put_usd")
    return CostEstimate(idle, per_task, 1000 * per_job, max_tasks, ttl_minutes / 60)
