"""Instructors reach their pages from the site, not the admin: Courses in the navigation, the
bank's exports from the Courses page, and the admin's "not authorized" page points to them."""
import pytest
from django.urls import reverse

from tests.classroom.conftest import as_user

pytestmark = pytest.mark.django_db


def test_a_group_instructor_at_the_admin_is_shown_their_own_pages(client, instructor):
    response = as_user(client, instructor).get("/admin/", follow=True)
    page = response.content.decode()
    assert "data-instructor-pages" in page
    assert f'href="{reverse("classroom:list")}"' in page and f'href="{reverse("reports:triage")}"' in page


def test_a_learner_at_the_admin_gets_no_such_pointer(client, learner):
    page = as_user(client, learner).get("/admin/", follow=True).content.decode()
    assert "data-instructor-pages" not in page


def test_the_bank_exports_are_linked_for_instructors_and_download_with_the_session(client, instructor, bank):
    page = as_user(client, instructor).get(reverse("classroom:list")).content.decode()
    assert 'data-export="moodle"' in page and 'data-export="markdown"' in page
    moodle = client.get(reverse("api:export-moodle"))
    assert moodle.status_code == 200 and b"<quiz" in moodle.content


def test_learners_see_no_export_links(client, learner):
    assert 'data-export=' not in as_user(client, learner).get(reverse("classroom:list")).content.decode()
