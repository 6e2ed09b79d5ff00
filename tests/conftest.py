"""Shared fixtures. Fixtures for one feature live beside its tests; only cross-cutting ones here."""
import os

# Django's live_server with Playwright's sync API runs inside an event loop; Django would
# otherwise refuse database access from it (see ../shared/TOOLING.md, "Browser tests").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402


@pytest.fixture
def write(tmp_path):
    """Write a file under the test's temporary folder and return its path."""
    def _write(name, text):
        path = tmp_path / name
        path.write_text(text)
        return path
    return _write
