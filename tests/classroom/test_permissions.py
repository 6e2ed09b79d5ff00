"""Every course page checks who asks: outside the course is a 404 (its existence is not told),
a learner of the course on an instructor's page is a 403, and an object of another course named
under this course's address is a 404."""
import pytest
from django.urls import reverse

from classroom.models import AssignedQuiz
from quizzes import lifecycle
from tests.classroom.conftest import as_user

pytestmark = pytest.mark.django_db

INSTRUCTOR_PAGES = ["assignment_new", "gradebook", "gradebook_csv", "assignment_analysis", "question_analysis",
                    "attempt", "add_instructor"]
MEMBER_PAGES = ["course", "assignment"]
LEARNER_POSTS = ["assignment_start", "drill_answer"]
POSTS = LEARNER_POSTS + ["add_instructor"]


@pytest.fixture
def urls(course_a, assignment_a, learner, bank):
    quiz = lifecycle.start(learner, mode="practice", question_ids=[q.pk for q in bank])
    AssignedQuiz.objects.create(assignment=assignment_a, quiz=quiz)
    args = {
        "course": [course_a.pk], "assignment_new": [course_a.pk], "gradebook": [course_a.pk],
        "gradebook_csv": [course_a.pk], "assignment": [course_a.pk, assignment_a.pk],
        "assignment_analysis": [course_a.pk, assignment_a.pk],
        "question_analysis": [course_a.pk, bank[0].external_id], "attempt": [course_a.pk, quiz.pk],
        "assignment_start": [course_a.pk, assignment_a.pk], "add_instructor": [course_a.pk], "drill_answer": [course_a.pk, assignment_a.pk, 1],
    }
    return {name: reverse(f"classroom:{name}", args=a) for name, a in args.items()}


def fetch(client, name, url):
    return client.post(url, {"answer": "1", "username": "teacher-c"}) if name in POSTS else client.get(url)


@pytest.mark.parametrize("name", INSTRUCTOR_PAGES + MEMBER_PAGES + LEARNER_POSTS)
def test_another_courses_instructor_gets_a_404(client, urls, course_b, other_instructor, name):
    assert fetch(as_user(client, other_instructor), name, urls[name]).status_code == 404


@pytest.mark.parametrize("name", INSTRUCTOR_PAGES + MEMBER_PAGES + LEARNER_POSTS)
def test_a_learner_of_another_course_gets_a_404(client, urls, course_b, other_learner, name):
    assert fetch(as_user(client, other_learner), name, urls[name]).status_code == 404


@pytest.mark.parametrize("name", INSTRUCTOR_PAGES)
def test_a_learner_of_the_course_gets_a_403_on_instructor_pages(client, urls, learner, name):
    assert fetch(as_user(client, learner), name, urls[name]).status_code == 403


@pytest.mark.parametrize("name", [n for n in INSTRUCTOR_PAGES + MEMBER_PAGES if n not in POSTS])
def test_the_courses_instructor_gets_each_page(client, urls, instructor, name):
    assert fetch(as_user(client, instructor), name, urls[name]).status_code == 200


@pytest.mark.parametrize("name", LEARNER_POSTS)
def test_the_instructor_does_not_take_the_course_as_a_learner(client, urls, instructor, name):
    assert fetch(as_user(client, instructor), name, urls[name]).status_code == 403


def test_an_assignment_of_another_course_is_a_404_under_this_courses_address(client, course_a, assignment_b,
                                                                             instructor):
    url = reverse("classroom:assignment", args=[course_a.pk, assignment_b.pk])
    assert as_user(client, instructor).get(url).status_code == 404
    url = reverse("classroom:assignment_analysis", args=[course_a.pk, assignment_b.pk])
    assert client.get(url).status_code == 404


def test_an_attempt_of_another_course_is_a_404_under_this_courses_address(client, course_a, assignment_b,
                                                                          other_learner, instructor, bank):
    quiz = lifecycle.start(other_learner, mode="practice", question_ids=[bank[0].pk])
    AssignedQuiz.objects.create(assignment=assignment_b, quiz=quiz)
    url = reverse("classroom:attempt", args=[course_a.pk, quiz.pk])
    assert as_user(client, instructor).get(url).status_code == 404


def test_a_quiz_outside_any_assignment_is_not_an_attempt_to_show(client, course_a, learner, instructor, bank):
    quiz = lifecycle.start(learner, mode="practice", question_ids=[bank[0].pk])
    url = reverse("classroom:attempt", args=[course_a.pk, quiz.pk])
    assert as_user(client, instructor).get(url).status_code == 404


def test_the_gradebook_lists_only_the_courses_own_learners(client, course_a, course_b, assignment_a, instructor,
                                                          learner, other_learner):
    page = as_user(client, instructor).get(reverse("classroom:gradebook", args=[course_a.pk])).content.decode()
    assert f'data-learner="{learner.username}"' in page
    assert f'data-learner="{other_learner.username}"' not in page


@pytest.mark.parametrize("name", ["attempt", "assignment_analysis", "question_analysis"])
def test_pages_with_keys_wait_for_the_instructors_own_exam(client, urls, instructor, bank, name):
    exam = lifecycle.start(instructor, mode="exam", question_ids=[bank[0].pk], time_limit_s=600)
    response = fetch(as_user(client, instructor), name, urls[name])
    assert response.status_code == 409
    assert f'data-exam-first="{exam.pk}"' in response.content.decode()
