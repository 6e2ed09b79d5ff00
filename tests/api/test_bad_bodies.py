"""Every bad request under /api/ is a 4xx in the API's error shape, never a 500 or an HTML page,
with DEBUG on (Django's technical pages) and off."""
import json
import re

import hypothesis
import pytest
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import strategies

from studyapp.api.not_found import not_found
from studyapp.api.parsers import MAX_DEPTH, nesting_depth


def shaped(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["detail"]
    return body


@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/simulations/"])
@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 500])
def test_deeply_nested_json_is_a_400_naming_the_limit(both_modes_client, url, levels):
    body = shaped(both_modes_client.post(url, "[" * levels + "]" * levels, content_type="application/json"), 400)
    assert f"nested {levels} levels deep; at most {MAX_DEPTH}" in body["detail"]


@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/simulations/"])
@pytest.mark.parametrize("levels", [1001, 3000, 100_000])
def test_json_too_deep_for_the_parser_itself_is_a_400_naming_the_limit(both_modes_client, url, levels):
    body = shaped(both_modes_client.post(url, "[" * levels + "]" * levels, content_type="application/json"), 400)
    assert f"nested too deep to parse; at most {MAX_DEPTH} levels" in body["detail"]


def test_nesting_up_to_the_limit_is_parsed_as_usual(both_modes_client):
    body = '{"scenario": "idle-then-burst", "overrides": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    response = shaped(both_modes_client.post("/api/v1/simulations/", body, content_type="application/json"), 400)
    assert "overrides" in response["errors"]  # reached the serializer, which names the field


@pytest.mark.parametrize("text, depth", [
    ("1", 0), ("[]", 1), ('{"a": [1, {"b": []}]}', 4), ('["[[[[", "\\"[["]', 1), ('{"k": "}}}{{{"}', 1),
    ('["\\\\", ["\\\\\\"]"]]', 2), ('[["\\\\"], "\\u005b["]', 2),
])
def test_brackets_inside_strings_do_not_count_as_nesting(text, depth):
    assert nesting_depth(text) == depth


@pytest.mark.parametrize("content_type, body", [
    ("application/json", b"x" * (10 * 1024 * 1024)),
    ("application/x-www-form-urlencoded", b"a=" + b"x" * (10 * 1024 * 1024)),
    ("multipart/form-data; boundary=B", b"--B\r\n" + b"x" * (10 * 1024 * 1024)),
])
def test_a_10_mb_body_is_a_413_naming_the_limit(both_modes_client, settings, content_type, body):
    response = shaped(both_modes_client.post("/api/v1/simulations/", body, content_type=content_type), 413)
    assert response["errors"]["body"] == [f"at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes; this one has {len(body):,}"]


def test_djangos_own_refusals_under_the_api_are_in_the_shape(both_modes_client):
    # A Host header not allowed: Django refuses it before any view, with an HTML page of its own.
    shaped(both_modes_client.get("/api/v1/health/", HTTP_HOST="evil.example"), 400)


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_a_url_missing_its_slash_is_a_404_naming_the_right_url(both_modes_client, method):
    body = None if method == "get" else "{}"
    response = getattr(both_modes_client, method)("/api/v1/simulations", body, content_type="application/json")
    body = shaped(response, 404)
    assert body["errors"] == {"url": ["API URLs end with a slash: /api/v1/simulations/"]}


@pytest.mark.parametrize("url", ["/api/nothing/", "/api/v1/nothing", "/api/v2/questions/", "/api/v1/questions/x/y/z/"])
def test_unknown_api_urls_are_json_404s(both_modes_client, url):
    assert shaped(both_modes_client.get(url), 404)["errors"] == {}
    assert shaped(both_modes_client.post(url, {}), 404)["errors"] == {}


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "image/png"])
def test_a_body_of_another_media_type_is_a_415(both_modes_client, content_type):
    body = shaped(both_modes_client.post("/api/v1/simulations/", "{}", content_type=content_type), 415)
    assert content_type in body["detail"]


def test_a_body_that_is_not_utf8_is_a_400(both_modes_client):
    shaped(both_modes_client.post("/api/v1/simulations/", b'{"scenario": "\xff"}', content_type="application/json"), 400)


def test_pages_outside_the_api_keep_their_html(both_modes_client):
    response = both_modes_client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_every_operation_in_the_schema_reaches_its_view_not_the_catch_all():
    # The catch-all 404 ends studyapp/api_urls.py: an api/ route included after it would be shadowed.
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert len(paths) > 10
    for path in paths:
        assert resolve(re.sub(r"\{[^}]+\}", "1", path)).func is not not_found, path


@pytest.mark.parametrize("seed", ["", "-5", "2147483648", "x"])
def test_a_drill_seed_out_of_the_schemas_range_is_a_400_naming_it(both_modes_client, seed):
    body = shaped(both_modes_client.get("/api/v1/drills/backlog/", {"seed": seed}), 400)
    assert "seed" in body["errors"]


def test_the_schema_states_the_drill_seeds_range():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    (seed,) = [p for p in schema["paths"]["/api/v1/drills/backlog/"]["get"]["parameters"] if p["name"] == "seed"]
    assert seed["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}


@pytest.mark.parametrize("tags", [21, 70, 1000])
def test_a_quiz_asking_for_more_tags_than_allowed_is_a_400_naming_the_field(both_modes_client, learner, tags):
    # 70 tags were "at most 64 tables in a join", 1,000 "too many FROM clause terms": 500s.
    both_modes_client.force_login(learner)
    body = shaped(both_modes_client.post("/api/v1/quizzes/", json.dumps({"count": 1, "tags": [f"t{i}" for i in range(tags)]}),
                              content_type="application/json"), 400)
    assert body["errors"] == {"tags": ["Ensure this field has no more than 20 elements."]}


def test_the_schema_states_the_list_bounds():
    schema = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert schema["QuizCreateRequest"]["properties"]["tags"]["maxItems"] == 20
    assert schema["QuestionWriteRequest"]["properties"]["tags"]["maxItems"] == 20
    assert schema["QuestionWriteRequest"]["properties"]["stem"]["maxLength"] == 20_000


def _depth_of(value) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth_of, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth_of, value), default=0)
    return 0


@hypothesis.settings(max_examples=300, deadline=None, derandomize=True)
@hypothesis.given(strategies.recursive(
    strategies.none() | strategies.booleans() | strategies.integers() | strategies.text(alphabet='[]{}"\\\n\u00e9x'),
    lambda inner: strategies.lists(inner, max_size=4) | strategies.dictionaries(
        strategies.text(alphabet='[]{}"\\x', max_size=4), inner, max_size=4),
    max_leaves=30))
def test_the_depth_counted_on_the_text_is_the_parsed_values_depth(value):
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False), json.dumps(value, indent=1)):
        assert nesting_depth(text) == _depth_of(value)
