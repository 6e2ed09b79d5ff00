"""Where a schema-driven fuzz run once found the schema and the code disagreeing, each case both
ways: what the schema says, and what the code does with such a request."""
import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from tests.api.test_quizzes_api import start, three  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def schema():
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def body_schema(schema, path, method="post"):
    content = schema["paths"][path][method]["requestBody"]["content"]
    ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    return content, schema["components"]["schemas"][ref]


def test_bodies_are_json_only_as_the_schema_says(schema, as_user, learner, three):  # noqa: F811
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                # Imports take the file itself as their body.
                expected = {"/api/v1/import/moodle/": ["application/xml"],
                            "/api/v1/import/gift/": ["text/plain"]}.get(path, ["application/json"])
                assert list(operation["requestBody"]["content"]) == expected, (method, path)
    client = as_user(learner)
    response = client.post("/api/v1/quizzes/", {"count": 1, "time_limit_s": ""}, format="multipart")
    assert response.status_code == 415 and response.json()["detail"].startswith("Unsupported media type")
    assert start(client, count=1, mode="exam", time_limit_s=None).status_code == 201  # null: no limit


def test_an_empty_selection_is_invalid_in_the_schema_and_refused(schema, as_user, learner, three):  # noqa: F811
    _, answer = body_schema(schema, "/api/v1/quizzes/{id}/answers/")
    assert answer["properties"]["selected"]["minItems"] == 1
    client = as_user(learner)
    quiz = start(client, count=1, tags=["quiz"]).json()
    response = client.post(f"/api/v1/quizzes/{quiz['id']}/answers/", {"question": quiz["questions"][0], "selected": []})
    assert response.status_code == 400 and "selected" in response.json()["errors"]


@pytest.mark.parametrize("query, name", [("page=1&page=2", "page"), ("tag=a&tag=b", "tag"), ("search=x&search=y", "search")])
def test_a_repeated_query_parameter_is_refused_naming_it(as_user, learner, three, query, name):  # noqa: F811
    response = as_user(learner).get(f"/api/v1/questions/?{query}")
    assert response.status_code == 400 and response.json()["errors"] == {name: ["given 2 times; give it once"]}
    assert as_user(learner).get("/api/v1/attempts/?page=1&page=1").status_code == 400


@pytest.mark.parametrize("body", [[], [{"count": 1}], "quiz", 3])
def test_a_quiz_body_that_is_not_an_object_is_refused(schema, as_user, learner, three, body):  # noqa: F811
    _, create = body_schema(schema, "/api/v1/quizzes/")
    assert create["type"] == "object"
    response = as_user(learner).post("/api/v1/quizzes/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and "Expected a dictionary" in response.json()["errors"]["non_field_errors"][0]


@pytest.mark.parametrize("overrides, field", [({"no_such_knob": 1}, "overrides.no_such_knob"),
                                              ({"max_tasks": "3"}, "overrides.max_tasks"),
                                              ({"max_tasks": True}, "overrides.max_tasks")])
def test_simulation_overrides_are_the_simulators_names_and_numbers_only(schema, api, db, overrides, field):
    _, request = body_schema(schema, "/api/v1/simulations/")
    declared = request["properties"]["overrides"]
    assert declared["additionalProperties"] is False and declared["properties"]["max_tasks"]["type"] == "integer"
    response = api.post("/api/v1/simulations/", {"scenario": "steady-trickle", "overrides": overrides}, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
