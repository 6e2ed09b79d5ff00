"""Progress page and My history: accuracy by domain and tag per day, streak, due items; history
separated into single answers, practice quizzes and exams with measured durations."""
import datetime as dt

import pytest
from django.utils import timezone

from progress.stats import progress, streak
from questions import answering
from questions.models import Attempt, Question
from quizzes.models import Quiz, QuizItem
from review.models import ReviewItem

pytestmark = pytest.mark.django_db


def test_a_streak_counts_consecutive_days_ending_today_or_yesterday():
    today = dt.date(2026, 12, 1)
    days = {today, today - dt.timedelta(1), today - dt.timedelta(2), today - dt.timedelta(5)}
    assert streak(days, today) == 3
    assert streak(days - {today}, today) == 2
    assert streak({today - dt.timedelta(2)}, today) == 0


def test_accuracy_by_domain_and_tag_per_day(bank, learner):
    q1 = Question.objects.with_choices().get(external_id="c1973-lb-targets")
    q2 = Question.objects.with_choices().get(external_id="c1973-scale-from-zero")
    a = answering.answer(q1, q1.correct_labels, user=learner)
    answering.answer(q2, ["B"], user=learner)
    Attempt.objects.filter(pk=a.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    p = progress(Attempt.objects.filter(user=learner))
    assert p.total.attempts == 2 and p.total.correct == 1 and p.streak_days == 2
    assert p.series["overall"] == [1.0, 0.0]
    assert p.series["tag:load-balancer-targets"] == [1.0, None]
    assert p.by_domain["Continuous improvement for existing solutions"].accuracy == 0.0


def test_the_progress_page_shows_totals_chart_data_and_due(bank, client, learner, django_capture_on_commit_callbacks):
    client.force_login(learner)
    q = Question.objects.with_choices().get(external_id="c1973-dlq-redrive")
    with django_capture_on_commit_callbacks(execute=True):
        answering.answer(q, q.correct_labels, user=learner)
    page = client.get("/progress/").content.decode()
    assert 'data-stat="attempts">1<' in page and 'data-stat="streak">1 day<' in page
    assert 'id="progress-data"' in page and 'data-tag="dead-letter-queue"' in page
    # Due now: the key points; the question (answered right) is in its 10-minute learning step,
    # out of the queue until then.
    assert f'data-stat="due"><a href="/review/">{len(q.key_points)}</a>' in page


def test_history_separates_single_answers_practice_and_exams_with_durations(bank, client, learner):
    client.force_login(learner)
    shown = client.get("/questions/c1973-lb-targets/").content.decode()
    shown_at = shown.split('name="shown_at" value="')[1].split('"')[0]
    client.post("/questions/c1973-lb-targets/", {"selected": "B", "shown_at": shown_at})
    practice = Quiz.objects.create(user=learner, mode=Quiz.Mode.PRACTICE)
    exam = Quiz.objects.create(user=learner, mode=Quiz.Mode.EXAM, time_limit_s=600)
    for quiz in (practice, exam):
        QuizItem.objects.create(quiz=quiz, question=Question.objects.get(external_id="c1973-dlq-redrive"), position=0)
    Quiz.objects.filter(pk=practice.pk).update(created_at=timezone.now() - dt.timedelta(seconds=95),
                                               finished_at=timezone.now())
    page = client.get("/history/").content.decode()
    single = page.split('data-history="single"')[1].split("</table>")[0]
    assert "c1973-lb-targets" in single and " s</td>" in single
    assert "95 s" in page.split('data-history="practice"')[1].split("</table>")[0]
    assert "in progress" in page.split('data-history="exam"')[1].split("</table>")[0]


def test_progress_days_are_the_learners_with_a_4_am_rollover(bank, client, learner):
    from review.models import ReviewSettings
    ReviewSettings.objects.create(user=learner, time_zone="Europe/Paris")
    q = Question.objects.with_choices().get(external_id="c1973-dlq-redrive")
    early = answering.answer(q, q.correct_labels, user=learner)
    later = answering.answer(q, q.correct_labels, user=learner)
    # 02:30 UTC is 03:30 in Paris: still the study day before. 04:30 UTC is 05:30 there: the next.
    Attempt.objects.filter(pk=early.pk).update(created_at=dt.datetime(2026, 12, 2, 2, 30, tzinfo=dt.timezone.utc))
    Attempt.objects.filter(pk=later.pk).update(created_at=dt.datetime(2026, 12, 2, 4, 30, tzinfo=dt.timezone.utc))
    client.force_login(learner)
    page = client.get("/progress/").content.decode()
    assert '"days": ["2026-12-01", "2026-12-02"]' in page


def test_my_history_keeps_its_address_now_that_progress_serves_it(client, db):
    from django.urls import resolve, reverse

    assert reverse("progress:history") == "/history/" and reverse("progress:page") == "/progress/"
    assert resolve("/history/").func.__module__ == "progress.views"
    assert client.get("/history/").status_code == 200
