"""The simulator's figures on fixed inputs, recorded once, so a faster implementation can be held
to give exactly the same results (issue 25: the equivalence test for the fast path).

Cases: every built-in scenario at its defaults, and 20 explorer runs with seeded random overrides
(random names and values within each parameter's allowed range, re-drawn when validation refuses
them). A case records the SHA-256 of the whole `run()` result as canonical JSON (every figure,
word and chart point) and, for a readable failure, each design's summary.

Recording is deliberate, never part of the test run:

    .venv/bin/python -m tests.reference_impl.simulate_equivalence --write

Do it only when the simulator's model changes on purpose (say why in the commit); a speed-up
must pass against the recording made before it.
"""
import hashlib
import json
import random
import sys
from pathlib import Path

from reference_impl.simulate import SCENARIOS, SimulationInputError, run, validate_overrides
from reference_impl.simulate.params import PARAMS
from reference_impl.simulate.traffic import SCENARIO_LIMITS, SCENARIO_WHOLE

GOLDEN = Path(__file__).parent / "data" / "simulate_golden.json"
RANDOM_RUNS = 20
# Scenario sizes drawn for random runs stay small enough for the whole set to run in seconds.
SIZE_CAPS = {"burst_requests": 20_000, "peak_requests": 5_000, "trickle_per_hour": 2_000, "days": 10,
             "idle_days": 9, "batch_items_max": 100}


def _draw(rng: random.Random, lo: float, hi: float, whole: bool) -> float:
    value = rng.uniform(lo, hi) if rng.random() < 0.7 else rng.choice([lo, hi, (lo + hi) / 2])
    return float(round(value)) if whole else round(value, 3)


def random_overrides(seed: int) -> tuple[str, dict]:
    """A scenario and overrides the explorer would accept, drawn from `seed`."""
    rng = random.Random(seed)
    while True:
        scenario = rng.choice(sorted(SCENARIOS))
        overrides: dict[str, float] = {}
        for key in rng.sample(sorted(SCENARIO_LIMITS), rng.randint(0, 4)):
            lo, hi = SCENARIO_LIMITS[key]
            overrides[key] = _draw(rng, lo, min(hi, SIZE_CAPS.get(key, hi)), key in SCENARIO_WHOLE)
        for key in rng.sample(sorted(PARAMS), rng.randint(1, 6)):
            param = PARAMS[key]
            # Wide ranges are drawn on a log scale near the default, so runs stay plausible.
            hi = min(param.maximum, max(param.value * 10, param.minimum + 1))
            lo = max(param.minimum, param.value / 10) if param.value > 0 else param.minimum
            overrides[key] = _draw(rng, lo, hi, param.whole)
        try:
            validate_overrides(scenario, overrides)
        except SimulationInputError:
            continue
        return scenario, overrides


def cases() -> list[tuple[str, str, dict]]:
    built_in = [(f"scenario {name}", name, {}) for name in SCENARIOS]
    return built_in + [(f"random {i}", *random_overrides(i)) for i in range(RANDOM_RUNS)]


def fingerprint(result: dict) -> str:
    return hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()


def record(scenario: str, overrides: dict) -> dict:
    result = run(scenario, overrides)
    return {"scenario": scenario, "overrides": overrides, "sha256": fingerprint(result),
            "summaries": {name: d["summary"] for name, d in result["designs"].items()},
            "variants": {name: v["summary"] for name, v in result["variants"].items()}}


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    GOLDEN.write_text(json.dumps({label: record(s, o) for label, s, o in cases()}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
