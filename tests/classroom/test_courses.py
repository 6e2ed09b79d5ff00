"""Creating courses and joining them: by code or link, several per person, roles per course."""
import pytest
from django.urls import reverse

from classroom.models import Course, Membership
from tests.classroom.conftest import as_user, make_course

pytestmark = pytest.mark.django_db


def test_a_site_instructor_creates_a_course_and_teaches_it(client, instructor):
    response = as_user(client, instructor).post(reverse("classroom:list"), {"title": "AWS scaling, autumn"})
    course = Course.objects.get(title="AWS scaling, autumn")
    assert response.status_code == 302 and response["Location"] == reverse("classroom:course", args=[course.pk])
    assert Membership.objects.get(course=course, user=instructor).role == "instructor"
    page = client.get(reverse("classroom:course", args=[course.pk]))
    assert course.join_code in page.content.decode()


def test_a_learner_cannot_create_a_course(client, learner):
    response = as_user(client, learner).post(reverse("classroom:list"), {"title": "Mine"})
    assert response.status_code == 403
    assert not Course.objects.exists()
    assert "New course" not in client.get(reverse("classroom:list")).content.decode()


def test_an_empty_title_is_refused_with_the_field_named(client, instructor):
    response = as_user(client, instructor).post(reverse("classroom:list"), {"title": ""})
    assert response.status_code == 400
    assert 'id="id_title-errors"' in response.content.decode()


def test_a_learner_joins_with_the_code_in_any_case(client, instructor, learner):
    course = make_course("C", instructor)
    response = as_user(client, learner).post(reverse("classroom:join"), {"code": course.join_code.lower()})
    assert response.status_code == 302
    assert Membership.objects.get(course=course, user=learner).role == "learner"


def test_a_wrong_code_is_a_400_that_says_so(client, learner):
    response = as_user(client, learner).post(reverse("classroom:join"), {"code": "ZZZZZZZZ"})
    assert response.status_code == 400
    assert "No course has this join code" in response.content.decode()
    assert not Membership.objects.exists()


def test_following_a_join_link_asks_before_joining(client, instructor, learner):
    course = make_course("Linked", instructor)
    page = as_user(client, learner).get(reverse("classroom:join_link", args=[course.join_code]))
    assert page.status_code == 200 and "Linked" in page.content.decode()
    assert not Membership.objects.filter(user=learner).exists()
    client.post(reverse("classroom:join"), {"code": course.join_code})
    assert Membership.objects.filter(user=learner, course=course).exists()


def test_an_unknown_join_link_is_a_404(client, learner):
    assert as_user(client, learner).get(reverse("classroom:join_link", args=["NOPE2345"])).status_code == 404


def test_joining_twice_keeps_one_membership_and_an_instructor_stays_instructor(client, instructor, learner):
    course = make_course("Twice", instructor)
    as_user(client, instructor).post(reverse("classroom:join"), {"code": course.join_code})
    assert Membership.objects.get(course=course, user=instructor).role == "instructor"
    as_user(client, learner)
    client.post(reverse("classroom:join"), {"code": course.join_code})
    client.post(reverse("classroom:join"), {"code": course.join_code})
    assert Membership.objects.filter(course=course, user=learner).count() == 1


def test_several_courses_each_way(client, instructor, other_instructor, learner):
    one, two = make_course("One", instructor, learner), make_course("Two", instructor)
    three = make_course("Three", other_instructor, learner)
    as_user(client, instructor)
    page = client.get(reverse("classroom:list")).content.decode()
    assert "One" in page and "Two" in page and "Three" not in page
    as_user(client, learner)
    page = client.get(reverse("classroom:list")).content.decode()
    assert "One" in page and "Three" in page and "Two" not in page
    assert {c.pk for c in Course.objects.of(learner)} == {one.pk, three.pk}
    assert two.pk not in {c.pk for c in Course.objects.of(learner)}


def test_a_site_instructor_is_not_an_instructor_of_every_course(client, course_a, bystander):
    assert as_user(client, bystander).get(reverse("classroom:course", args=[course_a.pk])).status_code == 404
    assert client.get(reverse("classroom:gradebook", args=[course_a.pk])).status_code == 404


def test_the_site_navigation_leads_to_courses(client, learner):
    page = as_user(client, learner).get(reverse("home")).content.decode()
    assert f'href="{reverse("classroom:list")}"' in page


def test_courses_need_a_sign_in(client):
    response = client.get(reverse("classroom:list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_instructor_adds_a_co_instructor_who_then_sees_the_gradebook(client, course_a, instructor, learner,
                                                                        bystander):
    gradebook = reverse("classroom:gradebook", args=[course_a.pk])
    as_user(client, instructor).post(reverse("classroom:add_instructor", args=[course_a.pk]), {"username": "teacher-c"})
    assert Membership.objects.get(course=course_a, user=bystander).role == "instructor"
    assert as_user(client, bystander).get(gradebook).status_code == 200


def test_a_learner_moved_up_to_instructor_keeps_one_membership(client, course_a, instructor, learner):
    as_user(client, instructor).post(reverse("classroom:add_instructor", args=[course_a.pk]), {"username": "learner"})
    assert list(Membership.objects.filter(course=course_a, user=learner).values_list("role", flat=True)) == ["instructor"]


def test_adding_an_unknown_account_says_so_and_changes_nothing(client, course_a, instructor):
    response = as_user(client, instructor).post(reverse("classroom:add_instructor", args=[course_a.pk]),
                                                {"username": "nobody"}, follow=True)
    assert "No active account is called “nobody”" in response.content.decode()
    assert Membership.objects.filter(course=course_a).count() == 2
