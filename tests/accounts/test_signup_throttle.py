"""Sign-ups are budgeted per client address, like logins: one address cannot mint accounts."""
import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.fixture
def three_an_hour(settings, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "signup": "3/hour"})


def sign_up(client, name, address="198.51.100.7"):
    return client.post(reverse("signup"), {"username": name, "password1": PASSWORD, "password2": PASSWORD},
                       REMOTE_ADDR=address)


def test_signups_past_the_budget_are_a_429_and_create_no_account(client, db, three_an_hour, django_user_model):
    for i in range(3):
        assert sign_up(client, f"learner{i}").status_code == 302
        client.logout()
    refused = sign_up(client, "learner3")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many new accounts from your address" in refused.content.decode()
    assert not django_user_model.objects.filter(username="learner3").exists()
    # Another address has its own budget.
    assert sign_up(client, "elsewhere", address="203.0.113.9").status_code == 302
