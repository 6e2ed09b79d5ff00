"""The four designs, each a small discrete-event model of how it serves the same requests.

Each returns a Run: per request its start, end and whether it failed; the capacity it ran
(tasks or Lambda environments) as intervals; and its costs. Idle time is skipped, not stepped
through: a month of silence costs one jump, so run time grows with requests, not with days.
"""
import heapq
import math
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field

from reference_impl.scaling import QueueSample, ScalerState, ScalingPolicy, decide
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


def lambda_cold_start_s(p: dict) -> float:
    """Init beyond the 10 s on-demand limit is retried inside the first invocation."""
    init = p["lambda_runtime_init_s"] + model_load_s(p)
    return init if init <= p["lambda_init_limit_s"] else p["lambda_init_limit_s"] + init


def _service(traffic: Traffic, p: dict) -> list[float]:
    return [n * p["service_time_s"] for n in traffic.items]


def _task_usd_per_s(p: dict) -> float:
    return (p["task_vcpu"] * p["fargate_vcpu_hour_usd"] + p["task_memory_gb"] * p["fargate_gb_hour_usd"]) / 3600


# ---------------------------------------------------------------------------------------------
# Option D: SQS queue, ECS tasks, backlog-per-task autoscaling (reference_impl/scaling.py)


def simulate_d(traffic: Traffic, p: dict, metric_source: str = "direct") -> Run:
    """`metric_source` "direct": the scaler reads GetQueueAttributes every period (our design).
    "cloudwatch": it sees SQS's CloudWatch metrics, a minute late, through an alarm needing
    several datapoints, and nothing for up to 15 minutes after a queue wakes from 6 h idle."""
    arr, svc, n = traffic.arrivals, _service(traffic, p), traffic.requests
    mean_svc = (sum(svc) / n) if n else p["service_time_s"]
    policy = ScalingPolicy(
        acceptable_latency_s=p["acceptable_latency_s"], seconds_per_message=mean_svc,
        min_tasks=0, max_tasks=int(p["max_tasks"]), scale_in_cooldown_s=p["scale_in_cooldown_s"],
        idle_before_zero_s=p["scale_in_cooldown_s"],
    )
    period = p["d_scaler_period_s"]
    ready_delay = p["task_start_s"] + p["image_pull_s"] + model_load_s(p)
    start, end, failed = [0.0] * n, [0.0] * n, [False] * n
    tasks: list[dict] = []       # active: {"launch", "ready", "free"}
    capacity: list[tuple[float, float]] = []
    in_flight: list[float] = []  # heap of end times
    state = ScalerState()
    history: deque = deque()      # (tick, visible) for the CloudWatch view
    wake_until = -INF
    last_activity = -INF
    qi = 0
    t = math.floor(arr[0] / period) * period if n else 0.0
    decisions = 0
    while True:
        while in_flight and in_flight[0] <= t:
            heapq.heappop(in_flight)
        arrived = bisect_right(arr, t)
        visible = arrived - qi
        if metric_source == "cloudwatch":
            if visible and t - last_activity >= p["sqs_inactive_after_s"]:
                wake_until = t + p["sqs_wake_delay_s"]
            history.append((t, visible))
            lag = p["cw_metric_delay_s"] + (p["cw_alarm_datapoints"] - 1) * 60
            while history and history[0][0] < t - lag - period:
                history.popleft()
            window = [v for (ht, v) in history if t - lag <= ht <= t - p["cw_metric_delay_s"]]
            seen = min(window) if window and t >= wake_until else 0
        else:
            seen = visible
        if visible or in_flight:
            last_activity = t
        decision = decide(policy, QueueSample(seen, len(in_flight), len(tasks)), state, t)
        state = decision.state
        decisions += 1
        if state.desired > len(tasks):
            for _ in range(state.desired - len(tasks)):
                tasks.append({"launch": t, "ready": t + ready_delay, "free": t + ready_delay})
        elif state.desired < len(tasks):
            # Scale-in protection: only idle tasks stop; busy ones finish and stop at a later poll.
            excess = len(tasks) - state.desired
            keep = []
            for task in sorted(tasks, key=lambda k: k["free"]):
                if excess and task["free"] <= t:
                    capacity.append((task["launch"], t))
                    excess -= 1
                else:
                    keep.append(task)
            tasks = keep
        t1 = t + period
        if tasks:
            free = [(k["free"], i) for i, k in enumerate(tasks)]
            heapq.heapify(free)
            while qi < n and arr[qi] < t1:
                when, i = free[0]
                s = max(arr[qi], when)
                if s >= t1:
                    break
                start[qi], end[qi] = s, s + svc[qi]
                tasks[i]["free"] = end[qi]
                heapq.heapreplace(free, (end[qi], i))
                heapq.heappush(in_flight, end[qi])
                qi += 1
        if qi >= n and not in_flight and not tasks:
            break
        if qi < n and not tasks and not in_flight and state.desired == 0 and bisect_right(arr, t1) == qi:
            t = math.floor(arr[qi] / period) * period  # nothing to do until the next request
            if t < t1:
                t = t1
        else:
            t = t1
    sqs_requests = 3 * n + sum(b - a for a, b in capacity) / 20  # send/receive/delete + idle long polls
    run = Run("D", start, end, failed, True, capacity, "tasks", _task_usd_per_s(p))
    scaler_runs = traffic.horizon_s / period
    run.fixed_usd_per_s = (p["lambda_request_usd"] + 0.128 * 0.2 * p["lambda_gb_s_usd"]) / period
    run.per_request_usd = [3 * p["sqs_request_usd"]] * n
    task_s = sum(b - a for a, b in capacity)
    run.cost_parts = {
        "ECS tasks (Fargate)": task_s * run.capacity_usd_per_s,
        "SQS requests": sqs_requests * p["sqs_request_usd"],
        "scaler function (every period, always)": scaler_runs * period * run.fixed_usd_per_s,
    }
    run.facts = {"ready_delay_s": ready_delay, "task_seconds": task_s, "target_per_task": policy.target_backlog_per_task,
                 "scaler_decisions": decisions, "metric_source": metric_source}
    return run


# ---------------------------------------------------------------------------------------------
# Option B: ALB in front of ECS, scaled on request count per target


def simulate_b(traffic: Traffic, p: dict) -> Run:
    arr, svc, n = traffic.arrivals, _service(traffic, p), traffic.requests
    period, timeout = 60.0, p["sync_timeout_s"]
    ready_delay = p["task_start_s"] + p["image_pull_s"] + model_load_s(p)
    min_tasks, max_tasks = int(p["b_min_tasks"]), int(p["max_tasks"])
    start, end, failed = [0.0] * n, [0.0] * n, [False] * n
    reasons: dict[int, str] = {}
    # B's minimum tasks have been running all along (that is what keeps B able to answer).
    tasks = [{"launch": 0.0, "ready": 0.0, "free": 0.0} for _ in range(min_tasks)]
    capacity: list[tuple[float, float]] = []
    per_minute: deque = deque(maxlen=16)
    last_scale = -INF
    qi = 0
    t = math.floor(arr[0] / period) * period if n else 0.0
    while qi < n or any(k["free"] > t for k in tasks):
        # ALBRequestCountPerTarget reaches the alarm a minute late; scale-out needs 3 datapoints,
        # scale-in 15 (aws-facts: target tracking alarms are managed and not configurable).
        count = bisect_right(arr, t - 60) - bisect_right(arr, t - 120)
        per_minute.append(count)
        recent = list(per_minute)
        out_signal = min(recent[-3:]) if len(recent) >= 3 else 0
        in_signal = max(recent[-15:])
        want_out = math.ceil(out_signal / p["b_requests_per_task_min"])
        want_in = math.ceil(in_signal / p["b_requests_per_task_min"])
        active = len(tasks)
        if want_out > active and active < max_tasks:
            for _ in range(min(max_tasks, want_out) - active):
                tasks.append({"launch": t, "ready": t + ready_delay, "free": t + ready_delay})
            last_scale = t
        elif max(want_in, min_tasks) < active and t - last_scale >= p["scale_in_cooldown_s"]:
            idle = [k for k in tasks if k["free"] <= t]
            if idle:
                victim = idle[0]
                tasks.remove(victim)
                capacity.append((victim["launch"], t))
                last_scale = t
        t1 = t + period
        free = [(max(k["free"], k["ready"]), i) for i, k in enumerate(tasks)]
        heapq.heapify(free)
        while qi < n and arr[qi] < t1:
            if not free or free[0][0] - arr[qi] > timeout:
                # No target, or none free before the client gives up: the request fails.
                start[qi] = end[qi] = arr[qi] + (0 if not free else timeout)
                failed[qi] = True
                reasons[qi] = "no healthy target (503)" if not free else f"no free target within {timeout:g} s"
                qi += 1
                continue
            when, i = free[0]
            s = max(arr[qi], when)
            if s >= t1:
                break
            start[qi], end[qi] = s, s + svc[qi]
            if end[qi] - arr[qi] > timeout:
                failed[qi] = True
                reasons[qi] = f"answer took longer than the {timeout:g} s timeout"
            tasks[i]["free"] = end[qi]
            heapq.heapreplace(free, (end[qi], i))
            qi += 1
        if qi < n and all(k["free"] <= t1 for k in tasks) and len(tasks) == min_tasks and bisect_right(arr, t1) == qi:
            t = max(t1, math.floor(arr[qi] / period) * period)
            per_minute.clear()
        else:
            t = t1
    end_of_run = traffic.horizon_s
    capacity += [(k["launch"], max(end_of_run, k["free"])) for k in tasks]
    run = Run("B", start, end, failed, False, capacity, "tasks", _task_usd_per_s(p))
    run.fail_reason = reasons
    run.fixed_usd_per_s = p["alb_hour_usd"] / 3600
    task_s = sum(b - a for a, b in capacity)
    run.cost_parts = {
        "ECS tasks (Fargate), incl. the minimum kept running": task_s * run.capacity_usd_per_s,
        "Application Load Balancer hours": traffic.horizon_s * run.fixed_usd_per_s,
    }
    run.per_request_usd = [0.0] * n
    run.facts = {"ready_delay_s": ready_delay, "min_tasks": min_tasks, "task_seconds": task_s}
    return run


# ---------------------------------------------------------------------------------------------
# Lambda, shared by A (synchronous, provisioned concurrency) and C (SQS event source)


def _lambda_run(traffic: Traffic, p: dict, design: str) -> Run:
    arr, svc, n = traffic.arrivals, _service(traffic, p), traffic.requests
    mem, recycle = p["lambda_memory_gb"], p["lambda_idle_recycle_s"]
    cold = lambda_cold_start_s(p)
    queued = design == "C"
    pc = int(p["a_provisioned_concurrency"]) if design == "A" else 0
    limit = int(p["lambda_max_concurrency"])
    start, end, failed = [0.0] * n, [0.0] * n, [False] * n
    reasons: dict[int, str] = {}
    per_request = [0.0] * n
    envs: list[tuple[float, int]] = [(0.0, i) for i in range(pc)]  # heap of (free at, env id)
    created = {i: 0.0 for i in range(pc)}
    last_free: dict[int, float] = {i: 0.0 for i in range(pc)}
    capacity: list[tuple[float, float]] = []
    next_id = pc
    ramp_start, prev_start = -INF, -INF
    colds = 0
    for j in range(n):
        t = arr[j]
        # Idle on-demand environments past their lifetime are gone.
        while envs and envs[0][1] >= pc and envs[0][0] + recycle < t:
            _, gone = heapq.heappop(envs)
            capacity.append((created.pop(gone), last_free.pop(gone) + recycle))
        cap = limit
        if queued:
            if t > prev_start + 60:
                ramp_start = t  # the queue was empty: the event source's pollers start over
            cap = min(limit, p["sqs_initial_concurrency"] + p["sqs_ramp_per_min"] * (t - ramp_start) / 60)
        idle_now = envs and envs[0][0] <= t
        if idle_now:
            when, env = heapq.heappop(envs)
            s, is_cold = t, False
        elif len(envs) < cap:
            env, next_id = next_id, next_id + 1
            created[env] = t
            s, is_cold = t + cold, True
        elif queued:
            # Wait for a busy environment or for the ramp to allow one more, whichever is first.
            when = envs[0][0] if envs else INF
            grow_at = ramp_start + (len(envs) + 1 - p["sqs_initial_concurrency"]) / p["sqs_ramp_per_min"] * 60
            if len(envs) < limit and grow_at + cold < when:
                env, next_id = next_id, next_id + 1
                created[env] = grow_at
                s, is_cold = grow_at + cold, True
            else:
                when, env = heapq.heappop(envs)
                s, is_cold = when, False
        else:
            start[j] = end[j] = t
            failed[j] = True
            reasons[j] = f"throttled: all {limit} concurrent environments busy (429)"
            continue
        colds += is_cold
        start[j], end[j] = s, s + svc[j]
        last_free[env] = end[j]
        heapq.heappush(envs, (end[j], env))
        prev_start = s
        billed_s = svc[j] + (cold if is_cold else 0.0)
        rate = p["lambda_pc_duration_gb_s_usd"] if env < pc else p["lambda_gb_s_usd"]
        per_request[j] = billed_s * mem * rate + p["lambda_request_usd"] + (3 * p["sqs_request_usd"] if queued else 0)
        if not queued and end[j] - t > p["sync_timeout_s"]:
            failed[j] = True
            reasons[j] = f"answer took longer than the {p['sync_timeout_s']:g} s timeout"
    for when, env in envs:
        stop = traffic.horizon_s if env < pc else min(traffic.horizon_s, max(when, last_free[env]) + recycle)
        capacity.append((created[env], max(stop, when)))
    run = Run(design, start, end, failed, queued, capacity, "Lambda environments")
    run.fail_reason = reasons
    run.per_request_usd = per_request
    invoke_cost = sum(per_request)
    if design == "A":
        run.fixed_usd_per_s = pc * mem * p["lambda_pc_gb_s_usd"] + p["alb_hour_usd"] / 3600
        run.cost_parts = {
            "provisioned concurrency (billed all the time)": traffic.horizon_s * pc * mem * p["lambda_pc_gb_s_usd"],
            "load balancer hours": traffic.horizon_s * p["alb_hour_usd"] / 3600,
            "invocations (duration, cold starts, requests)": invoke_cost,
        }
    else:
        # The event source polls the queue all the time: about 5 pollers x 3 long polls a minute.
        run.fixed_usd_per_s = 5 * 3 / 60 * p["sqs_request_usd"]
        run.cost_parts = {
            "invocations (duration incl. model loading, requests, SQS)": invoke_cost,
            "event source polling (always)": traffic.horizon_s * run.fixed_usd_per_s,
        }
    run.facts = {"cold_start_s": cold, "cold_starts": colds, "provisioned": pc,
                 "model_downloads_gb": colds * p["model_size_gb"]}
    return run


def simulate_a(traffic: Traffic, p: dict) -> Run:
    return _lambda_run(traffic, p, "A")


def simulate_c(traffic: Traffic, p: dict) -> Run:
    return _lambda_run(traffic, p, "C")
