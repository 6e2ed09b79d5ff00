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
    assert "cannot be built" in page.inner_text("#why-A")  # the reason's opening sentence, open
    page.click('[data-more-why="A"] > summary')  # the option and the whole reason, one click away
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
    thesis = page.locator("#why-the-exam-picks-d > p").first
    assert "mechanisms all exist" in thesis.inner_text()
    box = thesis.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]  # the thesis, on the first screen too
    # The option-by-option lines repeat the reasons below them: folded, one click away.
    assert "cannot target Lambda" not in page.inner_text("#why-the-exam-picks-d")
    page.click('#why-the-exam-picks-d [data-fold="verdict-more"] > summary')
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


def test_the_verdict_section_shows_the_scenario_matrix_with_winners(page, live_server, bank, watched):
    from questions.simulations import matrix_cached

    watched(page)
    answer(page, live_server, "C")
    verdict = page.locator("#why-the-exam-picks-d")
    matrix = verdict.locator("[data-verdict-matrix]")
    expect(matrix).to_be_hidden()  # folded under the verdict's lead, one click away
    verdict.locator('[data-fold="verdict-more"] > summary').click()
    expect(matrix).to_be_visible()
    m = matrix_cached()
    assert m["tie_rule"]["text"] in matrix.inner_text()
    for e in m["scenarios"]:
        table = matrix.locator(f'table[data-scenario="{e["name"]}"]')
        expect(table).to_be_visible()
        assert table.locator("tbody tr[data-design]").count() == 4
        marked = table.locator("td[data-winner]").count()
        assert marked == sum(len(w) for w in e["winners"].values()) and marked >= len(e["winners"])
    findings = matrix.locator("[data-matrix-findings] li")
    assert findings.count() == len(m["findings"]) and "D loses on" in matrix.inner_text()


def test_a_20_gb_model_makes_a_and_c_fail_with_the_limit_named(page, live_server, bank, watched):
    watched(page)
    page.goto(f"{live_server.url}/scenarios/?scenario=idle-then-burst&model_size_gb=20")
    page.wait_for_selector("[data-results-table]")
    for name in "AC":
        row = page.locator(f'[data-results-table] tr[data-design="{name}"]')
        assert row.locator("td").nth(0).inner_text() == "0"  # none completed
    explanations = page.locator(".sim-explanations").inner_text()
    assert explanations.count("a Lambda function has at most 10,240 MB of memory") == 2
    d = page.locator('[data-results-table] tr[data-design="D"]')
    assert d.locator("td").nth(1).inner_text() == "0"  # D's task is sized up to hold it: nothing failed


def test_after_run_the_results_are_in_the_viewport(page, live_server, bank, watched):
    watched(page)
    page.goto(f"{live_server.url}/scenarios/")
    page.wait_for_selector("[data-simulation][data-loaded=true]", timeout=30_000)
    page.fill("#id_burst_requests", "800")
    page.click(".scenario-form button[type=submit]")
    page.wait_for_selector("[data-simulation][data-loaded=true]", timeout=30_000)
    assert "burst_requests=800" in page.url and page.url.endswith("#run-results")
    # The run's outcome is on screen, not 1,800 px below it.
    top = page.evaluate("document.querySelector('#run-results').getBoundingClientRect().top")
    assert -2 <= top < page.viewport_size["height"] / 2
    expect(page.locator("[data-status]")).to_be_in_viewport()


def test_a_number_box_holding_text_gets_a_field_error_and_nothing_runs(page, live_server, bank, watched):
    watched(page)
    page.goto(f"{live_server.url}/scenarios/")
    page.wait_for_selector("[data-simulation][data-loaded=true]", timeout=30_000)
    page.click("#id_burst_requests")
    page.keyboard.type("1e")  # a number box Chromium cannot read: it would be sent empty
    url = page.url
    page.click(".scenario-form button[type=submit]")
    error = page.locator("#id_burst_requests_client_error")
    expect(error).to_be_visible()
    assert "not a number" in error.inner_text() and "Burst size" in error.inner_text()
    assert page.url == url  # the default scenario did not run in its place
    assert page.evaluate("document.activeElement.id") == "id_burst_requests"


def test_charts_label_their_axes_show_values_and_tell_c_from_d(page, live_server, bank, watched):
    watched(page)
    page.goto(f"{live_server.url}/scenarios/")
    page.wait_for_selector("[data-simulation][data-loaded=true]", timeout=30_000)
    for key, label in (("waiting", "requests waiting"), ("latency", "seconds"), ("cost_usd", "US dollars")):
        assert label in page.get_attribute(f'[data-chart="{key}"]', "data-y-label"), key
        assert label in page.locator(f'[data-chart-values="{key}"]').inner_text(), key
    # Lambda's environments outnumber the tasks tenfold: they get their own axis.
    capacity = page.get_attribute('[data-chart="capacity"]', "data-y-label")
    assert "Lambda environments (A, C)" in capacity and "tasks (B, D)" in capacity
    # Values show for the frame on screen before any hover, not a row of dashes.
    values = page.locator('[data-chart-values="waiting"] .chart-value').all_inner_texts()
    assert [v.split(":")[0] for v in values] == ["A", "B", "C", "D"] and all(v.split(": ")[1] != "–" for v in values)
    # C and D differ in colour and in line style.
    styles = page.evaluate("""() => [...document.querySelectorAll('[data-chart-values="waiting"] .chart-value')]
        .map(m => getComputedStyle(m).borderTopColor + ' ' + getComputedStyle(m).borderTopStyle)""")
    assert styles[2] != styles[3] and styles[2].split()[-1] != styles[3].split()[-1], styles


def test_a_throttled_run_says_when_it_retries_and_retries(page, live_server, bank, monkeypatch):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    from studyapp.api.throttling import FixedWindowThrottle

    # 58 s into a one-minute window, with no new runs allowed: the API says "retry in 2 s".
    monkeypatch.setattr(FixedWindowThrottle, "timer", lambda self: 60 * 16_667 + 58.0)
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        {**api_settings.DEFAULT_THROTTLE_RATES, "simulations": "0/min"})
    answer(page, live_server, "C")
    page.wait_for_selector("[data-simulation][data-loaded=true]", timeout=30_000)
    page.select_option('[data-control="scenario"]', "steady-trickle")  # a run not cached yet
    status = page.locator("[data-status]")
    expect(status).to_contain_text("Too many runs for now: trying again in", timeout=15_000)
    assert page.get_attribute("[data-simulation]", "data-throttled") == "true"
    # The budget opens again: the page retries by itself and shows the run.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        {**api_settings.DEFAULT_THROTTLE_RATES, "simulations": "100/min"})
    expect(status).to_contain_text("120 requests an hour", timeout=30_000)
    page.wait_for_selector("[data-simulation][data-loaded=true]:not([data-throttled])", timeout=30_000)
