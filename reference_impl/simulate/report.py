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
    """The stretch worth charting: from just before the first request to when the last answer is
    given and the capacity the traffic started has stopped. Weeks of silence before it, and
    capacity that simply runs to the end (A's provisioned environments, B's minimum task), are
    summed in the costs but not drawn: they would stretch the axis until the burst is one frame."""
    if not traffic.requests:
        return 0.0, traffic.horizon_s
    last = max(max(r.end) for r in runs)
    for r in runs:
        stopped = [b for a, b in r.capacity if b < traffic.horizon_s]
        if stopped:
            last = max(last, max(stopped))
    first = traffic.arrivals[0]
    span = max(60.0, last - first)
    return max(0.0, first - 0.05 * span), min(max(traffic.horizon_s, last), last + 0.05 * span)


def instants(traffic, runs, t0: float, t1: float, points: int = SERIES_POINTS) -> list[float]:
    """The chart's frames: half evenly spaced over the window, half where things happen (at
    quantiles of the arrivals and of the answers), so a burst of minutes inside a window of days
    still gets many frames and every chart shows it."""
    if points < 4 or t1 <= t0:
        return [t0 + i * (t1 - t0) / max(1, points - 1) for i in range(max(points, 1))]
    even = points // 2
    times = {t0 + i * (t1 - t0) / (even - 1) for i in range(even)}
    ends = sorted(e for r in runs for e in r.end)
    for values, count in ((traffic.arrivals, (points - even) // 2), (ends, points - even - (points - even) // 2)):
        inside = values[bisect_left(values, t0):bisect_right(values, t1)]
        if inside:
            times.update(inside[min(len(inside) - 1, round(k * (len(inside) - 1) / max(1, count - 1)))]
                         for k in range(count))
    ordered = sorted(times)
    # Frames closer than a thousandth of the window add nothing a chart can show.
    gap = (t1 - t0) / 1000
    out = [ordered[0]]
    for t in ordered[1:]:
        if t - out[-1] >= gap:
            out.append(t)
    if t1 - out[-1] < gap:
        out[-1] = t1
    else:
        out.append(t1)
    return out


def series(run, traffic, times: list[float]) -> dict:
    """Time series on a shared axis (`times`, sorted): requests waiting, capacity running,
    latency percentiles of the requests answered since the previous instant, failures so far and
    cumulative cost.

    One pass over the requests drops each event into the bucket of the first instant at or after
    it (a binary search: the instants are denser where things happen); counts up to an instant are
    then running sums. No sort of all requests: charts stay cheap at 100,000 requests.
    """
    points = len(times)
    where = bisect_left  # index of the first instant at or after an event; `points` if after the last

    arrived = [0] * (points + 1)
    started = [0] * (points + 1)
    failed = [0] * (points + 1)
    request_usd = [0.0] * (points + 1)
    latencies: list[list[float]] = [[] for _ in range(points + 1)]
    per_request = run.per_request_usd or [0.0] * len(run.end)
    for a, s, e, f, usd in zip(traffic.arrivals, run.start, run.end, run.failed, per_request):
        arrived[where(times, a)] += 1
        j = where(times, e)
        request_usd[j] += usd
        if f:
            failed[j] += 1
        else:
            started[where(times, s)] += 1
            latencies[j].append(e - a)
    cap_starts = sorted(a for a, b in run.capacity)
    cap_ends = sorted(b for a, b in run.capacity)
    start_sums, end_sums = _prefix_sums(cap_starts), _prefix_sums(cap_ends)
    out: dict[str, list] = {"waiting": [], "capacity": [], "latency_p50": [], "latency_p95": [], "latency_p99": [],
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
