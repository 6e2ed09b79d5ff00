"""The simulator's results are exactly those recorded before its speed-up (issue 25): every
built-in scenario and 20 seeded random explorer runs, every figure, word and chart point."""
import json

import pytest

from .simulate_equivalence import GOLDEN, cases, fingerprint, record

RECORDED = json.loads(GOLDEN.read_text())
CASES = cases()


def test_the_recording_covers_every_case():
    assert sorted(label for label, _, _ in CASES) == sorted(RECORDED)


@pytest.mark.parametrize("label,scenario,overrides", CASES, ids=[label for label, _, _ in CASES])
def test_results_equal_the_recorded_ones(label, scenario, overrides):
    expected = RECORDED[label]
    assert (scenario, overrides) == (expected["scenario"], expected["overrides"])
    got = record(scenario, overrides)
    # Summaries first: a difference there reads better than a hash.
    assert got["summaries"] == expected["summaries"]
    assert got["variants"] == expected["variants"]
    assert got["sha256"] == expected["sha256"], "same summaries, but words or chart points differ"


def test_the_fingerprint_sees_any_change():
    assert fingerprint({"a": 1.0}) != fingerprint({"a": 1.0000000001})
