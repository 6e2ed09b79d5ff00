"""The tool registered with the test platform (tests/lti/platform.py), both on the live server:
the `lms` fixture (shared with the browser test through tests/lti/conftest.py and an import),
launch specs and a form reader."""
import re
from dataclasses import dataclass
from html import unescape

import pytest
import requests
from lti_tool.models import Key, LtiDeployment, LtiRegistration

from tests.lti import platform


def form_fields(html: str, marker: str = "") -> dict:
    """A form's action and inputs: the first form of the page, or the one whose tag has `marker`."""
    if marker:
        start = re.search(r"<form[^>]*" + re.escape(marker), html).start()
        html = html[start:html.index("</form>", start)]
    fields = {unescape(m.group(1)): unescape(m.group(2))
              for m in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)}
    action = re.search(r'<form[^>]*action="([^"]+)"', html)
    fields["_action"] = unescape(action.group(1)) if action else ""
    return fields


@dataclass
class Lms:
    base: str
    registration: LtiRegistration

    def signed_launch(self, session: requests.Session, **spec) -> dict:
        """Login initiation, the tool's redirect, and the platform's signed answer (the form it
        would auto-post): {"_action", "id_token", "state"}."""
        r = session.get(platform.login_initiation_url(**spec), allow_redirects=False)
        assert r.status_code == 302, r.text
        auth = session.get(r.headers["Location"], allow_redirects=False)
        assert auth.status_code == 200, auth.text
        return form_fields(auth.text)

    def post_launch(self, session, fields, **kw):
        return session.post(fields["_action"], data={"id_token": fields["id_token"], "state": fields["state"]}, **kw)

    def launch(self, session, **spec) -> requests.Response:
        return self.post_launch(session, self.signed_launch(session, **spec))


def learner_spec(user_id="learner-1", context_id="course-101", **extra):
    return {"user_id": user_id, "roles": [platform.LEARNER], "context_id": context_id, "name": "Lee Learner",
            "resource_link_id": "link-0", **extra}


def instructor_spec(user_id="teacher-1", context_id="course-101", **extra):
    return {"user_id": user_id, "roles": [platform.INSTRUCTOR], "context_id": context_id, "name": "Tess Teacher",
            "resource_link_id": "link-0", **extra}


@pytest.fixture
def lms(live_server, settings):
    settings.ROOT_URLCONF = "tests.lti.platform_urls"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    base = live_server.url
    platform.reset(base)
    private_pem, public_pem = platform.keypair("tool")  # what Key.objects.generate() stores, made once
    Key.objects.create(private_key=private_pem, public_key=public_pem)
    registration = LtiRegistration.objects.create(
        name="Test LMS", issuer=platform.ISSUER, client_id=platform.CLIENT_ID, auth_url=f"{base}/platform/auth/",
        token_url=f"{base}/platform/token/", keyset_url=f"{base}/platform/jwks/")
    LtiDeployment.objects.create(registration=registration, deployment_id=platform.DEPLOYMENT_ID, is_active=True)
    return Lms(base=base, registration=registration)
