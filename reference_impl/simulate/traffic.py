"""Scenarios: seeded, repeatable traffic for one model.

A scenario is a few parameters (all overridable) turned into requests, each with an arrival
time and a number of items (1 for a single request, more for a batch request).
"""
import random
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

DAY_S = 86_400.0


@dataclass(frozen=True)
class Traffic:
    arrivals: list[float]  # seconds from the start, sorted
    items: list[int]       # inputs in each request
    horizon_s: float       # how long the simulated period lasts

    @property
    def requests(self) -> int:
        return len(self.arrivals)

    @cached_property
    def arrivals_array(self) -> np.ndarray:
        """The arrivals as a float array, made once for every vectorised pass over them."""
        return np.asarray(self.arrivals, dtype=float)

    @cached_property
    def items_array(self) -> np.ndarray:
        return np.asarray(self.items, dtype=np.int64)

    @cached_property
    def total_items(self) -> int:
        return sum(self.items)

    @cached_property
    def service_lists(self) -> dict[float, list[float]]:
        """Each request's processing time, by seconds per input: runs.service_times fills it, so
        the designs that share a per-input time (B and every D) share one list, which none modifies."""
        return {}


# The scaler polls every whole minute of the simulated clock; traffic that starts exactly on a
# poll is the worst case for a design that starts from zero. Every scenario starts its traffic
# this many seconds after the idle days end, half a poll period: the typical case. The first
# request's wait is also reported as a range over every phase (best, typical, worst).
START_OFFSET_S = 30.0

SCENARIOS: dict[str, dict] = {
    "idle-then-burst": {
        "summary": "A model idle for weeks, then a sudden burst (the question's hard case).",
        "defaults": {"days": 21.1, "idle_days": 21, "burst_requests": 3000, "burst_seconds": 120,
                     "trickle_per_hour": 0, "peak_requests": 0, "batch_fraction": 0.2, "batch_items_max": 50,
                     "start_offset_s": START_OFFSET_S},
    },
    "sustained": {
        "summary": "A busy model under sustained load all day (where one loaded model serving many requests pays).",
        "defaults": {"days": 1, "idle_days": 0, "burst_requests": 0, "burst_seconds": 60,
                     "trickle_per_hour": 8000, "peak_requests": 0, "batch_fraction": 0.2, "batch_items_max": 50,
                     "start_offset_s": START_OFFSET_S},
    },
    "steady-trickle": {
        "summary": "Steady, light traffic.",
        "defaults": {"days": 1, "idle_days": 0, "burst_requests": 0, "burst_seconds": 60,
                     "trickle_per_hour": 120, "peak_requests": 0, "batch_fraction": 0.05, "batch_items_max": 20,
                     "start_offset_s": START_OFFSET_S},
    },
    "daily-peaks": {
        "summary": "A busy hour around noon every day and a trickle the rest of the day.",
        "defaults": {"days": 3, "idle_days": 0, "burst_requests": 0, "burst_seconds": 60,
                     "trickle_per_hour": 20, "peak_requests": 2000, "batch_fraction": 0.1, "batch_items_max": 30,
                     "start_offset_s": START_OFFSET_S},
    },
    "custom": {
        "summary": "Your own traffic: every field below is yours to set.",
        "defaults": {"days": 8, "idle_days": 7, "burst_requests": 1000, "burst_seconds": 60,
                     "trickle_per_hour": 0, "peak_requests": 0, "batch_fraction": 0.1, "batch_items_max": 20,
                     "start_offset_s": START_OFFSET_S},
    },
}


def _count(n: float, one: str, many: str) -> str:
    return f"{n:,.{0 if n == int(n) else 1}f} {one if n == 1 else many}"


def _span(seconds: float) -> str:
    if seconds < 120:
        return _count(seconds, "second", "seconds")
    if seconds < 2 * 3600:
        return _count(seconds / 60, "minute", "minutes")
    return f"{seconds / 3600:,.1f} hours"


def describe(sp: dict) -> str:
    """The traffic in words, from the numbers set (defaults merged with overrides)."""
    traffic = []
    if sp["burst_requests"]:
        traffic.append(f"a burst of {_count(sp['burst_requests'], 'request', 'requests')} in "
                       f"{_span(sp['burst_seconds'])}")
    if sp["peak_requests"]:
        traffic.append(f"a busy hour of {_count(sp['peak_requests'], 'request', 'requests')} around noon each day")
    if sp["trickle_per_hour"]:
        traffic.append(f"{sp['trickle_per_hour']:,.0f} requests an hour")
    text = " and ".join(traffic) if traffic else "no requests at all"
    if sp["idle_days"]:
        text = f"{_count(sp['idle_days'], 'idle day', 'idle days').replace(',', '')}, then {text}"
    text = text[0].upper() + text[1:] + f"; {sp['days']:g} {'day' if sp['days'] == 1 else 'days'} in all."
    if sp["batch_fraction"] and traffic:
        text += (f" {sp['batch_fraction']:.0%} of requests are batches of 2 to {sp['batch_items_max']:,.0f} inputs; "
                 "the rest carry one input.")
    return text


# Limits keep one run well under a second on a small machine: the largest accepted run (a
# 100,000-request burst) takes about 0.45 s of CPU, the combined MAX_REQUESTS about 0.8 s
# (benchmarks/simulate.py; 2.4 and 2.8 s before issue 25). They were not raised with that
# speed-up: issue 25's goal is the largest accepted run under 0.5 s, and a larger burst would
# pass it. The speed-up went to the throttle instead (settings.py: 10 -> 30 new runs a minute).
# (The simulator's equivalence test draws its recorded cases within these limits, too.)
SCENARIO_LIMITS = {
    "days": (0.01, 60), "idle_days": (0, 59), "burst_requests": (0, 100_000), "burst_seconds": (1, 86_400),
    "trickle_per_hour": (0, 20_000), "peak_requests": (0, 50_000), "batch_fraction": (0, 1),
    "batch_items_max": (2, 1000), "start_offset_s": (0, 3600), "seed": (0, 2**32 - 1),
}
# Counts: an override must be a whole number.
SCENARIO_WHOLE = {"burst_requests", "peak_requests", "batch_items_max", "seed"}
MAX_REQUESTS = 200_000
MAX_ITEMS = 2_000_000  # batch inputs lengthen every busy period the simulator steps through
MAX_BUSY_POLLS = 200_000  # the 30-day default decides about 21,000 polls in 0.07 s (benchmarks/simulate.py)


def expected_items(sp: dict) -> float:
    mean_batch = (2 + sp["batch_items_max"]) / 2
    return expected_requests(sp) * (1 + sp["batch_fraction"] * (mean_batch - 1))


def expected_requests(sp: dict) -> float:
    active_days = max(0.0, sp["days"] - sp["idle_days"])
    return (sp["burst_requests"] + sp["peak_requests"] * max(1, int(active_days))
            + sp["trickle_per_hour"] * 24 * active_days)


def generate(sp: dict) -> Traffic:
    """Requests for scenario parameters `sp` (defaults merged with overrides, validated).

    The traffic depends on the scenario's numbers only, not on the designs' parameters, so the
    last few are kept: a learner changing a model parameter in the explorer does not regenerate
    the same 100,000 requests. Traffic is never modified once made."""
    return _generate(tuple(sorted(sp.items())))


def _uniforms(rng: random.Random, n: int) -> np.ndarray:
    """The next `n` values of rng.random(), made by numpy from the same state: Python's random and
    numpy's legacy RandomState are the same Mersenne Twister with the same 53-bit formula, so the
    draws are the same bits. `rng` is moved past them, as n calls would leave it."""
    version, words, gauss = rng.getstate()
    twister = np.random.RandomState()
    twister.set_state(("MT19937", np.array(words[:-1], dtype=np.uint32), words[-1], 0, 0.0))
    u = twister.random_sample(n)
    moved = twister.get_state(legacy=False)["state"]
    rng.setstate((version, (*moved["key"].tolist(), int(moved["pos"])), gauss))
    return u


@lru_cache(maxsize=8)
def _generate(key: tuple) -> Traffic:
    sp = dict(key)
    rng = random.Random(int(sp.get("seed", 1973)))
    horizon = sp["days"] * DAY_S
    start = min(sp["idle_days"] * DAY_S + sp.get("start_offset_s", START_OFFSET_S), horizon)
    arrivals: list[float] = []
    # The same draws as rng.uniform and rng.triangular, one rng.random() each in the same order, with
    # their arithmetic (random.py's, in the same order) done on arrays: a float64 operation gives the
    # same bits in numpy as in Python, so the traffic is unchanged (the equivalence test holds it).
    if sp["burst_requests"]:
        end = min(horizon, start + sp["burst_seconds"])
        u = _uniforms(rng, int(sp["burst_requests"]))
        arrivals += (start + (end - start) * u).tolist()  # rng.uniform(start, end): a + (b - a) * u
    if sp["peak_requests"]:
        day = int(start // DAY_S)
        while day * DAY_S < horizon:
            noon = day * DAY_S + DAY_S / 2
            # A busy hour: triangular around noon, an hour wide. rng.triangular(low, high) with its
            # mode in the middle (c = 0.5): above c, u and c become 1 - u, 1 - c and the ends swap.
            low, high = noon - 1800, noon + 1800
            u = _uniforms(rng, int(sp["peak_requests"]))
            flip = u > 0.5
            lo, hi = np.where(flip, high, low), np.where(flip, low, high)
            t = lo + (hi - lo) * np.sqrt(np.where(flip, 1.0 - u, u) * 0.5)
            arrivals += t[(start <= t) & (t < horizon)].tolist()
            day += 1
    rate = sp["trickle_per_hour"] / 3600.0
    if rate > 0:
        t = start + rng.expovariate(rate)
        while t < horizon:
            arrivals.append(t)
            t += rng.expovariate(rate)
    ordered = np.sort(np.fromiter(arrivals, float, len(arrivals)))
    arrivals = ordered.tolist()  # floats sort the same either way
    random_, getrandbits = rng.random, rng.getrandbits
    fraction, most = sp["batch_fraction"], int(sp["batch_items_max"])
    # rng.randint(2, most) is 2 + rng._randbelow(most - 1): getrandbits of the width's bit length,
    # drawn again until below the width (random.py). The same calls, without randint's layers of
    # Python around them (one batch in five, by default, of up to 100,000 requests).
    width = most - 1
    bits = width.bit_length()

    def batch_size() -> int:
        r = getrandbits(bits)
        while r >= width:
            r = getrandbits(bits)
        return 2 + r

    items = [batch_size() if random_() < fraction else 1 for _ in arrivals]
    traffic = Traffic(arrivals, items, horizon)
    traffic.__dict__["arrivals_array"] = ordered  # what the cached property would make of the list, made already
    return traffic
