"""A learner takes their own data away: attempts, finished quizzes, review log and error reports,
as JSON and CSV, from the progress page's links and from the API; only their own, and nothing an
unfinished exam of theirs holds."""
import csv
import io
import json
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from questions.loader import load_questions
from tests.support import question_file

pytestmark = pytest.mark.django_db
OPTS = "options:\n  - {label: A, text: a, correct: true, why: w}\n  - {label: B, text: b, correct: false, why: w}\n"


@pytest.fixture
def studied(client, learner, other_learner, q1973, write, django_capture_on_commit_callbacks):
    load_questions([write(f"{tag}.md", question_file(qid=tag, options=OPTS, extra=f"tags: [{tag}]\n"))
                    for tag in ("practice", "exam")])
    api = APIClient()
    api.force_authenticate(other_learner)
    api.post("/api/v1/questions/1973/attempts/", {"selected": ["A"]}, format="json")  # not theirs
    client.force_login(learner)

    def post(path, body=None):
        response = client.post(path, json.dumps(body or {}), content_type="application/json")
        assert response.status_code in (200, 201), response.content
        return response.json()

    with django_capture_on_commit_callbacks(execute=True):  # answers schedule their reviews on commit
        post("/api/v1/questions/1973/attempts/", {"selected": ["D"]})
    practice = post("/api/v1/quizzes/", {"count": 1, "tags": ["practice"], "mode": "practice"})
    post(f"/api/v1/quizzes/{practice['id']}/answers/", {"question": practice["questions"][0], "selected": ["A"]})
    post(f"/api/v1/quizzes/{practice['id']}/finish/")
    exam = post("/api/v1/quizzes/", {"count": 1, "tags": ["exam"], "mode": "exam"})
    post(f"/api/v1/quizzes/{exam['id']}/answers/", {"question": exam["questions"][0], "selected": ["B"]})
    assert client.post("/reports/new/1973/", {"part": "stem", "note": "=HYPERLINK(\"x\") unclear"}).status_code == 302
    return {"practice": practice, "exam": exam}


def links(client) -> dict[str, str]:
    page = client.get("/progress/").content.decode()
    return {kind: href for href, kind in re.findall(r'<a href="([^"]+)" data-my-data="([a-z]+)"', page)}


def test_the_progress_page_links_every_kind_and_the_json_holds_only_what_the_learner_may_see(client, studied):
    found = links(client)
    assert set(found) == {"json", "attempts", "quizzes", "reviews", "reports"}
    response = client.get(found["json"])
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    # #1973 and the practice quiz's answer; the open exam's answer stays hidden until it ends.
    assert [(a["question"], a["correct"]) for a in data["attempts"]] == [("1973", True), (studied["practice"]["questions"][0], True)]
    assert data["attempts"][1]["quiz"] == studied["practice"]["id"]
    assert [(q["id"], q["answered"], q["correct"]) for q in data["quizzes"]] == [(studied["practice"]["id"], 1, 1)]
    assert {r["question"] for r in data["reviews"]} >= {"1973"} and all(r["rating"] in ("again", "hard", "good", "easy")
                                                                       for r in data["reviews"])
    assert [(r["question"], r["part"], r["status"]) for r in data["reports"]] == [("1973", "stem", "open")]


def test_each_kind_downloads_as_csv_with_formula_cells_kept_as_text(client, studied):
    found = links(client)
    for kind in ("attempts", "quizzes", "reviews", "reports"):
        response = client.get(found[kind])
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), kind
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows, kind
    reports = list(csv.DictReader(io.StringIO(client.get(found["reports"]).content.decode("utf-8-sig"))))
    assert reports[0]["note"].startswith("'=HYPERLINK")
    attempts = list(csv.DictReader(io.StringIO(client.get(found["attempts"]).content.decode("utf-8-sig"))))
    assert [a["selected"] for a in attempts] == ["D", "A"] and attempts[0]["correct"] == "true"
    assert client.get("/progress/my-data/passwords.csv").status_code == 404


def test_an_anonymous_learner_downloads_their_own(client, q1973):
    client.post("/questions/1973/", {"selected": "A"})  # the question page, without an account
    data = json.loads(client.get("/progress/my-data.json").content)
    assert [a["selected"] for a in data["attempts"]] == [["A"]] and data["quizzes"] == []
    assert json.loads(Client().get("/progress/my-data.json").content)["attempts"] == []  # a stranger: nothing


def test_the_api_gives_the_same_to_the_signed_in_learner_only(client, studied, learner):
    api = APIClient()
    assert api.get("/api/v1/me/data/").status_code == 401
    assert api.get("/api/v1/me/data/attempts/").status_code == 401
    api.force_authenticate(learner)
    body = api.get("/api/v1/me/data/").json()
    assert body == json.loads(client.get("/progress/my-data.json").content)
    csv_response = api.get("/api/v1/me/data/reviews/", HTTP_ACCEPT="text/csv")
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    missing = api.get("/api/v1/me/data/passwords/")
    assert missing.status_code == 404 and "attempts" in missing.json()["detail"]
