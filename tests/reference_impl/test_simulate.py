import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_impl.simulate import SimulationInputError, list_scenarios, parameter_table, run, validate_overrides
from reference_impl.simulate.designs import simulate_a, simulate_b, simulate_c, simulate_d
from reference_impl.simulate.params import defaults
from reference_impl.simulate.traffic import generate

SIMULATORS = {"A": simulate_a, "B": simulate_b, "C": simulate_c, "D": simulate_d}

scenario_params = st.fixed_dictionaries({
    "days": st.floats(0.05, 3),
    "idle_days": st.just(0),
    "burst_requests": st.integers(0, 400),
    "burst_seconds": st.floats(1, 600),
    "trickle_per_hour": st.floats(0, 200),
    "peak_requests": st.integers(0, 200),
    "batch_fraction": st.floats(0, 1),
    "batch_items_max": st.integers(2, 60),
    "seed": st.integers(0, 10_000),
})
model_params = st.fixed_dictionaries({
    "max_tasks": st.integers(1, 12),
    "service_time_s": st.floats(0.01, 2),
    "acceptable_latency_s": st.floats(1, 600),
    "b_min_tasks": st.integers(0, 3),
    "a_provisioned_concurrency": st.integers(0, 5),
    "lambda_max_concurrency": st.integers(1, 200),
    "d_scaler_period_s": st.sampled_from([10, 60]),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sp=scenario_params, mp=model_params)
def test_simulations_keep_their_invariants(sp, mp):
    traffic = generate(sp)
    p = {**defaults(), **mp}
    for name, simulate in SIMULATORS.items():
        r = simulate(traffic, p)
        assert len(r.start) == len(r.end) == len(r.failed) == traffic.requests  # each request ends once
        for a, s, e, f, n in zip(traffic.arrivals, r.start, r.end, r.failed, traffic.items):
            assert s >= a - 1e-9, name
            if not f:
                assert e - a >= n * p["service_time_s"] - 1e-9, name  # no latency below service time
        if name in "BD":
            times = sorted({a for a, b in r.capacity} | {b for a, b in r.capacity})
            for t in times:
                running = sum(1 for a, b in r.capacity if a <= t < b)
                assert running <= p["max_tasks"] or (name == "B" and running <= max(p["max_tasks"], p["b_min_tasks"]))
        if name == "B" and traffic.requests:
            first = traffic.arrivals[0]
            assert sum(1 for a, b in r.capacity if a <= first < b) >= p["b_min_tasks"]


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_the_same_seed_gives_the_same_result(seed):
    overrides = {"seed": seed, "burst_requests": 300, "idle_days": 2, "days": 2.1}
    assert run("custom", overrides) == run("custom", overrides)


def test_different_seeds_give_different_traffic():
    a = run("custom", {"seed": 1, "burst_requests": 300})["designs"]["D"]["summary"]
    b = run("custom", {"seed": 2, "burst_requests": 300})["designs"]["D"]["summary"]
    assert (a["items"], a["latency_s"]) != (b["items"], b["latency_s"])


@pytest.fixture(scope="module")
def burst():
    return run("idle-then-burst")


def test_idle_then_burst_is_what_the_question_describes(burst):
    sc = burst["scenario"]
    assert sc["requests"] == 3000 and sc["days"] > 21 and sc["items"] > 3000  # some batch requests


def test_in_the_burst_d_loses_nothing_and_scales_out_to_its_cap(burst):
    d = burst["designs"]["D"]["summary"]
    assert d["failed"] == 0 and d["completed"] == 3000
    assert d["peak_capacity"] == burst["parameters"]["max_tasks"]
    assert max(burst["designs"]["D"]["series"]["capacity"]) >= 1 and burst["designs"]["D"]["series"]["capacity"][-1] == 0


def test_a_synchronous_front_end_with_no_queue_drops_most_of_the_burst(burst):
    b = burst["designs"]["B"]["summary"]
    assert b["failed"] > b["completed"]
    assert "no free target" in " ".join(b["failure_reasons"])


def test_provisioned_concurrency_is_billed_through_weeks_of_idle(burst):
    a, d = burst["designs"]["A"]["summary"], burst["designs"]["D"]["summary"]
    assert a["cost_usd"]["parts"]["provisioned concurrency (billed all the time)"] > 10 * d["cost_usd"]["total"]


def test_option_a_says_it_was_simulated_in_a_buildable_form(burst):
    assert "NLB cannot target Lambda" in burst["designs"]["A"]["as_built"]


def test_c_loads_a_copy_of_the_model_per_environment(burst):
    assert "loaded its own copy of the model" in burst["designs"]["C"]["explanation"]


def test_findings_report_where_d_does_not_win(burst):
    text = " ".join(burst["findings"])
    assert "D's first request waited longer" in text
    assert "CloudWatch metrics" in text


def test_series_share_one_time_axis_sized_for_charts(burst):
    points = len(burst["time"])
    assert 50 <= points <= 400
    for d in burst["designs"].values():
        for values in d["series"].values():
            assert len(values) == points
    assert burst["time"] == sorted(burst["time"])


def test_cost_grows_with_requests_not_idle_days():
    small = run("custom", {"burst_requests": 100})["designs"]["D"]["summary"]["cost_usd"]["total"]
    big = run("custom", {"burst_requests": 2000})["designs"]["D"]["summary"]["cost_usd"]["total"]
    assert big > small


@pytest.mark.parametrize("overrides, field, message", [
    ({"colour": 1}, "colour", "unknown parameter"),
    ({"max_tasks": "many"}, "max_tasks", "must be a number"),
    ({"max_tasks": 0}, "max_tasks", "between 1 and 1000"),
    ({"burst_requests": 100_000, "peak_requests": 50_000, "days": 30, "idle_days": 0}, "scenario", "at most 200,000"),
    ({"idle_days": 9, "days": 8}, "idle_days", "less than days"),
    ({"burst_requests": 90_000, "batch_fraction": 1, "batch_items_max": 1000}, "scenario", "at most 2,000,000 can be"),
])
def test_bad_overrides_are_refused_with_the_field_and_the_rule(overrides, field, message):
    with pytest.raises(SimulationInputError) as info:
        validate_overrides("custom", overrides)
    assert message in info.value.errors[field]


def test_unknown_scenario_is_refused():
    with pytest.raises(SimulationInputError, match="choose one of idle-then-burst"):
        run("nope")


def test_every_parameter_has_a_unit_and_a_source():
    for p in parameter_table():
        assert p["unit"] and p["source"]
        assert p["assumption"] or "https://" in p["source"] or p["source"].startswith("question")


def test_scenarios_are_listed():
    names = {s["name"] for s in list_scenarios()}
    assert {"idle-then-burst", "steady-trickle", "daily-peaks", "custom"} <= names


def test_cli_prints_a_comparison_and_json():
    out = subprocess.run([sys.executable, "-m", "reference_impl.simulate", "--scenario", "steady-trickle"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "completed" in out.stdout and "D. SQS in front of ECS" in out.stdout
    out = subprocess.run([sys.executable, "-m", "reference_impl.simulate", "--scenario", "daily-peaks", "--json"],
                         capture_output=True, text=True)
    data = json.loads(out.stdout)
    assert set(data["designs"]) == {"A", "B", "C", "D"}
    out = subprocess.run([sys.executable, "-m", "reference_impl.simulate", "--list"], capture_output=True, text=True)
    assert "idle-then-burst" in out.stdout and "model_size_gb" in out.stdout
    out = subprocess.run([sys.executable, "-m", "reference_impl.simulate", "--set", "max_tasks=0"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "max_tasks: must be between" in out.stderr
