"""The import page in a real browser: reachable from the Courses page, usable by keyboard, and
without serious axe violations, before and after a refused file."""
import pytest
from django.test import Client

from tests.browser.support import log_in, serious_axe_violations

pytestmark = pytest.mark.browser


def test_an_instructor_imports_from_the_courses_page(browser, live_server, instructor, tmp_path, db):
    context = browser.new_context(bypass_csp=True)  # axe is injected
    log_in(context, Client(), instructor, live_server)
    page = context.new_page()
    page.goto(f"{live_server.url}/classroom/")
    page.click("[data-import]")
    page.wait_for_selector("form.import-form")
    assert serious_axe_violations(page) == []
    bad = tmp_path / "bad.gift"
    bad.write_text("::T::Which?{=Right ~Wrong}\n")  # no #feedback: refused
    page.set_input_files("input[type=file]", str(bad))
    page.check("input[value=gift]")
    page.click("form.import-form button[type=submit]")
    page.wait_for_selector("[data-import-problems]")
    assert "options[0].why" in page.inner_text("[data-import-problems]")
    assert serious_axe_violations(page) == []
    context.close()
