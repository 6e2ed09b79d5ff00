"""The answer page leads with the result, the verdict's lead and each option's reason in a
sentence; the rest folds into disclosures one click (or Enter) away, so a phone reaches the
diagrams within two screens (13.6 before the folds, 3.0 with the verdict's option-by-option list
open and a column of contents, 1.94 now; measured at 390 x 844). A drawing wider
than a phone says that it scrolls sideways. No serious axe violation, folded or unfolded."""
import pytest
from playwright.sync_api import expect

from tests.browser.support import serious_axe_violations

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def answer(page, live_server, label):
    page.goto(f"{live_server.url}/questions/1973/")
    page.check(f"#option-{label}")
    page.click(".answer-form button[type=submit]")
    page.wait_for_selector("[data-outcome]")


@pytest.mark.parametrize("viewport, screens", [(PHONE, 2.0), (DESKTOP, 2.0)], ids=["phone", "desktop"])
def test_the_diagrams_come_within_a_few_screens_and_every_fold_opens_by_keyboard(browser, live_server, bank, viewport,
                                                                                 screens):
    context = browser.new_context(viewport=viewport, bypass_csp=True)  # axe is injected
    page = context.new_page()
    answer(page, live_server, "C")
    top = page.evaluate("document.querySelector('#diagrams-heading').getBoundingClientRect().top + scrollY")
    assert top <= screens * viewport["height"], top / viewport["height"]
    assert serious_axe_violations(page) == []
    # Each option: its reason's opening sentence shown, the rest folded; Enter on the summary opens it.
    for label in "ABCD":
        fold = page.locator(f'[data-more-why="{label}"]')
        expect(fold.locator(".why")).to_be_hidden()
        fold.locator("summary").focus()
        page.keyboard.press("Enter")
        expect(fold.locator(".why")).to_be_visible()
        expect(fold.locator(".option-text")).to_be_visible()
    verdict = page.locator('#why-the-exam-picks-d [data-fold="verdict-more"]')
    verdict.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(verdict.locator("[data-verdict-matrix]")).to_be_visible()
    assert serious_axe_violations(page) == []  # unfolded too
    # The anchors the contents list and tests use are all still there.
    for anchor in ("#the-question", "#why-each-option", "#why-A", "#why-D", "#diagrams-heading", "#simulation-heading"):
        assert page.locator(anchor).count() == 1, anchor
    context.close()


def test_a_drawing_wider_than_a_phone_says_it_scrolls_sideways(browser, live_server, bank):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    answer(page, live_server, "D")
    page.click("#diagram-tab-D")
    box = page.locator("#diagram-D .diagram-scroll")
    hint = page.locator("#diagram-D [data-scroll-hint]")
    overflows = box.evaluate("e => e.scrollWidth > e.clientWidth + 1")
    assert overflows  # D's drawing is wider than a phone's column
    expect(hint).to_be_visible()
    assert "scroll sideways" in hint.inner_text()
    page.set_viewport_size(DESKTOP)  # wide enough: every drawing fits, and no hint shows
    expect(page.locator("[data-scroll-hint]:visible")).to_have_count(0)
    assert page.locator(".diagram-scroll").evaluate_all("bs => bs.every(b => b.scrollWidth <= b.clientWidth + 1)")
    context.close()
