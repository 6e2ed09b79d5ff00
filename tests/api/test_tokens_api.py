import hashlib

from accounts.models import ApiToken
from tests.conftest import PASSWORD


def get_token(api, username, password=PASSWORD):
    return api.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def test_a_token_is_issued_used_and_revoked(api, learner, bank):
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
