"""From runs to numbers people read: summaries and chart series (the words are in explain.py)."""
import math
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
        "peak_capacity": peak(run),
        "capacity_label": run.capacity_label,
        "cost_usd": {"total": round(total, 4), "parts": {k: round(v, 4) for k, v in run.cost_parts.items()}},
        "cost_per_1000_requests_usd": round(total / traffic.requests * 1000, 4) if traffic.requests else None,
    }


def peak(run) -> int:
    """The most units of the run's capacity running at once. An interval ending when another starts
    does not overlap it (an end at a start's time is counted first), so just after the i-th start
    in time order (0-based), i + 1 have started and those ending at or before it have stopped; the
    most is reached just after a start."""
    starts, ends = run.capacity_bounds
    if not starts.size:
        return 0
    levels = np.arange(1, starts.size + 1) - np.searchsorted(ends, starts, side="right")
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
    # Each run's end times come nearly in order (in the 30-day benchmark two of the four exactly),
    # and the stable sort (timsort for floats) merges the ordered stretches it finds: 2 ms instead
    # of quicksort's 33 ms for the month's 400,000 ends. Sorted numbers are the same array
    # whichever sort made them (both put NaN last).
    ends = np.sort(np.concatenate([r.end_array for r in runs]), kind="stable") if runs else np.empty(0)
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


def series(run, traffic, times: list[float], frames: "Frames | None" = None) -> dict:
    """Time series on a shared axis (`times`, sorted): requests waiting, capacity running,
    latency percentiles of the requests answered since the previous instant, failures so far and
    cumulative cost. `frames` (Frames(traffic, times)) holds what every run's series shares.

    Each event goes into the bucket of the first instant at or after it (one vectorised binary
    search: the instants are denser where things happen); counts up to an instant are then running
    sums. Arithmetic is the same IEEE arithmetic in the same order as a loop over the requests.
    """
    frames = frames or Frames(traffic, times)
    points, grid = frames.points, frames.grid
    done = run.done_mask
    at_end = frames.bucket(run.end_array)
    failed = np.bincount(at_end[~done], minlength=points + 1)[:points]
    started = np.bincount(frames.bucket(run.start_array)[done], minlength=points + 1)[:points]
    # Each bucket's cost adds its requests' charges in request order, as a running sum would:
    # bincount's weighted count is one sequential float addition per request, as np.add.at was.
    request_usd = np.bincount(at_end, weights=run.per_request_array, minlength=points + 1)[:points]
    lat_all, _ = _latencies(run, traffic)
    percentiles = _bucket_percentiles(at_end[done], lat_all, points, (.5, .95, .99))
    # Counts up to each instant: integer running sums (exact in any order).
    n_failed = np.cumsum(failed)
    waiting = np.maximum(0, np.cumsum(frames.arrived) - np.cumsum(started) - n_failed)
    # Stopped means ended before t: capacity that lives to the scenario's end (A's provisioned
    # environments, B's minimum task) is still running at the last instant, not gone.
    cap_starts, cap_ends = run.capacity_bounds
    running_since = np.searchsorted(cap_starts, grid, side="right")
    stopped = np.searchsorted(cap_ends, grid, side="left")
    # Capacity-seconds used by time t, from prefix sums: for intervals started before t,
    # sum(min(end, t) - start) = sum(ends before t) + t * (still running) - sum(starts before t).
    # (np.cumsum adds one value at a time, in order, as the running sums of a loop.)
    start_sums, end_sums = _prefix_sums(cap_starts), _prefix_sums(cap_ends)
    capacity_s = end_sums[stopped] + grid * (running_since - stopped) - start_sums[running_since]
    usd_so_far = _prefix_sums(request_usd)[1:]  # the charges so far
    cost = grid * run.fixed_usd_per_s + capacity_s * run.capacity_usd_per_s + usd_so_far
    return {"waiting": waiting.tolist(), "capacity": (running_since - stopped).tolist(),
            "latency_p50": percentiles[0], "latency_p95": percentiles[1], "latency_p99": percentiles[2],
            "cost_usd": [round(c, 5) for c in cost.tolist()], "failed": n_failed.tolist()}


class Frames:
    """What the series of every run on the same instants share: the instants as an array and the
    arrivals counted per instant."""

    def __init__(self, traffic, times: list[float]):
        self.points = len(times)
        self.grid = np.asarray(times, dtype=float)
        self.arrived = np.bincount(self.bucket(traffic.arrivals_array), minlength=self.points + 1)[:self.points]

    def bucket(self, values: np.ndarray) -> np.ndarray:
        """Index of the first instant at or after each event; `points` if after the last."""
        return np.searchsorted(self.grid, values, side="left")


def _bucket_percentiles(buckets: np.ndarray, values: np.ndarray, points: int,
                        quantiles: tuple[float, ...]) -> list[list[float | None]]:
    """For each quantile, each bucket's percentile of its values (None for an empty bucket), rounded
    as `_round(_percentile(sorted values of the bucket, q))` gives it: the values grouped by bucket
    (a stable radix sort on the bucket), each bucket's values sorted in place, and the two ranks each
    percentile interpolates between read with the same float operations in the same order."""
    keys = buckets.astype(np.uint16) if points + 1 <= np.iinfo(np.uint16).max else buckets
    grouped = values[np.argsort(keys, kind="stable")]
    counts = np.bincount(buckets, minlength=points + 1)[:points]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if points else np.zeros(0, dtype=np.int64)
    for first, count in zip(starts.tolist(), counts.tolist()):
        if count > 1:
            grouped[first:first + count].sort()
    filled = counts > 0
    out = []
    for q in quantiles:
        k = (counts - 1) * q
        lo, hi = np.floor(k), np.ceil(k)
        at_lo = grouped[(starts + lo.astype(np.int64))[filled]]
        at_hi = grouped[(starts + hi.astype(np.int64))[filled]]
        value = np.full(points, np.nan)
        value[filled] = at_lo + (at_hi - at_lo) * (k - lo)[filled]
        out.append([round(v, 3) if f else None for v, f in zip(value.tolist(), filled.tolist())])
    return out


def _prefix_sums(values: np.ndarray) -> np.ndarray:
    """[0.0, 0.0 + v0, 0.0 + v0 + v1, ...], added one value at a time in order, as a running sum
    from 0.0 does (np.cumsum does not pair them)."""
    return np.cumsum(np.concatenate([[0.0], values]))
