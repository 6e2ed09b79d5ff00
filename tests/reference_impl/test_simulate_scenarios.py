"""What the scenarios show, design by design, and the findings where D does not simply win."""
import pytest

from reference_impl.scaling import ScalingPolicy, tasks_for_backlog
from reference_impl.simulate import run


@pytest.fixture(scope="module")
def burst():
    return run("idle-then-burst")


@pytest.fixture(scope="module")
def peaks():
    return run("daily-peaks")


def test_idle_then_burst_is_what_the_question_describes(burst):
    sc = burst["scenario"]
    assert sc["requests"] == 3000 and sc["days"] > 21 and sc["items"] > 3000  # some batch requests


def test_in_the_burst_d_loses_nothing_and_scales_out_to_its_cap(burst):
    d = burst["designs"]["D"]["summary"]
    assert d["failed"] == 0 and d["completed"] == 3000
    assert d["peak_capacity"] == burst["parameters"]["max_tasks"]
    capacity = burst["designs"]["D"]["series"]["capacity"]
    assert capacity[0] == 0 and max(capacity) == 20 and capacity[-1] == 0  # from zero, out, back to zero
    assert "asked for up to 29" in burst["designs"]["D"]["explanation"]


def test_a_synchronous_front_end_with_no_queue_drops_most_of_the_burst(burst):
    b = burst["designs"]["B"]
    assert b["summary"]["failed"] > b["summary"]["completed"]
    assert "no free target" in " ".join(b["summary"]["failure_reasons"])
    # The burst is over before request-count scaling's 3 one-minute datapoints are all above target.
    assert b["summary"]["peak_capacity"] == 1 and "never added a task" in b["explanation"]


def test_b_scales_out_when_traffic_stays_high_for_longer_than_its_alarm():
    b = run("custom", {"burst_requests": 5000, "burst_seconds": 900})["designs"]["B"]
    assert b["summary"]["peak_capacity"] > 1 and "added tasks" in b["explanation"]


def test_provisioned_concurrency_is_billed_through_weeks_of_idle(burst):
    a, d = burst["designs"]["A"]["summary"], burst["designs"]["D"]["summary"]
    assert a["cost_usd"]["parts"]["provisioned concurrency (billed all the time)"] > 10 * d["cost_usd"]["total"]


def test_option_a_says_it_was_simulated_in_a_buildable_form(burst):
    assert "NLB cannot target Lambda" in burst["designs"]["A"]["as_built"]


def test_c_loads_a_copy_of_the_model_per_environment(burst):
    c = burst["designs"]["C"]
    assert c["summary"]["peak_capacity"] > 5  # the event source ramped past its first 5 pollers
    assert "loaded its own copy of the model" in c["explanation"]


def test_findings_report_where_d_does_not_win(burst):
    text = " ".join(burst["findings"])
    assert "C served every request for less money than D" in text
    assert "Most of D's cost is idle tasks" in text
    assert "D's first request waited 117.1 s, longer than A's" in text
    assert "CloudWatch metrics" in text


def test_faster_scale_in_makes_d_cheaper_than_c_in_the_burst(burst):
    # The finding names its cause: with all idle tasks removed at once, D's cost falls below C's.
    fast = run("idle-then-burst", {"d_scale_in_max_step": 20})
    assert fast["designs"]["D"]["summary"]["cost_usd"]["total"] < burst["designs"]["C"]["summary"]["cost_usd"]["total"]
    assert not any("less money than D" in f for f in fast["findings"])


def test_on_a_steady_trickle_d_keeps_one_task_instead_of_flapping():
    result = run("steady-trickle")
    d = result["designs"]["D"]["summary"]
    assert d["peak_capacity"] == 1 and d["latency_s"]["p95"] < 1
    assert not any("scaled to zero" in f for f in result["findings"])


def test_sparse_traffic_with_long_gaps_makes_d_restart_and_the_findings_say_so(peaks):
    assert any("scaled to zero, and the next request waited" in f for f in peaks["findings"])
    longer = run("daily-peaks", {"d_idle_before_zero_s": 1800})["designs"]["D"]["summary"]
    assert longer["latency_s"]["p99"] < peaks["designs"]["D"]["summary"]["latency_s"]["p99"]


def test_a_warm_task_removes_the_wait_for_the_first_request_and_is_billed_all_period(burst):
    warm = run("idle-then-burst", {"d_min_tasks": 1})["designs"]["D"]
    cold = burst["designs"]["D"]
    assert warm["summary"]["first_request_latency_s"] < 5 < cold["summary"]["first_request_latency_s"]
    assert warm["summary"]["cost_usd"]["total"] > cold["summary"]["cost_usd"]["total"] + 20  # 3 weeks of one task
    assert "stay running all period" in warm["explanation"]


def test_cloudwatch_metrics_lag_up_to_15_minutes_only_after_six_hours_quiet(burst):
    woke = burst["variants"]["D with CloudWatch metrics"]["summary"]["first_request_latency_s"]
    assert woke >= 15 * 60  # the queue had been inactive for weeks
    # On a steady trickle only the very first request meets a sleeping queue; afterwards the queue
    # stays active, metrics keep flowing, and no later request waits that long.
    trickle = run("steady-trickle")["variants"]["D with CloudWatch metrics"]["summary"]
    assert trickle["first_request_latency_s"] >= 15 * 60 and trickle["latency_s"]["p99"] < 15 * 60


def test_idle_days_cost_d_nothing_but_the_scaler_and_cost_a_its_provisioned_concurrency():
    short = run("custom", {"days": 1.1, "idle_days": 1})["designs"]
    long = run("custom", {"days": 30.1, "idle_days": 30})["designs"]
    task = "ECS tasks (Fargate)"
    assert long["D"]["summary"]["cost_usd"]["parts"][task] == pytest.approx(short["D"]["summary"]["cost_usd"]["parts"][task])
    pc = "provisioned concurrency (billed all the time)"
    ratio = long["A"]["summary"]["cost_usd"]["parts"][pc] / short["A"]["summary"]["cost_usd"]["parts"][pc]
    assert ratio == pytest.approx(30.1 / 1.1, rel=1e-4)  # parts are rounded to 1/100 cent


def test_cost_grows_with_requests():
    small = run("custom", {"burst_requests": 100})["designs"]
    big = run("custom", {"burst_requests": 2000})["designs"]
    for name in "ACD":
        assert big[name]["summary"]["cost_usd"]["total"] > small[name]["summary"]["cost_usd"]["total"], name


def test_series_share_one_time_axis_sized_for_charts(burst):
    points = len(burst["time"])
    assert 50 <= points <= 400
    for d in burst["designs"].values():
        assert set(d["series"]) >= {"waiting", "capacity", "latency_p50", "latency_p95", "latency_p99", "cost_usd"}
        for values in d["series"].values():
            assert len(values) == points
        assert d["series"]["cost_usd"] == sorted(d["series"]["cost_usd"])  # cumulative
        assert d["series"]["waiting"][-1] == 0  # the window ends after the last answer
    assert burst["time"] == sorted(burst["time"])
    assert max(burst["designs"]["D"]["series"]["waiting"]) > 1000  # the queue held the burst
    b = burst["designs"]["B"]
    assert b["series"]["failed"][-1] == b["summary"]["failed"]  # B's clients gave up instead


@pytest.mark.parametrize("burst_requests", [1, 1000, 5000])
def test_d_scales_by_the_same_arithmetic_as_the_real_scaler(burst_requests):
    # A burst landing within one poll: D's first scale-out is exactly what scaling.py computes.
    overrides = {"burst_requests": burst_requests, "burst_seconds": 1, "batch_fraction": 0, "max_tasks": 1000,
                 "acceptable_latency_s": 60}
    d = run("custom", overrides)["designs"]["D"]["summary"]
    expected = tasks_for_backlog(ScalingPolicy(60, 0.1, max_tasks=1000), burst_requests)
    assert d["peak_capacity"] == max(1, expected)


def test_batches_longer_than_lambdas_15_minutes_fail_in_c_and_finish_in_d():
    # A heavy model (30 s per input) and batches of up to 50 inputs: some invocations need more
    # than Lambda's 900 s limit. D's tasks have no such limit.
    result = run("idle-then-burst", {"service_time_s": 30, "burst_requests": 300, "acceptable_latency_s": 3600,
                                     "max_tasks": 100})
    c, d = result["designs"]["C"]["summary"], result["designs"]["D"]["summary"]
    assert c["failed"] > 0 and all("timed out after 900 s" in reason for reason in c["failure_reasons"])
    assert d["failed"] == 0 and d["cost_usd"]["total"] < c["cost_usd"]["total"]
    assert "timed out" in result["designs"]["C"]["explanation"]
