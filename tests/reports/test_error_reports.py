"""Report an error: learners (signed in or not) flag a question with a note; instructors triage
on a page and in the admin; the reporter sees the outcome; nobody else can triage."""
import pytest

from reports.models import ErrorReport
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_learner_reports_and_sees_the_outcome_after_triage(bank, client, learner, instructor):
    client.force_login(learner)
    page = client.get("/questions/c1973-dlq-redrive/").content.decode()
    assert 'href="/reports/new/c1973-dlq-redrive/"' in page
    sent = client.post("/reports/new/c1973-dlq-redrive/", {"part": "options", "note": "Option D's link is stale."})
    assert sent["Location"] == "/reports/mine/"
    report = ErrorReport.objects.get()
    assert report.reporter == learner and report.status == "open"
    assert 'data-status="open"' in client.get("/reports/mine/").content.decode()

    client.force_login(instructor)
    triage = client.get("/reports/triage/").content.decode()
    assert f'data-report="{report.pk}"' in triage and "Option D&#x27;s link is stale." in triage
    done = client.post(f"/reports/triage/{report.pk}/", {f"r{report.pk}-status": "fixed",
                                                         f"r{report.pk}-response": "Updated the link.", "back": "open"})
    assert done["Location"] == "/reports/triage/?status=open"
    report.refresh_from_db()
    assert report.status == "fixed" and report.triaged_by == instructor
    assert f'data-report="{report.pk}"' not in client.get("/reports/triage/").content.decode()
    assert f'data-report="{report.pk}"' in client.get("/reports/triage/?status=fixed").content.decode()

    client.force_login(learner)
    mine = client.get("/reports/mine/").content.decode()
    assert 'data-status="fixed"' in mine and "Updated the link." in mine


def test_anonymous_learners_can_report_and_see_their_own(bank, client):
    client.post("/reports/new/1973/", {"part": "explanation", "note": "Typo in key point 2."})
    assert 'data-status="open"' in client.get("/reports/mine/").content.decode()
    other = type(client)()
    assert "data-report" not in other.get("/reports/mine/").content.decode()


def test_an_anonymous_learners_reports_stay_theirs_after_they_sign_in(bank, client, learner):
    client.post("/reports/new/1973/", {"part": "explanation", "note": "Typo in key point 2."})
    signed_in = client.post("/accounts/login/", {"username": "learner", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert ErrorReport.objects.get().reporter == learner
    assert "Typo in key point 2." in client.get("/reports/mine/").content.decode()


@pytest.mark.parametrize("data, message", [
    ({"part": "options", "note": ""}, "Describe the error"),
    ({"part": "options", "note": "x" * 2001}, "At most 2,000 characters"),
    ({"part": "everything", "note": "x"}, "Select a valid choice"),
])
def test_a_bad_report_is_a_400_and_saves_nothing(bank, client, data, message):
    response = client.post("/reports/new/1973/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ErrorReport.objects.exists()


def test_only_instructors_triage_on_the_page_and_in_the_admin(bank, client, learner, instructor, django_user_model):
    client.post("/reports/new/1973/", {"part": "stem", "note": "Unclear."})
    report = ErrorReport.objects.get()
    client.force_login(learner)
    assert client.get("/reports/triage/").status_code == 403
    assert client.post(f"/reports/triage/{report.pk}/", {f"r{report.pk}-status": "rejected"}).status_code == 403
    assert client.get("/admin/reports/errorreport/").status_code == 302  # not staff: the admin's login
    report.refresh_from_db()
    assert report.status == "open"
    staff = django_user_model.objects.create_user("staffer", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    listing = client.get("/admin/reports/errorreport/")
    assert listing.status_code == 200 and "The question itself" in listing.content.decode()
    assert 'name="form-0-status"' in listing.content.decode()  # status editable from the list
    client.force_login(instructor)
    assert client.get("/reports/triage/").status_code == 200
