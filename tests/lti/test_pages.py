"""The LTI set-up page, platform registration, key rotation, and who sees a course's LTI page."""
import requests
from django.core.management import call_command
from django.test import Client
from lti_tool.models import Key, LtiDeployment, LtiRegistration

from classroom.models import Course
from tests.classroom.support import make_course, make_site_instructor
from tests.lti.support import instructor_spec
from tests.support import PASSWORD

REGISTRATION = {"name": "Moodle", "issuer": "https://moodle.school.example", "client_id": "Xy12",
                "auth_url": "https://moodle.school.example/mod/lti/auth.php",
                "token_url": "https://moodle.school.example/mod/lti/token.php",
                "keyset_url": "https://moodle.school.example/mod/lti/certs.php", "audience": "",
                "deployment_ids": "3\n", "frame_origins": ""}


def test_instructors_see_the_values_to_paste(db, django_user_model):
    client = Client()
    client.force_login(make_site_instructor(django_user_model, "teach"))
    page = client.get("/lti/").content.decode()
    for path in ("/lti/login/", "/lti/launch/", "/lti/jwks.json"):
        assert f"http://testserver{path}" in page
    assert "Register a platform" not in page  # staff only
    assert b"data-lti-setup" in client.get("/classroom/").content  # reachable from Courses


def test_learners_do_not_get_the_setup_page(db, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("lee"))
    assert client.get("/lti/").status_code == 403


def test_staff_register_a_platform_with_its_deployment(admin_client):
    r = admin_client.post("/lti/", REGISTRATION)
    assert r.status_code == 302
    reg = LtiRegistration.objects.get(issuer="https://moodle.school.example")
    assert list(reg.deployments.values_list("deployment_id", "is_active")) == [("3", True)]


def test_a_bad_registration_says_which_field(admin_client):
    r = admin_client.post("/lti/", {**REGISTRATION, "auth_url": "not a url", "frame_origins": "https://a.example/path"})
    assert r.status_code == 400
    text = r.content.decode()
    assert 'id="id_auth_url-errors"' in text and 'id="id_frame_origins-errors"' in text and "is not an origin" in text
    assert not LtiRegistration.objects.exists()


def test_non_staff_cannot_register(db, django_user_model):
    client = Client()
    client.force_login(make_site_instructor(django_user_model, "teach"))
    assert client.post("/lti/", REGISTRATION).status_code == 403
    assert not LtiRegistration.objects.exists()


def test_staff_activate_a_deployment_the_platform_announced(admin_client):
    reg = LtiRegistration.objects.create(**{k: v for k, v in REGISTRATION.items() if k not in ("deployment_ids", "frame_origins")})
    waiting = LtiDeployment.objects.create(registration=reg, deployment_id="7")
    assert b"Activate" in admin_client.get("/lti/").content
    admin_client.post(f"/lti/deployments/{waiting.pk}/activate/")
    waiting.refresh_from_db()
    assert waiting.is_active


def test_rotating_keys_publishes_the_new_key_beside_the_old(lms):
    old = requests.get(f"{lms.base}/lti/jwks.json").json()["keys"]
    call_command("rotate_keys", "--deactivate-after", "1")
    new = requests.get(f"{lms.base}/lti/jwks.json").json()["keys"]
    assert len(new) == 2 and old[0] in new
    # The newest key signs (django-lti: Key.objects.active().latest()).
    signing = Key.objects.active().latest()
    assert signing.as_jwk()["kid"] not in {k["kid"] for k in old}


def test_a_course_lti_page_is_for_that_courses_instructors(lms, django_user_model):
    teacher = requests.Session()
    lms.launch(teacher, **instructor_spec())
    mine = Course.objects.get()
    other_teacher = make_site_instructor(django_user_model, "b")
    theirs = make_course("B", other_teacher)
    assert teacher.get(f"{lms.base}/lti/courses/{mine.pk}/").status_code == 200
    assert "data-lti-course-link" in teacher.get(f"{lms.base}/classroom/{mine.pk}/").text  # in the course's navigation
    assert teacher.get(f"{lms.base}/lti/courses/{theirs.pk}/").status_code == 404
    client = Client()
    assert client.login(username="b", password=PASSWORD)
    assert client.get(f"/lti/courses/{mine.pk}/").status_code == 404
