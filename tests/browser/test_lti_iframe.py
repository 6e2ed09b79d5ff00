"""An LTI launch inside the LMS's iframe, in Chromium: the learner is signed in within the frame,
and the tool's pages may be framed by that platform only."""
from urllib.parse import quote

import pytest
import requests
from lti_tool.models import LtiUser
from playwright.sync_api import expect

from tests.lti import platform
from tests.lti.support import learner_spec, lms  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def test_a_launch_inside_an_iframe_signs_the_learner_in(page, lms, watched):  # noqa: F811
    watched(page)
    launch = platform.login_initiation_url(**learner_spec(name="Lee Learner"))
    page.goto(f"{lms.base}/platform/course/?launch={quote(launch, safe='')}")
    frame = page.frame_locator("iframe[title='Study tool']")
    expect(frame.locator("[data-lti-not-chosen]")).to_be_visible()
    user = LtiUser.objects.get(sub="learner-1").auth_user
    # Signed in inside the frame: the navigation there shows the account, not "Log in".
    expect(frame.get_by_role("button", name="Log out")).to_be_visible()
    assert user.username.startswith("lti-")
    # The same pages, opened by a session that did not come from the LMS, refuse to be framed.
    response = requests.get(f"{lms.base}/classroom/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
