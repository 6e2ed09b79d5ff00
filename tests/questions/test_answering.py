"""The answering service: the one path the page, the API and quizzes take to store an answer."""
import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.test import APIClient

from questions import answering
from questions.models import Attempt
from quizzes.models import Quiz, QuizItem


def quiz_of(user, question, mode=Quiz.Mode.EXAM, **fields):
    quiz = Quiz.objects.create(user=user, mode=mode, **fields)
    QuizItem.objects.create(quiz=quiz, question=question, position=0)
    return quiz


def test_it_grades_and_stores_an_attempt_for_a_user_or_an_anonymous_learner(q1973, learner):
    mine = answering.answer(q1973, ["D"], user=learner, seconds_on_question=12)
    anon = answering.answer(q1973, ["A"], user=AnonymousUser(), anon_id="abc")
    assert (mine.correct, mine.user, mine.seconds_on_question) == (True, learner, 12)
    assert (anon.correct, anon.user, anon.anon_id, anon.selected) == (False, None, "abc", ["A"])


def test_a_selection_it_cannot_grade_stores_nothing(q1973, learner):
    with pytest.raises(answering.GradingError) as caught:
        answering.answer(q1973, ["D", "A"], user=learner)
    assert caught.value.field == "selected" and caught.value.conflict is False
    assert not Attempt.objects.exists()


def test_an_open_exam_locks_its_questions_everywhere_but_inside_it(q1973, learner, other_learner):
    exam = quiz_of(learner, q1973)
    with pytest.raises(answering.ExamLocked) as caught:
        answering.answer(q1973, ["D"], user=learner)
    assert caught.value.quiz_id == exam.pk and caught.value.conflict and f"exam quiz {exam.pk}" in caught.value.message
    with pytest.raises(answering.ExamLocked):
        answering.answer(q1973, ["D"], user=learner, quiz=quiz_of(learner, q1973, Quiz.Mode.PRACTICE))
    assert not Attempt.objects.exists()
    assert answering.answer(q1973, ["D"], user=learner, quiz=exam).correct  # inside the exam itself
    assert answering.answer(q1973, ["D"], user=other_learner).correct  # someone else's exam locks nothing


def test_a_changed_quiz_answer_replaces_the_previous_one(q1973, learner):
    quiz = quiz_of(learner, q1973, Quiz.Mode.PRACTICE)
    first = answering.answer(q1973, ["A"], user=learner, quiz=quiz)
    second = answering.answer(q1973, ["D"], user=learner, quiz=quiz)
    assert list(Attempt.objects.values_list("pk", flat=True)) == [second.pk]
    assert QuizItem.objects.get(quiz=quiz).attempt_id == second.pk != first.pk


@pytest.mark.parametrize("fields, message", [
    ({"finished_at": timezone.now()}, "this quiz is finished"),
    ({"time_limit_s": 60}, "the time limit of 60 s has passed"),
])
def test_a_closed_quiz_takes_no_answer(q1973, learner, fields, message):
    quiz = quiz_of(learner, q1973, **fields)
    Quiz.objects.filter(pk=quiz.pk).update(created_at=timezone.now() - dt.timedelta(seconds=61))
    quiz.refresh_from_db()
    with pytest.raises(answering.QuizClosed, match=message) as caught:
        answering.answer(q1973, ["D"], user=learner, quiz=quiz)
    assert caught.value.field == "quiz" and not Attempt.objects.exists()


def test_a_question_outside_the_quiz_is_refused(q1973, learner):
    quiz = Quiz.objects.create(user=learner, mode=Quiz.Mode.PRACTICE)
    with pytest.raises(answering.NotInQuiz) as caught:
        answering.answer(q1973, ["D"], user=learner, quiz=quiz)
    assert caught.value.conflict is False and caught.value.field == "question"


def test_older_attempts_are_hidden_while_an_exam_holds_their_question(q1973, learner, client):
    older = answering.answer(q1973, ["D"], user=learner)
    exam = quiz_of(learner, q1973)
    assert not answering.revealable(Attempt.objects.all(), learner).exists()
    assert answering.key_hidden_by_exam(learner, q1973).exam == exam.pk
    client.force_login(learner)
    assert client.get(f"/questions/1973/attempts/{older.pk}/").status_code == 404  # its feedback shows the key
    exam.finished_at = timezone.now()
    exam.save()
    assert answering.revealable(Attempt.objects.all(), learner).get() == older
    assert answering.key_hidden_by_exam(learner, q1973) is None
    assert client.get(f"/questions/1973/attempts/{older.pk}/").status_code == 200


def test_an_instructor_in_an_exam_cannot_read_its_key_through_the_api(q1973, instructor):
    exam = quiz_of(instructor, q1973)
    api = APIClient()
    api.force_authenticate(instructor)
    response = api.get("/api/v1/questions/1973/?include=answers")
    assert response.status_code == 409 and f"exam quiz {exam.pk}" in response.json()["errors"]["include"][0]
    assert "correct_labels" not in response.json()


@pytest.mark.parametrize("url", ["/api/v1/export/markdown/", "/api/v1/export/moodle/"])
def test_an_instructor_in_an_exam_cannot_export_the_keys(q1973, instructor, url):
    exam = quiz_of(instructor, q1973)
    api = APIClient()
    api.force_authenticate(instructor)
    response = api.get(url)
    assert response.status_code == 409 and f"exam quiz {exam.pk} is not finished" in response.json()["errors"]["exam"][0]
    exam.finished_at = timezone.now()
    exam.save()
    assert api.get(url).status_code == 200
