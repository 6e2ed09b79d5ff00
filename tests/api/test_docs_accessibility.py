"""The API docs page is usable by everyone: axe reports no serious or critical violation at 1280
and 390 px, on the list of operations, with one opened, tried out and run, and with the
credentials dialog open (Swagger UI's own markup, mended by templates/drf_spectacular/swagger_ui.html,
static/css/api-docs.css and static/js/api-docs.js)."""
import pytest

from tests.browser.support import serious_axe_violations


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_the_docs_page_has_no_serious_accessibility_violations(browser, live_server, bank, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)  # axe is injected
    page = context.new_page()
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    assert page.get_attribute("html", "lang") == "en"
    found = {"list": serious_axe_violations(page)}
    page.locator("#operations-questions-listQuestions .opblock-summary-control").click()
    page.wait_for_selector("#operations-questions-listQuestions .try-out__btn")
    found["opened"] = serious_axe_violations(page)
    page.locator("#operations-questions-listQuestions .try-out__btn").click()
    page.locator("#operations-questions-listQuestions .execute").click()
    page.wait_for_selector("#operations-questions-listQuestions .live-responses-table .response-col_status")
    found["run"] = serious_axe_violations(page)
    page.locator(".auth-wrapper .btn.authorize").click()
    page.wait_for_selector(".dialog-ux .modal-ux")
    found["credentials dialog"] = serious_axe_violations(page)
    context.close()
    assert found == {"list": [], "opened": [], "run": [], "credentials dialog": []}
