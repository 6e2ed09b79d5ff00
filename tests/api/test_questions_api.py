import pytest
from django.core.cache import cache
from django.utils import timezone

from questions.loader import load_questions
from questions.models import Question, Tag
from tests.support import question_file

ANSWER_KEYS = {"correct", "why", "why_html", "correct_labels", "explanation", "more_precisely", "key_points", "references"}


def all_keys(data):
    if isinstance(data, dict):
        return set(data) | set().union(*(all_keys(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(all_keys(v) for v in data)) if data else set()
    return set()


@pytest.mark.parametrize("who", ["anonymous", "learner", "instructor"])
def test_the_list_never_shows_the_answer_key(as_user, q1973, who, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    data = as_user(user).get("/api/v1/questions/").json()
    assert data["count"] == 1 and data["results"][0]["id"] == "1973"
    assert not all_keys(data) & ANSWER_KEYS


@pytest.mark.parametrize("who", ["anonymous", "learner", "instructor"])
def test_the_detail_never_shows_the_answer_key_unless_an_instructor_asks(as_user, q1973, who, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    data = as_user(user).get("/api/v1/questions/1973/").json()
    assert [o["label"] for o in data["options"]] == ["A", "B", "C", "D"]
    assert data["answers_required"] == 1 and "<p>" in data["stem_html"]
    assert not all_keys(data) & ANSWER_KEYS


@pytest.mark.parametrize("who, status", [("anonymous", 401), ("learner", 403), ("instructor", 200)])
def test_only_instructors_get_answers_on_request(as_user, q1973, who, status, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = as_user(user).get("/api/v1/questions/1973/?include=answers")
    assert response.status_code == status
    if status == 200:
        assert response.json()["correct_labels"] == ["D"]
    else:
        assert not all_keys(response.json()) & ANSWER_KEYS and response.json()["detail"]


def test_an_unknown_include_is_a_field_error(api, q1973):
    response = api.get("/api/v1/questions/1973/?include=everything")
    assert response.status_code == 400 and "include" in response.json()["errors"]


def test_unknown_question_is_404_json(api, q1973):
    response = api.get("/api/v1/questions/nope/")
    assert response.status_code == 404 and response.json()["detail"]


def test_filters_and_search(api, q1973, write):
    load_questions([write("x.md", question_file(qid="other", title="Caching with CloudFront",
                                                extra="domain: Networking\ntags: [cdn]\n"))])
    ids = lambda q: [r["id"] for r in api.get("/api/v1/questions/" + q).json()["results"]]  # noqa: E731
    assert ids("?tag=sqs") == ["1973"]
    assert ids("?tag=cdn") == ["other"]
    assert ids("?domain=networking") == ["other"]
    assert ids("?search=bursts") == ["1973"]
    assert sorted(ids("")) == ["1973", "other"]


def make_questions(write, n, options=4):
    labels = "ABCDEFGH"[:options]
    opts = "options:\n" + "".join(
        f"  - {{label: {l}, text: t{l}, correct: {'true' if l == 'A' else 'false'}, why: w}}\n" for l in labels)
    load_questions([write(f"q{i}.md", question_file(qid=f"q{i}", options=opts, extra="tags: [a, b]\n")) for i in range(n)])


@pytest.mark.parametrize("n, options", [(2, 2), (15, 6)])
def test_list_queries_do_not_grow_with_questions_or_options(api, db, write, assert_num_queries_besides_cache, n, options):
    make_questions(write, n, options)
    with assert_num_queries_besides_cache(5):  # the bank's version; count, page, choices, tags
        assert api.get("/api/v1/questions/").status_code == 200
    with assert_num_queries_besides_cache(1):  # the version only: this process served the page
        assert api.get("/api/v1/questions/").status_code == 200


@pytest.mark.parametrize("options", [2, 8])
def test_detail_queries_do_not_grow_with_options(api, db, write, assert_num_queries_besides_cache, options):
    cache.clear()
    make_questions(write, 1, options)
    with assert_num_queries_besides_cache(4):  # version; then question, choices, tags
        assert api.get("/api/v1/questions/q0/").status_code == 200
    with assert_num_queries_besides_cache(1):  # version only: the rest comes from the cache
        assert api.get("/api/v1/questions/q0/").status_code == 200


def test_the_served_list_and_detail_follow_additions_deletions_and_tag_renames(api, db, write):
    make_questions(write, 2)
    listed = lambda: {r["id"]: r["tags"] for r in api.get("/api/v1/questions/").json()["results"]}  # noqa: E731
    assert listed() == {"q0": ["a", "b"], "q1": ["a", "b"]}
    make_questions(write, 3)
    assert set(listed()) == {"q0", "q1", "q2"}
    Question.objects.filter(external_id="q2").delete()
    assert set(listed()) == {"q0", "q1"}
    assert api.get("/api/v1/questions/q0/").json()["tags"] == ["a", "b"]
    tag = Tag.objects.get(slug="a")
    tag.slug = "renamed"
    tag.save()
    assert listed() == {"q0": ["b", "renamed"], "q1": ["b", "renamed"]}  # tags by slug
    assert api.get("/api/v1/questions/q0/").json()["tags"] == ["b", "renamed"]
    Tag.objects.filter(slug="b").delete()
    assert listed() == {"q0": ["renamed"], "q1": ["renamed"]}
    assert api.get("/api/v1/questions/q1/").json()["tags"] == ["renamed"]


def test_the_cached_detail_follows_every_edit(as_user, instructor, q1973):
    cache.clear()
    client = as_user(None)
    assert client.get("/api/v1/questions/1973/").json()["options"][0]["text"] != "edited option"
    question = as_user(instructor).get("/api/v1/questions/1973/?include=answers").json()
    body = {**NEW, "id": "1973", "options": [
        {"label": "A", "text": "edited option", "correct": True, "why": "w"},
        {"label": "B", "text": "other", "correct": False, "why": "w"}]}
    assert as_user(instructor).put("/api/v1/questions/1973/", body, format="json").status_code == 200
    after = client.get("/api/v1/questions/1973/").json()
    assert [o["text"] for o in after["options"]] == ["edited option", "other"] and after["tags"] == ["api"]
    # An edit that bypasses the loader (the admin) moves `updated_at`, which is part of the key too.
    Question.objects.filter(external_id="1973").update(title="Edited in the admin", updated_at=timezone.now())
    assert client.get("/api/v1/questions/1973/").json()["title"] == "Edited in the admin"
    assert question["title"] != "Edited in the admin"


NEW = {
    "id": "new-q", "title": "A new question", "stem": "Which one?", "domain": "Testing", "tags": ["api"],
    "options": [{"label": "A", "text": "this", "correct": True, "why": "because"},
                {"label": "B", "text": "that", "correct": False, "why": "because not"}],
    "key_points": ["one"], "references": [{"title": "doc", "url": "https://example.com/doc"}],
}


@pytest.mark.parametrize("who, status", [("anonymous", 401), ("learner", 403), ("instructor", 201)])
def test_only_instructors_create_questions(as_user, db, who, status, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = as_user(user).post("/api/v1/questions/", NEW, format="json")
    assert response.status_code == status
    assert Question.objects.filter(external_id="new-q").exists() == (status == 201)


def test_created_questions_pass_the_loaders_validation(as_user, instructor, db):
    bad = {**NEW, "options": [{"label": "A", "text": "x", "correct": False, "why": "w"},
                              {"label": "A", "text": "y", "correct": False, "why": "w"}],
           "references": [{"title": "x", "url": "ftp://nope"}]}
    response = as_user(instructor).post("/api/v1/questions/", bad, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "duplicate label A" in " ".join(errors["options[1].label"])
    assert "at least one option must have correct: true" in " ".join(errors["options"])
    assert not Question.objects.exists()


def test_every_rule_a_field_breaks_is_reported(as_user, instructor, db):
    eleven = [{"label": chr(65 + i), "text": f"t{i}", "correct": True, "why": "w"} for i in range(11)]
    response = as_user(instructor).post("/api/v1/questions/", {**NEW, "options": eleven}, format="json")
    assert response.status_code == 400
    messages = response.json()["errors"]["options"]
    assert len(messages) >= 2 and any("at least one option must be wrong" in m for m in messages)


def test_the_schema_states_how_many_options_a_question_takes_as_the_loader_checks(schema, as_user, instructor, db):
    options = schema["components"]["schemas"]["QuestionWriteRequest"]["properties"]["options"]
    assert (options["minItems"], options["maxItems"]) == (2, 10)
    one = [{"label": "A", "text": "t", "correct": True, "why": "w"}]
    response = as_user(instructor).post("/api/v1/questions/", {**NEW, "options": one}, format="json")
    assert response.status_code == 400 and "between 2 and 10 options" in " ".join(response.json()["errors"]["options"])


def test_instructors_update_questions_and_ids_stay(as_user, instructor, q1973):
    client = as_user(instructor)
    current = client.get("/api/v1/questions/1973/?include=answers").json()
    body = {**NEW, "id": "1973", "title": "Renamed"}
    assert client.put("/api/v1/questions/1973/", body, format="json").status_code == 200
    assert Question.objects.get(external_id="1973").title == "Renamed"
    assert client.put("/api/v1/questions/1973/", {**body, "id": "other"}, format="json").status_code == 400
    assert current["title"] != "Renamed"


@pytest.mark.parametrize("who, status", [("anonymous", 401), ("learner", 403)])
def test_learners_cannot_update_questions(as_user, q1973, who, status, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    assert as_user(user).put("/api/v1/questions/1973/", {**NEW, "id": "1973"}, format="json").status_code == status


@pytest.mark.parametrize("external_id", ["not a slug", "é", "x" * 40])
def test_malformed_question_ids_are_json_404s(api, q1973, external_id):
    response = api.get(f"/api/v1/questions/{external_id}/")
    assert response.status_code == 404 and response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/questions/1973/", "/api/v1/questions/"])
def test_kept_json_is_what_drf_renders_and_other_renderings_still_negotiate(api, q1973, path):
    # The list and detail keep their JSON beside their data (studyapp/api/rendered.py): a kept
    # body must be byte for byte DRF's, and every other rendering must still be rendered.
    import json

    from rest_framework.renderers import JSONRenderer

    first, again = api.get(path), api.get(path)  # the second is served from what the first kept
    assert first.content == again.content and again["Content-Type"] == "application/json"
    assert again.content == JSONRenderer().render(json.loads(again.content), "application/json", {})
    pretty = api.get(path, HTTP_ACCEPT="application/json; indent=4")
    assert pretty.content.startswith(b"{\n    ") and json.loads(pretty.content) == json.loads(again.content)
    browsable = api.get(path, HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and browsable["Content-Type"].startswith("text/html")


def test_an_edit_is_served_at_once_though_the_json_was_kept(api, q1973):
    before = api.get("/api/v1/questions/1973/").json()
    Question.objects.filter(external_id="1973").update(title="Renamed", updated_at=timezone.now())
    after = api.get("/api/v1/questions/1973/").json()
    assert before["title"] != "Renamed" and after["title"] == "Renamed"
    assert [r["title"] for r in api.get("/api/v1/questions/").json()["results"]] == ["Renamed"]
