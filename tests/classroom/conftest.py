"""The classroom's cast: two courses, each with its own instructor and learners, and a small bank.

Course A is taught by `instructor` (the suite's site instructor) with `learner` in it; course B
by `other_instructor` with `other_learner`. `bystander` is a site instructor who is in neither.
"""
import pytest

from classroom.models import Assignment, AssignmentQuestion, Course, Membership
from questions.models import Choice, Question
from tests.conftest import PASSWORD


def make_question(external_id: str, right: str = "A", labels: str = "ABCD") -> Question:
    q = Question.objects.create(external_id=external_id, title=f"Question {external_id}", stem="Which one?",
                                domain="design")
    Choice.objects.bulk_create(Choice(question=q, label=label, text=f"Option {label}", is_correct=label == right,
                                      why="Because.", order=i) for i, label in enumerate(labels))
    return q


def make_site_instructor(django_user_model, name):
    from django.contrib.auth.models import Group

    from accounts.roles import INSTRUCTORS_GROUP

    user = django_user_model.objects.create_user(name, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    return user


@pytest.fixture
def bank(db):
    return [make_question(f"q{i}") for i in (1, 2, 3)]


@pytest.fixture
def other_instructor(django_user_model):
    return make_site_instructor(django_user_model, "teacher-b")


@pytest.fixture
def bystander(django_user_model):
    return make_site_instructor(django_user_model, "teacher-c")


def make_course(title, instructor, *learners) -> Course:
    course = Course.objects.create(title=title, created_by=instructor)
    Membership.objects.create(course=course, user=instructor, role=Membership.Role.INSTRUCTOR)
    for user in learners:
        Membership.objects.create(course=course, user=user, role=Membership.Role.LEARNER)
    return course


@pytest.fixture
def course_a(instructor, learner):
    return make_course("Course A", instructor, learner)


@pytest.fixture
def course_b(other_instructor, other_learner):
    return make_course("Course B", other_instructor, other_learner)


def make_assignment(course, questions, kind=Assignment.Kind.PRACTICE, **fields) -> Assignment:
    assignment = Assignment.objects.create(course=course, title=fields.pop("title", f"{kind} work"), kind=kind,
                                           **fields)
    AssignmentQuestion.objects.bulk_create(AssignmentQuestion(assignment=assignment, question=q, position=i)
                                           for i, q in enumerate(questions))
    return assignment


@pytest.fixture
def assignment_a(course_a, bank):
    return make_assignment(course_a, bank, title="Week 1 practice")


@pytest.fixture
def assignment_b(course_b, bank):
    return make_assignment(course_b, bank, title="Week 1 in B")


def as_user(client, user):
    client.force_login(user)
    return client
