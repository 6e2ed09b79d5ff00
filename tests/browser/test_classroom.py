"""The classroom in Chromium: an instructor creates a course and assigns a timed exam, a learner
joins with the code, finds it under "Assigned to me", takes it, and the instructor's gradebook
shows the score and downloads as CSV; every classroom page on the way has no serious accessibility violation."""
import csv
import io
from pathlib import Path

import pytest
from django.test import Client

from questions.models import Question
from tests.browser.support import log_in, serious_axe_violations

pytestmark = pytest.mark.browser


def test_an_instructor_creates_a_course_and_a_learner_joins_and_takes_its_exam(browser, live_server, bank, watched,
                                                                              instructor, learner):
    found = {}

    def check(page, name):
        problems = serious_axe_violations(page)
        if problems:
            found[name] = problems

    teacher_context = browser.new_context(bypass_csp=True)  # axe-core is injected
    log_in(teacher_context, Client(), instructor, live_server)
    teacher = watched(teacher_context.new_page())
    teacher.goto(f"{live_server.url}/")
    teacher.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
    teacher.get_by_label("Course title").fill("Scaling on backlog")
    teacher.get_by_role("button", name="Create course").click()
    code = teacher.locator("[data-join-code]").inner_text()
    check(teacher, "course")
    teacher.get_by_role("navigation", name="Course").get_by_role("link", name="New assignment").click()
    check(teacher, "new assignment")
    teacher.get_by_label("Title").fill("Week 1 exam")
    teacher.get_by_label("Timed exam (score at the end)").check()
    teacher.get_by_label("Questions with tag").select_option("companion-1973")
    teacher.get_by_label("Number of questions").fill("2")
    teacher.get_by_label("Time limit in minutes").fill("10")
    teacher.get_by_role("button", name="Assign").click()
    teacher.wait_for_selector("text=Assigned “Week 1 exam”")

    learner_context = browser.new_context(bypass_csp=True)
    log_in(learner_context, Client(), learner, live_server)
    student = watched(learner_context.new_page())
    student.goto(f"{live_server.url}/classroom/")
    check(student, "courses")
    student.get_by_label("Join code").fill(code.lower())
    student.get_by_role("button", name="Join").click()
    student.wait_for_selector("text=You joined “Scaling on backlog”")
    check(student, "learner course")
    student.goto(f"{live_server.url}/classroom/assigned/")
    row = student.locator("[data-assigned]", has_text="Week 1 exam")
    assert row.locator("[data-status]").inner_text() == "not started"
    row.get_by_role("link", name="Week 1 exam").click()
    student.get_by_role("button", name="Start").click()
    student.wait_for_selector("#countdown")
    for _ in range(2):
        question = Question.objects.get(external_id=student.get_attribute("article[data-question]", "data-question"))
        for label in question.correct_labels:
            student.check(f"#option-{label}")
        student.click("form.answer-form button[type=submit]")
        student.wait_for_load_state("load")
    student.click("[data-go=review]")  # the review screen, then the confirmation
    student.wait_for_selector("[data-submit-review]")
    student.click("[data-confirm-submit]")
    student.wait_for_selector("[data-results]")

    teacher.get_by_role("navigation", name="Course").get_by_role("link", name="Gradebook", exact=True).click()
    cell = teacher.locator(f'[data-learner="{learner.username}"] td[data-cell]')
    assert cell.get_attribute("data-status") == "on time"
    assert cell.get_by_role("link").inner_text() == "100%"
    check(teacher, "gradebook")
    with teacher.expect_download() as download:
        teacher.get_by_role("link", name="Gradebook as CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [(r["Username"], r["Assignment"], r["Percent"], r["Status"]) for r in rows] == [
        (learner.username, "Week 1 exam", "100", "on time")]
    cell.get_by_role("link").click()
    teacher.wait_for_selector("[data-attempt]")
    check(teacher, "attempt")
    teacher.goto(teacher.url.split("/attempts/")[0] + "/")
    teacher.get_by_role("link", name="Item analysis of Week 1 exam").click()
    teacher.wait_for_selector("[data-item]")
    check(teacher, "item analysis")
    teacher_context.close()
    learner_context.close()
    assert found == {}
