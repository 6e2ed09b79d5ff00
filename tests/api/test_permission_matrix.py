"""Who may call what: every operation of the API for the four kinds of caller.

Reading questions, simulations and the contract is public; attempts, progress, quizzes and
tokens need a user; a quiz belongs to its owner (anyone else gets 404, as if it did not exist);
answer keys, question editing and exports are for instructors.
"""
import pytest
from rest_framework.test import APIClient

from questions.models import Question
from quizzes.models import Quiz, QuizItem
from tests.support import PASSWORD

WHO = ["anonymous", "learner", "other_learner", "instructor"]

QUESTION = {
    "id": "new-q", "title": "A new question", "stem": "Which one?",
    "options": [{"label": "A", "text": "this", "correct": True, "why": "because"},
                {"label": "B", "text": "that", "correct": False, "why": "because not"}],
}

# method, path ({quiz}: a quiz the learner owns), body, statuses for WHO in order.
MATRIX = [
    ("get", "/api/v1/questions/", None, [200, 200, 200, 200]),
    ("post", "/api/v1/questions/", QUESTION, [401, 403, 403, 201]),
    ("get", "/api/v1/questions/1973/", None, [200, 200, 200, 200]),
    ("get", "/api/v1/questions/1973/?include=answers", None, [401, 403, 403, 200]),
    ("put", "/api/v1/questions/1973/", {**QUESTION, "id": "1973"}, [401, 403, 403, 200]),
    ("post", "/api/v1/questions/1973/attempts/", {"selected": ["D"]}, [401, 201, 201, 201]),
    ("get", "/api/v1/attempts/", None, [401, 200, 200, 200]),
    ("get", "/api/v1/progress/", None, [401, 200, 200, 200]),
    ("get", "/api/v1/quizzes/", None, [401, 200, 200, 200]),
    ("post", "/api/v1/quizzes/", {"count": 1}, [401, 201, 201, 201]),
    ("get", "/api/v1/quizzes/{quiz}/", None, [401, 200, 404, 404]),
    ("post", "/api/v1/quizzes/{quiz}/answers/", {"question": "1973", "selected": ["D"]}, [401, 200, 404, 404]),
    ("post", "/api/v1/quizzes/{quiz}/finish/", None, [401, 200, 404, 404]),
    ("delete", "/api/v1/auth/token/", None, [401, 204, 204, 204]),
    ("get", "/api/v1/export/markdown/", None, [401, 403, 403, 200]),
    ("get", "/api/v1/export/moodle/", None, [401, 403, 403, 200]),
    ("post", "/api/v1/simulations/", {"scenario": "steady-trickle", "overrides": {"days": 1}}, [200, 200, 200, 200]),
    ("get", "/api/v1/simulations/scenarios/", None, [200, 200, 200, 200]),
    ("get", "/api/v1/health/", None, [200, 200, 200, 200]),
    ("get", "/api/v1/ready/", None, [200, 200, 200, 200]),
    ("get", "/api/schema/", None, [200, 200, 200, 200]),
    ("get", "/api/docs/", None, [200, 200, 200, 200]),
]
CASES = [pytest.param(method, path, body, who, statuses[i], id=f"{method.upper()} {path} as {who}")
         for method, path, body, statuses in MATRIX for i, who in enumerate(WHO)]


@pytest.fixture
def learners_quiz(q1973, learner):
    quiz = Quiz.objects.create(user=learner, mode=Quiz.Mode.PRACTICE)
    QuizItem.objects.create(quiz=quiz, question=Question.objects.get(external_id="1973"), position=0)
    return quiz


@pytest.mark.parametrize("method, path, body, who, status", CASES)
def test_permission_matrix(method, path, body, who, status, learners_quiz, request):
    client = APIClient()
    if who != "anonymous":
        client.force_authenticate(request.getfixturevalue(who))
    response = getattr(client, method)(path.format(quiz=learners_quiz.pk), body, format="json")
    assert response.status_code == status, response.content[:300]
    if status >= 400:
        assert response.json()["detail"]  # the API's error shape, never a page


def test_session_callers_need_the_csrf_token_to_change_anything(learner, q1973):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="learner", password=PASSWORD)
    assert client.get("/api/v1/progress/").status_code == 200
    response = client.post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_the_schema_says_which_operations_anyone_may_call(db):
    # Generated clients read `security` to decide whether to send credentials: an operation that
    # answers anonymous callers must list {} (credentials optional) or nothing at all ([]: none
    # read), and one that answers 401 must do neither.
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    checked = 0
    for method, path, _, statuses in MATRIX:
        template = (path.split("?")[0].replace("/1973/", "/{external_id}/").replace("/{quiz}/", "/{id}/"))
        operation = schema["paths"].get(template, {}).get(method)
        if operation is None or "?" in path:
            continue
        anonymous_ok = statuses[0] < 400
        security = operation["security"]
        assert (security == [] or {} in security) == anonymous_ok, f"{method.upper()} {template}"
        checked += 1
    assert checked >= 15


def test_content_negotiation_errors_are_json_and_documented(db):
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    refused = client.get("/api/v1/questions/", HTTP_ACCEPT="text/csv")
    assert refused.status_code == 406 and "406" in schema["paths"]["/api/v1/questions/"]["get"]["responses"]
    unparsable = client.post("/api/v1/simulations/", data="<x/>", content_type="application/xml")
    assert unparsable.status_code == 415 and unparsable.json()["detail"]
    assert "415" in schema["paths"]["/api/v1/simulations/"]["post"]["responses"]
