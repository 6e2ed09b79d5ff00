"""The simulator's invariants, for random traffic and settings (hypothesis), and its entry points."""
import json
import math
import subprocess
import sys
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_impl.simulate import run
from reference_impl.simulate.deployed_d import DIVISORS, simulate_d_deployed
from reference_impl.simulate.designs import simulate_a, simulate_b, simulate_c, simulate_d
from reference_impl.simulate.params import Params
from reference_impl.simulate.report import summarize
from reference_impl.simulate.runs import lambda_vcpu
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
    "d_min_tasks": st.integers(0, 3),
    "service_time_s": st.floats(0.01, 2),
    "acceptable_latency_s": st.floats(1, 600),
    "b_min_tasks": st.integers(0, 3),
    "a_provisioned_concurrency": st.integers(0, 5),
    "lambda_max_concurrency": st.integers(1, 200),
    "d_scaler_period_s": st.sampled_from([10, 45, 60]),
    "lambda_timeout_s": st.sampled_from([10, 60, 900]),
    "d_scale_in_max_step": st.integers(1, 5),
    "d_idle_before_zero_s": st.sampled_from([0, 120, 300]),
    "scale_in_cooldown_s": st.sampled_from([0, 60, 300]),
})


def _params(mp):
    return replace(Params(), **{**mp, "d_min_tasks": min(mp["d_min_tasks"], mp["max_tasks"])})


def _running_levels(capacity, until):
    """(time, units running just after it) at every start or stop up to `until`."""
    events = sorted([(a, 1) for a, b in capacity] + [(b, -1) for a, b in capacity])
    level, out = 0, []
    for i, (t, step) in enumerate(events):
        level += step
        if t < until and (i + 1 == len(events) or events[i + 1][0] != t):  # after all changes at t
            out.append((t, level))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sp=scenario_params, mp=model_params)
def test_simulations_keep_their_invariants(sp, mp):
    traffic = generate(sp)
    p = _params(mp)
    for name, simulate in SIMULATORS.items():
        r = simulate(traffic, p)
        n = traffic.requests
        # Every request ends exactly once: one start, one end, completed or failed, never both.
        assert len(r.start) == len(r.end) == len(r.failed) == n, name
        summary = summarize(r, traffic)
        assert summary["completed"] + summary["failed"] == n
        assert set(r.fail_reason) == {i for i, f in enumerate(r.failed) if f}, name  # each failure says why
        if name == "D":
            assert not any(r.failed)  # the queue holds what the tasks cannot serve yet; no timeout on ECS
        if name == "C":
            assert all("timed out" in r.fail_reason[i] for i in r.fail_reason)  # C fails only past its timeout
        for a, s, e, f, items in zip(traffic.arrivals, r.start, r.end, r.failed, traffic.items):
            assert a - 1e-9 <= s <= e and math.isfinite(e), name
            if not f:
                # No latency below the service time on the compute the design has.
                vcpu = lambda_vcpu(p.lambda_memory_gb) if name in "AC" else p.task_vcpu
                assert e - a >= items * p.service_time_s / vcpu - 1e-9, name
        # Capacity stays within its bounds while the period lasts.
        if name in "BD":
            lo = int(p.d_min_tasks if name == "D" else p.b_min_tasks)
            hi = max(int(p.max_tasks), lo)
            for t, level in _running_levels(r.capacity, traffic.horizon_s):
                assert level <= hi, (name, t, level)
                assert level >= lo or t < (traffic.arrivals[0] if n else 0), (name, t, level)
            assert sum(1 for a, b in r.capacity if a <= 0 < b) >= lo, name  # the minimum runs from the start
        else:
            limit = max(int(p.lambda_max_concurrency), int(p.a_provisioned_concurrency) if name == "A" else 0)
            assert all(level <= limit for _, level in _running_levels(r.capacity, math.inf)), name


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sp=scenario_params.map(lambda d: {**d, "days": min(d["days"], 0.5)}), mp=model_params,
       source=st.sampled_from(["direct", "cloudwatch"]))
def test_skipping_quiet_polls_changes_nothing(sp, mp, source):
    # D jumps over polls at which nothing can happen; polling every period must give the same run.
    traffic = generate(sp)
    p = _params(mp)
    fast = simulate_d(traffic, p, source)
    slow = simulate_d(traffic, p, source, skip_quiet=False)
    assert (fast.start, fast.end, sorted(fast.capacity)) == (slow.start, slow.end, sorted(slow.capacity))
    assert fast.cost_parts == slow.cost_parts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sp=scenario_params.map(lambda d: {**d, "days": min(d["days"], 0.5)}), mp=model_params,
       divisor=st.sampled_from(DIVISORS), delay=st.sampled_from([60, 180]), in_points=st.sampled_from([1, 15]),
       task_start_s=st.sampled_from([0, 30, 600]))
def test_the_deployed_ds_jump_over_quiet_polls_changes_nothing(sp, mp, divisor, delay, in_points, task_start_s):
    # The deployed D jumps over polls that only record a quiet datapoint; stepping through each
    # must give the same run, to the last figure.
    traffic = generate(sp)
    p = replace(_params(mp), cw_metric_delay_s=delay, tt_scale_in_datapoints=in_points, task_start_s=task_start_s)
    fast = simulate_d_deployed(traffic, p, divisor)
    slow = simulate_d_deployed(traffic, p, divisor, skip_quiet=False)
    assert fast == slow


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_the_same_seed_gives_the_same_result(seed):
    overrides = {"seed": seed, "burst_requests": 300, "idle_days": 2, "days": 2.1}
    assert run("custom", overrides) == run("custom", overrides)


def test_different_seeds_give_different_traffic():
    a = run("custom", {"seed": 1, "burst_requests": 300})["designs"]["D"]["summary"]
    b = run("custom", {"seed": 2, "burst_requests": 300})["designs"]["D"]["summary"]
    assert (a["items"], a["latency_s"]) != (b["items"], b["latency_s"])


def test_cli_prints_a_comparison_and_json():
    out = subprocess.run([sys.executable, "-m", "reference_impl.simulate", "--scenario", "steady-trickle"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "completed" in out.stdout and "D. SQS in front of ECS" in out.stdout
    assert "capacity over time" in out.stdout and "peak 1 tasks" in out.stdout
    out = subprocess.run([sys.executable, "-m", "reference_impl.simulate", "--scenario", "daily-peaks", "--json"],
                         capture_output=True, text=True)
    data = json.loads(out.stdout)
    assert set(data["designs"]) == {"A", "B", "C", "D"}
    out = subprocess.run([sys.executable, "-m", "reference_impl.simulate", "--list"], capture_output=True, text=True)
    assert "idle-then-burst" in out.stdout and "model_size_gb" in out.stdout
    out = subprocess.run([sys.executable, "-m", "reference_impl.simulate", "--set", "max_tasks=0"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "max_tasks: must be between" in out.stderr
    out = subprocess.run([sys.executable, "-m", "reference_impl.simulate", "--set", "max_tasks"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "--set needs name=number" in out.stderr
