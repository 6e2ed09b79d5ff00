"""The study loop in Chromium, at a desktop width and a phone width: a timed exam across reloads
and tabs, one left to expire, spaced review, a drill, an error report reaching triage, and no page
wider than the screen."""
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from drills import engine
from questions.models import Question
from quizzes.models import Quiz
from reports.models import ErrorReport
from review import scheduling
from review.models import ReviewItem
from tests.browser.support import log_in, serious_axe_violations

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(WIDTHS))
def viewport(request):
    return WIDTHS[request.param]


@pytest.fixture
def open_page(browser, live_server, watched, viewport):
    """A new page at the test's width, signed in as `user` (None: anonymous). Each user gets a
    test client of their own: logging a second user into one client would end the first's session."""
    contexts = []

    def _open(user=None):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        if user is not None:
            log_in(context, Client(), user, live_server)
        return watched(context.new_page())

    yield _open
    for context in contexts:
        context.close()


def start_exam(page, live_server, minutes):
    page.goto(f"{live_server.url}/quizzes/")
    page.check("input[name=mode][value=exam]")
    page.fill("input[name=count]", "3")
    page.select_option("select[name=tag]", "companion-1973")
    page.fill("input[name=minutes]", str(minutes))
    page.click("form.start-form button[type=submit]")
    page.wait_for_selector("#countdown")


def answer_current(page, right: bool):
    qid = page.get_attribute("article[data-question]", "data-question")
    question = Question.objects.get(external_id=qid)
    labels = question.correct_labels if right else \
        [c.label for c in question.choices.all() if not c.is_correct][: question.answers_required]
    for label in labels:
        page.check(f"#option-{label}")
    page.click("form.answer-form button[type=submit]")


def answer_on_its_page(page, live_server, external_id, label, outcome=""):
    page.goto(f"{live_server.url}/questions/{external_id}/")
    page.check(f"#option-{label}")
    page.click("form.answer-form button[type=submit]")
    page.wait_for_selector(f"[data-outcome={outcome}]" if outcome else "[data-outcome]")


def test_a_timed_exam_keeps_its_time_across_reloads_and_tabs_and_is_scored(open_page, live_server, bank, learner):
    page = open_page(learner)
    start_exam(page, live_server, minutes=10)
    deadline = page.get_attribute("#countdown", "data-deadline")
    before = int(page.get_attribute("#countdown", "data-seconds-left"))
    assert 0 < before <= 600
    answer_current(page, right=True)
    page.wait_for_url("**/q/2/")
    page.reload()
    assert page.get_attribute("#countdown", "data-deadline") == deadline  # same deadline, not a new timer
    assert int(page.get_attribute("#countdown", "data-seconds-left")) <= before
    second_tab = page.context.new_page()
    second_tab.goto(page.url)
    assert second_tab.get_attribute("#countdown", "data-deadline") == deadline
    assert second_tab.locator(".nav-cell.answered").count() == 1
    second_tab.close()
    page.click(".quiz-actions button[aria-pressed]")  # flag question 2
    page.wait_for_selector(".nav-cell.flagged")
    answer_current(page, right=False)
    page.wait_for_url("**/q/3/")
    answer_current(page, right=True)
    page.wait_for_selector("[data-answered]")
    page.click("[data-go=review]")
    page.click("[data-confirm-submit]")
    page.wait_for_selector("[data-results]")
    assert page.inner_text("[data-score]") == "2 / 3"
    assert page.locator("[data-result-item]").count() == 3 and page.locator("[data-tag='companion-1973']").count() == 1


def test_an_exam_left_to_expire_closes_itself_and_is_scored(open_page, live_server, bank, learner):
    page = open_page(learner)
    start_exam(page, live_server, minutes=1)
    answer_current(page, right=True)
    page.wait_for_url("**/q/2/")
    # Move the deadline to 3 s from now instead of waiting a minute; the page's countdown reaches
    # zero, reloads, and the server (which closes exams at their deadline on read) shows the results.
    quiz = Quiz.objects.get(user=learner)
    Quiz.objects.filter(pk=quiz.pk).update(created_at=timezone.now() - dt.timedelta(seconds=57))
    page.reload()
    page.wait_for_selector("[data-timed-out]", timeout=30_000)
    assert page.inner_text("[data-score]") == "1 / 3"
    quiz.refresh_from_db()
    assert quiz.finished_at == quiz.deadline()


def test_a_review_card_shows_its_front_reveals_shows_four_intervals_and_leaves_the_queue(
        open_page, live_server, bank, learner):
    page = open_page(learner)
    answer_on_its_page(page, live_server, "c1973-lb-targets", "B")
    page.goto(f"{live_server.url}/review/")
    page.wait_for_selector("html[data-zone-saved]", state="attached")  # the browser's zone, stored
    due = int(page.get_attribute("[data-due-count]", "data-due-count"))
    assert due >= 1
    for left in range(due, 0, -1):
        card = page.locator("[data-review-item][data-kind=key_point]").first
        front = card.locator("[data-front]").inner_text()
        assert front.endswith("…")
        card.locator("[data-open-card]").click()
        page.wait_for_selector("[data-back]")
        assert page.inner_text("[data-front]") == front
        intervals = page.locator("button[name=rating]")
        assert intervals.count() == 4 and all(intervals.nth(i).get_attribute("data-interval") for i in range(4))
        assert page.get_attribute("button[value=good]", "data-interval") == "10 min"
        page.click("button[value=good]")
        page.wait_for_selector(".messages")
        assert "next review in 10 min" in page.inner_text(".messages")
        assert int(page.get_attribute("[data-due-count]", "data-due-count")) == left - 1
    assert page.locator("[data-review-item]").count() == 0
    assert int(page.get_attribute("[data-later-today]", "data-later-today")) >= due


def test_a_try_again_after_the_key_does_not_change_progress_and_one_day_has_a_sane_axis(
        open_page, live_server, bank, learner):
    page = open_page(learner)
    answer_on_its_page(page, live_server, "1973", "A", "incorrect")
    page.goto(f"{live_server.url}/progress/")
    before = page.inner_text("main")
    answer_on_its_page(page, live_server, "1973", "D", "correct")
    assert page.locator("[data-retry]").count() == 1
    page.goto(f"{live_server.url}/progress/")
    assert page.inner_text("main") == before
    page.goto(f"{live_server.url}/")
    assert "Last answer: incorrect" in page.inner_text("main")
    page.goto(f"{live_server.url}/progress/")
    page.wait_for_selector("#progress-chart[data-x-range]")
    low, high = map(float, page.get_attribute("#progress-chart", "data-x-range").split(","))
    # the learner's study day (the browser's zone, UTC here; days roll over at 4 a.m.), not the UTC date
    study_day = scheduling.study_day(timezone.now(), dt.timezone.utc)
    day = dt.datetime.combine(study_day, dt.time(12), tzinfo=dt.timezone.utc).timestamp()
    assert high - low == 7 * 86400 and low < day < high and abs((low + high) / 2 - day) < 1


def test_a_drill_is_answered_and_explained(open_page, live_server, bank):
    page = open_page()
    page.goto(f"{live_server.url}/drills/?seed=4")
    expected = engine.expected(engine.make_drill(4))
    page.fill("input[name=answer]", str(expected))
    page.click("form.drill-form button[type=submit]")
    page.wait_for_selector("#drill-result")
    assert "Correct" in page.inner_text("#drill-result")
    assert page.locator(".drill-steps li").count() >= 3
    page.click("text=Next drill")
    page.wait_for_selector("form.drill-form")


def test_a_reported_error_reaches_the_instructors_triage(open_page, live_server, bank, learner, instructor):
    page = open_page(learner)
    page.goto(f"{live_server.url}/questions/c1973-sagemaker-async/")
    page.click("[data-report-link]")
    page.check("input[name=part][value=options]")
    page.fill("textarea[name=note]", "Option C should mention the inline payload limit.")
    page.click("form.report-form button[type=submit]")
    page.wait_for_selector("[data-status=open]")
    report = ErrorReport.objects.get()
    teacher = open_page(instructor)
    teacher.goto(f"{live_server.url}/reports/triage/")
    card = teacher.locator(f"[data-report='{report.pk}']")
    assert "inline payload limit" in card.inner_text()
    card.locator("select").select_option("accepted")
    card.locator("button").click()
    teacher.wait_for_selector(".messages")
    page.reload()
    assert page.get_attribute(f"[data-report='{report.pk}'] [data-status]", "data-status") == "accepted"


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_no_page_is_wider_than_the_screen(open_page, live_server, bank, learner, instructor, viewport):
    page = open_page(learner)
    start_exam(page, live_server, minutes=10)
    quiz_q = page.url
    answer_current(page, right=True)
    answer_on_its_page(page, live_server, "1973", "D")
    attempt_page = page.url
    page.goto(f"{live_server.url}/reports/new/1973/")
    page.fill("textarea[name=note]", "A long note " * 30)
    page.click("form.report-form button[type=submit]")
    page.wait_for_selector("[data-status]")
    card = ReviewItem.objects.filter(user=learner, kind="key_point").first()
    paths = ["/", "/questions/1973/", attempt_page, "/scenarios/", "/history/", "/drills/?seed=7", "/review/",
             f"/review/{card.pk}/?show=1", "/review/settings/", quiz_q.rsplit("/q/", 1)[0] + "/submit/", "/quizzes/", quiz_q, "/progress/", "/reports/mine/", "/reports/new/1973/", "/questions/c1973-dlq-redrive/"]
    wide = {}
    for path in paths:
        page.goto(path if path.startswith("http") else f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        if overflow(page) > 0:
            wide[path] = overflow(page)
    teacher = open_page(instructor)
    for path in ["/reports/triage/", "/labs/", "/"]:
        teacher.goto(f"{live_server.url}{path}")
        if overflow(teacher) > 0:
            wide[path + " (instructor)"] = overflow(teacher)
    anonymous = open_page()
    for path in ["/", "/accounts/login/", "/accounts/signup/", "/drills/?seed=3"]:
        anonymous.goto(f"{live_server.url}{path}")
        if overflow(anonymous) > 0:
            wide[path + " (anonymous)"] = overflow(anonymous)
    assert wide == {}, f"pages wider than {viewport['width']} px, by px: {wide}"


def test_the_study_loop_pages_have_no_serious_accessibility_violations(browser, live_server, bank, learner, instructor):
    context = browser.new_context(bypass_csp=True)  # axe-core is injected (see serious_axe_violations)
    log_in(context, Client(), learner, live_server)
    page = context.new_page()
    start_exam(page, live_server, minutes=10)
    quiz_q = page.url
    answer_current(page, right=True)
    page.goto(f"{live_server.url}/reports/new/1973/")
    page.fill("textarea[name=note]", "Check key point 3.")
    page.click("form.report-form button[type=submit]")
    page.wait_for_selector("[data-status]")
    answer_on_its_page(page, live_server, "1973", "D")  # not one of the exam's (companion) questions
    card = ReviewItem.objects.filter(user=learner, kind="key_point").first()
    found = {}
    for path in [quiz_q, quiz_q.rsplit("/q/", 1)[0] + "/submit/", "/quizzes/", "/review/", f"/review/{card.pk}/",
                 f"/review/{card.pk}/?show=1", "/review/settings/", "/drills/?seed=2", "/progress/", "/history/",
                 "/reports/mine/", "/reports/new/1973/", "/"]:
        page.goto(path if path.startswith("http") else f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        problems = serious_axe_violations(page)
        if problems:
            found[path] = problems
    page.goto(quiz_q)
    page.click("[data-go=review]")
    page.click("[data-confirm-submit]")
    page.wait_for_selector("[data-results]")
    if serious_axe_violations(page):
        found["results"] = serious_axe_violations(page)
    teacher = browser.new_context(bypass_csp=True)
    log_in(teacher, Client(), instructor, live_server)
    triage = teacher.new_page()
    triage.goto(f"{live_server.url}/reports/triage/")
    if serious_axe_violations(triage):
        found["triage"] = serious_axe_violations(triage)
    context.close()
    teacher.close()
    assert found == {}


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(-3).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 60))"""


def test_every_companion_question_fits_the_screen(open_page, live_server, bank, learner, viewport):
    """The exam draws its questions at random, so one check of one page met an overflowing
    question only now and then: every companion, at every position, is checked here."""
    page = open_page(learner)
    count = Question.objects.filter(tags__slug="companion-1973").count()
    page.goto(f"{live_server.url}/quizzes/")
    page.check("input[name=mode][value=practice]")
    page.fill("input[name=count]", str(count))
    page.select_option("select[name=tag]", "companion-1973")
    page.click("form.start-form button[type=submit]")
    page.wait_for_selector("article[data-question]")
    base = page.url.rsplit("/q/", 1)[0]
    wide = {}
    for position in range(1, count + 1):
        page.goto(f"{base}/q/{position}/")
        qid = page.get_attribute("article[data-question]", "data-question")
        if overflow(page) > 0:
            wide[qid] = (overflow(page), page.evaluate(WIDEST))
        page.goto(f"{live_server.url}/questions/{qid}/")  # and on its own page
        if overflow(page) > 0:
            wide[f"/questions/{qid}/"] = (overflow(page), page.evaluate(WIDEST))
    assert wide == {}, f"questions wider than {viewport['width']} px: {wide}"
