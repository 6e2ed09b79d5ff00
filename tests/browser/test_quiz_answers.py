"""Picked answers are never lost, in Chromium: an exam's pick is saved the moment it is made and
counts when the time runs out; a practice pick goes with Next and the navigator; submitting
shows what is unanswered and flagged and asks before closing."""
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from questions.models import Question
from quizzes.models import Quiz
from review.models import ReviewItem
from tests.browser.support import log_in, serious_axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, live_server, watched, learner):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    log_in(context, Client(), learner, live_server)
    yield watched(context.new_page())
    context.close()


def start(page, live_server, *, mode, count, minutes=None):
    page.goto(f"{live_server.url}/quizzes/")
    page.check(f"input[name=mode][value={mode}]")
    page.fill("input[name=count]", str(count))
    if minutes:
        page.fill("input[name=minutes]", str(minutes))
    page.click("form.start-form button[type=submit]")
    page.wait_for_selector("article[data-question]")


def pick(page, right: bool):
    question = Question.objects.get(external_id=page.get_attribute("article[data-question]", "data-question"))
    labels = question.correct_labels if right else \
        [c.label for c in question.choices.all() if not c.is_correct][: question.answers_required]
    for label in labels:
        page.check(f"#option-{label}")
    return labels


def test_a_pick_on_question_4_counts_when_the_one_minute_exam_runs_out(page, live_server, learner, bank):
    start(page, live_server, mode="exam", count=5, minutes=1)
    page.click(".nav-cell >> text=4")
    page.wait_for_url("**/q/4/")
    # Bring the deadline to 4 s from now rather than waiting a minute, then pick and touch nothing.
    quiz = Quiz.objects.get(user=learner)
    Quiz.objects.filter(pk=quiz.pk).update(created_at=timezone.now() - dt.timedelta(seconds=56))
    page.reload()
    labels = pick(page, right=True)
    page.wait_for_selector("[data-save-state=saved]")
    page.wait_for_selector("[data-timed-out]", timeout=30_000)  # the countdown reached zero: results
    assert "1 of 5 answered" in page.inner_text("[data-results]")
    item = quiz.items.get(position=3)
    assert item.attempt is not None and item.attempt.selected == sorted(labels)


def test_a_practice_pick_goes_with_next_and_the_navigator(page, live_server, learner, bank):
    start(page, live_server, mode="practice", count=3)
    first = pick(page, right=False)
    page.click("[data-go=next]")  # no "Check answer" first
    page.wait_for_url("**/q/2/")
    assert page.get_attribute(".nav-cell >> nth=0", "class").split() == ["nav-cell", "answered"]
    pick(page, right=True)
    page.click(".nav-cell >> text=1")
    page.wait_for_url("**/q/1/")
    assert page.get_attribute("[data-outcome]", "data-outcome") == "incorrect"
    assert f"You chose {', '.join(sorted(first))}" in page.inner_text("[data-outcome]")
    quiz = Quiz.objects.get(user=learner)
    assert [i.attempt is not None for i in quiz.items.all()] == [True, True, False]


def test_submit_lists_unanswered_and_flagged_questions_and_asks_first(page, live_server, learner, bank):
    start(page, live_server, mode="exam", count=3, minutes=10)
    pick(page, right=True)
    page.wait_for_selector("[data-save-state=saved]")
    page.click("[data-go=next]")
    page.wait_for_url("**/q/2/")
    page.click("button[name=flag]")
    page.wait_for_selector(".nav-cell.flagged")
    page.click("[data-go=review]")
    page.wait_for_selector("[data-submit-review]")
    unanswered = page.locator("[data-unanswered] [data-question-n]")
    assert [unanswered.nth(i).get_attribute("data-question-n") for i in range(unanswered.count())] == ["2", "3"]
    assert page.locator("[data-flagged] [data-question-n]").get_attribute("data-question-n") == "2"
    assert Quiz.objects.get(user=learner).finished_at is None  # nothing closed yet
    page.click("[data-confirm-submit]")
    page.wait_for_selector("[data-results]")
    assert "1 of 3 answered" in page.inner_text("[data-results]")


def test_leaving_with_a_pick_not_stored_asks_first(page, live_server, learner, bank):
    multi = next(q for q in Question.objects.with_choices() if q.answers_required > 1)
    quiz = Quiz.objects.create(user=learner, mode=Quiz.Mode.PRACTICE)
    quiz.items.create(question=multi, position=0)
    quiz.items.create(question=Question.objects.exclude(pk=multi.pk).first(), position=1)
    page.goto(f"{live_server.url}/quizzes/{quiz.pk}/q/1/")
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the question
    page.on("dialog", answer)
    page.check(f"#option-{multi.choices.first().label}")  # one of the two options
    assert page.get_attribute("[data-save-state]", "data-save-state") == "incomplete"
    page.click("[data-go=next]")
    assert dialogs == ["confirm"] and page.url.endswith("/q/1/")
    page.click(".site-nav >> text=Progress")
    assert dialogs == ["confirm", "beforeunload"] and page.url.endswith("/q/1/")
    assert not Quiz.objects.get(pk=quiz.pk).items.filter(attempt__isnull=False).exists()


def test_the_study_pages_have_no_serious_axe_violation_on_a_phone(browser, live_server, learner, bank):
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)  # axe is injected
    log_in(context, Client(), learner, live_server)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/questions/c1973-lb-targets/")
    phone.check("#option-B")
    phone.click("form.answer-form button[type=submit]")
    phone.wait_for_selector("[data-outcome]")
    card = ReviewItem.objects.filter(user=learner, kind="key_point").first()
    start(phone, live_server, mode="practice", count=2)
    quiz = Quiz.objects.get(user=learner)
    found = {}
    paths = [f"/quizzes/{quiz.pk}/q/1/", f"/quizzes/{quiz.pk}/submit/", "/quizzes/", "/progress/", "/review/",
             f"/review/{card.pk}/?show=1", "/review/settings/"]
    for path in paths:
        phone.goto(f"{live_server.url}{path}")
        problems = serious_axe_violations(phone)
        if problems:
            found[path] = problems
    phone.goto(f"{live_server.url}/quizzes/{quiz.pk}/submit/")
    phone.click("[data-confirm-submit]")
    phone.wait_for_selector("[data-results]")
    if serious_axe_violations(phone):
        found["results"] = serious_axe_violations(phone)
    context.close()
    assert found == {}
