"""How long the simulator takes: all four designs (plus D's CloudWatch variant) on big scenarios.

Targets (issue #19): `--matrix` (every built-in scenario through every design, no chart
series) in under 2 s; its CPU time is printed beside the wall clock, since a shared machine's
load stretches the wall clock alone.

Targets (issue #3): a 30-day scenario with 100,000 requests in under 1 s for the whole
`run()` (four designs, the variant, summaries, words and chart series); run time grows with
requests, not with idle simulated time (30 days idle plus a burst about as fast as 1 day plus
the same burst). Prints figures (best of 3, wall clock); asserts nothing.

    .venv/bin/python benchmarks/simulate.py
"""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from reference_impl.simulate import run, validate_overrides  # noqa: E402
from reference_impl.simulate.designs import simulate_a, simulate_b, simulate_c, simulate_d  # noqa: E402
from reference_impl.simulate.traffic import generate  # noqa: E402

MONTH = {"days": 30, "idle_days": 0, "burst_requests": 0, "peak_requests": 3000, "trickle_per_hour": 14,
         "batch_fraction": 0.1}
BURST = {"burst_requests": 5000, "burst_seconds": 120, "trickle_per_hour": 0, "peak_requests": 0}


def best_of(fn, repeat=3):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def timed(label, scenario, overrides):
    seconds, result = best_of(lambda: run(scenario, overrides))
    print(f"{label:58} {result['scenario']['requests']:>8,} requests  {seconds:6.3f} s")
    return seconds


def per_design(overrides):
    """Where the time of one run goes, design by design."""
    sp, p = validate_overrides("custom", overrides)
    seconds, traffic = best_of(lambda: generate(sp))
    print(f"  {'traffic':22}{seconds:6.3f} s")
    for name, fn in [("A", simulate_a), ("B", simulate_b), ("C", simulate_c), ("D", simulate_d),
                     ("D, CloudWatch variant", lambda t, q: simulate_d(t, q, "cloudwatch"))]:
        seconds, r = best_of(lambda fn=fn: fn(traffic, p))
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
    timed("30 days, daily peaks + trickle (about 100,000 requests)", "custom", MONTH)
    per_design(MONTH)
    print()
    a = timed("30 days idle, then a burst of 5,000", "custom", {**BURST, "days": 30.1, "idle_days": 30})
    b = timed("1 day idle, then the same burst", "custom", {**BURST, "days": 1.1, "idle_days": 1})
    print(f"{'ratio (30 days idle / 1 day idle)':58} {'':>17}{a / b:6.2f}")
