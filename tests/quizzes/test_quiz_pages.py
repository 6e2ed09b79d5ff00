"""Quiz and exam pages: start by tag or domain, answer one at a time, flag, navigate, the server's
countdown, submit, results with breakdowns, resume; exams close at their deadline on read and
show no key or explanation while open."""
import datetime as dt
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from questions.models import Attempt, Question
from quizzes.models import Quiz

pytestmark = pytest.mark.django_db


def start(client, **fields):
    data = {"mode": "practice", "count": 3, "tag": "companion-1973", "domain": "", "minutes": ""}
    data.update(fields)
    return client.post("/quizzes/", data)


def right_labels(external_id):
    return Question.objects.get(external_id=external_id).correct_labels


def answer_page(client, quiz, n, labels):
    return client.post(f"/quizzes/{quiz.pk}/q/{n}/", {"selected": labels})


def test_anonymous_visitors_are_sent_to_log_in(client, bank):
    response = client.get("/quizzes/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_practice_quiz_by_tag_gives_feedback_and_scores_on_submit(signed_in, learner, bank):
    response = start(signed_in)
    quiz = Quiz.objects.get(user=learner)
    assert response["Location"] == f"/quizzes/{quiz.pk}/q/1/" and quiz.items.count() == 3
    assert all(i.question.tags.filter(slug="companion-1973").exists() for i in quiz.items.all())
    first = quiz.items.first().question
    answered = answer_page(signed_in, quiz, 1, right_labels(first.external_id))
    page = signed_in.get(answered["Location"]).content.decode()
    assert 'data-outcome="correct"' in page and page.count('class="why prose"') == first.choices.count()  # explained at once
    signed_in.post(f"/quizzes/{quiz.pk}/submit/", {"confirm": "yes"})
    results = signed_in.get(f"/quizzes/{quiz.pk}/results/").content.decode()
    assert "1 / 3" in results and 'data-domain="' in results and 'data-tag="companion-1973"' in results


def test_start_by_domain_and_bad_input_is_a_400_naming_the_field(signed_in, learner, bank):
    assert start(signed_in, tag="", domain="Continuous improvement for existing solutions", count=50).status_code == 302
    quiz = Quiz.objects.get(user=learner)
    assert {i.question.domain for i in quiz.items.all()} == {"Continuous improvement for existing solutions"}
    bad = start(signed_in, count=0)
    assert bad.status_code == 400 and "greater than or equal to 1" in bad.content.decode()
    no_limit = start(signed_in, mode="exam", minutes="")
    assert no_limit.status_code == 400 and "An exam needs a time limit" in no_limit.content.decode()
    assert start(signed_in, tag="no-such-tag").status_code == 400
    assert Quiz.objects.filter(user=learner).count() == 1


def test_an_open_exam_shows_no_key_anywhere_and_keeps_the_time_left(signed_in, learner, bank):
    start(signed_in, mode="exam", minutes=10)
    quiz = Quiz.objects.get(user=learner)
    item = quiz.items.first()
    wrong = [c.label for c in item.question.choices.all() if not c.is_correct][: item.question.answers_required]
    answered = answer_page(signed_in, quiz, 1, wrong)
    assert answered["Location"] == f"/quizzes/{quiz.pk}/q/2/"
    page = signed_in.get(f"/quizzes/{quiz.pk}/q/1/").content.decode()
    assert "data-answered" in page and "data-outcome" not in page and "Right" not in page
    assert item.question.choices.filter(is_correct=True).first().why[:40] not in page
    left = int(page.split('data-seconds-left="')[1].split('"')[0])
    assert 0 < left <= 600
    # Results wait for the end; the answer's attempt page is hidden; the API shows no score.
    assert signed_in.get(f"/quizzes/{quiz.pk}/results/")["Location"] == f"/quizzes/{quiz.pk}/q/1/"
    attempt = Attempt.objects.get(user=learner)
    assert signed_in.get(f"/questions/{item.question.external_id}/attempts/{attempt.pk}/").status_code == 404
    api = APIClient()
    api.force_authenticate(learner)
    assert api.get(f"/api/v1/quizzes/{quiz.pk}/").json()["score"] is None
    listing = signed_in.get("/quizzes/").content.decode()
    assert "hidden until submitted" in listing and "Resume" in listing


def test_flags_and_the_navigator(signed_in, learner, bank):
    start(signed_in, mode="exam", minutes=10)
    quiz = Quiz.objects.get(user=learner)
    signed_in.post(f"/quizzes/{quiz.pk}/q/2/", {"flag": "on"})
    page = signed_in.get(f"/quizzes/{quiz.pk}/q/3/").content.decode()
    assert "Question 2, not answered, flagged" in page and 'aria-current="step"' in page
    signed_in.post(f"/quizzes/{quiz.pk}/q/2/", {"flag": "off"})
    assert "flagged" not in signed_in.get(f"/quizzes/{quiz.pk}/q/3/").content.decode().split("quiz-nav")[1].split("</nav>")[0]
    assert signed_in.get(f"/quizzes/{quiz.pk}/q/9/").status_code == 404


def test_an_exam_past_its_deadline_closes_on_read_and_scores_what_was_answered(signed_in, learner, bank):
    start(signed_in, mode="exam", minutes=1)
    quiz = Quiz.objects.get(user=learner)
    first = quiz.items.first().question
    answer_page(signed_in, quiz, 1, right_labels(first.external_id))
    Quiz.objects.filter(pk=quiz.pk).update(created_at=timezone.now() - dt.timedelta(seconds=61))
    page = signed_in.get(f"/quizzes/{quiz.pk}/q/2/")
    assert page["Location"] == f"/quizzes/{quiz.pk}/results/"
    quiz.refresh_from_db()
    assert quiz.finished_at == quiz.deadline()
    results = signed_in.get(page["Location"]).content.decode()
    assert "1 / 3" in results and "data-timed-out" in results
    late = answer_page(signed_in, quiz, 2, ["A"])
    assert late["Location"] == f"/quizzes/{quiz.pk}/results/"
    assert Attempt.objects.filter(user=learner).count() == 1


def test_the_api_closes_an_overdue_exam_when_read(as_api, learner, bank):
    quiz = Quiz.objects.create(user=learner, mode=Quiz.Mode.EXAM, time_limit_s=30)
    Quiz.objects.filter(pk=quiz.pk).update(created_at=timezone.now() - dt.timedelta(seconds=31))
    body = as_api.get(f"/api/v1/quizzes/{quiz.pk}/").json()
    assert body["finished_at"] is not None and body["score"] == {"correct": 0, "answered": 0, "total": 0}


def test_others_quizzes_are_404(client, learner, other_learner, bank):
    client.force_login(learner)
    start(client)
    quiz = Quiz.objects.get(user=learner)
    client.force_login(other_learner)
    assert client.get(f"/quizzes/{quiz.pk}/q/1/").status_code == 404
    assert client.post(f"/quizzes/{quiz.pk}/submit/", {"confirm": "yes"}).status_code == 404
    assert client.get(f"/quizzes/{quiz.pk}/submit/").status_code == 404
    assert client.get(f"/quizzes/{quiz.pk}/results/").status_code == 404


@pytest.fixture
def as_api(learner):
    api = APIClient()
    api.force_authenticate(learner)
    return api


def wrong_labels(question):
    return [c.label for c in question.choices.all() if not c.is_correct][: question.answers_required]


def test_a_pick_is_kept_by_next_previous_the_navigator_and_flagging(signed_in, learner, bank):
    """Every way off a question carries the pick, and the server stores it through the answering
    service (a pick never needs a separate "Save answer" first)."""
    start(signed_in, mode="exam", minutes=10, count=4)
    quiz = Quiz.objects.get(user=learner)
    items = list(quiz.items.all())
    ways = [("go", "2"), ("go", "1"), ("go", "review"), ("flag", "on")]
    for (name, value), item in zip(ways, items):
        n = item.position + 1
        response = signed_in.post(f"/quizzes/{quiz.pk}/q/{n}/", {"selected": wrong_labels(item.question), name: value})
        assert response.status_code == 302
    assert response["Location"] == f"/quizzes/{quiz.pk}/q/4/"  # flagging stays on the question
    assert Attempt.objects.filter(user=learner, quiz_item__quiz=quiz).count() == 4
    assert quiz.items.filter(flag__isnull=False).count() == 1
    # No pick: navigating stores nothing and keeps the stored answer.
    signed_in.post(f"/quizzes/{quiz.pk}/q/1/", {"go": "3"})
    assert Attempt.objects.filter(user=learner).count() == 4 and quiz.items.get(position=0).attempt is not None


def test_the_pages_script_saves_a_pick_as_json_and_says_why_not(signed_in, learner, bank):
    start(signed_in, mode="exam", minutes=10, count=3)
    quiz = Quiz.objects.get(user=learner)
    item = quiz.items.first()
    url = f"/quizzes/{quiz.pk}/q/1/"
    saved = signed_in.post(url, {"selected": wrong_labels(item.question)}, HTTP_ACCEPT="application/json")
    assert saved.status_code == 200
    assert saved.json() == {"saved": True, "selected": sorted(wrong_labels(item.question)), "answered": 1, "total": 3}
    assert "correct" not in saved.content.decode()  # an open exam's answer tells nothing about the key
    bad = signed_in.post(url, {"selected": ["Z"]}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "selected" and "Z" in bad.json()["message"]
    nowhere = signed_in.post(url, {"go": "9"}, HTTP_ACCEPT="application/json")
    assert nowhere.status_code == 400 and nowhere.json()["field"] == "go" and "1 to 3" in nowhere.json()["message"]
    Quiz.objects.filter(pk=quiz.pk).update(created_at=timezone.now() - dt.timedelta(seconds=601))
    late = signed_in.post(url, {"selected": right_labels(item.question.external_id)}, HTTP_ACCEPT="application/json")
    assert late.status_code == 409 and late.json()["field"] == "quiz"
    quiz.refresh_from_db()
    assert quiz.finished_at == quiz.deadline() and quiz.items.first().attempt.selected == sorted(wrong_labels(item.question))


def test_an_incomplete_pick_is_not_dropped_silently(signed_in, learner, bank):
    multi = Question.objects.filter(tags__slug="companion-1973", choices__is_correct=True)
    multi = next((q for q in multi.distinct() if q.answers_required > 1), None)
    assert multi is not None, "the bank has a choose-two question"
    quiz = Quiz.objects.create(user=learner, mode=Quiz.Mode.EXAM, time_limit_s=600)
    quiz.items.create(question=multi, position=0)
    quiz.items.create(question=Question.objects.exclude(pk=multi.pk).first(), position=1)
    one = [multi.choices.first().label]
    page = signed_in.post(f"/quizzes/{quiz.pk}/q/1/", {"selected": one, "go": "2"})
    body = page.content.decode()
    assert page.status_code == 400 and "Choose exactly 2 options; 1 chosen." in body  # it stays, and says why
    assert re.search(rf'value="{one[0]}" id="option-{one[0]}"\s+checked', body)  # the pick is still on the page
    assert not Attempt.objects.filter(user=learner).exists()


def test_submit_shows_what_is_unanswered_and_flagged_and_needs_a_confirmation(signed_in, learner, bank):
    start(signed_in, mode="exam", minutes=10, count=3)
    quiz = Quiz.objects.get(user=learner)
    first = quiz.items.first()
    signed_in.post(f"/quizzes/{quiz.pk}/q/1/", {"selected": wrong_labels(first.question), "go": "2"})
    signed_in.post(f"/quizzes/{quiz.pk}/q/2/", {"flag": "on"})
    to_review = signed_in.post(f"/quizzes/{quiz.pk}/q/2/", {"go": "review"})
    assert to_review["Location"] == f"/quizzes/{quiz.pk}/submit/"
    screen = signed_in.get(to_review["Location"]).content.decode()
    unanswered = screen.split("data-unanswered")[1].split("</ul>")[0]
    assert 'data-question-n="2"' in unanswered and 'data-question-n="3"' in unanswered and 'data-question-n="1"' not in unanswered
    assert 'data-question-n="2"' in screen.split("data-flagged")[1] and "Submit now with 2 unanswered" in screen
    # A submit without the confirmation is sent back to that screen and closes nothing.
    assert signed_in.post(f"/quizzes/{quiz.pk}/submit/")["Location"] == f"/quizzes/{quiz.pk}/submit/"
    quiz.refresh_from_db()
    assert quiz.finished_at is None
    assert signed_in.post(f"/quizzes/{quiz.pk}/submit/", {"confirm": "yes"})["Location"] == f"/quizzes/{quiz.pk}/results/"
    quiz.refresh_from_db()
    assert quiz.finished_at is not None


def test_results_show_time_per_question_and_can_keep_only_the_incorrect(signed_in, learner, bank):
    start(signed_in, mode="exam", minutes=10, count=3)
    quiz = Quiz.objects.get(user=learner)
    right, wrong, _ = quiz.items.all()
    page = signed_in.get(f"/quizzes/{quiz.pk}/q/1/").content.decode()
    shown_at = page.split('name="shown_at" value="')[1].split('"')[0]
    signed_in.post(f"/quizzes/{quiz.pk}/q/1/", {"selected": right.question.correct_labels, "shown_at": shown_at, "go": "2"})
    signed_in.post(f"/quizzes/{quiz.pk}/q/2/", {"selected": wrong_labels(wrong.question), "go": "3"})
    signed_in.post(f"/quizzes/{quiz.pk}/submit/", {"confirm": "yes"})
    every = signed_in.get(f"/quizzes/{quiz.pk}/results/").content.decode()
    assert every.count("data-result-item=") == 3 and 'data-time-on-question="0"' in every  # measured: 0 s here
    assert "time not measured" in every  # question 2 was posted without the page's timestamp
    incorrect = signed_in.get(f"/quizzes/{quiz.pk}/results/?only=incorrect").content.decode()
    listed = re.findall(r'data-result-item="([^"]+)"', incorrect)
    assert listed == [wrong.question.external_id, quiz.items.all()[2].question.external_id]
    bad = signed_in.get(f"/quizzes/{quiz.pk}/results/?only=wrong")
    assert bad.status_code == 400 and "all, incorrect" in bad.content.decode()
