"""The simulated D is the deployed D: its controller's numbers are read from template.yaml and the
deployer, and the model behaves as the deployed hybrid does (waker from zero, target tracking after)."""
import re
from dataclasses import replace

import pytest

from reference_impl.deploy.template import parsed_template
from reference_impl.scaling import TARGET_TRACKING_SCALE_OUT_COOLDOWN_S, ScalingPolicy, target_tracking_config
from reference_impl.simulate import RUNNING_VARIANT, VARIANTS, _simulate, run
from reference_impl.simulate.deployed_d import DIVISOR_METRIC, WAKER_PERIOD_S, deployed_policy
from reference_impl.simulate.params import defaults

from .deploy_support import NOW, lab_config

RESOURCES = parsed_template()["Resources"]


def test_the_simulated_controller_takes_its_numbers_from_the_template():
    rate = re.fullmatch(r"rate\((\d+) minutes?\)", RESOURCES["ScalerSchedule"]["Properties"]["ScheduleExpression"])
    assert rate and int(rate[1]) * 60 == WAKER_PERIOD_S == defaults().d_scaler_period_s
    spec = RESOURCES["BacklogPerTaskPolicy"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    metrics = {m["Id"]: m for m in spec["CustomizedMetricSpecification"]["Metrics"]}
    assert metrics["m2"]["MetricStat"]["Metric"]["MetricName"] == DIVISOR_METRIC
    # The model's backlog is visible + in flight, divided by the divisor: the template's expression.
    assert metrics["e1"]["Expression"] == "(m1 + m3) / m2"
    assert {metrics["m1"]["MetricStat"]["Metric"]["MetricName"], metrics["m3"]["MetricStat"]["Metric"]["MetricName"]} == {
        "ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible"}
    # The waker acts only at desired 0, the simulator's waker too.
    code = RESOURCES["ScalerFunction"]["Properties"]["Code"]["ZipFile"]
    assert "elif desired > 0 or visible == 0:" in code and "max(1, math.ceil(backlog / target))" in code


@pytest.mark.parametrize("max_tasks", [5, 20])
def test_the_deployer_and_the_simulator_build_the_same_policy(max_tasks):
    # What the deployer puts in the stack's parameters is what the simulated D runs with.
    p = replace(defaults(), max_tasks=max_tasks)
    simulated = deployed_policy(p, seconds_per_message=0.1)
    deployer = ScalingPolicy(acceptable_latency_s=p.acceptable_latency_s, seconds_per_message=0.1, max_tasks=max_tasks)
    config = lab_config(policy=deployer)
    params = config.stack_parameters(config.expires_at(NOW), "vpc-0123abcd", ("subnet-0123abcd",))
    expected = target_tracking_config(simulated)
    assert float(params["TargetBacklogPerTask"]) == expected["TargetBacklogPerTask"]
    assert int(params["MaxTasks"]) == expected["MaxTasks"] and int(params["MinTasks"]) == expected["MinTasks"]
    assert int(params["ScaleInCooldownSeconds"]) == expected["ScaleInCooldownSeconds"] == p.scale_in_cooldown_s
    assert int(params["ScaleOutCooldownSeconds"]) == TARGET_TRACKING_SCALE_OUT_COOLDOWN_S
    # The cooldown outlasts the metric's lag: a datapoint from before a scale-out is not applied again.
    assert TARGET_TRACKING_SCALE_OUT_COOLDOWN_S >= p.cw_metric_delay_s + 60


@pytest.mark.parametrize("scenario", ["idle-then-burst", "sustained", "steady-trickle", "daily-peaks"])
def test_no_overshoot_while_tasks_start(scenario):
    _, _, _, runs, variants = _simulate(scenario, {}, VARIANTS[:2])
    d = runs["D"].facts
    # Never more tasks than the backlog's own arithmetic asked for at some poll (capped).
    assert d["peak_desired"] <= min(d["max_tasks"], max(1, d["peak_wanted"]))
    if scenario == "sustained":
        # Divided by running tasks, the same policy multiplies its capacity while tasks start.
        assert variants[RUNNING_VARIANT].facts["peak_desired"] > 2 * d["peak_desired"]


def test_from_zero_only_the_waker_acts_and_target_tracking_takes_over():
    result = run("idle-then-burst")
    acts = result["designs"]["D"]["explanation"]
    assert "waker function reads the queue every minute" in acts
    facts = _simulate("idle-then-burst", {}, ())[3]["D"].facts
    assert facts["controller_actions"]["waker"] == facts["starts_from_zero"] == 1
    assert facts["controller_actions"]["target tracking out"] >= 1  # the burst outgrew the first tasks
    # Back to zero only after target tracking's 15 datapoints below target.
    assert facts["idle_before_zero_s"] >= 15 * 60


def test_the_keda_style_controller_is_a_labelled_variant():
    result = run("steady-trickle")
    (name,) = [n for n in result["variants"] if n.startswith("D, KEDA-style")]
    assert "reference_impl.scaling.decide" in result["variants"][name]["explanation"]
    # On a trickle it keeps its one task; the deployed hybrid scales to zero between requests
    # whenever a datapoint reads an empty queue, and its p95 shows it.
    keda = result["variants"][name]["summary"]
    assert keda["peak_capacity"] == 1 and keda["latency_s"]["p95"] < 1
    assert result["designs"]["D"]["summary"]["latency_s"]["p95"] > 10


def test_findings_do_not_blame_a_cap_target_tracking_never_reached():
    result = run("idle-then-burst")
    facts = _simulate("idle-then-burst", {}, ())[3]["D"].facts
    assert facts["peak_desired"] < facts["max_tasks"] < facts["peak_wanted"]
    assert not any("hit its cap" in f for f in result["findings"])
    assert any("target tracking steps up only after 3 one-minute datapoints" in f for f in result["findings"])


def test_deployed_d_pays_for_the_container_insights_the_template_enables():
    # The template turns Container Insights on (its DesiredTaskCount is the policy's divisor), so the
    # simulated D's cost carries its custom metrics, counted as the lab's cost estimate counts them.
    from reference_impl import aws_facts
    from reference_impl.deploy import prices
    from reference_impl.simulate.deployed_d import ALARM_METRICS, CONTAINER_INSIGHTS_METRICS

    settings = {s["Name"]: s["Value"] for s in RESOURCES["Cluster"]["Properties"]["ClusterSettings"]}
    assert settings["containerInsights"] == "enabled"
    assert CONTAINER_INSIGHTS_METRICS == prices.value("container_insights_metrics")
    assert ALARM_METRICS == prices.value("alarm_metrics")
    result = run("steady-trickle")
    parts = result["designs"]["D"]["summary"]["cost_usd"]["parts"]
    insights = next(v for k, v in parts.items() if k.startswith("Container Insights"))
    days = result["scenario"]["days"]
    expected = CONTAINER_INSIGHTS_METRICS * aws_facts.value("custom_metric_month_usd") * days * 24 / aws_facts.value(
        "hours_per_month")
    assert insights == pytest.approx(expected, rel=0.01)
