"""How long the simulator takes: all four designs (plus D's CloudWatch variant) on big scenarios.

Targets (issue #3): 30 days with 100,000 requests in under 1 s; run time grows with requests,
not with idle simulated time. Prints figures; asserts nothing.
    .venv/bin/python benchmarks/simulate.py
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from reference_impl.simulate import run  # noqa: E402


def timed(label, scenario, overrides, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = run(scenario, overrides)
        best = min(best, time.perf_counter() - start)
    print(f"{label:58} {result['scenario']['requests']:>8,} requests  {best:6.3f} s")
    return best


if __name__ == "__main__":
    timed("30 days, daily peaks + trickle (about 100,000 requests)", "custom",
          {"days": 30, "idle_days": 0, "burst_requests": 0, "peak_requests": 3000, "trickle_per_hour": 14,
           "batch_fraction": 0.1})
    burst = {"burst_requests": 5000, "burst_seconds": 120, "trickle_per_hour": 0, "peak_requests": 0}
    a = timed("30 days idle, then a burst of 5,000", "custom", {**burst, "days": 30.1, "idle_days": 30})
    b = timed("1 day idle, then the same burst", "custom", {**burst, "days": 1.1, "idle_days": 1})
    print(f"{'ratio (30 days idle / 1 day idle)':58} {'':>17}{a / b:6.2f}")
