"""Framing and cookies: LTI sessions only, and only for their platform's origins."""
import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from lti_tool.models import LtiRegistration

from lti.framing import LtiFramingMiddleware
from lti.models import PlatformFraming

SITE_CSP = "default-src 'self'; frame-ancestors 'none'; form-action 'self'"


def _page(request):
    response = HttpResponse("page")
    response["Content-Security-Policy"] = SITE_CSP
    response["X-Frame-Options"] = "DENY"
    response.set_cookie(settings.SESSION_COOKIE_NAME, "s", samesite="Lax")
    response.set_cookie(settings.CSRF_COOKIE_NAME, "c", samesite="Lax")
    return response


@pytest.fixture
def registration(db):
    reg = LtiRegistration.objects.create(name="Moodle", issuer="https://moodle.school.example", client_id="abc",
                                         auth_url="https://moodle.school.example/mod/lti/auth.php",
                                         token_url="https://moodle.school.example/mod/lti/token.php",
                                         keyset_url="https://moodle.school.example/mod/lti/certs.php")
    return reg


def _request(session, secure=True, path="/classroom/"):
    request = RequestFactory().get(path, secure=secure)
    request.session = session
    return request


def test_an_lti_session_may_be_framed_by_its_platform_only_with_cross_site_cookies(registration):
    response = LtiFramingMiddleware(_page)(_request({"lti": {"registration": registration.pk}}))
    assert "X-Frame-Options" not in response
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors https://moodle.school.example" in csp and "'none'" not in csp
    assert "default-src 'self'" in csp and "form-action 'self'" in csp
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        assert response.cookies[name]["samesite"] == "None" and response.cookies[name]["secure"] is True


def test_listed_frame_origins_replace_the_defaults(registration):
    PlatformFraming.objects.create(registration=registration, origins="https://school.instructure.com\n")
    response = LtiFramingMiddleware(_page)(_request({"lti": {"registration": registration.pk}}))
    assert response["Content-Security-Policy"].endswith("frame-ancestors https://school.instructure.com")


def test_the_rest_of_the_site_keeps_its_defaults(registration):
    response = LtiFramingMiddleware(_page)(_request({}))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == SITE_CSP
    assert response.cookies[settings.SESSION_COOKIE_NAME]["samesite"] == "Lax"


def test_plain_http_keeps_lax_cookies(registration):
    response = LtiFramingMiddleware(_page)(_request({"lti": {"registration": registration.pk}}, secure=False))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["samesite"] == "Lax"


def test_a_revoked_registration_frames_nothing(registration):
    registration.is_active = False
    registration.save()
    response = LtiFramingMiddleware(_page)(_request({"lti": {"registration": registration.pk}}))
    assert response["Content-Security-Policy"].endswith("frame-ancestors 'none'")
    assert response["X-Frame-Options"] == "DENY"


def test_launch_endpoints_accept_only_posts_verified_by_token_not_csrf(db, client):
    # CSRF-exempt: a platform's form post carries no CSRF token; refused for its missing state instead.
    response = client.post("/lti/launch/", {"id_token": "x.y.z"}, enforce_csrf_checks=True)
    assert response.status_code == 400 and b"without its state" in response.content


def test_other_lti_pages_keep_csrf(django_user_model):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(django_user_model.objects.create_user("t"))
    assert strict.post("/lti/courses/1/roster/").status_code == 403
