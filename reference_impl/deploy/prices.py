"""Prices and sizes the lab's cost estimate uses, each with its source.

AWS prices are read from `reference_impl.aws_facts`, the one table of AWS numbers (the simulator
reads the same table), so a price is written down once. The sizes below are this deployment's own
assumptions, labelled as such. us-east-1 list prices; check the linked page before quoting them,
and note that Fargate Spot's price varies (the estimate uses on-demand prices, the worst case).
"""
from reference_impl import aws_facts
from reference_impl.aws_facts import FACTS, Fact
from reference_impl.workload import WORKLOAD

PRICES: dict[str, Fact] = {name: FACTS[name] for name in (
    "fargate_vcpu_hour_usd", "fargate_gb_hour_usd", "fargate_storage_gb_hour_usd", "public_ipv4_hour_usd",
    "sqs_request_usd", "lambda_gb_s_usd", "lambda_request_usd", "apigw_rest_request_usd",
    "scheduler_invocation_usd", "alarm_metric_month_usd", "custom_metric_month_usd", "s3_gb_month_usd",
    "s3_put_usd", "ecr_gb_month_usd",
)}
HOURS_PER_MONTH = aws_facts.value("hours_per_month")

# Sizes the estimate assumes; each is labelled as an assumption where no page states it.
ASSUMPTIONS: dict[str, Fact] = {p.name: p for p in [
    Fact("model_gb", WORKLOAD["model_size_gb"].value, "GB", WORKLOAD["model_size_gb"].source, "model object in the bucket"),
    Fact("image_gb", 0.5, "GB", "assumption: python slim base plus scikit-learn", "worker image in ECR"),
    Fact("container_insights_metrics", 25, "metrics", "assumption: one cluster with one service and task family",
         "Container Insights metrics the cluster publishes"),
    Fact("alarm_metrics", 6, "metrics", "template.yaml: target tracking creates 2 alarms of 3 metrics",
         "metrics read by the stack's alarms"),
    Fact("scaler_gb_s_per_call", 0.128, "GB-s", "assumption: 128 MB for about 1 s", "one run of the scaler function"),
    Fact("worker_receives_per_hour", 180, "requests", "template.yaml: 20 s long polls, 3 a minute per idle task",
         "ReceiveMessage calls of one task with an empty queue"),
]}


def value(name: str) -> float:
    return (PRICES.get(name) or ASSUMPTIONS[name]).value


def table() -> list[dict]:
    """The price and assumption table for `plan` and the README, every number with its source."""
    return [{"name": p.name, "value": p.value, "unit": p.unit, "source": p.source,
             "description": p.description, "assumption": p.source.startswith("assumption")}
            for p in (*PRICES.values(), *ASSUMPTIONS.values())]
