import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from django.db import connection
from django.test.utils import CaptureQueriesContext

from studyapp.api.throttling import LEASE_SHARE, MAX_LEASE, FixedWindowThrottle


class Clock:
    """The throttles' clock, held still (inside one window) unless a test moves it."""

    def __init__(self):
        self.now = 60 * 16_667 + 20.0  # 20 s into a one-minute window

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(FixedWindowThrottle, "timer", lambda self: clock())
    return clock


@pytest.fixture
def low_rates(monkeypatch, clock):
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {
        **api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/min", "user": "4/min", "login": "2/min", "simulations": "1/min"})
    yield
    cache.clear()


def test_anonymous_callers_are_throttled(api, q1973, low_rates):
    codes = [api.get("/api/v1/questions/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = api.get("/api/v1/questions/")
    assert response.json()["detail"].startswith("Request was throttled")
    assert response["Retry-After"] == "40"  # the rest of the minute


def test_the_budget_comes_back_with_the_next_window(api, q1973, low_rates, clock):
    assert [api.get("/api/v1/questions/").status_code for _ in range(4)][-1] == 429
    clock.now += 40
    assert api.get("/api/v1/questions/").status_code == 200


def test_users_are_throttled_on_their_own_budget(as_user, learner, other_learner, q1973, low_rates):
    client = as_user(learner)
    codes = [client.get("/api/v1/questions/").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    assert as_user(other_learner).get("/api/v1/questions/").status_code == 200


def test_a_signed_in_caller_and_an_anonymous_one_at_one_address_have_separate_budgets(
        api, as_user, learner, q1973, low_rates):
    assert [api.get("/api/v1/questions/").status_code for _ in range(4)] == [200, 200, 200, 429]
    client = as_user(learner)  # the same address (the test client's)
    assert [client.get("/api/v1/questions/").status_code for _ in range(5)] == [200, 200, 200, 200, 429]
    assert api.get("/api/v1/questions/").status_code == 429  # the anonymous budget is still spent


def test_password_guessing_is_throttled(api, learner, low_rates):
    codes = [api.post("/api/v1/auth/token/", {"username": "learner", "password": "x"}, format="json").status_code
             for _ in range(3)]
    assert codes == [401, 401, 429]


def test_new_simulation_runs_have_their_own_smaller_budget(api, db, low_rates, monkeypatch):
    from reference_impl import simulate
    monkeypatch.setattr(simulate, "run", lambda scenario, overrides: {"scenario": {"name": scenario}})
    run = lambda days: api.post("/api/v1/simulations/", {"scenario": "steady-trickle", "overrides": {"days": days}},  # noqa: E731
                                format="json").status_code
    assert [run(1), run(2)] == [200, 429]  # the second is the anonymous budget's (3/min) second call
    assert run(1) == 200  # cached: replaying a result costs no run


def test_rotating_x_forwarded_for_does_not_reset_the_login_budget(api, learner, low_rates):
    codes = [api.post("/api/v1/auth/token/", {"username": "learner", "password": "x"}, format="json",
                      HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(3)]
    assert codes == [401, 401, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(api, q1973, low_rates, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client_a = [api.get("/api/v1/questions/", HTTP_X_FORWARDED_FOR=f"spoofed-{i}, 198.51.100.1").status_code
                for i in range(4)]
    assert client_a == [200, 200, 200, 429]
    assert api.get("/api/v1/questions/", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


@pytest.mark.parametrize("rate, budget", [("100/min", 100), ("7/min", 7)])
def test_one_process_spends_exactly_its_budget_in_leases(api, q1973, clock, monkeypatch, rate, budget):
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "anon": rate})
    codes = [api.get("/api/v1/questions/1973/").status_code for _ in range(budget + 2)]
    assert codes == [200] * budget + [429, 429]


def test_a_busy_caller_costs_a_cache_write_per_lease_not_per_request(api, q1973, clock, monkeypatch):
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "10000/min"})
    with CaptureQueriesContext(connection) as queries:
        assert all(api.get("/api/v1/questions/1973/").status_code == 200 for _ in range(200))
    writes = [q["sql"] for q in queries.captured_queries
              if "django_cache" in q["sql"] and q["sql"].lstrip().startswith(("INSERT", "UPDATE"))]
    lease = min(MAX_LEASE, 10_000 // LEASE_SHARE)
    # A write per lease (an add, or an incr's read-and-write), not 200 writes.
    assert len(writes) <= 2 * -(-200 // lease) + 2
