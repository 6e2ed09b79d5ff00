"""From runs to numbers people read: summaries and chart series (the words are in explain.py)."""
import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence

import numpy as np

SERIES_POINTS = 160


def _percentile(sorted_values: Sequence[float], q: float):
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


class _OrderStatistics(Sequence[float]):
    """The few ranks of a sorted list `_percentile` and `max` read, found by partitioning instead
    of sorting every value: `values[i]` is exactly what the sorted list holds at i."""

    def __init__(self, values: np.ndarray, ranks: list[int]):
        self._n = int(values.size)
        self._at = dict(zip(ranks, np.partition(values, ranks)[ranks].tolist())) if ranks else {}

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):  # an int index only (Sequence also allows slices: not needed here)
        return self._at[i % self._n]


def _order_statistics(values: np.ndarray, quantiles: tuple[float, ...]) -> _OrderStatistics:
    n = int(values.size)
    ranks: set[int] = set()
    if n:
        ranks.add(n - 1)  # the max
        for q in quantiles:  # the two ranks each percentile interpolates between
            k = (n - 1) * q
            ranks.update((math.floor(k), math.ceil(k)))
    return _OrderStatistics(values, sorted(ranks))


def _round(x, digits=3):
    return None if x is None else round(x, digits)


def _latencies(run, traffic):
    """(latency of each completed request in request order, and the mask of completed ones) as
    arrays: end - arrival is the same IEEE subtraction numpy or not, so figures stay identical."""
    ok = run.done_mask
    lat = run.end_array[ok] - traffic.arrivals_array[ok]
    return lat, ok


def summarize(run, traffic) -> dict:
    lat_in_order, ok = _latencies(run, traffic)
    lat = _order_statistics(lat_in_order, (.5, .95, .99))
    failed = int(ok.size - np.count_nonzero(ok))
    # Counted in C; a Counter keeps the order reasons were first seen in, as the dict did.
    reasons = dict(Counter(run.fail_reason.values()))
    first = float(lat_in_order[0]) if lat_in_order.size else None
    total = sum(run.cost_parts.values())
    return {
        "requests": traffic.requests,
        "items": traffic.total_items,
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
    """The most intervals running at once. An interval ending when another starts does not
    overlap it: at equal times the ends (-1) sort before the starts (+1)."""
    if not intervals:
        return 0
    bounds = np.asarray(intervals, dtype=float)
    times = np.concatenate([bounds[:, 0], bounds[:, 1]])
    steps = np.concatenate([np.ones(len(bounds), dtype=np.int64), -np.ones(len(bounds), dtype=np.int64)])
    levels = np.cumsum(steps[np.lexsort((steps, times))])  # integer sums: exact in any order
    return max(0, int(levels.max()))


def window(traffic, runs) -> tuple[float, float]:
    """The stretch worth charting: from just before the first request to when the last answer is
    given and the capacity the traffic started has stopped. Weeks of silence before it, and
    capacity that simply runs to the end (A's provisioned environments, B's minimum task), are
    summed in the costs but not drawn: they would stretch the axis until the burst is one frame."""
    if not traffic.requests:
        return 0.0, traffic.horizon_s
    last = max(float(r.end_array.max()) for r in runs)
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
    ends = np.sort(np.concatenate([r.end_array for r in runs])) if runs else np.empty(0)
    for values, count in ((traffic.arrivals_array, (points - even) // 2),
                          (ends, points - even - (points - even) // 2)):
        # The slice inside the window, by binary search on the sorted array (no list of it made).
        lo, hi = np.searchsorted(values, t0, side="left"), np.searchsorted(values, t1, side="right")
        inside = values[lo:hi]
        if inside.size:
            times.update(float(inside[min(inside.size - 1, round(k * (inside.size - 1) / max(1, count - 1)))])
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

    done = run.done_mask
    at_end = bucket(run.end_array)
    arrived = np.bincount(bucket(traffic.arrivals_array), minlength=points + 1)
    failed = np.bincount(at_end[~done], minlength=points + 1)
    started = np.bincount(bucket(run.start_array)[done], minlength=points + 1)
    # Each bucket's cost adds its requests' charges in request order, as a running sum would:
    # bincount's weighted count is one sequential float addition per request, as np.add.at was.
    request_usd: np.ndarray
    if run.per_request_usd:
        request_usd = np.bincount(at_end, weights=np.asarray(run.per_request_usd, dtype=float), minlength=points + 1)
    else:
        request_usd = np.zeros(points + 1)
    # Latencies grouped by bucket, each group sorted.
    lat_all, _ = _latencies(run, traffic)
    lat_bucket = at_end[done]
    order = _by_bucket_then_value(lat_bucket, lat_all, points + 2)
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


def _by_bucket_then_value(buckets: np.ndarray, values: np.ndarray, n_buckets: int) -> np.ndarray:
    """np.lexsort((values, buckets)), the same permutation, faster: a stable sort by value, then a
    stable sort by bucket (a radix sort when the buckets fit in 16 bits)."""
    by_value = np.argsort(values, kind="stable")
    keys = buckets[by_value]
    if n_buckets <= np.iinfo(np.uint16).max:
        keys = keys.astype(np.uint16)
    return by_value[np.argsort(keys, kind="stable")]


def _prefix_sums(values: list[float]) -> list[float]:
    out = [0.0]
    for v in values:
        out.append(out[-1] + v)
    return out
