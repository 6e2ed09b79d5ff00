import pytest
from django.core.cache import cache

from reference_impl import simulate
from tests.support import PASSWORD


@pytest.fixture
def runs(monkeypatch):
    """Count the simulator's real runs behind the endpoint."""
    calls = []
    real = simulate.run

    def counted(scenario, overrides):
        calls.append((scenario, overrides))
        return real(scenario, overrides)

    cache.clear()
    monkeypatch.setattr(simulate, "run", counted)
    return calls


def test_a_simulation_returns_the_simulators_json(api, db, runs):
    body = {"scenario": "idle-then-burst", "overrides": {"burst_requests": 500}}
    response = api.post("/api/v1/simulations/", body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert set(data["designs"]) == {"A", "B", "C", "D"} and data["scenario"]["requests"] == 500
    assert data == simulate.run("idle-then-burst", {"burst_requests": 500})


def test_the_same_parameters_are_run_once(api, db, runs):
    first = api.post("/api/v1/simulations/", {"scenario": "steady-trickle", "overrides": {"days": 1, "max_tasks": 5}}, format="json")
    again = api.post("/api/v1/simulations/", {"scenario": "steady-trickle", "overrides": {"max_tasks": 5.0, "days": 1}}, format="json")
    assert again.json() == first.json() and len(runs) == 1
    api.post("/api/v1/simulations/", {"scenario": "steady-trickle", "overrides": {"days": 1, "max_tasks": 6}}, format="json")
    assert len(runs) == 2


def test_too_large_or_wrong_simulations_are_refused_clearly_without_running(api, db, runs):
    big = api.post("/api/v1/simulations/", {"scenario": "custom", "overrides": {"burst_requests": 100000, "peak_requests": 50000, "idle_days": 0, "days": 30}}, format="json")
    assert big.status_code == 400 and "at most 200,000" in big.json()["errors"]["scenario"][0]
    bad = api.post("/api/v1/simulations/", {"scenario": "custom", "overrides": {"max_tasks": 0, "nonsense": 1}}, format="json")
    errors = bad.json()["errors"]
    assert "between 1 and 1000" in errors["overrides.max_tasks"][0] and "unknown parameter" in errors["overrides.nonsense"][0]
    assert api.post("/api/v1/simulations/", {"scenario": "nope"}, format="json").status_code == 400
    assert runs == []


def test_scenarios_and_parameters_are_listed(api, db):
    data = api.get("/api/v1/simulations/scenarios/").json()
    assert "idle-then-burst" in [s["name"] for s in data["scenarios"]]
    assert all(p["source"] for p in data["parameters"])


def test_schema_and_docs_are_served_offline(api, db):
    schema = api.get("/api/schema/?format=json")
    assert schema.status_code == 200 and "/api/v1/questions/{external_id}/attempts/" in schema.json()["paths"]
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
    assert "<script>" not in html.replace('<script src=', '')


@pytest.mark.parametrize("body, field, message", [
    ({"scenario": "custom", "overrides": {"days": "many"}}, "overrides.days", "valid number"),
    ({"scenario": "custom", "overrides": [1, 2]}, "overrides", "dictionary"),
    ({"scenario": "custom", "overrides": {"days": 1, "idle_days": 2}}, "overrides.idle_days", "less than days"),
    ({"scenario": "idle-then-burst", "overrides": {"sqs_inactive_after_s": 0}}, "overrides.sqs_inactive_after_s",
     "at least twice d_scaler_period_s (120 s)"),
    ({"scenario": 7}, "scenario", "unknown scenario"),
])
def test_malformed_simulation_requests_name_the_field(api, db, runs, body, field, message):
    response = api.post("/api/v1/simulations/", body, format="json")
    assert response.status_code == 400 and message in " ".join(response.json()["errors"][field])
    assert runs == []


def test_signed_in_pages_can_call_it_without_a_csrf_token(learner, db, runs):
    from rest_framework.test import APIClient
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="learner", password=PASSWORD)
    assert client.post("/api/v1/simulations/", {"scenario": "custom"}, format="json").status_code == 200


def test_no_simulation_answer_names_the_key(api, db):
    # The simulator's output is public and shown before an attempt: it compares the designs and
    # never says which option the exam rewards.
    for response in (api.post("/api/v1/simulations/", {"scenario": "idle-then-burst"}, format="json"),
                     api.get("/api/v1/simulations/scenarios/")):
        text = response.content.decode().lower()
        assert response.status_code == 200
        for giveaway in ("the answer", "exam's answer", "correct answer", "is correct", "\"correct\""):
            assert giveaway not in text, giveaway
