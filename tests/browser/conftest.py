"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Every page a test opens is watched: a console error or a request to anything but the live
server fails the test. Screenshots go to test-artifacts/ (not committed)."""
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


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
