import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference_impl.aws_facts import FACTS
from reference_impl.scaling import (
    TARGET_TRACKING_SCALE_OUT_COOLDOWN_S, QueueSample, ScalerState, ScalingPolicy, decide, decide_state,
    target_tracking_config, tasks_for_backlog,
)

POLICY = ScalingPolicy(acceptable_latency_s=10, seconds_per_message=0.1, min_tasks=0, max_tasks=20,
                       scale_in_cooldown_s=60, idle_before_zero_s=120)


def test_awss_documented_worked_example():
    # EC2 Auto Scaling User Guide, "Scaling policy based on Amazon SQS": 1500 messages,
    # 10 instances, 0.1 s per message, 10 s acceptable latency -> target 100, backlog per
    # instance 150, so 15 instances.
    decision = decide(POLICY, QueueSample(visible=1500, in_flight=0, running=10), ScalerState(desired=10), 0)
    assert POLICY.target_backlog_per_task == 100
    assert decision.backlog_per_task == 150
    assert (decision.action, decision.desired) == ("scale_out", 15)


def test_a_single_message_at_zero_tasks_starts_one():
    decision = decide(POLICY, QueueSample(visible=1, in_flight=0, running=0), ScalerState(), 0)
    assert (decision.action, decision.desired) == ("scale_out", 1)
    assert "scale from zero" in decision.reason


def test_in_flight_messages_count_as_backlog():
    # 300 in flight, nothing visible: scaling on visible messages alone would remove the
    # three tasks doing the work.
    state = ScalerState(desired=3, last_scale_out_s=0)
    decision = decide(POLICY, QueueSample(visible=0, in_flight=300, running=3), state, 1000)
    assert decision.desired == 3 and decision.action == "hold"


def test_scale_in_never_drops_below_what_in_flight_work_needs():
    policy = ScalingPolicy(acceptable_latency_s=1000, seconds_per_message=1, max_tasks=10,
                           scale_in_cooldown_s=0, scale_in_max_step=10)
    # Target 1000 per task says one task; 25 messages in flight on up to 10 per task need 3.
    decision = decide(policy, QueueSample(visible=0, in_flight=25, running=5), ScalerState(desired=5), 100)
    assert (decision.action, decision.desired) == ("scale_in", 3)


def test_scale_out_is_immediate_and_capped_at_max():
    decision = decide(POLICY, QueueSample(visible=100_000, in_flight=0, running=2), ScalerState(desired=2), 5)
    assert (decision.action, decision.desired) == ("scale_out", 20)
    assert "capped at max 20" in decision.reason


def test_scale_in_waits_for_the_cooldown_then_steps_down_gradually():
    state = ScalerState(desired=10, last_scale_out_s=0, last_busy_s=0)
    sample = QueueSample(visible=100, in_flight=0, running=10)
    held = decide(POLICY, sample, state, 30)
    assert held.action == "hold" and "scale-in cooldown" in held.reason
    stepped = decide(POLICY, sample, held.state, 61)
    assert (stepped.action, stepped.desired) == ("scale_in", 9)
    again = decide(POLICY, sample, stepped.state, 62)
    assert again.action == "hold"


def test_sparse_messages_do_not_flap_between_zero_and_one():
    state = ScalerState()
    desired = []
    # One message every 60 s, each processed before the next poll; idle_before_zero_s is 120.
    for t in range(0, 600, 10):
        sample = QueueSample(visible=1 if t % 60 == 0 else 0, in_flight=0, running=state.desired)
        decision = decide(POLICY, sample, state, t)
        state = decision.state
        desired.append(decision.desired)
    assert desired[0] == 1 and 0 not in desired


def test_a_fast_worker_between_polls_keeps_its_task_when_the_scaler_is_told():
    # One message a minute, each taken and finished between two polls: every poll sees an empty
    # queue. Told what was taken since the last poll, the scaler keeps its one task.
    def run(told):
        state, desired = ScalerState(desired=1, last_scale_out_s=0, last_busy_s=0), []
        for t in range(60, 1200, 60):
            sample = QueueSample(visible=0, in_flight=0, running=state.desired, received_since_last=1 if told else 0)
            state = decide(POLICY, sample, state, t).state
            desired.append(state.desired)
        return desired

    assert run(told=True) == [1] * 19
    assert 0 in run(told=False)  # polls alone see an idle queue: the task goes after idle_before_zero_s


def test_what_was_taken_is_the_reason_to_stay():
    state = ScalerState(desired=1, last_scale_out_s=0, last_busy_s=0)
    decision = decide(POLICY, QueueSample(0, 0, 1, received_since_last=4), state, 500)
    assert decision.desired == 1 and "4 message(s) taken since the last poll" in decision.reason
    assert decision.state.last_busy_s == 500


def test_after_a_long_idle_it_scales_to_zero():
    state = ScalerState(desired=1, last_scale_out_s=0, last_busy_s=0)
    decision = decide(POLICY, QueueSample(0, 0, 1), state, 121)
    assert (decision.action, decision.desired) == ("scale_in", 0)


def test_min_tasks_is_respected():
    policy = ScalingPolicy(10, 0.1, min_tasks=2, max_tasks=5, scale_in_cooldown_s=0, idle_before_zero_s=0)
    decision = decide(policy, QueueSample(0, 0, 2), ScalerState(desired=2), 1000)
    assert decision.desired == 2


@pytest.mark.parametrize("kwargs, message", [
    ({"acceptable_latency_s": 0, "seconds_per_message": 1}, "acceptable_latency_s must be > 0"),
    ({"acceptable_latency_s": 1, "seconds_per_message": -1}, "seconds_per_message must be > 0"),
    ({"acceptable_latency_s": float("inf"), "seconds_per_message": 1}, "acceptable_latency_s must be > 0 and finite"),
    ({"acceptable_latency_s": 1, "seconds_per_message": float("nan")}, "seconds_per_message must be > 0 and finite"),
    ({"acceptable_latency_s": 1, "seconds_per_message": 1, "min_tasks": 5, "max_tasks": 2}, "max_tasks must be"),
])
def test_bad_policies_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ScalingPolicy(**kwargs)


@given(
    visible=st.integers(0, 50_000), in_flight=st.integers(0, 5_000), running=st.integers(0, 30),
    desired=st.integers(0, 20), now=st.floats(0, 1e6),
    last_out=st.one_of(st.none(), st.floats(0, 1e6)), last_busy=st.one_of(st.none(), st.floats(0, 1e6)),
)
def test_desired_always_stays_within_min_and_max(visible, in_flight, running, desired, now, last_out, last_busy):
    policy = ScalingPolicy(10, 0.1, min_tasks=1, max_tasks=20)
    state = ScalerState(desired=max(1, desired), last_scale_out_s=last_out, last_busy_s=last_busy)
    decision = decide(policy, QueueSample(visible, in_flight, running), state, now)
    assert 1 <= decision.desired <= 20
    if visible > 0:
        assert decision.desired >= 1
    assert decision.state.desired == decision.desired


@given(
    visible=st.integers(0, 5_000), in_flight=st.integers(0, 500), running=st.integers(0, 30),
    desired=st.integers(0, 30), now=st.floats(0, 1e5), step=st.integers(1, 30),
    last_in=st.one_of(st.none(), st.floats(0, 1e5)), last_busy=st.one_of(st.none(), st.floats(0, 1e5)),
)
def test_scale_in_never_goes_below_the_work_in_flight(visible, in_flight, running, desired, now, step, last_in, last_busy):
    policy = ScalingPolicy(10, 0.1, min_tasks=0, max_tasks=30, scale_in_cooldown_s=0, scale_in_max_step=step)
    state = ScalerState(desired=desired, last_scale_in_s=last_in, last_busy_s=last_busy)
    decision = decide(policy, QueueSample(visible, in_flight, running), state, now)
    needed = min(running, 30, -(-in_flight // 10))  # each task holds at most 10 messages in flight
    assert decision.desired >= min(desired, needed)
    if decision.action == "scale_in" and visible + in_flight > 0:
        assert desired - step <= decision.desired < desired  # gradual while work remains
    if visible > 0:
        assert decision.desired >= 1  # scale from zero on any visible message
    wanted = max(min(30, -(-(visible + in_flight) // 100)), needed)
    if wanted > desired:
        assert decision.desired == wanted  # scale-out is immediate, to the full need


def test_once_idle_for_the_idle_period_every_idle_task_goes_at_once():
    policy = ScalingPolicy(10, 0.1, max_tasks=20, scale_in_cooldown_s=60, idle_before_zero_s=300, scale_in_max_step=1)
    state = ScalerState(desired=20, last_scale_out_s=0, last_busy_s=1000)
    empty = QueueSample(0, 0, 20)
    waiting = decide(policy, empty, state, 1299)
    assert (waiting.action, waiting.desired) == ("hold", 20) and "idle 299 s of 300 s" in waiting.reason
    gone = decide(policy, empty, waiting.state, 1300)
    assert (gone.action, gone.desired) == ("scale_in", 0) and "every idle task goes" in gone.reason


def test_the_gradual_step_applies_only_while_there_is_backlog():
    policy = ScalingPolicy(10, 0.1, max_tasks=20, scale_in_cooldown_s=60, idle_before_zero_s=300, scale_in_max_step=1)
    state = ScalerState(desired=20, last_scale_out_s=0, last_busy_s=0)
    decision = decide(policy, QueueSample(150, 0, 20), state, 100)  # wants 2: one step of 1
    assert (decision.action, decision.desired) == ("scale_in", 19) and "gradually while work remains" in decision.reason


@given(
    desired=st.integers(0, 30), min_tasks=st.integers(0, 5), idle=st.integers(0, 10**5), period=st.integers(0, 10**4),
    step=st.integers(1, 30), cooldown=st.integers(0, 10**4), since_change=st.integers(0, 10**5),
)
def test_an_empty_queue_keeps_every_task_until_the_idle_period_then_keeps_only_the_minimum(
        desired, min_tasks, idle, period, step, cooldown, since_change):
    policy = ScalingPolicy(10, 0.1, min_tasks=min_tasks, max_tasks=30, scale_in_cooldown_s=cooldown,
                           idle_before_zero_s=period, scale_in_max_step=step)
    now = 200_000  # whole seconds: the rule compares differences of these exactly
    desired = max(desired, min_tasks)
    state = ScalerState(desired=desired, last_scale_out_s=now - since_change, last_busy_s=now - idle)
    decision = decide(policy, QueueSample(0, 0, desired), state, now)
    if idle < period or since_change < cooldown:
        assert decision.desired == desired  # nothing goes before the idle period (and the cooldown) ends
    else:
        assert decision.desired == min_tasks  # then all idle tasks go, whatever the step


def test_template_parameters_come_from_the_same_policy():
    config = target_tracking_config(POLICY)
    assert config["TargetBacklogPerTask"] == 100 and config["MaxTasks"] == 20 and config["MinTasks"] == 0
    # The deployed target tracking's scale-out cooldown outlasts its metric's lag (decide needs none).
    assert config["ScaleInCooldownSeconds"] == 60 and POLICY.scale_out_cooldown_s == 0
    assert config["ScaleOutCooldownSeconds"] == TARGET_TRACKING_SCALE_OUT_COOLDOWN_S == 120
    assert tasks_for_backlog(POLICY, 1500) == 15


def test_the_default_scale_in_cooldown_is_awss_documented_ecs_default():
    policy = ScalingPolicy(10, 0.1)
    assert policy.scale_in_cooldown_s == FACTS["ecs_default_cooldown_s"].value == 300
    assert "target-tracking-scaling-policy-overview" in FACTS["ecs_default_cooldown_s"].source


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "reference_impl.scaling", *args], capture_output=True, text=True)


def test_the_calculator_explains_its_decision():
    out = run_cli("--visible", "1500", "--in-flight", "0", "--running", "10",
                  "--acceptable-latency", "10", "--seconds-per-message", "0.1")
    assert out.returncode == 0
    assert "= 100 messages" in out.stdout and "scale_out to 15 task(s)" in out.stdout


def test_the_calculator_speaks_json():
    out = run_cli("--visible", "1", "--running", "0", "--acceptable-latency", "10",
                  "--seconds-per-message", "0.1", "--json")
    data = json.loads(out.stdout)
    assert data["desired"] == 1 and data["action"] == "scale_out" and data["target_backlog_per_task"] == 100


def test_the_calculator_takes_what_workers_took_since_the_last_poll():
    out = run_cli("--visible", "0", "--running", "1", "--received-since-last", "3", "--acceptable-latency", "10",
                  "--seconds-per-message", "0.1", "--json")
    data = json.loads(out.stdout)
    assert (data["action"], data["desired"]) == ("hold", 1) and "taken since the last poll" in data["reason"]


def test_the_calculator_refuses_bad_input_clearly():
    out = run_cli("--visible", "-3", "--running", "0", "--acceptable-latency", "10", "--seconds-per-message", "0.1")
    assert out.returncode == 2 and "--visible must be >= 0" in out.stderr
    out = run_cli("--visible", "3", "--running", "0", "--acceptable-latency", "0", "--seconds-per-message", "0.1")
    assert out.returncode == 2 and "acceptable_latency_s must be > 0" in out.stderr


@given(
    visible=st.integers(0, 5_000), in_flight=st.integers(0, 500), running=st.integers(0, 30),
    received=st.integers(0, 5), desired=st.integers(0, 30), now=st.floats(0, 1e5),
    min_tasks=st.integers(0, 3), step=st.integers(1, 5), out_cooldown=st.sampled_from([0, 60]),
    last_out=st.one_of(st.none(), st.floats(0, 1e5)), last_in=st.one_of(st.none(), st.floats(0, 1e5)),
    last_busy=st.one_of(st.none(), st.floats(0, 1e5)),
)
def test_the_simulators_wordless_decision_is_decides(visible, in_flight, running, received, desired, now, min_tasks,
                                                     step, out_cooldown, last_out, last_in, last_busy):
    # The simulator's KEDA-style D polls through decide_state (no reason built); the local runtime
    # shows decide's reason. Both must make the same decision.
    policy = ScalingPolicy(10, 0.1, min_tasks=min_tasks, max_tasks=30, scale_out_cooldown_s=out_cooldown,
                           scale_in_cooldown_s=60, scale_in_max_step=step, idle_before_zero_s=120)
    state = ScalerState(desired, last_out, last_in, last_busy)
    decision = decide(policy, QueueSample(visible, in_flight, running, received), state, now)
    assert decide_state(policy, visible, in_flight, running, received, state, now) == decision.state
    assert decision.reason  # decide still says why
