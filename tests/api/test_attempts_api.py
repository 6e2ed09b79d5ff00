import pytest
from django.utils import timezone

from questions.models import Attempt, Choice, Question
from review.models import Review
from tests.support import PASSWORD


def test_answering_returns_the_outcome_and_every_explanation(as_user, learner, q1973):
    response = as_user(learner).post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["correct"] is True and data["correct_labels"] == ["D"]
    assert [o["label"] for o in data["options"]] == ["A", "B", "C", "D"]
    assert all(o["why"] for o in data["options"]) and data["options"][3]["chosen"] is True
    assert data["key_points"] and data["references"][0]["url"].startswith("https://")
    assert Attempt.objects.get().user == learner


def test_a_wrong_answer_is_graded_by_the_same_function_as_the_pages(as_user, learner, q1973):
    data = as_user(learner).post("/api/v1/questions/1973/attempts/", {"selected": ["A"]}, format="json").json()
    assert data["correct"] is False and data["selected"] == ["A"]


@pytest.mark.parametrize("body, field, message", [
    ({"selected": ["A", "B"]}, "selected", "choose exactly 1 option; 2 chosen"),
    ({"selected": ["Q"]}, "selected", "unknown option Q"),
    ({"selected": ["a"]}, "selected[0]", "one capital letter"),
    ({}, "selected", "required"),
    ({"selected": "D"}, "selected", "list"),
])
def test_bad_selections_are_400_with_the_field(as_user, learner, q1973, body, field, message):
    response = as_user(learner).post("/api/v1/questions/1973/attempts/", body, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not Attempt.objects.exists()


def test_anonymous_callers_cannot_answer_through_the_api(as_user, q1973):
    assert as_user(None).post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json").status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/attempts/", "/api/v1/progress/"])
def test_attempts_and_progress_need_a_user(api, q1973, path):
    response = api.get(path)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_each_learner_sees_only_their_own_attempts(as_user, learner, other_learner, instructor, q1973):
    as_user(learner).post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json")
    as_user(other_learner).post("/api/v1/questions/1973/attempts/", {"selected": ["A"]}, format="json")
    mine = as_user(learner).get("/api/v1/attempts/").json()
    assert mine["count"] == 1 and mine["results"][0]["selected"] == ["D"]
    assert as_user(other_learner).get("/api/v1/attempts/").json()["results"][0]["selected"] == ["A"]
    assert as_user(instructor).get("/api/v1/attempts/").json()["count"] == 0


def test_progress_totals_and_per_domain_accuracy(as_user, learner, other_learner, q1973):
    client = as_user(learner)
    for label in ["A", "D", "D"]:
        client.post("/api/v1/questions/1973/attempts/", {"selected": [label]}, format="json")
    as_user(other_learner).post("/api/v1/questions/1973/attempts/", {"selected": ["B"]}, format="json")
    data = client.get("/api/v1/progress/").json()
    assert (data["attempts"], data["correct"], data["accuracy"]) == (3, 2, round(2 / 3, 4))
    assert data["questions_answered"] == 1 and data["questions_available"] == 1
    assert data["by_domain"] == [{"domain": "Design for new solutions", "attempts": 3, "correct": 2, "accuracy": round(2 / 3, 4)}]


def test_an_answer_again_with_a_token_takes_six_queries_and_is_stored_as_a_retry(
        api, learner, q1973, assert_num_queries_besides_cache, django_capture_on_commit_callbacks):
    # What benchmarks/answering.py times: the answers after the first, whose item is not due.
    token = api.post("/api/v1/auth/token/", {"username": learner.username, "password": PASSWORD}, format="json").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with django_capture_on_commit_callbacks(execute=True):  # creates the items, reviews the question's: due in 10 min
        assert api.post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json").status_code == 201
    # The token; the question's version (this process keeps the question and its choices under
    # it); the timed quizzes to close with the open exams' questions; the after-due rule's
    # hidden questions; the learner's items for the question; the insert (its retry flag set).
    # Nothing after commit.
    with assert_num_queries_besides_cache(6), django_capture_on_commit_callbacks(execute=True) as after_commit:
        response = api.post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json")
    assert response.status_code == 201 and response.json()["correct"] is True
    assert after_commit == []
    first, again = Attempt.objects.order_by("pk")
    assert (first.retry, again.retry) == (False, True)
    assert Review.objects.filter(item__kind="question").count() == 1


def test_an_answer_is_graded_against_the_key_as_edited_since_the_last_answer(as_user, learner, instructor, q1973):
    # The answers' view keeps the question it graded with under its version: an edit moves it.
    client = as_user(learner)
    assert client.post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json").json()["correct"] is True
    key = as_user(instructor).get("/api/v1/questions/1973/?include=answers").json()
    options = [{"label": o["label"], "text": o["text"], "correct": o["label"] == "A", "why": o["why"]} for o in key["options"]]
    body = {k: key[k] for k in ("title", "stem", "explanation", "domain", "key_points", "references")}
    edited = as_user(instructor).put("/api/v1/questions/1973/", {**body, "id": "1973", "options": options}, format="json")
    assert edited.status_code == 200, edited.content
    again = client.post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json").json()
    assert again["correct"] is False and again["correct_labels"] == ["A"]
    # An edit that bypasses the loader (the admin) moves `updated_at`, which is part of the key too.
    Choice.objects.filter(question__external_id="1973").update(is_correct=False)
    Choice.objects.filter(question__external_id="1973", label="B").update(is_correct=True)
    Question.objects.filter(external_id="1973").update(updated_at=timezone.now())
    assert client.post("/api/v1/questions/1973/attempts/", {"selected": ["B"]}, format="json").json()["correct"] is True


def test_an_answer_closes_every_overdue_timed_quiz_and_an_expired_exam_no_longer_locks(as_user, learner, q1973, app_clock):
    import datetime as dt

    from quizzes.models import Quiz, QuizItem

    practice = Quiz.objects.create(user=learner, mode=Quiz.Mode.PRACTICE, time_limit_s=60)
    exam = Quiz.objects.create(user=learner, mode=Quiz.Mode.EXAM, time_limit_s=120)
    untimed = Quiz.objects.create(user=learner, mode=Quiz.Mode.PRACTICE)
    for quiz in (practice, exam, untimed):
        QuizItem.objects.create(quiz=quiz, question=q1973, position=0)
    client = as_user(learner)
    locked = client.post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json")
    assert locked.status_code == 409 and f"exam quiz {exam.pk}" in str(locked.json())
    app_clock.advance(dt.timedelta(seconds=90))  # the practice quiz is over, the exam not yet
    assert client.post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json").status_code == 409
    practice.refresh_from_db()
    assert practice.finished_at == practice.created_at + dt.timedelta(seconds=60)
    app_clock.advance(dt.timedelta(seconds=60))
    assert client.post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json").status_code == 201
    exam.refresh_from_db()
    untimed.refresh_from_db()
    assert exam.finished_at == exam.created_at + dt.timedelta(seconds=120) and untimed.finished_at is None


def test_an_engine_whose_close_overdue_returns_nothing_is_still_asked_what_it_holds(as_user, learner, q1973, monkeypatch):
    from questions import answering

    class Holds:  # an engine of the older shape: close_overdue() returns None
        def close_overdue(self, user):
            return None

        def held(self, user, *, close):
            return [(q1973.pk, 999)]

        def held_questions(self, user):
            return []

    monkeypatch.setattr(answering, "EXAMS", [*answering.EXAMS, Holds()])
    response = as_user(learner).post("/api/v1/questions/1973/attempts/", {"selected": ["D"]}, format="json")
    assert response.status_code == 409 and "exam quiz 999" in str(response.json())
    assert not Attempt.objects.exists()


def test_an_answer_to_an_unknown_question_is_a_404_that_says_so(as_user, learner, db):
    response = as_user(learner).post("/api/v1/questions/nope/attempts/", {"selected": ["D"]}, format="json")
    assert response.status_code == 404 and response.json()["detail"] == "No Question matches the given query."
