import pytest

from tests.browser.conftest import serious_axe_violations

pytestmark = pytest.mark.browser


def answer(page, live_server, label):
    page.goto(f"{live_server.url}/questions/1973/")
    page.check(f"#option-{label}")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-outcome]")


def test_answering_d_is_correct_and_a_is_incorrect_with_its_reason(page, live_server, bank, watched):
    watched(page)
    answer(page, live_server, "D")
    assert page.get_attribute("[data-outcome]", "data-outcome") == "correct"
    answer(page, live_server, "A")
    assert page.get_attribute("[data-outcome]", "data-outcome") == "incorrect"
    assert "Network Load Balancer" in page.inner_text("#why-A")


def test_a_parts_note_opens_by_click_and_by_keyboard(page, live_server, bank, watched, shot):
    watched(page)
    answer(page, live_server, "D")
    popover = page.locator(".note-popover")
    page.locator("#diagram-C .node.is-broken").click()
    assert popover.is_visible() and "static setting" in popover.inner_text()
    page.keyboard.press("Escape")
    assert popover.is_hidden()
    broken_edge = page.locator("#diagram-A .edge.is-broken")
    broken_edge.focus()
    page.keyboard.press("Enter")
    assert popover.is_visible() and "only an Application Load Balancer can target Lambda" in popover.inner_text()
    page.keyboard.press("Escape")
    assert popover.is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('edge')")  # focus goes back
    for option in "ABCD":
        shot(page.locator(f"#diagram-{option}"), f"diagram-{option}")


def test_playing_the_burst_fills_the_charts_and_the_results_table(page, live_server, bank, watched, shot):
    watched(page)
    answer(page, live_server, "D")
    page.wait_for_selector("[data-simulation][data-loaded=true]", timeout=30_000)
    page.select_option('[data-control="speed"]', "4")
    page.click('[data-control="play"]')
    page.wait_for_selector("[data-simulation][data-finished=true]", timeout=30_000)
    frames = page.evaluate("Number(document.querySelector('[data-simulation]').dataset.frame)")
    assert frames == int(page.get_attribute('[data-control="scrub"]', "max"))
    assert page.locator("[data-chart] canvas").count() == 4
    rows = page.locator("[data-results-table] tbody tr")
    assert rows.count() == 4 and "3000" in rows.nth(3).inner_text()
    badge = page.locator('#diagram-D [data-sim-badge="capacity"]').text_content()
    assert badge.endswith("tasks")
    assert page.locator(".findings li").count() >= 1
    shot(page.locator("[data-simulation]"), "scenario-finished")


def test_reduced_motion_shows_the_end_state_without_playing(browser, live_server, bank, watched):
    context = browser.new_context(reduced_motion="reduce")
    page = watched(context.new_page())
    page.goto(f"{live_server.url}/scenarios/?scenario=idle-then-burst&burst_requests=800")
    page.wait_for_selector("[data-simulation][data-finished=true]", timeout=30_000)
    assert "reduced motion" in page.inner_text("[data-status]")
    assert page.locator(".flow-dot.is-flowing").count() == 0
    context.close()


def test_on_a_phone_the_diagrams_are_tabs(browser, live_server, bank, watched):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = watched(context.new_page())
    page.goto(f"{live_server.url}/scenarios/")
    assert page.locator("#diagram-A").is_visible() and page.locator("#diagram-B").is_hidden()
    page.click("#diagram-tab-B")
    assert page.locator("#diagram-B").is_visible() and page.locator("#diagram-A").is_hidden()
    page.keyboard.press("ArrowRight")
    assert page.locator("#diagram-C").is_visible()
    context.close()


def test_the_scenario_page_is_shareable_and_refuses_bad_input_clearly(page, live_server, bank, watched):
    watched(page)
    page.goto(f"{live_server.url}/scenarios/?scenario=custom&burst_requests=400&idle_days=3&max_tasks=5")
    page.wait_for_selector("[data-results-table]")
    assert "400 requests" in page.inner_text("[data-results-table] caption")
    assert page.input_value("#id_max_tasks") == "5"


def test_without_javascript_the_diagrams_and_results_are_there(browser, live_server, bank):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/scenarios/")
    assert page.locator("svg.diagram-svg").count() == 4
    assert page.locator("[data-results-table] tbody tr").count() == 4
    context.close()


@pytest.mark.parametrize("path", ["/questions/1973/", "/scenarios/"])
def test_no_serious_accessibility_violations(browser, live_server, bank, path):
    assert serious_axe_violations(browser, f"{live_server.url}{path}") == []
