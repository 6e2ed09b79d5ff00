import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


@pytest.fixture
def low_rates(monkeypatch):
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES,
                                                               "anon": "3/min", "user": "4/min", "login": "2/min"})
    yield
    cache.clear()


def test_anonymous_callers_are_throttled(api, bank, low_rates):
    codes = [api.get("/api/v1/questions/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = api.get("/api/v1/questions/")
    assert "Retry-After" in response and response.json()["detail"].startswith("Request was throttled")


def test_users_are_throttled_on_their_own_budget(as_user, learner, bank, low_rates):
    client = as_user(learner)
    codes = [client.get("/api/v1/questions/").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]


def test_password_guessing_is_throttled(api, learner, low_rates):
    codes = [api.post("/api/v1/auth/token/", {"username": "learner", "password": "x"}, format="json").status_code
             for _ in range(3)]
    assert codes == [401, 401, 429]
