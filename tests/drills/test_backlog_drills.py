"""Drills: generated from a seed, graded by reference_impl.scaling, served by the API and /drills/."""
import pytest
from django.core.cache import cache
from hypothesis import given, settings, strategies as st
from rest_framework.test import APIClient

from drills import engine
from reference_impl import scaling

URL = "/api/v1/drills/backlog/"
SEEDS = st.integers(min_value=engine.SEED_MIN, max_value=engine.SEED_MAX)


def scaling_answer(drill: dict) -> int:
    """What reference_impl.scaling says for the numbers the learner is shown."""
    p = drill["parameters"]
    policy = scaling.ScalingPolicy(p["acceptable_latency_s"], p["seconds_per_message"], min_tasks=p["min_tasks"],
                                   max_tasks=p["max_tasks"], messages_per_task=p["messages_per_task"])
    if p["kind"] == "target_backlog":
        return policy.target_backlog_per_task
    sample = scaling.QueueSample(p["visible"], p["in_flight"], p["running"])
    return scaling.decide(policy, sample, scaling.ScalerState(desired=p["running"]), now_s=0.0).desired


@pytest.mark.django_db  # the throttles count in the shared (database) cache
@settings(max_examples=300, deadline=None)
@given(seed=SEEDS)
def test_the_expected_answer_is_the_scaling_policys_decision_for_the_numbers_shown(seed):
    cache.clear()  # hundreds of calls from one address would meet the anonymous throttle
    client = APIClient()
    drill = client.get(URL, {"seed": seed}).json()
    graded = client.post(URL, {"seed": seed, "answer": 0}, format="json").json()
    assert drill["seed"] == seed
    assert graded["expected"] == scaling_answer(drill)
    assert graded["correct"] is (graded["expected"] == 0)


@settings(max_examples=300, deadline=None)
@given(seed=SEEDS)
def test_a_seed_always_gives_the_same_drill_with_whole_number_targets(seed):
    first, again = engine.make_drill(seed), engine.make_drill(seed)
    assert first == again
    assert first.policy().target_backlog_per_task.is_integer()


def test_every_kind_of_drill_is_generated():
    kinds = {engine.make_drill(seed).kind for seed in range(len(engine.KINDS))}
    assert kinds == set(engine.KINDS)
    # Each kind's situation is the one it names.
    for seed in range(0, 200):
        drill, decision = engine.make_drill(seed), engine.make_drill(seed).decision()
        if drill.kind == "the_cap":
            assert decision.desired == drill.max_tasks and "capped at max" in decision.reason
        if drill.kind == "scale_from_zero":
            assert drill.running == 0 and decision.desired >= 1
        if drill.kind == "work_in_flight":
            assert decision.desired >= drill.running


@pytest.mark.django_db
def test_a_right_answer_is_correct_with_the_arithmetic_step_by_step():
    client = APIClient()
    drill = client.get(URL, {"seed": 3}).json()  # 3: work in flight
    assert drill["parameters"]["kind"] == "work_in_flight"
    for key in ("visible", "in_flight", "running", "acceptable_latency_s", "seconds_per_message"):
        assert key in drill["parameters"]
    right = scaling_answer(drill)
    result = client.post(URL, {"seed": 3, "answer": right}, format="json").json()
    assert result["correct"] is True and result["expected"] == right
    assert result["steps"][0].startswith("Target backlog per task = acceptable latency / seconds per message")
    assert any(step.startswith("Work in flight:") for step in result["steps"])


def test_a_drill_without_a_seed_gets_one_it_can_be_replayed_with(db):
    client = APIClient()
    drill = client.get(URL).json()
    assert client.get(URL, {"seed": drill["seed"]}).json() == drill


@pytest.mark.parametrize("method, body, field", [
    ("get", {"seed": "abc"}, "seed"),
    ("get", {"seed": -1}, "seed"),
    ("get", {"seed": 2**31}, "seed"),
    ("post", {"answer": 3}, "seed"),
    ("post", {"seed": 1}, "answer"),
    ("post", {"seed": 1, "answer": "three"}, "answer"),
    ("post", {"seed": 1, "answer": -2}, "answer"),
    ("post", {"seed": 1, "answer": 2.5}, "answer"),
])
def test_bad_input_is_a_400_naming_the_field(db, method, body, field):
    client = APIClient()
    response = client.get(URL, body) if method == "get" else client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] and response.json()["errors"][field]


def test_the_schema_documents_both_operations(db):
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    ops = schema["paths"]["/api/v1/drills/backlog/"]
    assert {"get", "post"} <= set(ops)
    assert "400" in ops["get"]["responses"] and "400" in ops["post"]["responses"]
    assert "seed" in [p["name"] for p in ops["get"]["parameters"]]


def test_the_drill_page_works_without_javascript_and_checks_csrf(db, client):
    assert client.get("/drills/").status_code == 302
    page = client.get("/drills/", {"seed": 4})
    assert page.status_code == 200 and "data-drill-seed=\"4\"" in page.content.decode()
    drill = engine.make_drill(4)
    answered = client.post("/drills/", {"seed": 4, "answer": engine.expected(drill)})
    body = answered.content.decode()
    assert answered.status_code == 200 and "Correct" in body and "Clamped to" in body
    bad = client.post("/drills/", {"seed": 4, "answer": "lots"})
    assert bad.status_code == 400 and "Enter a whole number" in bad.content.decode()
    from django.test import Client
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/drills/", {"seed": 4, "answer": 1}).status_code == 403


def test_every_drill_says_which_rule_it_grades_and_gives_awss_formula_where_they_differ():
    from drills.engine import make_drill, steps
    from reference_impl import scaling

    differ = 0
    for seed in range(300):
        drill = make_drill(seed)
        if drill.kind == "target_backlog":
            continue
        last = steps(drill)[-1]
        assert last.startswith("Graded with this app's rule") and scaling.AWS_FORMULA in last
        aws = scaling.aws_example_tasks(drill.policy(), drill.visible)
        if aws != engine.expected(drill):
            differ += 1
            assert f"would give {aws} here" in last, (seed, last)
        if drill.running == 0 and engine.expected(drill) > 1:
            assert "would set 1 first" in last  # the companion's step policy, beside this app's rule
    assert differ > 0  # the two rules do differ on some drills, and those say so


def test_scale_from_zero_is_taught_in_the_one_set_of_words():
    from drills.engine import make_drill, steps
    from reference_impl import scaling

    drill = next(make_drill(s) for s in range(100) if make_drill(s).kind == "scale_from_zero")
    assert any(scaling.SCALE_FROM_ZERO in step for step in steps(drill))
