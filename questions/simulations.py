"""Simulator results for pages and the API, cached by their parameters (one key for both)."""
import hashlib
import json

from django.core.cache import cache

from reference_impl import simulate

CACHE_S = 3600
DEFAULT_SCENARIO = "idle-then-burst"


def cache_key(scenario: str, overrides: dict) -> str:
    return "sim:" + hashlib.sha256(json.dumps([scenario, overrides], sort_keys=True).encode()).hexdigest()


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
