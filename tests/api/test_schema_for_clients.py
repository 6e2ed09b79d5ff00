"""The schema as generated clients and strict validators read it (issue 23).

Checked with tools nobody here wrote: openapi-spec-validator says the document is valid
OpenAPI 3.0, and openapi-schema-validator's strict OpenAPI 3.0 validator checks real exchanges
against what the schema declares for their operation and status (nullable objects, the
discriminated question shapes, typed lists). Every call here authenticates the way generated
clients do, with `Authorization: Bearer <token>`.
"""
import json
import re

import pytest
from django.core.cache import cache
from openapi_schema_validator import OAS30StrictValidator
from openapi_spec_validator import validate as validate_spec
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from review.api import DUE_CAP
from tests.support import PASSWORD


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def declared(schema, path, method, status, media="application/json"):
    response = schema["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = schema["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response, response.get("content", {}).get(media, {}).get("schema")


def conforms(schema, path, method, response):
    """The response's body validates, strictly under OpenAPI 3.0, against the schema declared
    for its operation and status; returns the body."""
    _, body_schema = declared(schema, path, method, response.status_code)
    assert body_schema is not None, (method, path, response.status_code, "no JSON body declared")
    body = response.json()
    OAS30StrictValidator({**body_schema, "components": schema["components"]}).validate(body)
    return body


def bearer(username):
    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert token.status_code == 201
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}")
    return client


def component(schema, name):
    return schema["components"]["schemas"][name]


def test_the_schema_is_valid_openapi_3_0(schema):
    assert schema["openapi"].startswith("3.0")
    validate_spec(schema)  # raises on the first problem


def test_a_nullable_object_as_drf_spectacular_writes_it_would_fail_a_strict_validator(schema):
    """Why the schema spells nullable objects as oneOf [object, null]: the form it replaced
    refuses the real exam-mode body."""
    old_form = {"allOf": [{"$ref": "#/components/schemas/AttemptResult"}], "nullable": True}
    assert not OAS30StrictValidator({**old_form, "components": schema["components"]}).is_valid(None)
    result = component(schema, "QuizAnswerResult")["properties"]["result"]
    assert OAS30StrictValidator({**result, "components": schema["components"]}).is_valid(None)
    with pytest.raises(OpenAPIValidationError):
        validate_spec({**schema, "paths": {"/x/": {"get": {"responses": {"200": {"description": "OK",
                       "content": {"application/json": {"schema": {"type": "objekt"}}}}}}}}})


def test_include_answers_is_typed_as_a_question_with_answers(schema, instructor, bank):
    shapes = declared(schema, "/api/v1/questions/{external_id}/", "get", 200)[1]
    view = component(schema, shapes["$ref"].rsplit("/", 1)[1])
    assert view["discriminator"] == {"propertyName": "view", "mapping": {
        "public": "#/components/schemas/QuestionDetail", "answers": "#/components/schemas/QuestionWithAnswers"}}
    with_answers = component(schema, "QuestionWithAnswers")
    assert {"correct_labels", "explanation", "key_points", "references"} <= set(with_answers["required"])

    client = bearer("teacher")
    keyed = conforms(schema, "/api/v1/questions/{external_id}/", "get", client.get("/api/v1/questions/1973/?include=answers"))
    assert keyed["view"] == "answers" and keyed["correct_labels"] == ["D"] and keyed["key_points"]
    public = conforms(schema, "/api/v1/questions/{external_id}/", "get", APIClient().get("/api/v1/questions/1973/"))
    assert public["view"] == "public" and "correct_labels" not in public
    # Each body validates as its own shape and not as the other (what a oneOf needs).
    for body, own, other in [(keyed, "QuestionWithAnswers", "QuestionDetail"), (public, "QuestionDetail", "QuestionWithAnswers")]:
        assert OAS30StrictValidator({"$ref": f"#/components/schemas/{own}", "components": schema["components"]}).is_valid(body)
        assert not OAS30StrictValidator({"$ref": f"#/components/schemas/{other}", "components": schema["components"]}).is_valid(body)


def test_the_fields_clients_read_have_types_and_enums(schema):
    label = {"type": "string", "pattern": "^[A-Z]$", "maxLength": 1}
    assert component(schema, "Attempt")["properties"]["selected"]["items"] == label
    result = component(schema, "AttemptResult")["properties"]
    assert result["selected"]["items"] == label
    assert result["options"]["items"] == {"$ref": "#/components/schemas/OptionFeedback"}
    assert "chosen" in component(schema, "OptionFeedback")["required"]
    quiz = component(schema, "Quiz")["properties"]
    assert quiz["score"]["oneOf"][0] == {"$ref": "#/components/schemas/QuizScore"}
    assert set(component(schema, "QuizScore")["required"]) == {"correct", "answered", "total"}
    assert component(schema, quiz["mode"]["$ref"].rsplit("/", 1)[1])["enum"] == ["practice", "exam"]
    rating = component(schema, "Review")["properties"]["rating"]["allOf"][0]["$ref"].rsplit("/", 1)[1]
    assert component(schema, rating)["enum"] == ["again", "hard", "good", "easy"]
    state = component(schema, "ReviewItem")["properties"]["state"]["allOf"][0]["$ref"].rsplit("/", 1)[1]
    assert component(schema, state)["enum"] == ["new", "learning", "review", "relearning"]


def test_a_learners_flow_validates_strictly_exchange_by_exchange(schema, learner, three, django_capture_on_commit_callbacks):
    client = bearer("learner")
    with django_capture_on_commit_callbacks(execute=True):  # answers schedule their reviews after commit
        attempt = conforms(schema, "/api/v1/questions/{external_id}/attempts/", "post",
                           client.post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json"))
    assert attempt["selected"] == ["D"] and [o["chosen"] for o in attempt["options"]] == [False, False, False, True]
    conforms(schema, "/api/v1/attempts/", "get", client.get("/api/v1/attempts/"))
    conforms(schema, "/api/v1/progress/", "get", client.get("/api/v1/progress/"))

    exam = conforms(schema, "/api/v1/quizzes/", "post", client.post("/api/v1/quizzes/", {"count": 1, "tags": ["quiz"], "mode": "exam"}, format="json"))
    assert exam["mode"] == "exam" and exam["score"] is None
    answer = client.post(f"/api/v1/quizzes/{exam['id']}/answers/", {"question": exam["questions"][0], "selected": ["A"]}, format="json")
    assert conforms(schema, "/api/v1/quizzes/{id}/answers/", "post", answer) == {"recorded": True, "result": None}
    finished = conforms(schema, "/api/v1/quizzes/{id}/finish/", "post", client.post(f"/api/v1/quizzes/{exam['id']}/finish/"))
    assert finished["score"] == {"correct": 1, "answered": 1, "total": 1}
    practice = client.post("/api/v1/quizzes/", {"count": 1, "tags": ["quiz"]}, format="json").json()
    answer = client.post(f"/api/v1/quizzes/{practice['id']}/answers/", {"question": practice["questions"][0], "selected": ["B"]}, format="json")
    assert conforms(schema, "/api/v1/quizzes/{id}/answers/", "post", answer)["result"]["correct"] is False
    conforms(schema, "/api/v1/quizzes/", "get", client.get("/api/v1/quizzes/"))

    due = conforms(schema, "/api/v1/review/due/", "get", client.get("/api/v1/review/due/"))
    assert due and {item["state"] for item in due} <= {"new", "learning", "review", "relearning"}
    shown = conforms(schema, "/api/v1/review/items/{id}/answer/", "get",
                     client.get(f"/api/v1/review/items/{due[0]['id']}/answer/"))
    review = client.post("/api/v1/review/reviews/", {"item": due[0]["id"], "rating": "good", "revealed": shown["revealed"]},
                         format="json")
    assert conforms(schema, "/api/v1/review/reviews/", "post", review)["rating"] == "good"
    conforms(schema, "/api/v1/review/reviews/", "get", client.get("/api/v1/review/reviews/"))


def test_bearer_and_token_are_both_accepted_and_declared(schema, learner, bank):
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"]}
    key = APIClient().post("/api/v1/auth/token/", {"username": "learner", "password": PASSWORD}, format="json").json()["token"]
    for header in (f"Bearer {key}", f"bearer {key}", f"Token {key}"):
        assert APIClient().get("/api/v1/progress/", HTTP_AUTHORIZATION=header).status_code == 200, header
    wrong = APIClient().get("/api/v1/progress/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert wrong.status_code == 401 and wrong.json()["detail"] == "Invalid or revoked token."
    assert APIClient().get("/api/v1/progress/", HTTP_AUTHORIZATION=f"Basic {key}").status_code == 401


PUBLIC = {("get", "/api/v1/questions/"), ("get", "/api/v1/questions/{external_id}/"), ("post", "/api/v1/auth/token/"),
          ("get", "/api/v1/drills/backlog/"), ("post", "/api/v1/drills/backlog/"), ("post", "/api/v1/simulations/"),
          ("get", "/api/v1/simulations/scenarios/"), ("get", "/api/v1/health/"), ("get", "/api/v1/ready/")}


def test_public_operations_declare_that_no_credentials_are_needed(schema, learner, bank):
    anonymous_ok = {(method, path) for path, method, op in operations(schema)
                    if op["security"] == [] or {} in op["security"]}
    assert anonymous_ok == PUBLIC
    for method, path in PUBLIC:
        url = path.replace("{external_id}", "1973")
        body = {"username": "learner", "password": PASSWORD} if "token" in path else {}
        response = getattr(APIClient(), method)(url, body, format="json")
        assert response.status_code not in (401, 403), (method, path, response.status_code)
    # Nothing of a user is read by these: no scheme is listed at all.
    for path, method in [("/api/v1/auth/token/", "post"), ("/api/v1/health/", "get"), ("/api/v1/simulations/", "post")]:
        assert schema["paths"][path][method]["security"] == [], path


def test_exports_declare_their_media_types_and_serve_them(schema, instructor, bank):
    client = bearer("teacher")
    for path, media in [("/api/v1/export/markdown/", "application/zip"), ("/api/v1/export/moodle/", "application/xml"),
                        ("/api/v1/export/gift/", "text/plain"), ("/api/v1/export/qti/", "application/zip"),
                        ("/api/v1/export/qti12/", "application/zip"), ("/api/v1/export/anki/", "application/octet-stream")]:
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert content == {media: {"schema": {"type": "string", "format": "binary"}}}, path
        assert client.get(path, HTTP_ACCEPT=media)["Content-Type"].split(";")[0] == media


def test_errors_are_declared_once_with_descriptions_examples_and_retry_after(schema):
    shared = schema["components"]["responses"]
    for name, response in shared.items():
        assert response["description"], name
        example = response["content"]["application/json"]["example"]
        OAS30StrictValidator({"$ref": "#/components/schemas/Error", "components": schema["components"]}).validate(example)
    assert shared["TooManyRequests"]["headers"]["Retry-After"]["schema"]["type"] == "integer"
    for path, method, operation in operations(schema):
        assert operation["summary"] and operation.get("description"), (method, path)
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert set(response) == {"$ref"}, (method, path, status)
            else:
                assert response["description"], (method, path, status)


def test_a_throttled_answer_carries_the_declared_retry_after(schema, api, bank, monkeypatch):
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "1/min"})
    api.get("/api/v1/questions/")
    response = api.get("/api/v1/questions/")
    cache.clear()
    assert response.status_code == 429
    header, _ = declared(schema, "/api/v1/questions/", "get", 429)
    assert int(response["Retry-After"]) >= 0 and "Retry-After" in header["headers"]
    conforms(schema, "/api/v1/questions/", "get", response)


def test_names_read_well_and_lists_are_paged_or_capped(schema):
    tags = [t["name"] for t in schema["tags"]]
    ids = []
    for path, method, operation in operations(schema):
        ids.append(operation["operationId"])
        assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)+", operation["operationId"]), operation["operationId"]
        assert len(operation["tags"]) == 1 and operation["tags"][0] in tags, (method, path)
        _, body = declared(schema, path, method, min(operation["responses"]))
        if body and body.get("type") == "array":  # a bare list: it says how long it can be
            assert body.get("maxItems"), (method, path)
    assert len(ids) == len(set(ids))
    names = set(schema["components"]["schemas"])
    assert not {n for n in names if n.endswith(("RequestRequest", "ListList"))}
    assert {"Credentials" + "Request", "PaginatedQuestionSummaryList", "QuestionView"} <= names
    assert declared(schema, "/api/v1/review/due/", "get", 200)[1]["maxItems"] == DUE_CAP
