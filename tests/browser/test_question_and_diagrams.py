import re

import pytest
from playwright.sync_api import expect

from questions.diagrams import diagrams_for
from questions.simulations import DEFAULT_SCENARIO, run_cached
from tests.browser.support import serious_axe_violations
from tests.support import PASSWORD

pytestmark = pytest.mark.browser


def answer(page, live_server, label):
    page.goto(f"{live_server.url}/questions/1973/")
    page.check(f"#option-{label}")
    page.click(".answer-form button[type=submit]")  # not the header's "Log out", also a submit button
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
    assert popover.locator("a").get_attribute("href") == "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html"
    page.keyboard.press("Escape")
    assert popover.is_hidden()
    broken_edge = page.locator("#diagram-A .edge.is-broken")
    broken_edge.focus()
    page.keyboard.press("Enter")
    assert popover.is_visible() and "only an Application Load Balancer can target Lambda" in popover.inner_text()
    page.keyboard.press("Escape")
    assert popover.is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('edge')")  # focus goes back
    page.evaluate("document.activeElement.blur()")  # screenshots without a focus ring or hover
    page.mouse.move(0, 0)
    for option in "ABCD":
        shot(page.locator(f"#diagram-{option}"), f"diagram-{option}")


def test_every_part_is_focusable_and_named(page, live_server, bank, watched):
    watched(page)
    page.goto(f"{live_server.url}/scenarios/")
    nodes = page.locator(".diagram .node")
    assert nodes.count() == sum(len(d.nodes) for d in diagrams_for("1973"))
    for i in range(nodes.count()):
        node = nodes.nth(i)
        assert node.get_attribute("tabindex") == "0" and node.get_attribute("aria-label")
    page.locator("#diagram-D .node").first.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "SQS queue"
    page.keyboard.press(" ")
    assert "holds every job durably" in page.inner_text(".note-popover")


def test_playing_the_burst_fills_the_charts_and_the_results_table(page, live_server, bank, watched, shot):
    watched(page)
    sizes = {}
    page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body()))
            if r.request.resource_type in ("script", "stylesheet") else None)
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
    assert page.inner_text("[data-status]").startswith("Finished.")
    page.mouse.move(0, 0)
    shot(page.locator("[data-diagrams] .diagram-grid"), "scenario-finished-diagrams")
    shot(page.locator("[data-simulation]"), "scenario-finished")
    assert 0 < sum(sizes.values()) < 300_000, sizes  # the budget for the page's JS and CSS


def test_scrubbing_shows_the_simulators_numbers_and_pause_holds_the_frame(page, live_server, bank, watched, shot):
    result = run_cached(DEFAULT_SCENARIO, {})
    d = result["designs"]["D"]["series"]
    frame = next(i for i, w in enumerate(d["waiting"]) if w > 0)
    watched(page)
    page.goto(f"{live_server.url}/scenarios/")
    page.wait_for_selector("[data-simulation][data-loaded=true]", timeout=30_000)
    page.fill('[data-control="scrub"]', str(frame))
    assert f"({frame + 1} of {len(result['time'])})" in page.inner_text("[data-clock]")
    assert page.text_content('#diagram-D [data-sim-badge="waiting"]') == f"{d['waiting'][frame]} waiting"
    tasks = d["capacity"][frame]
    assert page.text_content('#diagram-D [data-sim-badge="capacity"]') == f"{tasks} task{'' if tasks == 1 else 's'}"
    # Requests arrive at D's queue; the links that do nothing in the simulator stay still.
    assert "is-active" in page.get_attribute('#diagram-D .edge[data-from-kind="client"]', "class")
    assert "is-active" not in page.get_attribute("#diagram-A .edge[data-animate=false]", "class")
    assert "is-active" not in page.get_attribute("#diagram-C .edge.is-broken", "class")
    # The first frame where B turns requests away: its arriving requests are drawn as failing.
    b_failed = result["designs"]["B"]["series"]["failed"]
    failing = next(i for i in range(1, len(b_failed)) if b_failed[i] > b_failed[i - 1])
    page.fill('[data-control="scrub"]', str(failing))
    assert "is-failing" in page.get_attribute('#diagram-B .edge[data-from-kind="client"]', "class")
    assert "is-failing" not in page.get_attribute('#diagram-D .edge[data-from-kind="client"]', "class")
    # D's running tasks as squares, each a tenth of its peak.
    per_pip = -(-result["designs"]["D"]["summary"]["peak_capacity"] // 10)
    assert page.locator("#diagram-D .pips rect.is-on").count() == -(-d["capacity"][failing] // per_pip)
    shot(page.locator("[data-diagrams] .diagram-grid"), "scenario-mid-burst")
    rows = page.locator('[data-chart-table="latency"] tbody tr').count()
    page.select_option('[data-control="percentile"]', "p99")
    assert page.locator('[data-chart-table="latency"] tbody tr').count() == rows

    page.select_option('[data-control="speed"]', "0.5")
    page.click('[data-control="play"]')
    # Playwright's own matcher: wait_for_function would need eval, which the page's CSP forbids.
    expect(page.locator("[data-simulation]")).not_to_have_attribute("data-frame", str(frame))
    page.click('[data-control="play"]')  # now "Pause"
    assert page.get_attribute('[data-control="play"]', "aria-pressed") == "false"
    held = page.get_attribute("[data-simulation]", "data-frame")
    page.wait_for_timeout(400)
    assert page.get_attribute("[data-simulation]", "data-frame") == held


def test_reduced_motion_shows_the_end_state_without_playing(browser, live_server, bank, watched):
    context = browser.new_context(reduced_motion="reduce")
    page = watched(context.new_page())
    page.goto(f"{live_server.url}/scenarios/?scenario=idle-then-burst&burst_requests=800")
    page.wait_for_selector("[data-simulation][data-finished=true]", timeout=30_000)
    assert "reduced motion" in page.inner_text("[data-status]")
    last = page.get_attribute('[data-control="scrub"]', "max")
    assert int(last) > 0 and page.get_attribute("[data-simulation]", "data-frame") == last
    assert page.locator(".flow-dot.is-flowing").count() == 0
    context.close()


def test_on_a_phone_the_diagrams_are_tabs(browser, live_server, bank, watched, shot):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = watched(context.new_page())
    page.goto(f"{live_server.url}/scenarios/")
    assert page.locator("#diagram-A").is_visible() and page.locator("#diagram-B").is_hidden()
    page.click("#diagram-tab-B")
    assert page.locator("#diagram-B").is_visible() and page.locator("#diagram-A").is_hidden()
    page.keyboard.press("ArrowRight")
    assert page.locator("#diagram-C").is_visible()
    assert page.get_attribute("#diagram-tab-C", "aria-selected") == "true"
    # Labels stay readable: the drawing scrolls sideways rather than shrink its text under 9 px.
    label = page.locator("#diagram-C .node text").first
    shown_px = label.evaluate("t => t.getBoundingClientRect().height / t.getBBox().height * 11")
    assert shown_px >= 9, f"node labels render at {shown_px:.1f} px on a phone"
    shot(page.locator("[data-diagrams]"), "phone-tabs")
    context.close()


def test_the_scenario_page_is_shareable(page, live_server, bank, watched, shot):
    watched(page)
    page.goto(f"{live_server.url}/scenarios/?scenario=custom&burst_requests=400&idle_days=3&max_tasks=5")
    page.wait_for_selector("[data-simulation][data-loaded=true]", timeout=30_000)
    assert "400 requests" in page.inner_text("[data-results-table] caption")
    assert page.input_value("#id_max_tasks") == "5"
    peak_tasks_of_d = page.locator('[data-results-table] tr[data-design="D"] td').nth(6).inner_text()
    assert 1 <= int(peak_tasks_of_d) <= 5  # the player ran the address's parameters
    shot(page, "scenarios-page")


def test_without_javascript_the_diagrams_and_results_are_there(browser, live_server, bank):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/scenarios/")
    assert page.locator("svg.diagram-svg").count() == 4
    assert page.locator("[data-results-table] tbody tr").count() == 4
    context.close()


@pytest.mark.parametrize("where", ["question", "feedback", "scenarios"])
def test_no_serious_accessibility_violations(browser, live_server, bank, watched, where):
    context = browser.new_context(bypass_csp=True)
    page = watched(context.new_page())
    if where == "question":
        page.goto(f"{live_server.url}/questions/1973/")
        page.click(".diagrams-before > summary")  # check the diagrams too, not just the form
    elif where == "feedback":
        answer(page, live_server, "B")
    else:
        page.goto(f"{live_server.url}/scenarios/")
    if where != "question":  # the charts and their tables are drawn once the simulation loads
        page.wait_for_selector("[data-simulation][data-loaded=true]", timeout=30_000)
    page.locator(".diagram .node").first.click()  # with a note open
    assert serious_axe_violations(page) == []
    context.close()


PHONE = {"width": 390, "height": 844}


def test_after_answering_the_verdict_comes_first_and_fits_the_first_screen(browser, live_server, bank, watched, shot):
    context = browser.new_context(viewport=PHONE)
    page = watched(context.new_page())
    answer(page, live_server, "C")
    # The verdict is the first section after the result, and its heading is on the first screen.
    first_sections = page.evaluate(
        "[...document.querySelectorAll('main article > section, main article > nav, main article > details')]"
        ".slice(0, 2).map(e => e.id || e.className)")
    assert first_sections[1] == "why-the-exam-picks-d", first_sections
    heading = page.locator("#why-the-exam-picks-d h2").bounding_box()
    assert heading["y"] + heading["height"] <= PHONE["height"]
    assert "cannot target Lambda" in page.inner_text("#why-the-exam-picks-d")
    page.wait_for_selector("[data-simulation][data-loaded=true]", timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "phone-feedback-first-screen")
    context.close()


def test_on_a_phone_the_explorer_is_no_wider_than_the_screen(browser, live_server, bank, watched):
    context = browser.new_context(viewport=PHONE)
    page = watched(context.new_page())
    page.goto(f"{live_server.url}/scenarios/")
    page.wait_for_selector("[data-simulation][data-loaded=true]", timeout=30_000)
    page.click(".chart-table summary >> nth=0")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The results table is wider than a phone: it scrolls inside its own box.
    box = page.locator("[data-results] .table-scroll")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    context.close()


def test_no_page_shows_the_key_before_an_answer(browser, live_server, bank, watched, django_user_model, client):
    from tests.browser.support import log_in

    user = django_user_model.objects.create_user("grace", password=PASSWORD)
    for signed_in in (False, True):
        context = browser.new_context()
        if signed_in:
            log_in(context, client, user, live_server)
        page = watched(context.new_page())
        bodies, texts = [], []
        page.on("response", lambda r: bodies.append(r) if "/api/" in r.url else None)
        for path in ("/questions/1973/", "/scenarios/"):
            page.goto(f"{live_server.url}{path}")
            if path == "/scenarios/":
                page.wait_for_selector("[data-simulation][data-loaded=true]", timeout=30_000)
            texts += [r.text() for r in bodies]  # read before the next navigation discards them
            bodies.clear()
            text = page.content()
            assert page.locator(".is-answer, .answer-tag, #why-the-exam-picks-d").count() == 0, path
            assert "the exam's answer" not in text and '"correct"' not in text, path
        # The simulation the explorer fetched, and the question as the API gives it to this learner.
        texts.append(context.request.get(f"{live_server.url}/api/v1/questions/1973/",
                                         headers={"Accept": "application/json"}).text())
        assert len(texts) >= 2 and not any('"correct"' in t or "the answer" in t.lower() for t in texts)
        # After an answer the explorer may name it.
        answer(page, live_server, "B")
        page.goto(f"{live_server.url}/scenarios/")
        assert page.locator("#diagram-D .answer-tag").count() == 1
        context.close()


def test_a_burst_after_ten_idle_days_shows_in_every_chart(browser, live_server, bank, watched):
    context = browser.new_context(reduced_motion="reduce")  # the end state, every frame drawn
    page = watched(context.new_page())
    page.goto(f"{live_server.url}/scenarios/?scenario=custom&idle_days=10&days=11&burst_requests=5000")
    page.wait_for_selector("[data-simulation][data-finished=true]", timeout=60_000)
    assert "10 idle days, then a burst of 5,000 requests" in page.inner_text("[data-status]")

    def column(key, design):
        rows = page.locator(f'[data-chart-table="{key}"] tbody tr')
        index = 2 + "ABCD".index(design)  # time, clock, then A to D
        values = rows.evaluate_all(f"rs => rs.map(r => r.cells[{index}].textContent)")
        return [float(v) for v in values if v != "–"]

    waiting, latency = column("waiting", "D"), column("latency", "D")
    assert max(waiting) > 1000 and sum(1 for v in waiting if v > 0) >= 10
    assert latency and max(latency) > 60  # D's requests waited for tasks to start: the chart shows it
    assert len(column("capacity", "D")) == len(page.locator('[data-chart-table="capacity"] tbody tr').all())
    context.close()


def test_charts_resize_with_their_card(browser, live_server, bank, watched):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = watched(context.new_page())
    page.goto(f"{live_server.url}/scenarios/")
    page.wait_for_selector("[data-simulation][data-loaded=true]", timeout=30_000)
    card = page.locator('[data-chart="waiting"]')
    canvas = page.locator('[data-chart="waiting"] canvas')

    def fits():
        inner = card.evaluate("e => e.clientWidth")
        drawn = canvas.bounding_box()["width"]
        return inner, drawn

    before = card.get_attribute("data-chart-width")
    inner, drawn = fits()
    assert abs(drawn - inner) <= 1  # the chart fills its card
    for width in (700, 390):  # one column on a narrow window, then a phone
        page.set_viewport_size({"width": width, "height": 900})
        # Wait for the observed state: the chart has redrawn at its card's new width.
        expect(card).not_to_have_attribute("data-chart-width", before)
        before = card.get_attribute("data-chart-width")
        inner, drawn = fits()
        assert abs(drawn - inner) <= 1 and int(before) == inner, (width, inner, drawn)
    context.close()
