"""One policy against password guessing for the site's login, the admin's and the API's token
login: keyed by account and by client address, held in the shared cache, and not escaped by
writing a different X-Forwarded-For on every guess."""
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from accounts import lockout_counts
from accounts.models import ApiToken, LoginFailureCount
from tests.conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def limit(settings, monkeypatch):
    # Only the lockout is under test here: the API's own login budget stays out of the way. DRF
    # reads its rates into the throttle class once, so they are patched there.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "login": "1000/min"})
    return settings.AXES_FAILURE_LIMIT


@pytest.fixture
def lockout_over(monkeypatch, settings):
    """Move the lockout counts' clock past the cool-off, as if the guesser had waited."""
    def _over():
        later = timezone.now() + settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=1)
        monkeypatch.setattr(lockout_counts, "_now", lambda: later)
    return _over


def html_login(client, username, password, url=None, **extra):
    return client.post(url or reverse("login"), {"username": username, "password": password}, **extra)


def token_login(api, username, password, **extra):
    return api.post(TOKEN_URL, {"username": username, "password": password}, format="json", **extra)


def test_html_login_guessing_is_locked_out_and_the_right_password_waits(client, learner, limit, lockout_over):
    codes = [html_login(client, "learner", f"guess-{i}").status_code for i in range(limit)]
    assert codes == [200] * (limit - 1) + [429]
    response = html_login(client, "learner", PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Too many failed logins" in page and "Try again in 15 minutes" in page and "<nav" in page
    assert response["Retry-After"] == str(15 * 60)

    lockout_over()
    assert html_login(client, "learner", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(learner.pk)


def test_admin_login_guessing_is_locked_out(client, django_user_model, limit, lockout_over):
    django_user_model.objects.create_user("root", password=PASSWORD, is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")
    codes = [html_login(client, "root", f"guess-{i}", admin_login).status_code for i in range(limit)]
    assert codes == [200] * (limit - 1) + [429]
    assert html_login(client, "root", PASSWORD, admin_login).status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302  # still not signed in

    lockout_over()
    assert html_login(client, "root", PASSWORD, admin_login).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_rotating_x_forwarded_for_does_not_escape_the_api_lockout(api, learner, limit):
    codes = [token_login(api, "learner", "guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
             for i in range(limit)]
    assert codes == [401] * (limit - 1) + [429]
    response = token_login(api, "learner", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429 and not ApiToken.objects.exists()
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["detail"].startswith("Too many failed logins")
    assert response["Retry-After"] == str(15 * 60)


def test_guesses_at_many_accounts_from_one_address_lock_the_address_out(api, learner, limit, settings):
    address_limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert address_limit > limit  # learners behind one school address share it
    codes = [token_login(api, f"someone{i}", "guess").status_code for i in range(address_limit)]
    assert codes == [401] * (address_limit - 1) + [429]
    assert token_login(api, "learner", PASSWORD).status_code == 429  # the address is locked out
    assert token_login(api, "learner", PASSWORD, REMOTE_ADDR="192.0.2.50").status_code == 201


def test_a_few_typos_behind_one_address_lock_no_one_else_out(client, api, learner, other_learner, limit):
    for i in range(limit - 1):
        token_login(api, f"classmate{i}", "typo")
        html_login(client, f"classmate{i}", "typo")
    assert token_login(api, "learner", PASSWORD).status_code == 201
    assert html_login(client, "other", PASSWORD).status_code == 302


def test_logging_in_to_ones_own_account_does_not_clear_the_address_count(api, learner, other_learner, limit, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = limit + 1
    for _ in range(limit - 1):
        token_login(api, "other", "guess")  # spraying another account's password...
    assert token_login(api, "learner", PASSWORD).status_code == 201  # ...then the guesser's own login
    assert [token_login(api, "victim", "guess").status_code for _ in range(2)] == [401, 429]


def test_a_username_spelled_like_an_address_has_a_count_of_its_own(api, learner, limit):
    for _ in range(limit):
        token_login(api, "127.0.0.1", "guess", REMOTE_ADDR="192.0.2.60")
    assert token_login(api, "learner", PASSWORD, REMOTE_ADDR="127.0.0.1").status_code == 201


def test_guesses_at_one_account_from_many_addresses_are_locked_out(api, learner, limit):
    codes = [token_login(api, "learner", "guess", REMOTE_ADDR=f"192.0.2.{i}").status_code for i in range(limit)]
    assert codes[-1] == 429
    assert token_login(api, "learner", PASSWORD, REMOTE_ADDR="192.0.2.200").status_code == 429


def test_the_three_logins_share_one_count(client, api, learner, limit):
    for i in range(limit - 1):
        (html_login(client, "learner", "guess") if i % 2 else token_login(api, "learner", "guess"))
    assert html_login(client, "learner", "guess", reverse("admin:login")).status_code == 429


def test_a_success_before_the_limit_clears_the_count(client, learner, limit):
    for _ in range(limit - 1):
        html_login(client, "learner", "guess")
    assert html_login(client, "learner", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    assert html_login(client, "learner", "guess").status_code == 200  # one failure, not the limit


def test_another_account_from_another_address_is_not_affected(api, learner, other_learner, limit):
    for _ in range(limit):
        token_login(api, "learner", "guess")
    assert token_login(api, "other", PASSWORD, REMOTE_ADDR="192.0.2.9").status_code == 201


def test_an_administrator_can_end_a_lockout_early(api, learner, limit, settings):
    from django.core.management import call_command

    for _ in range(limit):
        token_login(api, "learner", "guess", REMOTE_ADDR="192.0.2.70")
    assert token_login(api, "learner", PASSWORD, REMOTE_ADDR="192.0.2.71").status_code == 429
    call_command("axes_reset_username", "learner", stdout=io.StringIO())
    assert token_login(api, "learner", PASSWORD, REMOTE_ADDR="192.0.2.71").status_code == 201

    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    for i in range(2):
        token_login(api, f"someone{i}", "guess", REMOTE_ADDR="192.0.2.80")
    assert token_login(api, "learner", PASSWORD, REMOTE_ADDR="192.0.2.80").status_code == 429
    call_command("axes_reset_ip", "192.0.2.80", stdout=io.StringIO())
    assert token_login(api, "learner", PASSWORD, REMOTE_ADDR="192.0.2.80").status_code == 201


def test_a_flood_past_the_caches_size_erases_no_lockout(api, learner, limit, settings):
    """The attack that once worked: lock the victim, then flood refused logins under new usernames
    from an address that is itself locked, until the cache culls; then guess again. The counts
    are not in the cache, and the flood adds no rows."""
    max_entries = 60
    settings.CACHES = {"default": {**settings.CACHES["default"], "OPTIONS": {"MAX_ENTRIES": max_entries, "CULL_FREQUENCY": 2}}}
    flooder = "203.0.113.66"
    for i in range(limit):
        token_login(api, "learner", f"guess-{i}", REMOTE_ADDR="198.51.100.1")
    for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        token_login(api, f"spray{i}", "guess", REMOTE_ADDR=flooder)
    rows = LoginFailureCount.objects.count()
    codes = {token_login(api, f"flood{i}", "guess", REMOTE_ADDR=flooder).status_code for i in range(3 * max_entries)}
    assert codes == {429}
    assert LoginFailureCount.objects.count() == rows  # the refused flood made no row
    from django.core.cache import cache
    for i in range(3 * max_entries):  # and whatever else fills the cache meanwhile
        cache.set(f"filler{i}", i)
    assert token_login(api, "learner", PASSWORD, REMOTE_ADDR="192.0.2.99").status_code == 429  # still locked
    assert token_login(api, "learner", PASSWORD, REMOTE_ADDR=flooder).status_code == 429
