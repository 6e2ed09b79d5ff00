"""Helpers of the browser tests (their fixtures are in conftest.py)."""
from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


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
