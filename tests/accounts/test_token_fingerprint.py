"""A token dies with the password hash it was issued under and with its account, however the
change is made: through save() (signals) or behind Django's back (QuerySet.update), where the
fingerprint compared at every use catches it. Logging out with ?all=1 revokes them too."""
import pytest
from django.contrib.auth.hashers import make_password
from rest_framework.test import APIClient

from accounts.authentication import issue_token
from accounts.models import ApiToken
from tests.conftest import PASSWORD


def use(key):
    return APIClient().get("/api/v1/progress/", HTTP_AUTHORIZATION=f"Token {key}").status_code


@pytest.fixture
def key(learner):
    token, key = issue_token(learner)
    assert use(key) == 200
    return key


def test_a_password_changed_by_queryset_update_revokes_the_token(learner, key, django_user_model):
    django_user_model.objects.filter(pk=learner.pk).update(password=make_password("another-Long-passw0rd"))
    assert use(key) == 401
    assert not ApiToken.objects.filter(user=learner).exists()


def test_a_deactivation_by_queryset_update_revokes_the_token_for_good(learner, key, django_user_model):
    django_user_model.objects.filter(pk=learner.pk).update(is_active=False)
    assert use(key) == 401
    django_user_model.objects.filter(pk=learner.pk).update(is_active=True)
    assert use(key) == 401  # reactivating does not bring it back


def test_a_password_made_unusable_by_update_revokes_the_token(learner, key, django_user_model):
    django_user_model.objects.filter(pk=learner.pk).update(password=make_password(None))
    assert use(key) == 401


def test_a_hash_upgraded_at_login_keeps_the_token(client, learner, settings, django_user_model):
    # Stored under a hasher other than the first of PASSWORD_HASHERS: Django rehashes it at login.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    django_user_model.objects.filter(pk=learner.pk).update(password=make_password(PASSWORD, hasher="md5"))
    _, key = issue_token(django_user_model.objects.get(pk=learner.pk))
    assert client.post("/accounts/login/", {"username": "learner", "password": PASSWORD}).status_code == 302
    assert django_user_model.objects.get(pk=learner.pk).password.startswith("pbkdf2_sha256$")  # upgraded
    assert use(key) == 200


def test_logging_out_with_all_revokes_the_accounts_tokens(client, learner, key):
    client.force_login(learner)
    assert client.post("/accounts/logout/").status_code == 302
    assert use(key) == 200  # a plain logout ends only the session
    client.force_login(learner)
    assert client.post("/accounts/logout/?all=1").status_code == 302
    assert use(key) == 401 and "_auth_user_id" not in client.session
