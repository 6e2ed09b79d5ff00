"""From runs to what people read: summaries, chart series and the explanation in words."""
import math
from bisect import bisect_right

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
            last = max(last, max(b for a, b in r.capacity if b <= traffic.horizon_s + 86_400 * 60))
    first = traffic.arrivals[0]
    span = max(60.0, last - first)
    return max(0.0, first - 0.05 * span), min(max(traffic.horizon_s, last), last + 0.05 * span)


def series(run, traffic, t0: float, t1: float, points: int = SERIES_POINTS) -> dict:
    """Time series on a shared axis: waiting requests, capacity, latency and cumulative cost."""
    step = (t1 - t0) / (points - 1) if points > 1 else 1.0
    times = [t0 + i * step for i in range(points)]
    arrivals = traffic.arrivals
    starts = sorted(s for s, f in zip(run.start, run.failed) if not f)
    cap_starts = sorted(a for a, b in run.capacity)
    cap_ends = sorted(b for a, b in run.capacity)
    start_sums, end_sums = _prefix_sums(cap_starts), _prefix_sums(cap_ends)
    done = sorted(zip(run.end, (e - a for e, a in zip(run.end, arrivals)), run.failed))
    done_ends = [d[0] for d in done]
    failed_ends = sorted(e for e, f in zip(run.end, run.failed) if f)
    per_req = sorted(zip(run.end, run.per_request_usd)) if run.per_request_usd else []
    cum_req, acc = [], 0.0
    for _, usd in per_req:
        acc += usd
        cum_req.append(acc)
    req_ends = [e for e, _ in per_req]
    out = {"waiting": [], "capacity": [], "latency_p50": [], "latency_p95": [], "cost_usd": [], "failed": []}
    prev = t0 - step
    for t in times:
        failed_by_t = bisect_right(failed_ends, t)
        arrived = bisect_right(arrivals, t)
        out["waiting"].append(max(0, arrived - bisect_right(starts, t) - failed_by_t))
        out["capacity"].append(bisect_right(cap_starts, t) - bisect_right(cap_ends, t))
        lo, hi = bisect_right(done_ends, prev), bisect_right(done_ends, t)
        lat = sorted(d[1] for d in done[lo:hi] if not d[2])
        out["latency_p50"].append(_round(_percentile(lat, .5)))
        out["latency_p95"].append(_round(_percentile(lat, .95)))
        out["failed"].append(failed_by_t)
        # Capacity-seconds used by time t, from prefix sums: for intervals started before t,
        # sum(min(end, t) - start) = sum(ends before t) + t * (still running) - sum(starts before t).
        started, ended = bisect_right(cap_starts, t), bisect_right(cap_ends, t)
        capacity_s = end_sums[ended] + t * (started - ended) - start_sums[started]
        k = bisect_right(req_ends, t)
        cost = t * run.fixed_usd_per_s + capacity_s * run.capacity_usd_per_s + (cum_req[k - 1] if k else 0.0)
        out["cost_usd"].append(round(cost, 5))
        prev = t
    return out


def _prefix_sums(values: list[float]) -> list[float]:
    out = [0.0]
    for v in values:
        out.append(out[-1] + v)
    return out


def _money(x):
    return f"${x:,.2f}" if x >= 0.01 or x == 0 else f"${x:.4f}"


def explain(design: str, s: dict, run, p: dict, traffic) -> str:
    """Each design's result in words: what failed, waited or cost money, and why."""
    lat = s["latency_s"]
    f = run.facts
    parts = []
    if s["failed"]:
        top = max(s["failure_reasons"].items(), key=lambda kv: kv[1])[0]
        parts.append(f"{s['failed']:,} of {s['requests']:,} requests failed (mostly: {top}).")
    else:
        parts.append(f"All {s['requests']:,} requests completed.")
    if lat["p50"] is not None:
        parts.append(f"Latency p50 {lat['p50']:.1f} s, p95 {lat['p95']:.1f} s, max {lat['max']:.1f} s; "
                     f"the first request took {s['first_request_latency_s']:.1f} s.")
    if design == "A":
        parts.append(
            "Built as API Gateway or an ALB in front of Lambda, since an NLB cannot target Lambda. "
            f"{f['provisioned']} provisioned environments are billed every second of the period "
            f"({_money(run.cost_parts['provisioned concurrency (billed all the time)'])}), idle or not; "
            f"beyond them, {f['cold_starts']:,} on-demand cold starts each loaded the model "
            f"({f['cold_start_s']:.1f} s, {f['model_downloads_gb']:,.0f} GB downloaded in all), and a synchronous "
            "front end has no queue to hold a burst.")
    elif design == "B":
        parts.append(
            f"The ALB has no queue: requests need a free task within {p['sync_timeout_s']:g} s or fail. "
            f"Request-count scaling reacts after its 3-minute alarm and new tasks need {f['ready_delay_s']:.0f} s "
            f"to start and load the model, while {f['min_tasks']} task(s) and the load balancer are paid for all period.")
    elif design == "C":
        parts.append(
            f"The queue holds the burst, but the SQS event source ramps concurrency up gradually and each of "
            f"{f['cold_starts']:,} new environments loaded its own copy of the model ({f['cold_start_s']:.1f} s, "
            f"{f['model_downloads_gb']:,.0f} GB in all). Memory never changes with backlog: it is a fixed setting.")
    elif design == "D":
        parts.append(
            f"The queue holds the burst; the scaler reads the queue every {p['d_scaler_period_s']:g} s and sizes tasks at "
            f"{f['target_per_task']:.0f} messages each; a task needs {f['ready_delay_s']:.0f} s to start and load the "
            f"model once, then serves many requests. Idle, it costs almost nothing.")
    parts.append(f"Cost {_money(s['cost_usd']['total'])} over {traffic.horizon_s / 86400:.1f} days.")
    return " ".join(parts)
