"""Spaced review: answering schedules a question and adds its key points; self-grading schedules
any item; a finished exam releases its answers; anonymous items move to the account at sign-in."""
import datetime as dt
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from questions import answering
from quizzes.models import Quiz, QuizItem
from review.models import Review, ReviewItem
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db


def answer(q, labels, capture, **who):
    with capture(execute=True):
        return answering.answer(q, labels, **who)


def test_answering_schedules_the_question_and_adds_its_key_points(q1973, learner, django_capture_on_commit_callbacks):
    attempt = answer(q1973, ["D"], django_capture_on_commit_callbacks, user=learner)
    item = ReviewItem.objects.get(user=learner, kind="question")
    review = Review.objects.get(item=item)
    assert review.attempt == attempt and review.rating == 3 and review.source == "answer"
    assert item.due > timezone.now() and item.last_review is not None
    points = ReviewItem.objects.filter(user=learner, kind="key_point")
    assert points.count() == len(q1973.key_points)
    assert all(p.due <= timezone.now() for p in points)  # new: due at once for self-grading


def test_a_wrong_answer_comes_back_sooner_than_a_right_one(q1973, learner, other_learner, django_capture_on_commit_callbacks):
    answer(q1973, ["A"], django_capture_on_commit_callbacks, user=learner)
    answer(q1973, ["D"], django_capture_on_commit_callbacks, user=other_learner)
    wrong = ReviewItem.objects.get(user=learner, kind="question")
    right = ReviewItem.objects.get(user=other_learner, kind="question")
    assert Review.objects.get(item=wrong).rating == 1
    assert wrong.due < right.due


def test_self_grading_easy_pushes_an_item_further_than_again(q1973, learner, django_capture_on_commit_callbacks):
    answer(q1973, ["D"], django_capture_on_commit_callbacks, user=learner)
    client = APIClient()
    client.force_authenticate(learner)
    due = client.get("/api/v1/review/due/").json()
    points = [i for i in due if i["kind"] == "key_point"]
    assert len(points) == len(q1973.key_points) and "prompt" not in points[0]  # the front only, until revealed
    shown = [client.get(f"/api/v1/review/items/{p['id']}/answer/").json() for p in points[:2]]
    assert shown[0]["prompt"] == q1973.key_points[points[0]["point"]]
    easy = client.post("/api/v1/review/reviews/", {"item": points[0]["id"], "rating": "easy",
                                                   "revealed": shown[0]["revealed"]}, format="json")
    again = client.post("/api/v1/review/reviews/", {"item": points[1]["id"], "rating": "again",
                                                    "revealed": shown[1]["revealed"]}, format="json")
    assert easy.status_code == again.status_code == 201
    assert easy.json()["item"]["due"] > again.json()["item"]["due"]
    listed = client.get("/api/v1/review/reviews/").json()["results"]
    assert {r["rating"] for r in listed} >= {"easy", "again", "good"}


@pytest.mark.parametrize("body, field", [
    ({"rating": "good"}, "item"),
    ({"item": 1}, "rating"),
    ({"item": 1, "rating": "perfect"}, "rating"),
    ({"item": 999999, "rating": "good", "revealed": "x"}, "item"),
    ({"item": 1, "rating": "good"}, "revealed"),
])
def test_bad_self_grades_are_400s_naming_the_field(learner, body, field):
    client = APIClient()
    client.force_authenticate(learner)
    response = client.post("/api/v1/review/reviews/", body, format="json")
    assert response.status_code == 400 and response.json()["errors"][field]
    assert not Review.objects.exists()


def test_others_items_cannot_be_graded_and_anonymous_callers_are_refused(q1973, learner, other_learner,
                                                                         django_capture_on_commit_callbacks):
    answer(q1973, ["D"], django_capture_on_commit_callbacks, user=learner)
    item = ReviewItem.objects.filter(user=learner).first()
    other = APIClient()
    other.force_authenticate(other_learner)
    assert other.post("/api/v1/review/reviews/", {"item": item.pk, "rating": "easy"}, format="json").status_code == 400
    assert other.get("/api/v1/review/due/").json() == []
    assert APIClient().get("/api/v1/review/due/").status_code == 401


def test_an_exam_answer_is_scheduled_only_when_the_exam_is_finished(q1973, learner, django_capture_on_commit_callbacks):
    answer(q1973, ["D"], django_capture_on_commit_callbacks, user=learner)  # a practice answer first
    ReviewItem.objects.filter(user=learner, kind="question").update(due=timezone.now())  # due again by the exam
    quiz = Quiz.objects.create(user=learner, mode=Quiz.Mode.EXAM, time_limit_s=600)
    QuizItem.objects.create(quiz=quiz, question=q1973, position=0)
    exam_answer = answer(q1973, ["A"], django_capture_on_commit_callbacks, user=learner, quiz=quiz)
    assert not Review.objects.filter(attempt=exam_answer).exists()
    client = APIClient()
    client.force_authenticate(learner)
    assert client.get("/api/v1/review/due/").json() == []  # the exam's question is hidden meanwhile
    quiz.finished_at = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        quiz.save()
    assert Review.objects.get(attempt=exam_answer).rating == 1


def test_the_due_page_grades_without_javascript_and_anonymous_items_move_at_sign_in(
        q1973, client, learner, django_capture_on_commit_callbacks, app_clock):
    # A wrong answer is due again in minutes: on today's page at noon; in the last minute before
    # midnight (UTC) it would be tomorrow's, and rightly not listed.
    app_clock.at(dt.time(12))
    shown = client.get("/questions/1973/")
    assert shown.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/questions/1973/", {"selected": "A"})
    page = client.get("/review/")
    # The key points now; the question itself (answered wrong) comes back after its 1-minute step.
    assert page.status_code == 200 and page.content.decode().count("data-review-item=") == len(q1973.key_points)
    assert 'data-later-today="1"' in page.content.decode()
    item = ReviewItem.objects.filter(user__isnull=True, kind="key_point").first()
    back = client.get(f"/review/{item.pk}/?show=1").content.decode()
    token = re.search(r'name="shown" value="([^"]+)"', back).group(1)
    assert client.post(f"/review/{item.pk}/", {"rating": "meh", "shown": token}).status_code == 400
    graded = client.post(f"/review/{item.pk}/", {"rating": "good", "shown": token}, follow=True)
    assert "Good: next review in 10 min" in graded.content.decode()
    client.post("/accounts/login/", {"username": "learner", "password": PASSWORD})
    assert ReviewItem.objects.filter(user=learner).count() == len(q1973.key_points) + 1
    assert not ReviewItem.objects.filter(user__isnull=True).exists()
    item.refresh_from_db()
    assert item.reviews.count() == 1 and item.due > timezone.now() + dt.timedelta(minutes=1)


def test_an_answer_again_in_a_practice_quiz_is_no_retry_and_moves_nothing(q1973, learner, django_capture_on_commit_callbacks):
    answer(q1973, ["D"], django_capture_on_commit_callbacks, user=learner)  # due in 10 minutes now
    quiz = Quiz.objects.create(user=learner, mode=Quiz.Mode.PRACTICE)
    QuizItem.objects.create(quiz=quiz, question=q1973, position=0)
    in_quiz = answer(q1973, ["A"], django_capture_on_commit_callbacks, user=learner, quiz=quiz)
    outside = answer(q1973, ["A"], django_capture_on_commit_callbacks, user=learner)
    in_quiz.refresh_from_db()
    outside.refresh_from_db()
    assert (in_quiz.retry, outside.retry) == (False, True)  # a quiz is a showing of its own
    assert Review.objects.filter(item__kind="question").count() == 1


def test_an_item_falling_due_between_the_read_and_the_insert_is_reviewed_and_no_retry(
        q1973, learner, django_capture_on_commit_callbacks, monkeypatch):
    from types import SimpleNamespace

    from review import scheduling

    answer(q1973, ["D"], django_capture_on_commit_callbacks, user=learner)
    ReviewItem.objects.filter(user=learner, kind="question").update(due=timezone.now() - dt.timedelta(seconds=30))
    # The read before the insert sees a clock a minute behind the insert's: not due yet, by it.
    monkeypatch.setattr(scheduling, "timezone", SimpleNamespace(now=lambda: timezone.now() - dt.timedelta(minutes=1)))
    late = answer(q1973, ["A"], django_capture_on_commit_callbacks, user=learner)
    late.refresh_from_db()
    assert late.retry is False  # due at its created_at, which decides
    assert Review.objects.get(attempt=late).rating == 1
