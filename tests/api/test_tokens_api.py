import hashlib

from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.support import PASSWORD


def get_token(api, username, password=PASSWORD):
    return api.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def test_a_token_is_issued_used_and_revoked(api, learner, q1973):
    response = get_token(api, "learner")
    assert response.status_code == 201
    key = response.json()["token"]
    stored = ApiToken.objects.get()
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in stored.key_hash
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/progress/").status_code == 200
    assert api.post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json").status_code == 201
    assert api.delete("/api/v1/auth/token/").status_code == 204
    assert not ApiToken.objects.exists()
    response = api.get("/api/v1/progress/")
    assert response.status_code == 401 and response.json()["detail"] == "Invalid or revoked token."


def test_wrong_password_gets_no_token(api, learner):
    response = get_token(api, "learner", "wrong")
    assert response.status_code == 401 and not ApiToken.objects.exists()


def test_a_malformed_header_is_refused(api, learner):
    api.credentials(HTTP_AUTHORIZATION="Token a b")
    assert api.get("/api/v1/progress/").status_code == 401


def test_missing_fields_are_named(api, db):
    response = api.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"username", "password"}


def test_revoking_with_a_session_revokes_all_my_tokens(api, as_user, learner, other_learner):
    get_token(api, "learner")
    get_token(api, "learner")
    get_token(api, "other")
    assert as_user(learner).delete("/api/v1/auth/token/").status_code == 204
    assert list(ApiToken.objects.values_list("user__username", flat=True)) == ["other"]


def token_for(api, username="learner"):
    key = get_token(api, username).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/progress/").status_code == 200
    return api


def test_a_password_change_revokes_the_accounts_tokens(api, learner, other_learner):
    client = token_for(api)
    get_token(APIClient(), "other")
    learner.set_password("a-New-enough-passw0rd")
    learner.save()
    response = client.get("/api/v1/progress/")
    assert response.status_code == 401 and response.json()["detail"] == "Invalid or revoked token."
    assert list(ApiToken.objects.values_list("user__username", flat=True)) == ["other"]


def test_deactivating_the_account_revokes_its_tokens_for_good(api, learner):
    client = token_for(api)
    learner.is_active = False
    learner.save()
    assert not ApiToken.objects.exists()
    learner.is_active = True
    learner.save()
    assert client.get("/api/v1/progress/").status_code == 401


def test_logging_in_and_other_saves_keep_tokens(api, client, learner):
    token_for(api)
    client.post("/accounts/login/", {"username": "learner", "password": PASSWORD})  # saves last_login
    learner.first_name = "Ada"
    learner.save()
    assert ApiToken.objects.count() == 1
