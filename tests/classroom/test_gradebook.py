"""The gradebook: learners x assignments with the best attempt's score, time and lateness, each
cell opening that attempt; and its CSV, one row per learner per assignment."""
import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from classroom.models import AssignedQuiz, Membership
from questions import answering
from quizzes import lifecycle
from quizzes.models import Quiz
from tests.classroom.support import as_user, make_assignment

pytestmark = pytest.mark.django_db

DUE = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.timezone.utc)  # in the past: missing shows


def attempt(assignment, user, answers, *, started, seconds):
    """A finished attempt through the quiz engine: `answers` are True (right) or False per question."""
    quiz = lifecycle.start(user, mode=assignment.quiz_mode, question_ids=assignment.question_ids(),
                           time_limit_s=assignment.time_limit_s)
    AssignedQuiz.objects.create(assignment=assignment, quiz=quiz)
    for item, right in zip(quiz.items.select_related("question"), answers):
        wrong = [c.label for c in item.question.choices.all() if not c.is_correct][:1]
        answering.answer(item.question, item.question.correct_labels if right else wrong, user=user, quiz=quiz)
    Quiz.objects.filter(pk=quiz.pk).update(created_at=started, finished_at=started + dt.timedelta(seconds=seconds))
    return quiz


@pytest.fixture
def term(course_a, instructor, learner, django_user_model, classroom_bank):
    absent = django_user_model.objects.create_user("zoe")
    Membership.objects.create(course=course_a, user=absent, role="learner")
    week1 = make_assignment(course_a, classroom_bank, title="Week 1", due_at=DUE, attempts_allowed=2)
    week2 = make_assignment(course_a, classroom_bank[:1], kind="exam", title="Week 2", due_at=DUE + dt.timedelta(days=7),
                            time_limit_s=600)
    first = attempt(week1, learner, [True, False, False], started=DUE - dt.timedelta(hours=2), seconds=300)
    best = attempt(week1, learner, [True, True, False], started=DUE - dt.timedelta(hours=1), seconds=240)
    late = attempt(week2, learner, [True], started=DUE + dt.timedelta(days=7, minutes=1), seconds=90)
    return {"week1": week1, "week2": week2, "first": first, "best": best, "late": late}


def test_each_cell_shows_the_best_attempt_and_opens_it(client, course_a, instructor, learner, term):
    page = as_user(client, instructor).get(reverse("classroom:gradebook", args=[course_a.pk])).content.decode()
    row = page[page.index(f'data-learner="{learner.username}"'):page.index('data-learner="zoe"')]
    week1 = row[row.index(f'data-cell="{term["week1"].pk}"'):row.index(f'data-cell="{term["week2"].pk}"')]
    assert "67%" in week1 and "240 s" in week1 and "late" not in week1
    assert reverse("classroom:attempt", args=[course_a.pk, term["best"].pk]) in week1
    week2 = row[row.index(f'data-cell="{term["week2"].pk}"'):]
    assert "100%" in week2 and "late" in week2
    opened = client.get(reverse("classroom:attempt", args=[course_a.pk, term["best"].pk])).content.decode()
    assert "2 / 3" in opened and "chose A; right: A" in opened


def test_a_learner_who_did_nothing_is_missing_once_due(client, course_a, instructor, term):
    page = as_user(client, instructor).get(reverse("classroom:gradebook", args=[course_a.pk])).content.decode()
    row = page[page.index('data-learner="zoe"'):]
    assert row.count('data-status="missing"') == 2


def test_the_csv_has_one_row_per_learner_per_assignment_with_spreadsheet_columns(client, course_a, instructor,
                                                                                learner, term):
    response = as_user(client, instructor).get(reverse("classroom:gradebook_csv", args=[course_a.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="gradebook-course-{course_a.pk}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 4  # two learners x two assignments
    assert list(rows[0]) == ["Username", "Course", "Assignment", "Kind", "Due (UTC)", "Status", "Score", "Out of",
                             "Percent", "Time taken (s)", "Submitted (UTC)", "Late", "Attempts"]
    by_key = {(r["Username"], r["Assignment"]): r for r in rows}
    week1 = by_key[(learner.username, "Week 1")]
    assert (week1["Score"], week1["Out of"], week1["Percent"], week1["Time taken (s)"]) == ("2", "3", "67", "240")
    assert (week1["Status"], week1["Late"], week1["Attempts"], week1["Due (UTC)"]) == ("on time", "no", "2",
                                                                                         "2025-03-01 12:00:00")
    assert week1["Submitted (UTC)"] == "2025-03-01 11:04:00"
    week2 = by_key[(learner.username, "Week 2")]
    assert (week2["Status"], week2["Late"], week2["Percent"]) == ("late", "yes", "100")
    absent = by_key[("zoe", "Week 1")]
    assert (absent["Status"], absent["Score"], absent["Percent"], absent["Late"], absent["Attempts"]) == (
        "missing", "", "", "", "0")


def test_the_gradebook_takes_a_fixed_number_of_queries(client, course_a, instructor, term, django_assert_max_num_queries):
    as_user(client, instructor)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("classroom:gradebook", args=[course_a.pk])).status_code == 200


def test_an_exam_left_open_past_its_limit_counts_as_submitted_at_its_deadline(client, course_a, instructor, learner,
                                                                              classroom_bank):
    exam = make_assignment(course_a, classroom_bank[:2], kind="exam", time_limit_s=600, title="Left open")
    quiz = lifecycle.start(learner, mode="exam", question_ids=exam.question_ids(), time_limit_s=600)
    AssignedQuiz.objects.create(assignment=exam, quiz=quiz)
    answering.answer(classroom_bank[0], classroom_bank[0].correct_labels, user=learner, quiz=quiz)
    started = timezone.now() - dt.timedelta(hours=1)
    Quiz.objects.filter(pk=quiz.pk).update(created_at=started)
    page = as_user(client, instructor).get(reverse("classroom:gradebook", args=[course_a.pk])).content.decode()
    cell = page[page.index(f'data-cell="{exam.pk}"'):]
    assert 'data-status="on time"' in cell[:60] and "50%" in cell[:400] and "600 s" in cell[:400]
    quiz.refresh_from_db()
    assert quiz.finished_at == started + dt.timedelta(seconds=600)


def test_text_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(client, course_a, instructor,
                                                                   django_user_model, classroom_bank):
    sneaky = django_user_model.objects.create_user("-2+3")
    Membership.objects.create(course=course_a, user=sneaky, role="learner")
    make_assignment(course_a, classroom_bank[:1], title='=HYPERLINK("http://example.com")')
    response = as_user(client, instructor).get(reverse("classroom:gradebook_csv", args=[course_a.pk]))
    rows = {r["Username"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["'-2+3"]["Assignment"] == "'=HYPERLINK(\"http://example.com\")"
    assert "learner" in rows
