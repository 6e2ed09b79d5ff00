"""What every design's model produces (a Run) and the arithmetic the designs share.

A Run holds, per request, its start, end and whether it failed; the capacity it ran (tasks or
Lambda environments) as lifetimes; and its costs. Reports and charts read only Runs.
"""
from dataclasses import dataclass, field

from reference_impl.simulate.traffic import Traffic

INF = float("inf")


@dataclass
class Run:
    design: str
    start: list[float]
    end: list[float]
    failed: list[bool]
    queued: bool                      # requests wait in a queue (C, D) or not (A, B)
    capacity: list[tuple[float, float]] = field(default_factory=list)  # task or environment lifetimes
    capacity_label: str = "tasks"
    capacity_usd_per_s: float = 0.0   # price of one unit of capacity per second (ECS tasks)
    fixed_usd_per_s: float = 0.0      # billed whatever happens (load balancer, provisioned concurrency)
    per_request_usd: list[float] = field(default_factory=list)  # billed per request, at its end
    cost_parts: dict[str, float] = field(default_factory=dict)
    facts: dict = field(default_factory=dict)  # figures the explanation quotes
    fail_reason: dict[int, str] = field(default_factory=dict)


def model_load_s(p: dict) -> float:
    """Download the model with parallel ranged GETs, then deserialize it."""
    download = p["model_size_gb"] * 1000 / (p["s3_stream_mb_s"] * p["s3_parallel_streams"])
    return download + p["model_deserialize_s"]


def task_ready_s(p: dict) -> float:
    """From an ECS task's launch to its first answer: provisioning, image pull, model load."""
    return p["task_start_s"] + p["image_pull_s"] + model_load_s(p)


def lambda_init_s(p: dict) -> float:
    """One environment's init: runtime start, then the model download and load."""
    return p["lambda_runtime_init_s"] + model_load_s(p)


def lambda_cold_start_s(p: dict) -> float:
    """Init beyond the 10 s on-demand limit is retried inside the first invocation."""
    init = lambda_init_s(p)
    return init if init <= p["lambda_init_limit_s"] else p["lambda_init_limit_s"] + init


def lambda_init_in_invocation_s(p: dict) -> float:
    """The part of a cold start that runs inside the first invocation, under the function timeout."""
    init = lambda_init_s(p)
    return 0.0 if init <= p["lambda_init_limit_s"] else init


def service_times(traffic: Traffic, p: dict) -> list[float]:
    """Each request's processing time once a model is loaded: a batch takes one service time per input."""
    return [n * p["service_time_s"] for n in traffic.items]


def task_usd_per_s(p: dict) -> float:
    return (p["task_vcpu"] * p["fargate_vcpu_hour_usd"] + p["task_memory_gb"] * p["fargate_gb_hour_usd"]) / 3600
