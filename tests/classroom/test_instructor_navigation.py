"""Instructors reach their pages from the site, not the admin: Courses in the navigation, the
classroom_bank's exports from the Courses page, and the admin's "not authorized" page points to them."""
import re

import pytest
from django.urls import reverse

from tests.classroom.support import as_user

pytestmark = pytest.mark.django_db


def test_a_group_instructor_at_the_admin_is_shown_their_own_pages(client, instructor):
    response = as_user(client, instructor).get("/admin/", follow=True)
    page = response.content.decode()
    assert "data-instructor-pages" in page
    assert f'href="{reverse("classroom:list")}"' in page and f'href="{reverse("reports:triage")}"' in page


def test_a_learner_at_the_admin_gets_no_such_pointer(client, learner):
    page = as_user(client, learner).get("/admin/", follow=True).content.decode()
    assert "data-instructor-pages" not in page


def test_the_bank_exports_are_linked_for_instructors_and_download_with_the_session(client, instructor, classroom_bank):
    page = as_user(client, instructor).get(reverse("classroom:list")).content.decode()
    links = dict((kind, href) for href, kind in re.findall(r'<a href="([^"]+)" data-export="([a-z0-9]+)"', page))
    assert set(links) == {"moodle", "gift", "qti", "qti12", "anki", "csv", "markdown", "results"}
    for kind, href in links.items():
        response = client.get(href)
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment"), kind
    assert b"<quiz" in client.get(links["moodle"]).content


def test_learners_see_no_export_links(client, learner):
    assert 'data-export=' not in as_user(client, learner).get(reverse("classroom:list")).content.decode()
