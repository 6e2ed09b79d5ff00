"""The browsable API docs work in a real browser, offline and under the site's CSP."""
import pytest
from django.test import Client


@pytest.mark.browser
def test_the_docs_page_lists_every_operation_without_a_csp_violation(live_server, page, db):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: problems.append(f"left the server: {r.url}")
            if not r.url.startswith(live_server.url) and not r.url.startswith("data:") else None)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = set(page.locator(".opblock-summary-path").all_inner_texts())
    assert "/api/v1/questions/{external_id}/attempts/" in {p.replace("\u200b", "") for p in paths}
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = sum(len(ops) for ops in schema["paths"].values())
    assert operations >= 24 and page.locator(".opblock").count() == operations  # every operation, none missing
    assert problems == []
