"""The parameter table, the AWS facts behind it, scenarios on offer, and refusing bad overrides."""
import pytest

from reference_impl import aws_facts
from reference_impl.simulate import CLOUDWATCH_VARIANT, SimulationInputError, list_scenarios, parameter_table, run, validate_overrides
from reference_impl.simulate.params import PARAMS


def test_every_aws_fact_has_a_unit_and_a_link():
    for fact in aws_facts.table():
        assert fact["unit"] and fact["description"], fact["name"]
        assert fact["source"].startswith("https://"), fact["name"]


def test_the_simulators_aws_numbers_are_the_facts_table():
    # One source: a parameter named after (or standing for) an AWS fact carries its value and link.
    pairs = {"s3_stream_mb_s": "s3_stream_mb_s", "task_start_s": "fargate_task_start_s",
             "scale_in_cooldown_s": "ecs_default_cooldown_s", "sqs_wake_delay_s": "sqs_wake_delay_s",
             "lambda_init_limit_s": "lambda_init_limit_s", "sqs_ramp_per_min": "lambda_sqs_ramp_per_min",
             "fargate_vcpu_hour_usd": "fargate_vcpu_hour_usd", "sync_timeout_s": "alb_idle_timeout_s",
             "lambda_max_concurrency": "lambda_account_concurrency", "c_idle_pollers": "lambda_sqs_min_pollers"}
    for param, fact in pairs.items():
        assert (PARAMS[param].value, PARAMS[param].source) == (aws_facts.value(fact), aws_facts.FACTS[fact].source)


def test_every_parameter_has_a_unit_a_source_and_bounds():
    for p in parameter_table():
        assert p["unit"] and p["source"] and p["description"], p["name"]
        assert p["assumption"] or "https://" in p["source"] or p["source"].startswith("question"), p["name"]
        assert p["minimum"] <= p["value"] <= p["maximum"], p["name"]


def test_scenarios_are_listed():
    names = {s["name"] for s in list_scenarios()}
    assert {"idle-then-burst", "steady-trickle", "daily-peaks", "custom"} <= names


@pytest.mark.parametrize("overrides, field, message", [
    ({"colour": 1}, "colour", "unknown parameter"),
    ({"max_tasks": "many"}, "max_tasks", "must be a number"),
    ({"max_tasks": 0}, "max_tasks", "between 1 and 1000"),
    ({"max_tasks": 2.5}, "max_tasks", "must be a whole number"),
    ({"burst_requests": 10.5}, "burst_requests", "must be a whole number"),
    ({"service_time_s": float("nan")}, "service_time_s", "must be a number"),
    ({"d_min_tasks": 5, "max_tasks": 3}, "d_min_tasks", "at most max_tasks (3)"),
    ({"burst_requests": 100_000, "peak_requests": 50_000, "days": 30, "idle_days": 0}, "scenario", "at most 200,000"),
    ({"idle_days": 9, "days": 8}, "idle_days", "less than days"),
    ({"burst_requests": 90_000, "batch_fraction": 1, "batch_items_max": 1000}, "scenario", "at most 2,000,000 can be"),
])
def test_bad_overrides_are_refused_with_the_field_and_the_rule(overrides, field, message):
    with pytest.raises(SimulationInputError) as info:
        validate_overrides("custom", overrides)
    assert message in info.value.errors[field]
    assert isinstance(info.value, ValueError)


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(SimulationInputError) as info:
        validate_overrides("custom", {"max_tasks": 0, "nonsense": 1, "seed": -1})
    assert set(info.value.errors) == {"max_tasks", "nonsense", "seed"}


def test_unknown_scenario_is_refused():
    with pytest.raises(SimulationInputError, match="choose one of idle-then-burst"):
        run("nope")


def test_overrides_reach_the_model():
    result = run("custom", {"max_tasks": 3, "burst_requests": 2000})
    assert result["parameters"]["max_tasks"] == 3 and result["scenario"]["parameters"]["burst_requests"] == 2000
    assert result["designs"]["D"]["summary"]["peak_capacity"] == 3


@pytest.mark.parametrize("overrides, field", [
    # Hours of simulated work per input on one task: minutes of computing, then a crash, before.
    ({"burst_requests": 100_000, "service_time_s": 600, "max_tasks": 1, "d_scaler_period_s": 10}, "service_time_s"),
    ({"burst_requests": 100_000, "service_time_s": 10, "max_tasks": 1, "d_scaler_period_s": 1}, "service_time_s"),
    ({"b_min_tasks": 5, "max_tasks": 2}, "b_min_tasks"),
    # The CloudWatch variant restarted its wake-up delay at every poll, and the run never ended.
    ({"sqs_inactive_after_s": 0}, "sqs_inactive_after_s"),
    ({"sqs_inactive_after_s": 100, "d_scaler_period_s": 60}, "sqs_inactive_after_s"),
])
def test_runs_too_long_to_simulate_or_past_the_cap_are_refused_by_field(overrides, field):
    with pytest.raises(SimulationInputError) as refused:
        validate_overrides("custom", overrides)
    assert field in refused.value.errors


def test_capacity_that_lives_to_the_end_is_running_in_the_last_frame():
    # A's provisioned environments and B's minimum task are billed to the end; the player's last
    # frame (what reduced-motion users see first) must not show them gone.
    designs = run("idle-then-burst")["designs"]
    assert designs["A"]["series"]["capacity"][-1] == PARAMS["a_provisioned_concurrency"].value
    assert designs["B"]["series"]["capacity"][-1] >= PARAMS["b_min_tasks"].value


def test_facts_are_read_one_way():
    # aws_facts.value("name") for a number; FACTS["name"] only where the whole record (source,
    # unit) is wanted. Reading `.value` off the record is the second way the table forbids.
    import re
    from pathlib import Path

    root = Path(aws_facts.__file__).parent
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if re.search(r"FACTS\[[^\]]+\]\.value", path.read_text())]
    assert offenders == ["aws_facts.py"]  # value() itself


def test_observed_behaviour_is_labelled_as_observed():
    observed = {f["name"] for f in aws_facts.table() if f["observed"]}
    assert observed == {"tt_scale_out_datapoints", "tt_scale_in_datapoints"}
    by_name = {p["name"]: p for p in parameter_table()}
    assert by_name["cw_alarm_datapoints"]["source"].startswith("observed")


def test_parameters_are_one_typed_frozen_record_whose_table_is_its_fields():
    import dataclasses

    from reference_impl.simulate.params import Params, check

    p = Params()
    assert [f.name for f in dataclasses.fields(Params)] == list(PARAMS)
    assert all(getattr(p, name) == param.value for name, param in PARAMS.items())
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.max_tasks = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        Params(max_taks=3)  # type: ignore[call-arg]  # a misspelt name is an error, not a silent new key
    # One place says what is wrong and what is allowed: the messages the explorer's 4xx shows.
    assert check("max_tasks", 2.5) == "must be a whole number (between 1 and 1000)"
    assert check("max_tasks", 0) == "must be between 1 and 1000"
    assert check("max_tasks", "ten") == check("max_tasks", True) == "must be a number"
    assert check("max_tasks", 30) == ""


@pytest.mark.parametrize("scenario", ["idle-then-burst", "custom"])
def test_the_shortest_inactivity_allowed_still_ends_and_the_cloudwatch_variant_serves_every_request(scenario):
    # The smallest inactivity limit validation allows, with the longest wake-up delay and no task
    # kept: a run that never ended at one period now ends, each request served.
    overrides = {"sqs_inactive_after_s": 120, "d_scaler_period_s": 60, "sqs_wake_delay_s": 3600, "d_min_tasks": 0}
    validate_overrides(scenario, overrides)
    summary = run(scenario, overrides)["variants"][CLOUDWATCH_VARIANT]["summary"]
    assert summary["completed"] == summary["requests"] > 0
