"""What every design's model produces (a Run) and the arithmetic the designs share.

A Run holds, per request, its start, end and whether it failed; the capacity it ran (tasks or
Lambda environments) as lifetimes; and its costs. Reports and charts read only Runs.
"""
from dataclasses import InitVar, dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from reference_impl import aws_facts
from reference_impl.simulate.params import Params
from reference_impl.simulate.traffic import Traffic

INF = float("inf")


@dataclass(frozen=True, kw_only=True)
class Run:
    """One design's run, complete when made (frozen: nothing is added afterwards)."""
    design: str
    start: list[float]
    end: list[float]
    failed: list[bool]
    queued: bool                      # requests wait in a queue (C, D) or not (A, B)
    capacity: list[tuple[float, float]]  # task or environment lifetimes
    capacity_label: str
    per_request_usd: list[float]      # billed per request, at its end
    cost_parts: dict[str, float]
    facts: dict[str, Any]             # figures the explanation quotes
    capacity_usd_per_s: float = 0.0   # price of one unit of capacity per second (ECS tasks)
    fixed_usd_per_s: float = 0.0      # billed whatever happens (load balancer, provisioned concurrency)
    fail_reason: dict[int, str] = field(default_factory=dict)
    # Arrays the design already holds of its per-request lists (numpy made them, or every request
    # is alike), handed over so the reports need not convert the lists again: a dict from the
    # names of the array properties below to arrays, each equal to what its property would make.
    # Not part of the Run's value (not a field, not compared).
    arrays: InitVar[dict[str, np.ndarray] | None] = None

    def __post_init__(self, arrays: dict[str, np.ndarray] | None) -> None:
        if arrays:
            unknown = set(arrays) - set(ARRAY_PROPERTIES)
            if unknown:
                raise TypeError(f"not an array property of Run: {', '.join(sorted(unknown))}")
            self.__dict__.update(arrays)  # where cached_property keeps what it made

    # The per-request lists as arrays, made once: summaries, chart series and the chart's frames
    # each read them (a Run is frozen, so they can never go stale).
    @cached_property
    def end_array(self) -> np.ndarray:
        return _as_array(self.end, float)

    @cached_property
    def start_array(self) -> np.ndarray:
        return _as_array(self.start, float)

    @cached_property
    def done_mask(self) -> np.ndarray:
        """True for each request that completed."""
        return ~_as_array(self.failed, bool)

    @cached_property
    def per_request_array(self) -> np.ndarray:
        return _as_array(self.per_request_usd, float)

    @cached_property
    def capacity_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The capacity's start times, sorted, and its end times, sorted."""
        return (np.sort(np.array([a for a, _ in self.capacity], dtype=float)),
                np.sort(np.array([b for _, b in self.capacity], dtype=float)))


def _as_array(values: Any, dtype: type) -> np.ndarray:
    """np.asarray(values, dtype=dtype), the same values; a list through np.fromiter with its
    length known, which skips asarray's pass over the list to find its shape and type (about 15%
    of each conversion, and a 30-day run converts a dozen lists of 100,000)."""
    if isinstance(values, list):
        return np.fromiter(values, dtype, len(values))
    return np.asarray(values, dtype=dtype)


ARRAY_PROPERTIES = ("end_array", "start_array", "done_mask", "per_request_array")


def alike_arrays(n: int, usd: float) -> dict[str, np.ndarray]:
    """Run.arrays for `n` requests that all completed, each billed `usd` (the lists [False] * n
    and [usd] * n as arrays)."""
    return {"done_mask": np.ones(n, dtype=bool), "per_request_array": np.full(n, usd, dtype=float)}


def model_load_s(p: Params) -> float:
    """Download the model with parallel ranged GETs, then deserialize it. (S3 throughput is in
    decimal MB/s, so the model's size converts at 1,000 MB per GB here.)"""
    download = p.model_size_gb * 1000 / (p.s3_stream_mb_s * p.s3_parallel_streams)
    return download + p.model_deserialize_s


def task_ready_s(p: Params) -> float:
    """From an ECS task's launch to its first answer: provisioning (which includes pulling a slim
    image: AWS gives about 30 s, depending on the image's size), any extra pull time, model load."""
    return p.task_start_s + p.image_pull_s + model_load_s(p)


def lambda_init_s(p: Params) -> float:
    """One environment's cold start: runtime start, then the model download and load."""
    return p.lambda_runtime_init_s + model_load_s(p)


def lambda_cold_start_s(p: Params) -> float:
    """The whole cold start. Its best honest form: the model loads in init when init fits the
    on-demand init limit; otherwise in the handler on first use, so the limit is never hit and
    init is not retried (aws_facts: lambda_init_limit_s)."""
    return lambda_init_s(p)


def loads_in_handler(p: Params) -> bool:
    return lambda_init_s(p) > p.lambda_init_limit_s


def lambda_init_in_invocation_s(p: Params) -> float:
    """The part of a cold start that runs inside the first invocation, under the function timeout:
    the model load, when it is done in the handler."""
    return model_load_s(p) if loads_in_handler(p) else 0.0


def model_memory_gb(p: Params) -> float:
    """Memory one worker needs to hold the model and serve: the model plus the runtime's overhead."""
    return p.model_size_gb + p.worker_overhead_gb


def lambda_vcpu(memory_gb: float) -> float:
    """Lambda allocates CPU in proportion to memory: 1,769 MB is one vCPU (aws_facts). A function's
    GB are Lambda's billing GB, 1,024 MB each (aws_facts: lambda_mb_per_gb)."""
    return memory_gb * aws_facts.value("lambda_mb_per_gb") / aws_facts.value("lambda_mb_per_vcpu")


def lambda_sizing(p: Params) -> dict:
    """A function sized to hold the model: memory raised to what the model needs when the setting
    is lower, within Lambda's 10,240 MB. `fits` False names the limit that stops it."""
    need, limit = model_memory_gb(p), aws_facts.value("lambda_memory_max_gb")
    memory = max(p.lambda_memory_gb, need)
    if need > limit:
        return {"fits": False, "memory_gb": p.lambda_memory_gb, "vcpu": lambda_vcpu(p.lambda_memory_gb),
                "why": (f"the model needs {need:g} GB of memory, and a Lambda function has at most {limit * aws_facts.value('lambda_mb_per_gb'):,.0f} MB "
                        f"of memory ({aws_facts.LAMBDA_MEMORY}) and "
                        f"{aws_facts.value('lambda_tmp_max_mb'):,.0f} MB of /tmp ({aws_facts.LAMBDA_LIMITS}): "
                        "it cannot hold the model")}
    return {"fits": True, "memory_gb": memory, "vcpu": lambda_vcpu(memory), "raised": memory > p.lambda_memory_gb,
            "why": ""}


def task_sizing(p: Params) -> dict:
    """An ECS task sized to hold the model: the smallest valid Fargate size with at least the set
    vCPU and the memory the model needs, within Fargate's largest task (16 vCPU, 120 GB)."""
    need = model_memory_gb(p)
    if p.task_memory_gb >= need:
        return {"fits": True, "vcpu": p.task_vcpu, "memory_gb": p.task_memory_gb, "raised": False, "why": ""}
    for cpu_units, memories in aws_facts.FARGATE_TASK_SIZES.items():
        vcpu = cpu_units / 1024
        fitting = [m / 1024 for m in memories if m / 1024 >= need]
        if vcpu >= p.task_vcpu and fitting:
            return {"fits": True, "vcpu": vcpu, "memory_gb": fitting[0], "raised": True, "why": ""}
    largest = aws_facts.value("fargate_task_memory_max_gb")
    return {"fits": False, "vcpu": p.task_vcpu, "memory_gb": p.task_memory_gb,
            "why": (f"the model needs {model_memory_gb(p):g} GB of memory, and a Fargate task has at most "
                    f"{largest:g} GB ({aws_facts.FARGATE_SIZES}): it cannot hold the model")}


def per_item_s(p: Params, vcpu: float) -> float:
    """Seconds per input on `vcpu` vCPUs: `service_time_s` is measured on one vCPU and, as an
    assumption (labelled in params.py), inference speeds up in proportion to the vCPUs it gets."""
    return p.service_time_s / vcpu


def service_times(traffic: Traffic, p: Params, vcpu: float = 1.0) -> list[float]:
    """Each request's processing time once a model is loaded: a batch takes one item time per input.
    Made once per traffic and per-input time, and shared: read it, never modify it."""
    each = per_item_s(p, vcpu)
    made = traffic.service_lists
    if each not in made:
        made[each] = service_array(traffic, p, vcpu).tolist()
    return made[each]


def service_array(traffic: Traffic, p: Params, vcpu: float = 1.0) -> np.ndarray:
    """service_times as an array. One float64 multiply per request, as `n * each` in Python (the
    int converts exactly)."""
    return traffic.items_array * per_item_s(p, vcpu)


def unbuildable(design: str, traffic: Traffic, label: str, why: str) -> Run:
    """A design that cannot hold the model: every request fails, with the limit named."""
    n = traffic.requests
    return Run(design=design, start=list(traffic.arrivals), end=list(traffic.arrivals), failed=[True] * n,
               queued=design in "CD", capacity=[], capacity_label=label, per_request_usd=[0.0] * n,
               fail_reason={i: why for i in range(n)}, cost_parts={"nothing can run: " + why.split(":")[0]: 0.0},
               facts={"unbuildable": why},
               arrays={"end_array": traffic.arrivals_array, "start_array": traffic.arrivals_array,
                       "done_mask": np.zeros(n, dtype=bool), "per_request_array": np.zeros(n)})


def task_usd_per_s(p: Params) -> float:
    return (p.task_vcpu * p.fargate_vcpu_hour_usd + p.task_memory_gb * p.fargate_gb_hour_usd) / 3600


def scaler_run_usd(p: Params) -> float:
    """One run of D's scheduled scaler (or waker): a Lambda invocation, its duration, and the
    GetQueueAttributes call it makes."""
    return p.lambda_request_usd + p.d_scaler_gb_s * p.lambda_gb_s_usd + p.sqs_request_usd
