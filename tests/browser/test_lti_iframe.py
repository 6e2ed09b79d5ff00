"""An LTI launch inside the LMS's iframe, in Chromium: the learner is signed in within the frame,
and the tool's pages may be framed by that platform only."""
from urllib.parse import quote

import pytest
import requests
from django.test import Client
from lti_tool.models import LtiUser
from playwright.sync_api import expect

from tests.lti import platform
from tests.browser.support import log_in, serious_axe_violations
from tests.lti.support import instructor_spec, learner_spec, lms  # noqa: F401  (the fixture)

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


def test_a_teacher_deep_links_a_question_from_inside_the_iframe(page, lms, watched):  # noqa: F811
    from tests.classroom.support import make_question

    watched(page)
    make_question("sqs-backlog-1")
    launch = platform.login_initiation_url(**instructor_spec(deep_link=True))
    page.goto(f"{lms.base}/platform/course/?launch={quote(launch, safe='')}")
    frame = page.frame_locator("iframe[title='Study tool']")
    frame.get_by_label("A single question").check()
    frame.get_by_label("Question ID").fill("sqs-backlog-1")
    frame.get_by_role("button", name="Add to the LMS").click()
    # The signed answer is posted back to the platform by the page's script, which the platform checks.
    expect(frame.locator("[data-platform-added]")).to_have_text("1 added")
    assert platform.STATE.deep_link_items[0]["lineItem"]["scoreMaximum"] == 1


def test_the_lms_setup_page_has_no_serious_accessibility_violation(browser, live_server, admin_user):
    context = browser.new_context(bypass_csp=True)  # axe-core is injected
    log_in(context, Client(), admin_user, live_server)
    setup = context.new_page()
    setup.goto(f"{live_server.url}/lti/")
    expect(setup.locator("[data-value='launch']")).to_have_text(f"{live_server.url}/lti/launch/")
    assert serious_axe_violations(setup) == []
