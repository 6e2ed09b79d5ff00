"""From runs to numbers people read: summaries and chart series (the words are in explain.py)."""
import math
from bisect import bisect_left, bisect_right

SERIES_POINTS = 160


def _percentile(sorted_values: list[float], q: float):
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def _round(x, digits=3):
    return None if x is None else round(x, digits)


def summarize(run, traffic) -> dict:
    lat = sorted(e - a for e, a, f in zip(run.end, traffic.arrivals, run.failed) if not f)
    failed = sum(run.failed)
    reasons: dict[str, int] = {}
    for reason in run.fail_reason.values():
        reasons[reason] = reasons.get(reason, 0) + 1
    first = next((e - a for e, a, f in zip(run.end, traffic.arrivals, run.failed) if not f), None)
    total = sum(run.cost_parts.values())
    return {
        "requests": traffic.requests,
        "items": sum(traffic.items),
        "completed": traffic.requests - failed,
        "failed": failed,
        "failure_reasons": reasons,
        "latency_s": {"p50": _round(_percentile(lat, .5)), "p95": _round(_percentile(lat, .95)),
                      "p99": _round(_percentile(lat, .99)), "max": _round(lat[-1] if lat else None)},
        "first_request_latency_s": _round(first),
        # Where the first request's wait depends on its phase against a scaler's poll (D): best,
        # typical and worst over every phase. None where it does not.
        "first_request_range_s": run.facts.get("first_request_range_s"),
        "peak_capacity": peak(run.capacity),
        "capacity_label": run.capacity_label,
        "cost_usd": {"total": round(total, 4), "parts": {k: round(v, 4) for k, v in run.cost_parts.items()}},
        "cost_per_1000_requests_usd": round(total / traffic.requests * 1000, 4) if traffic.requests else None,
    }


def peak(intervals) -> int:
    events = sorted([(a, 1) for a, b in intervals] + [(b, -1) for a, b in intervals], key=lambda e: (e[0], e[1]))
    level = best = 0
    for _, d in events:
        level += d
        best = max(best, level)
    return best


def window(traffic, runs) -> tuple[float, float]:
    """The stretch worth charting: from just before the first request to after the last answer.
    Weeks of silence before it are summed in the costs but not drawn."""
    if not traffic.requests:
        return 0.0, traffic.horizon_s
    last = max(max(r.end) for r in runs)
    for r in runs:
        if r.capacity:
            last = max(last, max((b for a, b in r.capacity if b <= traffic.horizon_s + 86_400 * 60), default=last))
    first = traffic.arrivals[0]
    span = max(60.0, last - first)
    return max(0.0, first - 0.05 * span), min(max(traffic.horizon_s, last), last + 0.05 * span)


def series(run, traffic, t0: float, t1: float, points: int = SERIES_POINTS) -> dict:
    """Time series on a shared axis (`points` instants from t0 to t1): requests waiting, capacity
    running, latency percentiles of the requests answered since the previous instant, failures
    so far and cumulative cost.

    One pass over the requests drops each event into the bucket of the first instant at or after
    it (the instants are evenly spaced, so that is arithmetic, not a search); counts up to an
    instant are then running sums. No sort of all requests: charts stay cheap at 100,000 requests.
    """
    step = (t1 - t0) / (points - 1) if points > 1 else 1.0
    inv = 1.0 / step if step > 0 else 0.0
    times = [t0 + i * step for i in range(points)]
    ceil = math.ceil
    sink = points  # one slot past the last instant collects events after t1

    arrived = [0] * (points + 1)
    started = [0] * (points + 1)
    failed = [0] * (points + 1)
    request_usd = [0.0] * (points + 1)
    latencies: list[list[float]] = [[] for _ in range(points + 1)]
    per_request = run.per_request_usd or [0.0] * len(run.end)
    for a, s, e, f, usd in zip(traffic.arrivals, run.start, run.end, run.failed, per_request):
        # Bucket of the first instant at or after each event (inlined: this loop runs per request).
        i = ceil((a - t0) * inv)
        arrived[0 if i < 0 else (i if i < points else sink)] += 1
        j = ceil((e - t0) * inv)
        j = 0 if j < 0 else (j if j < points else sink)
        request_usd[j] += usd
        if f:
            failed[j] += 1
        else:
            i = ceil((s - t0) * inv)
            started[0 if i < 0 else (i if i < points else sink)] += 1
            latencies[j].append(e - a)
    cap_starts = sorted(a for a, b in run.capacity)
    cap_ends = sorted(b for a, b in run.capacity)
    start_sums, end_sums = _prefix_sums(cap_starts), _prefix_sums(cap_ends)
    out = {"waiting": [], "capacity": [], "latency_p50": [], "latency_p95": [], "latency_p99": [],
           "cost_usd": [], "failed": []}
    n_arrived = n_started = n_failed = 0
    usd_so_far = 0.0
    for i, t in enumerate(times):
        n_arrived += arrived[i]
        n_started += started[i]
        n_failed += failed[i]
        usd_so_far += request_usd[i]
        out["waiting"].append(max(0, n_arrived - n_started - n_failed))
        # Stopped means ended before t: capacity that lives to the scenario's end (A's provisioned
        # environments, B's minimum task) is still running at the last instant, not gone.
        running_since, stopped = bisect_right(cap_starts, t), bisect_left(cap_ends, t)
        out["capacity"].append(running_since - stopped)
        lat = sorted(latencies[i])
        out["latency_p50"].append(_round(_percentile(lat, .5)))
        out["latency_p95"].append(_round(_percentile(lat, .95)))
        out["latency_p99"].append(_round(_percentile(lat, .99)))
        out["failed"].append(n_failed)
        # Capacity-seconds used by time t, from prefix sums: for intervals started before t,
        # sum(min(end, t) - start) = sum(ends before t) + t * (still running) - sum(starts before t).
        capacity_s = end_sums[stopped] + t * (running_since - stopped) - start_sums[running_since]
        cost = t * run.fixed_usd_per_s + capacity_s * run.capacity_usd_per_s + usd_so_far
        out["cost_usd"].append(round(cost, 5))
    return out


def _prefix_sums(values: list[float]) -> list[float]:
    out = [0.0]
    for v in values:
        out.append(out[-1] + v)
    return out
