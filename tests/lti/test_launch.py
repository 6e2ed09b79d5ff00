"""Login initiation and resource-link launches from the test platform, and launches tampered
with: each refused with a page saying what was wrong, and nothing made for it."""
import time

import jwt
import pytest
import requests
from django.contrib.auth import get_user_model
from jwcrypto.jwk import JWK
from lti_tool.models import LtiContext, LtiUser

from classroom.models import Course, Membership
from lti.models import course_external_id
from tests.classroom.support import make_assignment, make_question
from tests.lti import platform
from tests.lti.support import form_fields, instructor_spec, learner_spec


def test_login_initiation_redirects_to_the_platform_with_state_and_nonce(lms):
    session = requests.Session()
    r = session.get(platform.login_initiation_url(**learner_spec()), allow_redirects=False)
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location.startswith(f"{lms.base}/platform/auth/?")
    assert "nonce=" in location and "state=" in location and f"client_id={platform.CLIENT_ID}" in location
    assert any(c.name.startswith("lti1p3-state-") for c in session.cookies)


def test_learner_launch_makes_account_course_and_membership(lms):
    session = requests.Session()
    r = lms.launch(session, **learner_spec(custom=None))
    assert r.status_code == 200
    lti_user = LtiUser.objects.get(registration=lms.registration, sub="learner-1")
    course = Course.objects.get(external_id=course_external_id(platform.ISSUER, platform.DEPLOYMENT_ID, "course-101"))
    assert Membership.objects.get(course=course, user=lti_user.auth_user).role == "learner"
    assert not lti_user.auth_user.has_usable_password()
    # The link has no assignment yet: the learner is told so.
    assert "data-lti-not-chosen" in r.text
    # Signed in: the course page opens in the same browser session.
    assert session.get(f"{lms.base}/classroom/{course.pk}/").status_code == 200


def test_instructor_picks_the_assignment_on_first_launch_then_learners_land_on_it(lms):
    teacher = requests.Session()
    r = lms.launch(teacher, **instructor_spec())
    assert r.status_code == 200 and "Link this assignment" not in r.text  # no assignment yet
    course = Course.objects.get()
    assert Membership.objects.get(course=course).role == "instructor"
    assignment = make_assignment(course, [make_question("lti-q1")], title="Week 1")
    r = lms.launch(teacher, **instructor_spec())
    assert "Link this assignment" in r.text
    fields = form_fields(r.text)
    r = teacher.post(r.url, data={"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"], "assignment": assignment.pk})
    assert r.url.endswith(f"/classroom/{course.pk}/assignments/{assignment.pk}/")
    learner = requests.Session()
    r = lms.launch(learner, **learner_spec())
    assert r.url.endswith(f"/classroom/{course.pk}/assignments/{assignment.pk}/"), r.url


def test_a_launch_for_one_context_never_reaches_another(lms):
    other = Course.objects.create(title="Other course")
    theirs = make_assignment(other, [make_question("lti-q2")], title="Theirs")
    session = requests.Session()
    # A custom parameter naming another course's assignment does not link it.
    r = lms.launch(session, **learner_spec(custom={"assignment_id": str(theirs.pk)}))
    assert "data-lti-not-chosen" in r.text
    assert session.get(f"{lms.base}/classroom/{other.pk}/").status_code == 404
    assert session.get(f"{lms.base}/classroom/{other.pk}/assignments/{theirs.pk}/").status_code == 404
    # Context Y is a different course, with its own membership; X's stays X's.
    lms.launch(session, **learner_spec(context_id="course-202"))
    user = LtiUser.objects.get(sub="learner-1").auth_user
    assert Membership.objects.filter(user=user).count() == 2
    assert not Membership.objects.filter(user=user, course=other).exists()


def _counts():
    return (get_user_model().objects.count(), Course.objects.count(), Membership.objects.count(),
            LtiUser.objects.count(), LtiContext.objects.count())


def _resign(fields, **changes):
    body = jwt.decode(fields["id_token"], options={"verify_signature": False})
    header = jwt.get_unverified_header(fields["id_token"])
    body.update(changes)
    return jwt.encode(body, platform.STATE.private_pem, algorithm="RS256", headers={"kid": header["kid"]})


def _wrong_signature(fields):
    header = jwt.get_unverified_header(fields["id_token"])
    body = jwt.decode(fields["id_token"], options={"verify_signature": False})
    stranger = JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None)
    return jwt.encode(body, stranger, algorithm="RS256", headers={"kid": header["kid"]})


@pytest.mark.parametrize("tamper, says", [
    (_wrong_signature, "signature does not verify"),
    (lambda f: _resign(f, exp=int(time.time()) - 60, iat=int(time.time()) - 400), "expired"),
    (lambda f: _resign(f, aud="someone-else", azp="someone-else"), "audience"),
], ids=["wrong-signature", "expired", "wrong-audience"])
def test_tampered_launch_is_refused_and_makes_nothing(lms, tamper, says):
    session = requests.Session()
    fields = lms.signed_launch(session, **learner_spec())
    before = _counts()
    r = lms.post_launch(session, {**fields, "id_token": tamper(fields)})
    assert r.status_code == 400
    assert "data-lti-refusal" in r.text and says in r.text
    assert _counts() == before


def test_replayed_launch_is_refused(lms):
    session = requests.Session()
    fields = lms.signed_launch(session, **learner_spec())
    assert lms.post_launch(session, fields).status_code == 200
    before = _counts()
    again = lms.post_launch(session, fields)
    assert again.status_code == 400 and "already used" in again.text
    assert _counts() == before


def test_unactivated_deployment_is_refused(lms):
    lms.registration.deployments.update(is_active=False)
    session = requests.Session()
    r = lms.launch(session, **learner_spec())
    assert r.status_code == 403 and "not activated" in r.text
    assert not LtiUser.objects.exists() and not Course.objects.exists()


def test_jwks_publishes_the_active_public_keys_only(lms):
    keys = requests.get(f"{lms.base}/lti/jwks.json").json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and "d" not in keys[0]


@pytest.mark.parametrize("params, says", [
    ({"iss": "https://unknown.example", "client_id": "nope", "login_hint": "x", "target_link_uri": "/lti/launch/"},
     "registers the platform"),
    ({"iss": platform.ISSUER, "client_id": platform.CLIENT_ID, "login_hint": "x"}, "no target_link_uri"),
    ({"iss": platform.ISSUER, "client_id": platform.CLIENT_ID, "login_hint": "x",
      "target_link_uri": "https://evil.example/"}, "is not a page of this tool"),
], ids=["unknown-platform", "no-target", "foreign-target"])
def test_a_login_initiation_the_tool_cannot_serve_is_refused_with_a_reason(lms, params, says):
    if params.get("target_link_uri", "").startswith("/"):
        params = {**params, "target_link_uri": lms.base + params["target_link_uri"]}
    r = requests.get(f"{lms.base}/lti/login/", params=params, allow_redirects=False)
    assert r.status_code == 400 and says in r.text
