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


# What depends on nothing but this code: the matrix and each built-in scenario run with its
# defaults (a handful of results, the ones the question and explorer pages show first). Besides the
# shared cache, each process keeps them once it has them: a page then neither reads and unpickles
# a few hundred kB from the cache nor, on a cache miss (a new process, an emptied cache), runs the
# simulator again. Results are never changed once built (views and the API only read them).
_in_process: dict[str, dict] = {}


def _shared(key: str, build, keep_in_process: bool) -> dict:
    result = _in_process.get(key)
    if result is None:
        result = cache.get(key)
        if result is None:
            result = build()
            cache.set(key, result, CACHE_S)
        if keep_in_process:
            _in_process[key] = result
    return result


def cached_result(scenario: str, overrides: dict):
    key = cache_key(scenario, overrides)
    return _in_process.get(key) or cache.get(key)


def run_cached(scenario: str, overrides: dict) -> dict:
    """Validate (SimulationInputError on bad input), then run or reuse a cached run."""
    simulate.validate_overrides(scenario, overrides)
    return _shared(cache_key(scenario, overrides), lambda: simulate.run(scenario, overrides),
                   keep_in_process=not overrides)


MATRIX_KEY = f"sim:{SIMULATOR_FINGERPRINT}:matrix"


def matrix_cached() -> dict:
    """The scenario matrix (every built-in scenario through every design) the verdict is computed
    from; cached under the simulator's fingerprint, so a changed simulator recomputes it."""
    from reference_impl.simulate.matrix import matrix

    return _shared(MATRIX_KEY, matrix, keep_in_process=True)
