"""The four designs, each a small discrete-event model of how it serves the same requests.

Each returns a Run (runs.py). Idle time is skipped, not stepped through: a month of silence costs
one jump, so run time grows with requests, not with days. Option D, the one whose autoscaler is
the project's own policy, lives in option_d.py; A, B and C are here.
"""
import heapq
import math
from bisect import bisect_left, bisect_right
from collections import deque
from itertools import islice

import numpy as np

from reference_impl import aws_facts
from reference_impl.simulate.option_d import simulate_d
from reference_impl.simulate.params import Params
from reference_impl.simulate.runs import (
    INF, Run, lambda_cold_start_s, lambda_init_in_invocation_s, lambda_vcpu, loads_in_handler, service_array, service_times,
    task_ready_s, task_usd_per_s,
)
from reference_impl.simulate.traffic import Traffic

__all__ = ["simulate_a", "simulate_b", "simulate_c", "simulate_d"]

# Load balancer metrics are one-minute datapoints; B's scaler sees each minute's count a minute late.
METRIC_MINUTE_S = 60.0


# ---------------------------------------------------------------------------------------------
# Option B: ALB in front of ECS, scaled on request count per target


def simulate_b(traffic: Traffic, p: Params) -> Run:
    """Each task answers one request at a time. A request needs a task free within the synchronous
    timeout or it fails; a refused request costs the task nothing (generous to B: a real target
    would often work on requests whose clients had already given up)."""
    arr, svc, n = traffic.arrivals, service_times(traffic, p, p.task_vcpu), traffic.requests
    period, timeout = METRIC_MINUTE_S, p.sync_timeout_s
    ready_delay = task_ready_s(p)
    out_points, in_points = int(p.cw_alarm_datapoints), int(p.tt_scale_in_datapoints)
    min_tasks, max_tasks = int(p.b_min_tasks), int(p.max_tasks)
    target = b_target_per_minute(svc, p)
    start, end, failed = [0.0] * n, [0.0] * n, [False] * n
    reasons: dict[int, str] = {}
    # B's minimum tasks have been running all along (that is what keeps B able to answer).
    tasks = [{"launch": 0.0, "ready": 0.0, "free": 0.0} for _ in range(min_tasks)]
    capacity: list[tuple[float, float]] = []
    per_minute: deque = deque(maxlen=max(out_points, in_points))
    last_scale = -INF
    scale_outs = 0
    busiest_minute = 0
    qi = 0
    too_slow, replace = f"answer took longer than the {timeout:g} s timeout", heapq.heapreplace
    cooldown_s = p.scale_in_cooldown_s
    t = math.floor(arr[0] / period) * period if n else 0.0
    while qi < n or any(k["free"] > t for k in tasks):
        # ALBRequestCountPerTarget reaches the alarm a minute late; scale-out needs every one of
        # `cw_alarm_datapoints` datapoints above target, scale-in `tt_scale_in_datapoints` below
        # (target tracking's alarms are managed and not configurable).
        count = bisect_right(arr, t - period) - bisect_right(arr, t - 2 * period)
        per_minute.append(count)
        if count > busiest_minute:
            busiest_minute = count
        recent = list(per_minute)
        out_signal = min(recent[-out_points:]) if len(recent) >= out_points else 0
        in_signal = max(recent[-in_points:])
        want_out = math.ceil(out_signal / target)
        want_in = math.ceil(in_signal / target)
        active = len(tasks)
        if want_out > active and active < max_tasks:
            for _ in range(min(max_tasks, want_out) - active):
                tasks.append({"launch": t, "ready": t + ready_delay, "free": t + ready_delay})
            last_scale = t
            scale_outs += 1
        elif max(want_in, min_tasks) < active and t - last_scale >= cooldown_s:
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
            if len(free) == 1:
                qi = _serve_one_target(arr, svc, qi, t1, timeout, free, tasks, start, end, failed, reasons, too_slow)
                if qi >= n or arr[qi] >= t1:
                    break
            if not free or free[0][0] - arr[qi] > timeout:
                # No target, or none free before the client gives up: the request fails, and so
                # does every later one of this minute that arrives before a target frees (nothing
                # changes between them). The first that would not fail, found by bisection: the
                # test is monotone in the (sorted) arrival time.
                lo, hi = qi + 1, bisect_left(arr, t1, qi + 1)
                if not free:
                    lo = hi
                else:
                    soonest = free[0][0]
                    while lo < hi:
                        mid = (lo + hi) // 2
                        if soonest - arr[mid] > timeout:
                            lo = mid + 1
                        else:
                            hi = mid
                wait = 0 if not free else timeout
                gave_up = [a + wait for a in arr[qi:lo]]
                start[qi:lo] = gave_up
                end[qi:lo] = gave_up
                failed[qi:lo] = [True] * (lo - qi)
                reasons.update(dict.fromkeys(
                    range(qi, lo), "no healthy target (503)" if not free else f"no free target within {timeout:g} s"))
                qi = lo
                continue
            when, i = free[0]
            a = arr[qi]
            s = a if a > when else when  # max(a, when), without the call: this runs per request
            if s >= t1:
                break
            e = s + svc[qi]
            start[qi], end[qi] = s, e
            if e - a > timeout:
                failed[qi] = True
                reasons[qi] = too_slow
            tasks[i]["free"] = e
            replace(free, (e, i))
            qi += 1
        # (Every request before qi arrived before t1, so none after it by t1 is arr[qi] > t1.)
        if qi < n and len(tasks) == min_tasks and arr[qi] > t1 and all(k["free"] <= t1 for k in tasks):
            t = max(t1, math.floor(arr[qi] / period) * period)
            per_minute.clear()
        else:
            t = t1
    end_of_run = traffic.horizon_s
    capacity += [(k["launch"], max(end_of_run, k["free"])) for k in tasks]
    task_usd, fixed = task_usd_per_s(p), p.alb_hour_usd / 3600
    task_s = sum(b - a for a, b in capacity)
    return Run(
        design="B", start=start, end=end, failed=failed, queued=False, capacity=capacity, capacity_label="tasks",
        capacity_usd_per_s=task_usd, fixed_usd_per_s=fixed, per_request_usd=[0.0] * n, fail_reason=reasons,
        arrays={"per_request_array": np.zeros(n)},
        cost_parts={"ECS tasks (Fargate), incl. the minimum kept running": task_s * task_usd,
                    "Application Load Balancer hours": traffic.horizon_s * fixed},
        facts={"ready_delay_s": ready_delay, "min_tasks": min_tasks, "task_seconds": task_s,
               "scale_outs": scale_outs, "out_points": out_points, "target_per_minute": target,
               "busiest_minute": busiest_minute})


def _serve_one_target(arr, svc, qi: int, t1: float, timeout: float, free: list, tasks: list, start, end, failed,
                      reasons: dict[int, str], too_slow: str) -> int:
    """B's hand-out with a single target (light traffic, most minutes): the general loop's steps
    without its heap, stopping where that loop would do anything else (a request that would wait
    past the timeout, or start after this minute). Returns the first request not handed out."""
    when, i = free[0]
    stop = bisect_left(arr, t1, qi)  # the requests that arrive in this minute
    for j in range(qi, stop):
        a = arr[j]
        if when - a > timeout:
            stop = j
            break
        s = a if a > when else when
        if s >= t1:
            stop = j
            break
        when = s + svc[j]
        start[j] = s
        end[j] = when
        if when - a > timeout:
            failed[j] = True
            reasons[j] = too_slow
    if stop > qi:
        tasks[i]["free"] = when
        free[0] = (when, i)  # a heap of one: replacing its only entry keeps it a heap
    return stop


def b_target_per_minute(svc: list[float], p: Params) -> float:
    """B's request-count target: the override, or what one task can serve in a minute (one request
    at a time, the traffic's mean seconds per request), the honest setting for this workload."""
    if p.b_requests_per_task_min:
        return p.b_requests_per_task_min
    mean = sum(svc) / len(svc) if svc else p.service_time_s
    return max(1.0, 60.0 / mean)


# ---------------------------------------------------------------------------------------------
# Lambda, shared by A (synchronous, provisioned concurrency) and C (SQS event source)


class _Pool:
    """Lambda's on-demand environments while requests are handed out: a heap of (free at, env id),
    least recently used at the top, so those past their idle lifetime are at the top too; and
    the lifetimes of those already recycled."""

    def __init__(self, capacity: list[tuple[float, float]]):
        self.envs: list[tuple[float, int]] = []
        self.created: dict[int, float] = {}
        self.capacity = capacity
        self.colds: list[int] = []  # requests that started an environment (a cold start), in order


def _invocations(svc: np.ndarray, fn_timeout: float) -> list[float]:
    """Each request's invocation on a warm environment: its service time, cut at the function
    timeout (min(svc, timeout) is the value `if inv > timeout: inv = timeout` gives)."""
    return np.minimum(svc, fn_timeout).tolist()


def _cold_end(s: float, svc: float, cold_inside: float, fn_timeout: float) -> float:
    """When a cold start's request ends: its invocation began `cold_inside` before `s` (the part of
    the cold start run in the handler) and lasts that plus its work, at most the function timeout."""
    invocation_s = cold_inside + svc
    if invocation_s > fn_timeout:
        invocation_s = fn_timeout
    return s - cold_inside + invocation_s


def _provisioned_suffice(arr: list[float], inv: list[float], pc: int, start: list[float], end: list[float]) -> bool:
    """True, with start and end filled, when the `pc` provisioned environments serve every request
    (A's common case): then each starts on arrival and the loop is not needed.

    A request finds one free when fewer than `pc` of the requests before it are still running at
    its arrival (an environment's earlier requests ended before its latest began, so only that
    one can be). Counted for all requests at once, assuming each was served on arrival: if every
    count is below `pc`, so they were. Every request must also end after it arrives, so that no
    later request is counted among those already ended."""
    arrivals = np.asarray(arr, dtype=float)
    ends = arrivals + np.asarray(inv, dtype=float)  # t + inv[j], as the loop adds them
    if not np.all(ends > arrivals):
        return False
    ended = np.searchsorted(np.sort(ends), arrivals, side="right")  # requests with end <= arrival
    if not np.all(np.arange(arrivals.size) - ended < pc):
        return False
    start[:] = arr
    end[:] = ends.tolist()
    return True


def _serve_sync(arr, svc, inv, p: Params, pc: int, limit: int, pool: _Pool, start, end) -> tuple[list[int], list[int]]:
    """A: each request takes a free provisioned environment, else a free on-demand one, else a new
    one (a cold start), else is throttled. Fills start and end; returns (requests served by a
    provisioned environment, throttled requests)."""
    recycle, cold, cold_inside, fn_timeout = p.lambda_idle_recycle_s, lambda_cold_start_s(p), \
        lambda_init_in_invocation_s(p), p.lambda_timeout_s
    if pc and _provisioned_suffice(arr, inv, pc, start, end):
        return list(range(len(arr))), []
    warm: list[tuple[float, int]] = [(0.0, i) for i in range(pc)]
    envs, created, capacity, colds = pool.envs, pool.created, pool.capacity, pool.colds
    provisioned: list[int] = []
    throttled: list[int] = []
    next_id, on_demand_cap = pc, limit - pc
    # This loop runs once per request: everything it can leave to a vectorised pass afterwards
    # (costs, timeouts, failures) is left there.
    pop, push, replace = heapq.heappop, heapq.heappush, heapq.heapreplace
    # When the first provisioned and the first on-demand environment free (infinity with none):
    # read once per request, not at every test. Requests start on arrival unless they start an
    # environment, and a throttled one ends there too: start and end hold the arrivals already.
    start[:] = arr
    end[:] = arr
    wtop = warm[0][0] if warm else INF
    requests = enumerate(arr)
    for j, t in requests:
        top = envs[0][0] if envs else INF
        # Idle on-demand environments past their lifetime are gone.
        while top + recycle < t:
            last_free, gone = pop(envs)
            capacity.append((created.pop(gone), last_free + recycle))
            top = envs[0][0] if envs else INF
        # A reused environment stays at the top of its heap until the request's end replaces it
        # (heapreplace: the same pops, in the same order, as a pop now and a push then).
        if wtop <= t:
            e = t + inv[j]
            replace(warm, (e, warm[0][1]))
            wtop = warm[0][0]
            provisioned.append(j)
            end[j] = e
        elif top <= t:
            e = t + inv[j]
            replace(envs, (e, envs[0][1]))
            end[j] = e
        elif len(envs) < on_demand_cap:
            created[next_id] = t
            s = t + cold
            e = _cold_end(s, svc[j], cold_inside, fn_timeout)
            push(envs, (e, next_id))
            next_id += 1
            colds.append(j)
            start[j] = s
            end[j] = e
        else:
            # Throttled: so is every later request that arrives before an environment frees
            # (nothing changes between them; none is recycled, since none has been idle).
            free_at = wtop if wtop < top else top
            last = bisect_left(arr, free_at, j + 1) if recycle >= 0 else j + 1
            throttled.extend(range(j, last))
            skip = last - j - 1
            next(islice(requests, skip, skip), None)  # the loop goes on at `last`
    return provisioned, throttled


def _serve_queued(arr, svc, inv, p: Params, limit: int, pool: _Pool, start, end) -> None:
    """C: each message takes a free environment, else a new one while the event source's ramp
    allows, else waits for a busy one to free or for the ramp to allow one more, whichever is
    first. Fills start and end."""
    recycle, cold, cold_inside, fn_timeout = p.lambda_idle_recycle_s, lambda_cold_start_s(p), \
        lambda_init_in_invocation_s(p), p.lambda_timeout_s
    envs, created, capacity, colds = pool.envs, pool.created, pool.capacity, pool.colds
    initial, ramp = p.sqs_initial_concurrency, p.sqs_ramp_per_min
    ramp_start, prev_start = -INF, -INF
    next_id = 0
    pop, push, replace = heapq.heappop, heapq.heappush, heapq.heapreplace
    # `top` is when the first environment frees (infinity with none), `size` how many there are:
    # read once per request, not at every test.
    size = 0
    n = len(arr)
    requests = enumerate(arr)
    for j, t in requests:
        top = envs[0][0] if size else INF
        while top + recycle < t:  # idle environments past their lifetime are gone
            last_free, gone = pop(envs)
            capacity.append((created.pop(gone), last_free + recycle))
            size -= 1
            top = envs[0][0] if size else INF
        if t > prev_start + 60:
            ramp_start = t  # the queue was empty: the event source's pollers start over
        if top <= t:
            s, new = t, False
        # The ramp caps the environments, only asked once no free one was found.
        elif size < limit and size < initial + ramp * (t - ramp_start) / 60:
            created_at, new = t, True
        else:
            # Wait for a busy environment or for the ramp to allow one more, whichever is first.
            grow_at = ramp_start + (size + 1 - initial) / ramp * 60
            if size < limit and grow_at + cold < top:
                created_at, new = grow_at, True
            else:
                s, new = top, False
        if new:
            created[next_id] = created_at
            s = created_at + cold
            e = _cold_end(s, svc[j], cold_inside, fn_timeout)
            push(envs, (e, next_id))
            next_id += 1
            size += 1
            colds.append(j)
        else:
            # A reused environment stays at the top of the heap until its new free time replaces it.
            e = s + inv[j]
            replace(envs, (e, envs[0][1]))
        start[j] = s
        end[j] = e
        prev_start = s
        if not new and s == top and j + 1 < n and arr[j + 1] < s and recycle >= 0:
            # It waited: so do the next requests that arrive before it started, until the ramp
            # allows one more environment (at the arrival, or ready before the first frees).
            line_end = bisect_left(arr, s, j + 1)
            if size < limit:
                line_end = _first_allowed(arr, j + 1, line_end,
                                          lambda a: size < initial + ramp * (a - ramp_start) / 60)
                grow_ready = ramp_start + (size + 1 - initial) / ramp * 60 + cold
            else:
                grow_ready = INF
            if line_end > j + 1:
                waited_to = _wait_in_line(arr, inv, envs, j + 1, line_end, grow_ready, start, end)
                prev_start = start[waited_to - 1]
                skip = waited_to - j - 1
                next(islice(requests, skip, skip), None)  # the loop goes on at waited_to


def _first_allowed(arr, lo: int, hi: int, allowed) -> int:
    """The first index in [lo, hi) whose arrival `allowed` (a test that, once true, stays true for
    later arrivals) accepts; hi if none does. By bisection: the arrivals are sorted."""
    while lo < hi:
        mid = (lo + hi) // 2
        if allowed(arr[mid]):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _wait_in_line(arr, inv, envs, j: int, stop: int, grow_ready: float, start, end) -> int:
    """C's requests j..stop-1, each of which arrived while every environment was busy and before
    the ramp allowed another: each waits for the first environment to free (the heap's top), as
    `_serve_queued` would hand it out, until a new environment would be ready before that (at
    `grow_ready`). Returns the first request not handed out.

    Nothing else can happen to them: an environment recycled or a free one needs an arrival after
    the top's free time, and the pollers restart only after a minute with no start, while each of
    these arrived before the previous request started."""
    replace = heapq.heapreplace
    for j in range(j, stop):
        top, env = envs[0]
        if grow_ready < top:
            return j
        e = top + inv[j]
        start[j] = top
        end[j] = e
        replace(envs, (e, env))
    return stop


def _outcomes(traffic: Traffic, svc: np.ndarray, p: Params, start: list[float], end: list[float], colds: list[int],
              provisioned: list[int], throttled: list[int], queued: bool,
              limit: int) -> tuple[list[bool], dict[int, str], list[float], dict[str, np.ndarray]]:
    """(failed, reasons, charge per request, those as Run.arrays), one vectorised pass after the
    hand-out, with the arithmetic of a request's invocation in the same IEEE operations and order as
    done one by one. Timed-out requests' starts are moved in `start` (the timeout can strike during a
    cold start's init)."""
    n, mem, fn_timeout = traffic.requests, p.lambda_memory_gb, p.lambda_timeout_s
    cold, cold_inside = lambda_cold_start_s(p), lambda_init_in_invocation_s(p)
    is_cold = np.zeros(n, dtype=bool)
    is_cold[colds] = True
    served = np.ones(n, dtype=bool)
    served[throttled] = False
    invocation = np.where(is_cold, cold_inside, 0.0) + svc
    timed_out = invocation > fn_timeout
    invocation = np.where(timed_out, fn_timeout, invocation)
    billed = invocation + np.where(is_cold, cold - cold_inside, 0.0)
    rate = np.full(n, p.lambda_gb_s_usd, dtype=float)  # (an override may be a whole number)
    rate[provisioned] = p.lambda_pc_duration_gb_s_usd
    sqs_usd = 3 * p.sqs_request_usd if queued else 0
    per_request = np.where(served, billed * mem * rate + p.lambda_request_usd + sqs_usd, 0.0)
    timed_out &= served
    arrays = {"per_request_array": per_request}
    if queued:
        too_slow = np.zeros(n, dtype=bool)
    else:
        arrays["end_array"] = np.asarray(end, dtype=float)
        too_slow = served & ~timed_out & (arrays["end_array"] - traffic.arrivals_array > p.sync_timeout_s)
    for j in np.flatnonzero(timed_out).tolist():
        start[j] = min(start[j], end[j])
    throttled_reason = f"throttled: all {limit} concurrent environments busy (429)"
    timed_out_reason = f"function timed out after {fn_timeout:g} s" + (
        " (SQS retries it until the dead-letter queue; one attempt counted)" if queued else "")
    too_slow_reason = f"answer took longer than the {p.sync_timeout_s:g} s timeout"
    failed = ~served | timed_out | too_slow
    arrays["done_mask"] = ~failed
    # In request order, as they were found one by one (the summary counts reasons in this order).
    reasons = {j: (throttled_reason if not served[j] else timed_out_reason if timed_out[j] else too_slow_reason)
               for j in np.flatnonzero(failed).tolist()}
    return failed.tolist(), reasons, per_request.tolist(), arrays


def _lambda_run(traffic: Traffic, p: Params, design: str) -> Run:
    """Each environment serves one request at a time and loads the model once, when created.
    Provisioned environments (A) exist all period and are used first; on-demand ones are created
    on a miss (a cold start) and recycled after `lambda_idle_recycle_s` idle. A (synchronous) is
    throttled at the concurrency limit; C's requests wait in the queue, and its event source adds
    environments only as fast as its ramp allows. One message per invocation (batch size 1).
    An invocation longer than the function timeout fails (C: after its retries, to the dead-letter
    queue), having held its environment, and been billed, for the whole timeout."""
    arr, n = traffic.arrivals, traffic.requests
    mem = p.lambda_memory_gb
    svc_array = service_array(traffic, p, lambda_vcpu(mem))
    svc, inv = svc_array.tolist(), _invocations(svc_array, p.lambda_timeout_s)
    queued = design == "C"
    pc = int(p.a_provisioned_concurrency) if design == "A" else 0
    limit = max(int(p.lambda_max_concurrency), pc)
    start, end = [0.0] * n, [0.0] * n
    pool = _Pool([(0.0, traffic.horizon_s)] * pc)
    provisioned: list[int] = []
    throttled: list[int] = []
    if queued:
        _serve_queued(arr, svc, inv, p, limit, pool, start, end)
    else:
        provisioned, throttled = _serve_sync(arr, svc, inv, p, pc, limit, pool, start, end)
    capacity, recycle = pool.capacity, p.lambda_idle_recycle_s
    for last_free, env in pool.envs:
        capacity.append((pool.created[env], max(last_free, min(traffic.horizon_s, last_free + recycle))))
    failed, reasons, per_request, arrays = _outcomes(traffic, svc_array, p, start, end, pool.colds, provisioned,
                                                     throttled, queued, limit)
    cold, colds = lambda_cold_start_s(p), len(pool.colds)
    invoke_cost = sum(per_request)
    if design == "A":
        fixed = pc * mem * p.lambda_pc_gb_s_usd + p.alb_hour_usd / 3600
        cost_parts = {
            "provisioned concurrency (billed all the time)": traffic.horizon_s * pc * mem * p.lambda_pc_gb_s_usd,
            "load balancer hours": traffic.horizon_s * p.alb_hour_usd / 3600,
            "invocations (duration, cold starts, requests)": invoke_cost,
        }
    else:
        # The event source long-polls the queue all the time, idle or not.
        fixed = p.c_idle_pollers / aws_facts.value("sqs_long_poll_max_s") * p.sqs_request_usd
        cost_parts = {
            "invocations (duration incl. model loading, requests, SQS)": invoke_cost,
            "event source polling (always)": traffic.horizon_s * fixed,
        }
    return Run(
        design=design, start=start, end=end, failed=failed, queued=queued, capacity=capacity,
        capacity_label="Lambda environments", fixed_usd_per_s=fixed, per_request_usd=per_request,
        fail_reason=reasons, cost_parts=cost_parts, arrays=arrays,
        facts={"cold_start_s": cold, "cold_starts": colds, "provisioned": pc,
               "model_downloads_gb": colds * p.model_size_gb, "loads_in_handler": loads_in_handler(p),
               "memory_gb": mem, "vcpu": lambda_vcpu(mem)})


def simulate_a(traffic: Traffic, p: Params) -> Run:
    return _lambda_run(traffic, p, "A")


def simulate_c(traffic: Traffic, p: Params) -> Run:
    return _lambda_run(traffic, p, "C")
