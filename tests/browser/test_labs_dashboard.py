"""An instructor runs a lab on this machine from the browser and watches it scale."""
import re
import time

import pytest

from labs.models import Lab
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.localstack]


def metric(page, name) -> int:
    text = page.inner_text(f'[data-metric="{name}"]')
    return int(text) if text.isdigit() else -1


def wait_until(predicate, timeout_s):
    # Polled from Python: the page's CSP rightly forbids the eval that wait_for_function needs.
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"not within {timeout_s} s")


def test_an_instructor_launches_a_lab_bursts_it_and_sees_tasks_rise_and_fall(
        browser, live_server, transactional_db, instructor, client, watched, shot, fast_runtime):
    context = browser.new_context()
    log_in(context, client, instructor, live_server)
    page = watched(context.new_page())
    page.goto(f"{live_server.url}/labs/")
    page.fill("#id_name", "class demo")
    page.select_option("#id_target", "local")
    page.fill("#id_max_tasks", "3")
    page.fill("#id_ttl_minutes", "15")
    page.click("text=Launch lab")
    page.wait_for_url(re.compile(r"/labs/\d+/$"))
    lab = Lab.objects.get()
    try:
        page.wait_for_selector('#lab[data-lab-status="running"]', state="attached", timeout=120_000)
        wait_until(lambda: metric(page, "running") == 0, 30)
        page.fill("#id_count", "600")
        page.click('[data-action="burst"]')
        wait_until(lambda: metric(page, "running") > 0, 60)
        peak = metric(page, "running")
        assert 1 <= peak <= 3
        shot(page, "lab-scaled-out")
        wait_until(lambda: metric(page, "completed") == 600, 120)
        wait_until(lambda: metric(page, "running") == 0, 120)
        assert page.locator("#decisions tbody tr").count() >= 2
        assert "scale" in page.inner_text("#decisions")
        shot(page, "lab-scaled-in")
    finally:
        page.goto(f"{live_server.url}/labs/{lab.pk}/")
        page.click('[data-action="teardown"]')
        page.wait_for_selector('#lab[data-lab-status="ended"]', state="attached", timeout=120_000)
    audit = page.inner_text("text=Audit log >> xpath=..")
    assert "burst" in audit and "teardown" in audit
    context.close()


def test_learners_get_403_on_the_labs_pages(browser, live_server, transactional_db, learner, client):
    context = browser.new_context()
    log_in(context, client, learner, live_server)
    page = context.new_page()
    assert page.goto(f"{live_server.url}/labs/").status == 403
    context.close()
