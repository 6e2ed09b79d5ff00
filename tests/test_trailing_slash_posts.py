"""A POST to a page URL without its trailing slash is redirected with 308 (same method, same
body), in DEBUG and in production alike: never a 500, never a 301 that drops the form."""
import pytest
from django.test import Client

from tests.conftest import PASSWORD


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def client(request, settings, db):
    settings.DEBUG = request.param
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/accounts/login", "/accounts/signup", "/reports/new/1973"])
def test_a_post_missing_its_slash_is_a_308_to_the_slashed_url(client, url):
    response = client.post(url, {"x": "1"})
    assert response.status_code == 308 and response["Location"] == url + "/"


def test_a_login_posted_without_the_slash_still_logs_in(client, learner):
    response = client.post("/accounts/login", {"username": "learner", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[0] == ("/accounts/login/", 308)
    assert client.session["_auth_user_id"] == str(learner.pk)


def test_a_get_missing_its_slash_is_still_a_301(client):
    response = client.get("/accounts/login")
    assert response.status_code == 301 and response["Location"] == "/accounts/login/"
