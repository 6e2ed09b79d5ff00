"""Scenarios: seeded, repeatable traffic for one model.

A scenario is a few parameters (all overridable) turned into requests, each with an arrival
time and a number of items (1 for a single request, more for a batch request).
"""
import random
from dataclasses import dataclass

DAY_S = 86_400.0


@dataclass(frozen=True)
class Traffic:
    arrivals: list[float]  # seconds from the start, sorted
    items: list[int]       # inputs in each request
    horizon_s: float       # how long the simulated period lasts

    @property
    def requests(self) -> int:
        return len(self.arrivals)


SCENARIOS: dict[str, dict] = {
    "idle-then-burst": {
        "description": "A model idle for three weeks, then a burst of 3,000 requests in two minutes, "
                       "a fifth of them batch requests of up to 50 inputs.",
        "defaults": {"days": 21.1, "idle_days": 21, "burst_requests": 3000, "burst_seconds": 120,
                     "trickle_per_hour": 0, "peak_requests": 0, "batch_fraction": 0.2, "batch_items_max": 50},
    },
    "steady-trickle": {
        "description": "One day of steady, light traffic: about two requests a minute.",
        "defaults": {"days": 1, "idle_days": 0, "burst_requests": 0, "burst_seconds": 60,
                     "trickle_per_hour": 120, "peak_requests": 0, "batch_fraction": 0.05, "batch_items_max": 20},
    },
    "daily-peaks": {
        "description": "Three days with a busy hour around noon (2,000 requests) and a trickle the rest of the day.",
        "defaults": {"days": 3, "idle_days": 0, "burst_requests": 0, "burst_seconds": 60,
                     "trickle_per_hour": 20, "peak_requests": 2000, "batch_fraction": 0.1, "batch_items_max": 30},
    },
    "custom": {
        "description": "Your own traffic: set days, idle days, burst size and length, trickle and batch share.",
        "defaults": {"days": 8, "idle_days": 7, "burst_requests": 1000, "burst_seconds": 60,
                     "trickle_per_hour": 0, "peak_requests": 0, "batch_fraction": 0.1, "batch_items_max": 20},
    },
}

# Limits keep one run well under a second or two on a small machine.
SCENARIO_LIMITS = {
    "days": (0.01, 60), "idle_days": (0, 59), "burst_requests": (0, 100_000), "burst_seconds": (1, 86_400),
    "trickle_per_hour": (0, 20_000), "peak_requests": (0, 50_000), "batch_fraction": (0, 1),
    "batch_items_max": (2, 1000), "seed": (0, 2**32 - 1),
}
# Counts: an override must be a whole number.
SCENARIO_WHOLE = {"burst_requests", "peak_requests", "batch_items_max", "seed"}
MAX_REQUESTS = 200_000
MAX_ITEMS = 2_000_000  # batch inputs lengthen every busy period the simulator steps through
MAX_BUSY_POLLS = 200_000  # the 30-day default decides about 21,000 polls in 0.16 s (benchmarks/simulate.py)


def expected_items(sp: dict) -> float:
    mean_batch = (2 + sp["batch_items_max"]) / 2
    return expected_requests(sp) * (1 + sp["batch_fraction"] * (mean_batch - 1))


def expected_requests(sp: dict) -> float:
    active_days = max(0.0, sp["days"] - sp["idle_days"])
    return (sp["burst_requests"] + sp["peak_requests"] * max(1, int(active_days))
            + sp["trickle_per_hour"] * 24 * active_days)


def generate(sp: dict) -> Traffic:
    """Requests for scenario parameters `sp` (defaults merged with overrides, validated)."""
    rng = random.Random(int(sp.get("seed", 1973)))
    horizon = sp["days"] * DAY_S
    start = min(sp["idle_days"] * DAY_S, horizon)
    arrivals: list[float] = []
    if sp["burst_requests"]:
        end = min(horizon, start + sp["burst_seconds"])
        arrivals += [rng.uniform(start, end) for _ in range(int(sp["burst_requests"]))]
    if sp["peak_requests"]:
        day = int(start // DAY_S)
        while day * DAY_S < horizon:
            noon = day * DAY_S + DAY_S / 2
            # A busy hour: triangular around noon, an hour wide.
            arrivals += [t for t in (rng.triangular(noon - 1800, noon + 1800) for _ in range(int(sp["peak_requests"])))
                         if start <= t < horizon]
            day += 1
    rate = sp["trickle_per_hour"] / 3600.0
    if rate > 0:
        t = start + rng.expovariate(rate)
        while t < horizon:
            arrivals.append(t)
            t += rng.expovariate(rate)
    arrivals.sort()
    items = [rng.randint(2, int(sp["batch_items_max"])) if rng.random() < sp["batch_fraction"] else 1
             for _ in arrivals]
    return Traffic(arrivals, items, horizon)
