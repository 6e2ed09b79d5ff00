"""The classroom's cast: two courses, each with its own instructor and learners, and a small classroom_bank.

Course A is taught by `instructor` (the suite's site instructor) with `learner` in it; course B
by `other_instructor` with `other_learner`. `bystander` is a site instructor who is in neither.
"""
import pytest

from tests.classroom.support import make_assignment, make_course, make_question, make_site_instructor


@pytest.fixture
def classroom_bank(db):
    return [make_question(f"q{i}") for i in (1, 2, 3)]


@pytest.fixture
def other_instructor(django_user_model):
    return make_site_instructor(django_user_model, "teacher-b")


@pytest.fixture
def bystander(django_user_model):
    return make_site_instructor(django_user_model, "teacher-c")


@pytest.fixture
def course_a(instructor, learner):
    return make_course("Course A", instructor, learner)


@pytest.fixture
def course_b(other_instructor, other_learner):
    return make_course("Course B", other_instructor, other_learner)


@pytest.fixture
def assignment_a(course_a, classroom_bank):
    return make_assignment(course_a, classroom_bank, title="Week 1 practice")


@pytest.fixture
def assignment_b(course_b, classroom_bank):
    return make_assignment(course_b, classroom_bank, title="Week 1 in B")


