"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Every page a test opens is watched: a console error or a request to anything but the live
server fails the test. Screenshots go to test-artifacts/ (not committed)."""
from pathlib import Path

import pytest

from questions.loader import load_questions

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def bank(transactional_db):
    load_questions()


@pytest.fixture
def watched(live_server):
    """Attach to a page: collects console errors, page errors and off-server requests."""
    problems = []

    def watch(page):
        page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("request", lambda r: problems.append(f"left the server: {r.url}")
                if not (r.url.startswith(live_server.url) or r.url.startswith("data:")) else None)
        return page

    yield watch
    assert problems == []


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(exist_ok=True)

    def _shot(target, name):
        path = ARTIFACTS / f"{name}.png"
        target.screenshot(path=str(path))
        return path
    return _shot


def serious_axe_violations(page) -> list[str]:
    """Run axe-core (from npm) on the page as it is now. The page's CSP forbids injected
    scripts, so open it in a context made with `browser.new_context(bypass_csp=True)`."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def log_in(context, client, user, live_server):
    """Give a browser context the session of a Django test client logged in as `user`."""
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
