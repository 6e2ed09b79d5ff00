"""Simulator results for pages and the API, cached by their parameters (one key for both)."""
import hashlib
import json
from pathlib import Path

from django.core.cache import cache

from reference_impl import simulate

CACHE_S = 3600
DEFAULT_SCENARIO = "idle-then-burst"


def _simulator_fingerprint() -> str:
    """A hash of the simulator's code and the AWS facts it reads: a changed simulator never gets
    results cached by an older one, whatever cache backend is configured (shared or persistent)."""
    package = Path(simulate.__file__).parent
    digest = hashlib.sha256()
    for path in sorted([*package.glob("*.py"), package.parent / "aws_facts.py", package.parent / "scaling.py"]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


SIMULATOR_FINGERPRINT = _simulator_fingerprint()


def cache_key(scenario: str, overrides: dict) -> str:
    body = json.dumps([scenario, overrides], sort_keys=True).encode()
    return f"sim:{SIMULATOR_FINGERPRINT}:" + hashlib.sha256(body).hexdigest()


def cached_result(scenario: str, overrides: dict):
    return cache.get(cache_key(scenario, overrides))


def run_cached(scenario: str, overrides: dict) -> dict:
    """Validate (SimulationInputError on bad input), then run or reuse a cached run."""
    simulate.validate_overrides(scenario, overrides)
    result = cached_result(scenario, overrides)
    if result is None:
        result = simulate.run(scenario, overrides)
        cache.set(cache_key(scenario, overrides), result, CACHE_S)
    return result


MATRIX_KEY = f"sim:{SIMULATOR_FINGERPRINT}:matrix"


def matrix_cached() -> dict:
    """The scenario matrix (every built-in scenario through every design) the verdict is computed
    from; cached under the simulator's fingerprint, so a changed simulator recomputes it."""
    from reference_impl.simulate.matrix import matrix

    result = cache.get(MATRIX_KEY)
    if result is None:
        result = matrix()
        cache.set(MATRIX_KEY, result, CACHE_S)
    return result
