"""How long the simulator takes: all four designs (plus D's CloudWatch variant) on big scenarios.

Targets (issue #19): `--matrix` (every built-in scenario through every design, no chart
series) in under 2 s; its CPU time is printed beside the wall clock, since a shared machine's
load stretches the wall clock alone.

Targets (issue #25): the 30-day scenario with about 100,000 requests in under 0.5 s for the
whole `run()` (four designs, the four variants, summaries, words and chart series), and the
explorer's largest accepted run (a 100,000-request burst) under 0.5 s; run time grows with
requests, not with idle simulated time (30 days idle plus a burst about as fast as 1 day plus
the same burst). Each figure is best of 3, wall clock and CPU, printed with its goal beside it,
and per 100,000 requests so machines compare; asserts nothing. "cold" regenerates the traffic
each time (a new scenario); "model change" reuses it (a learner changing a design's parameter:
the traffic of the last few scenarios is kept).

    .venv/bin/python benchmarks/simulate.py
"""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from reference_impl.simulate import run, validate_overrides  # noqa: E402
from reference_impl.simulate.deployed_d import simulate_d_deployed  # noqa: E402
from reference_impl.simulate.designs import simulate_a, simulate_b, simulate_c, simulate_d  # noqa: E402
from reference_impl.simulate.traffic import _generate as traffic_cache  # noqa: E402
from reference_impl.simulate.traffic import generate  # noqa: E402

MONTH = {"days": 30, "idle_days": 0, "burst_requests": 0, "peak_requests": 3000, "trickle_per_hour": 14,
         "batch_fraction": 0.1}
BURST = {"burst_requests": 5000, "burst_seconds": 120, "trickle_per_hour": 0, "peak_requests": 0}


def best_of(fn, repeat=3, cold=True):
    """(best wall seconds, best CPU seconds, result) over `repeat` calls."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        if cold:
            traffic_cache.cache_clear()
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        best, best_cpu = min(best, time.perf_counter() - start), min(best_cpu, time.process_time() - cpu)
    return best, best_cpu, result


def timed(label, scenario, overrides, goal_s=None, cold=True):
    seconds, cpu, result = best_of(lambda: run(scenario, overrides), cold=cold)
    requests = result["scenario"]["requests"]
    goal = f"  (goal < {goal_s:g} s)" if goal_s else ""
    print(f"{label:58} {requests:>8,} requests  {seconds:6.3f} s wall, {cpu:6.3f} s CPU, "
          f"{cpu / max(requests, 1) * 100_000:6.3f} s CPU per 100,000{goal}")
    return seconds


def per_design(overrides):
    """Where the time of one run goes, design by design."""
    sp, p = validate_overrides("custom", overrides)
    seconds, _, traffic = best_of(lambda: generate(sp))
    print(f"  {'traffic':22}{seconds:6.3f} s")
    for name, fn in [("A", simulate_a), ("B", simulate_b), ("C", simulate_c), ("D (deployed)", simulate_d_deployed),
                     ("D, RunningTaskCount", lambda t, q: simulate_d_deployed(t, q, "RunningTaskCount")),
                     ("D, KEDA-style", simulate_d),
                     ("D, CloudWatch variant", lambda t, q: simulate_d(t, q, "cloudwatch"))]:
        seconds, _, r = best_of(lambda fn=fn: fn(traffic, p))
        extra = (f"  ({r.facts['scaler_decisions']:,} polls decided, {r.facts['polls_skipped']:,} skipped)"
                 if "polls_skipped" in r.facts else "")
        print(f"  {name:22}{seconds:6.3f} s{extra}")


def matrix_time():
    from reference_impl.simulate.matrix import matrix

    start, cpu = time.perf_counter(), time.process_time()
    result = matrix()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{'--matrix: ' + str(len(result['scenarios'])) + ' scenarios x 4 designs + variants':58} "
          f"{'':>17}{wall:6.3f} s wall, {cpu:.3f} s CPU")


if __name__ == "__main__":
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}\n")
    matrix_time()
    timed("30 days, daily peaks + trickle (about 100,000 requests)", "custom", MONTH, goal_s=0.5)
    timed("  the same, a model parameter changed (traffic kept)", "custom", MONTH, cold=False)
    per_design(MONTH)
    print()
    timed("the explorer's largest burst (100,000 requests)", "idle-then-burst", {"burst_requests": 100_000},
          goal_s=0.5)
    timed("  the same, a model parameter changed (traffic kept)", "idle-then-burst", {"burst_requests": 100_000},
          cold=False)
    print()
    a = timed("30 days idle, then a burst of 5,000", "custom", {**BURST, "days": 30.1, "idle_days": 30})
    b = timed("1 day idle, then the same burst", "custom", {**BURST, "days": 1.1, "idle_days": 1})
    print(f"{'ratio (30 days idle / 1 day idle)':58} {'':>17}{a / b:6.2f}")
