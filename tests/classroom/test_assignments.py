"""Assignments: an instructor assigns, a learner starts it and the quiz engine runs it with the
assignment's questions, mode and time limit; attempts allowed, opening and due times; "Assigned
to me"; late and missing for the instructor."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from classroom.models import AssignedQuiz, Assignment
from quizzes.models import Quiz
from tests.classroom.support import as_user, make_assignment

pytestmark = pytest.mark.django_db


def form(**fields):
    data = {"title": "Week 2", "kind": "exam", "tag": "", "domain": "", "count": 2, "question": "", "minutes": 15,
            "opens_at": "", "due_at": "2030-01-10T09:00", "attempts_allowed": 2, "show_answers_after_due": "on"}
    data.update(fields)
    return data


def start(client, assignment):
    return client.post(reverse("classroom:assignment_start", args=[assignment.course_id, assignment.pk]))


def test_an_instructor_assigns_a_timed_exam_whose_questions_are_fixed_once(client, course_a, instructor, classroom_bank):
    response = as_user(client, instructor).post(reverse("classroom:assignment_new", args=[course_a.pk]), form())
    assignment = Assignment.objects.get(course=course_a)
    assert response.status_code == 302
    assert (assignment.kind, assignment.time_limit_s, assignment.attempts_allowed) == ("exam", 900, 2)
    assert assignment.due_at == dt.datetime(2030, 1, 10, 9, 0, tzinfo=dt.timezone.utc)
    assert len(assignment.question_ids()) == 2


def test_a_single_question_assignment(client, course_a, instructor, classroom_bank):
    as_user(client, instructor).post(reverse("classroom:assignment_new", args=[course_a.pk]),
                                     form(kind="question", question="q2", count=""))
    assert Assignment.objects.get(course=course_a).question_ids() == [classroom_bank[1].pk]


@pytest.mark.parametrize("fields, field, says", [
    ({"kind": "exam", "minutes": ""}, "minutes", "An exam needs a time limit"),
    ({"kind": "question", "question": ""}, "question", "Choose the question"),
    ({"kind": "practice", "count": ""}, "count", "Say how many"),
    ({"kind": "drills", "count": 21}, "count", "1 to 20 drills"),
    ({"opens_at": "2030-01-11T09:00"}, "due_at", "must be after the opening time"),
    ({"kind": "quiz"}, "kind", "Select a valid choice"),
    ({"tag": "no-such-tag"}, "tag", "Select a valid choice"),
])
def test_bad_assignments_are_a_400_naming_the_field(client, course_a, instructor, classroom_bank, fields, field, says):
    response = as_user(client, instructor).post(reverse("classroom:assignment_new", args=[course_a.pk]), form(**fields))
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}-errors"' in page and says in page
    assert not Assignment.objects.exists()


def test_a_learner_starts_the_exam_and_the_quiz_engine_runs_it(client, course_a, learner, classroom_bank):
    exam = make_assignment(course_a, [classroom_bank[2], classroom_bank[0]], kind="exam", time_limit_s=600)
    response = start(as_user(client, learner), exam)
    quiz = Quiz.objects.get(user=learner)
    assert response["Location"] == reverse("quizzes:question", args=[quiz.pk, 1])
    assert (quiz.mode, quiz.time_limit_s) == ("exam", 600)
    assert list(quiz.items.values_list("question_id", flat=True)) == [classroom_bank[2].pk, classroom_bank[0].pk]
    assert AssignedQuiz.objects.get(quiz=quiz).assignment == exam
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'id="countdown"' in page.content.decode()


def test_starting_again_resumes_the_open_attempt(client, course_a, learner, assignment_a):
    first = start(as_user(client, learner), assignment_a)["Location"]
    assert start(client, assignment_a)["Location"] == first
    assert Quiz.objects.filter(user=learner).count() == 1


def test_attempts_allowed_are_kept(client, course_a, learner, classroom_bank):
    once = make_assignment(course_a, classroom_bank[:1], attempts_allowed=1)
    start(as_user(client, learner), once)
    Quiz.objects.filter(user=learner).update(finished_at=timezone.now())
    response = start(client, once)
    assert response["Location"] == reverse("classroom:assignment", args=[course_a.pk, once.pk])
    assert Quiz.objects.filter(user=learner).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "used all 1 attempt" in page and "data-start" not in page


def test_an_assignment_not_open_yet_cannot_be_seen_or_started(client, course_a, learner, classroom_bank):
    later = make_assignment(course_a, classroom_bank, opens_at=timezone.now() + dt.timedelta(days=1), title="Later")
    as_user(client, learner)
    assert client.get(reverse("classroom:assignment", args=[course_a.pk, later.pk])).status_code == 404
    assert start(client, later).status_code == 404
    assert "Later" not in client.get(reverse("classroom:assigned")).content.decode()
    assert not Quiz.objects.exists()


def test_assigned_to_me_lists_what_is_due_across_courses_soonest_first(client, course_a, course_b, learner, classroom_bank):
    from classroom.models import Membership
    Membership.objects.create(course=course_b, user=learner, role="learner")
    now = timezone.now()
    make_assignment(course_a, classroom_bank, title="Due later", due_at=now + dt.timedelta(days=7))
    make_assignment(course_b, classroom_bank, title="Due soon", due_at=now + dt.timedelta(days=1))
    page = as_user(client, learner).get(reverse("classroom:assigned")).content.decode()
    assert page.index("Due soon") < page.index("Due later")
    assert "Course B" in page and "not started" in page


def finish(quiz, *, started, finished):
    Quiz.objects.filter(pk=quiz.pk).update(created_at=started, finished_at=finished)


def test_the_instructor_sees_late_and_missing(client, course_a, instructor, learner, django_user_model, classroom_bank):
    from classroom.models import Membership
    absent = django_user_model.objects.create_user("absent")
    Membership.objects.create(course=course_a, user=absent, role="learner")
    due = timezone.now() - dt.timedelta(hours=1)
    work = make_assignment(course_a, classroom_bank, due_at=due)
    start(as_user(client, learner), work)
    finish(Quiz.objects.get(user=learner), started=due - dt.timedelta(minutes=5), finished=due + dt.timedelta(minutes=3))
    page = as_user(client, instructor).get(reverse("classroom:assignment", args=[course_a.pk, work.pk])).content.decode()
    learner_row = page[page.index(f'data-learner="{learner.username}"'):]
    assert "late" in learner_row[:400] and "480 s" in learner_row[:600]
    absent_row = page[page.index('data-learner="absent"'):]
    assert "missing" in absent_row[:300]
    course_page = client.get(reverse("classroom:course", args=[course_a.pk])).content.decode()
    assert '<td data-late>1</td>' in course_page and '<td data-missing>1</td>' in course_page


def test_answers_show_on_the_learners_page_only_once_due(client, course_a, learner, classroom_bank):
    work = make_assignment(course_a, classroom_bank, due_at=timezone.now() + dt.timedelta(days=1))
    start(as_user(client, learner), work)
    Quiz.objects.filter(user=learner).update(finished_at=timezone.now())
    url = reverse("classroom:assignment", args=[course_a.pk, work.pk])
    assert "Results with answers" not in client.get(url).content.decode()
    Assignment.objects.filter(pk=work.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    assert "Results with answers" in client.get(url).content.decode()
    Assignment.objects.filter(pk=work.pk).update(show_answers_after_due=False)
    assert "does not show the answers" in client.get(url).content.decode()


def test_a_drill_set_is_answered_once_per_drill_and_graded_by_the_drills_engine(client, course_a, learner):
    from classroom.gradebook import cells_for
    from drills import engine
    work = Assignment.objects.create(course=course_a, title="Drills", kind="drills", drill_seeds=[11, 12])
    as_user(client, learner)
    right = engine.expected(engine.make_drill(11))
    client.post(reverse("classroom:drill_answer", args=[course_a.pk, work.pk, 1]), {"answer": str(right)})
    client.post(reverse("classroom:drill_answer", args=[course_a.pk, work.pk, 1]), {"answer": str(right + 1)})
    cell = cells_for(course_a, [learner], [work])[(learner.pk, work.pk)]
    assert (cell.correct, cell.status) == (1, "in progress")
    bad = client.post(reverse("classroom:drill_answer", args=[course_a.pk, work.pk, 2]), {"answer": "-3"}, follow=True)
    assert "enter a whole number" in bad.content.decode()
    client.post(reverse("classroom:drill_answer", args=[course_a.pk, work.pk, 2]), {"answer": "0"})
    cell = cells_for(course_a, [learner], [work])[(learner.pk, work.pk)]
    assert cell.submitted and cell.total == 2


def test_a_second_open_exam_is_refused_with_the_quiz_engines_reason(client, course_a, learner, classroom_bank):
    first = make_assignment(course_a, classroom_bank[:1], kind="exam", time_limit_s=600, title="First")
    second = make_assignment(course_a, classroom_bank[1:2], kind="exam", time_limit_s=600, title="Second")
    start(as_user(client, learner), first)
    response = start(client, second)
    assert response["Location"] == reverse("classroom:assignment", args=[course_a.pk, second.pk])
    assert "not finished" in client.get(response["Location"]).content.decode()
    assert not AssignedQuiz.objects.filter(assignment=second).exists()
