"""Every `next` is checked: a page of this site is followed, anything else lands on the home page."""
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.support import PASSWORD

BAD = ["foo", "https://evil.example/", "//evil.example/", "/\\evil.example", "http:///evil.example", "javascript:alert(1)"]
GOOD = "/history/?page=2"


def signup(client, next_value, username="ada", where="query"):
    body = {"username": username, "password1": PASSWORD, "password2": PASSWORD}
    if where == "form":
        return client.post(reverse("signup"), {**body, "next": next_value})
    return client.post(f"{reverse('signup')}?{urlencode({'next': next_value})}", body)


@pytest.mark.parametrize("where", ["query", "form"])
@pytest.mark.parametrize("next_value", BAD)
def test_signup_with_a_bad_next_lands_on_the_home_page(client, db, django_user_model, next_value, where):
    response = signup(client, next_value, where=where)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert django_user_model.objects.filter(username="ada").exists()


def test_signup_follows_a_next_on_this_site(client, db):
    assert signup(client, GOOD)["Location"] == GOOD


def test_the_signup_form_keeps_a_good_next_and_drops_a_bad_one(client, db):
    assert 'name="next" value="/history/"' in client.get(reverse("signup"), {"next": "/history/"}).content.decode()
    assert 'name="next"' not in client.get(reverse("signup"), {"next": "//evil.example/"}).content.decode()


@pytest.mark.parametrize("next_value", BAD)
def test_login_with_a_bad_next_lands_on_the_home_page(client, learner, next_value):
    response = client.post(reverse("login"), {"username": "learner", "password": PASSWORD, "next": next_value})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_login_follows_a_next_on_this_site(client, learner):
    response = client.post(reverse("login"), {"username": "learner", "password": PASSWORD, "next": GOOD})
    assert response["Location"] == GOOD


@pytest.mark.parametrize("next_value", BAD)
def test_logout_with_a_bad_next_lands_on_the_home_page(client, learner, next_value):
    client.force_login(learner)
    response = client.post(reverse("logout"), {"next": next_value})
    assert response.status_code == 302 and response["Location"] == reverse("home")
