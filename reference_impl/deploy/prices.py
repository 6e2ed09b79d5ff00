"""Prices and sizes the lab's cost estimate uses, each with its source.

Numbers the simulator already keeps (Fargate vCPU and memory, SQS requests, Lambda) are read from
its table, `reference_impl.simulate.params.PARAMS`, so a price is written down once. The entries
below are the ones only a deployment needs. us-east-1 list prices; check the linked page before
quoting them, and note that Fargate Spot's price varies (the estimate uses on-demand prices, the
worst case).
"""
from dataclasses import dataclass

from reference_impl.simulate.params import PARAMS as SIMULATOR_PARAMS

FARGATE_PRICING = "https://aws.amazon.com/fargate/pricing/"
VPC_PRICING = "https://aws.amazon.com/vpc/pricing/"
CLOUDWATCH_PRICING = "https://aws.amazon.com/cloudwatch/pricing/"
HOURS_PER_MONTH = 730  # AWS's pricing pages convert monthly prices at 730 hours


@dataclass(frozen=True)
class Price:
    name: str
    value: float
    unit: str
    source: str
    description: str


def _from_simulator(name: str) -> Price:
    p = SIMULATOR_PARAMS[name]
    return Price(p.name, p.value, p.unit, p.source, p.description)


PRICES: dict[str, Price] = {p.name: p for p in [
    _from_simulator("fargate_vcpu_hour_usd"),
    _from_simulator("fargate_gb_hour_usd"),
    _from_simulator("sqs_request_usd"),
    _from_simulator("lambda_gb_s_usd"),
    _from_simulator("lambda_request_usd"),
    Price("fargate_storage_gb_hour_usd", 0.000111, "USD per GB-hour", FARGATE_PRICING,
          "ephemeral storage above the 20 GB included with every task"),
    Price("public_ipv4_hour_usd", 0.005, "USD per address-hour",
          VPC_PRICING + " (Public IPv4 address tab; charged since 1 February 2024)",
          "each running task has a public IPv4 address to reach ECR, S3 and SQS without a NAT gateway"),
    Price("apigw_rest_request_usd", 0.0000035, "USD per request", "https://aws.amazon.com/api-gateway/pricing/",
          "REST API calls ($3.50 per million, first 333 million)"),
    Price("scheduler_invocation_usd", 0.000001, "USD per invocation", "https://aws.amazon.com/eventbridge/pricing/",
          "EventBridge Scheduler ($1.00 per million after 14 million free a month)"),
    Price("alarm_metric_month_usd", 0.10, "USD per alarm metric-month", CLOUDWATCH_PRICING,
          "standard-resolution alarms are billed per metric they read, metric-math alarms included"),
    Price("custom_metric_month_usd", 0.30, "USD per metric-month", CLOUDWATCH_PRICING,
          "Container Insights metrics are billed as custom metrics (first 10,000 tier)"),
    Price("s3_gb_month_usd", 0.023, "USD per GB-month", "https://aws.amazon.com/s3/pricing/",
          "S3 Standard storage (the model; results expire after a day)"),
    Price("s3_put_usd", 0.000005, "USD per request", "https://aws.amazon.com/s3/pricing/",
          "PUT requests ($0.005 per 1,000): one result per job"),
    Price("ecr_gb_month_usd", 0.10, "USD per GB-month", "https://aws.amazon.com/ecr/pricing/",
          "private repository storage for the worker image"),
]}

# Sizes the estimate assumes; each is labelled as an assumption where no page states it.
ASSUMPTIONS: dict[str, Price] = {p.name: p for p in [
    Price("model_gb", SIMULATOR_PARAMS["model_size_gb"].value, "GB", "question #1973", "model object in the bucket"),
    Price("image_gb", 0.5, "GB", "assumption: python slim base plus scikit-learn", "worker image in ECR"),
    Price("container_insights_metrics", 25, "metrics", "assumption: one cluster with one service and task family",
          "Container Insights metrics the cluster publishes"),
    Price("alarm_metrics", 8, "metrics", "template.yaml: target tracking creates 2 alarms of 3 metrics; "
          "the scale-from-zero alarm reads 2", "metrics read by the stack's alarms"),
    Price("scaler_gb_s_per_call", 0.128, "GB-s", "assumption: 128 MB for about 1 s", "one run of the scaler function"),
    Price("worker_receives_per_hour", 180, "requests", "template.yaml: 20 s long polls, 3 a minute per idle task",
          "ReceiveMessage calls of one task with an empty queue"),
]}


def value(name: str) -> float:
    return (PRICES.get(name) or ASSUMPTIONS[name]).value


def table() -> list[dict]:
    """The price and assumption table for `plan` and the README, every number with its source."""
    return [{"name": p.name, "value": p.value, "unit": p.unit, "source": p.source,
             "description": p.description, "assumption": p.source.startswith("assumption")}
            for p in (*PRICES.values(), *ASSUMPTIONS.values())]
