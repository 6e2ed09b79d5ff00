"""From runs to numbers people read: summaries and chart series (the words are in explain.py)."""
import math
from bisect import bisect_left, bisect_right

import numpy as np

SERIES_POINTS = 160


def _percentile(sorted_values: list[float], q: float):
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def _round(x, digits=3):
    return None if x is None else round(x, digits)


def _latencies(run, traffic):
    """(latency of each completed request in request order, and the mask of completed ones) as
    arrays: end - arrival is the same IEEE subtraction numpy or not, so figures stay identical."""
    ok = ~np.asarray(run.failed, dtype=bool)
    lat = np.asarray(run.end, dtype=float)[ok] - traffic.arrivals_array[ok]
    return lat, ok


def summarize(run, traffic) -> dict:
    lat_in_order, ok = _latencies(run, traffic)
    lat = np.sort(lat_in_order).tolist()
    failed = int(ok.size - np.count_nonzero(ok))
    reasons: dict[str, int] = {}
    for reason in run.fail_reason.values():
        reasons[reason] = reasons.get(reason, 0) + 1
    first = float(lat_in_order[0]) if lat_in_order.size else None
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
    ends = np.sort(np.concatenate([np.asarray(r.end, dtype=float) for r in runs])).tolist() if runs else []
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

    Each event goes into the bucket of the first instant at or after it (one vectorised binary
    search: the instants are denser where things happen); counts up to an instant are then running
    sums. Arithmetic is the same IEEE arithmetic in the same order as a loop over the requests.
    """
    points = len(times)
    grid = np.asarray(times, dtype=float)

    def bucket(values) -> np.ndarray:
        """Index of the first instant at or after each event; `points` if after the last."""
        return np.searchsorted(grid, values, side="left")

    done = ~np.asarray(run.failed, dtype=bool)
    at_end = bucket(np.asarray(run.end, dtype=float))
    arrived = np.bincount(bucket(traffic.arrivals_array), minlength=points + 1)
    failed = np.bincount(at_end[~done], minlength=points + 1)
    started = np.bincount(bucket(np.asarray(run.start, dtype=float))[done], minlength=points + 1)
    # Each bucket's cost adds its requests' charges in request order, as a running sum would.
    request_usd = np.zeros(points + 1)
    if run.per_request_usd:
        np.add.at(request_usd, at_end, np.asarray(run.per_request_usd, dtype=float))
    # Latencies grouped by bucket, each group sorted.
    lat_all, _ = _latencies(run, traffic)
    lat_bucket = at_end[done]
    order = np.lexsort((lat_all, lat_bucket))
    lat_sorted, bucket_sorted = lat_all[order], lat_bucket[order]
    bounds = np.searchsorted(bucket_sorted, np.arange(points + 2), side="left")
    cap_starts = sorted(a for a, b in run.capacity)
    cap_ends = sorted(b for a, b in run.capacity)
    start_sums, end_sums = _prefix_sums(cap_starts), _prefix_sums(cap_ends)
    out: dict[str, list] = {"waiting": [], "capacity": [], "latency_p50": [], "latency_p95": [], "latency_p99": [],
           "cost_usd": [], "failed": []}
    n_arrived = n_started = n_failed = 0
    usd_so_far = 0.0
    for i, t in enumerate(times):
        n_arrived += int(arrived[i])
        n_started += int(started[i])
        n_failed += int(failed[i])
        usd_so_far += float(request_usd[i])
        out["waiting"].append(max(0, n_arrived - n_started - n_failed))
        # Stopped means ended before t: capacity that lives to the scenario's end (A's provisioned
        # environments, B's minimum task) is still running at the last instant, not gone.
        running_since, stopped = bisect_right(cap_starts, t), bisect_left(cap_ends, t)
        out["capacity"].append(running_since - stopped)
        lat = lat_sorted[bounds[i]:bounds[i + 1]].tolist()
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
