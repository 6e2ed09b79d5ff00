from django.core.cache import cache


def test_a_simulation_runs_and_is_cached(api, db, django_assert_num_queries):
    cache.clear()
    response = api.post("/api/v1/simulations/", {"scenario": "idle-then-burst", "overrides": {"burst_requests": 500}}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert set(data["designs"]) == {"A", "B", "C", "D"} and data["scenario"]["requests"] == 500
    again = api.post("/api/v1/simulations/", {"scenario": "idle-then-burst", "overrides": {"burst_requests": 500}}, format="json")
    assert again.json() == data


def test_too_large_or_wrong_simulations_are_refused_clearly(api, db):
    big = api.post("/api/v1/simulations/", {"scenario": "custom", "overrides": {"burst_requests": 100000, "peak_requests": 50000, "idle_days": 0, "days": 30}}, format="json")
    assert big.status_code == 400 and "at most 200,000" in big.json()["errors"]["scenario"][0]
    bad = api.post("/api/v1/simulations/", {"scenario": "custom", "overrides": {"max_tasks": 0, "nonsense": 1}}, format="json")
    errors = bad.json()["errors"]
    assert "between 1 and 1000" in errors["overrides.max_tasks"][0] and "unknown parameter" in errors["overrides.nonsense"][0]
    assert api.post("/api/v1/simulations/", {"scenario": "nope"}, format="json").status_code == 400


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
