"""Shared fixtures. Fixtures for one feature live beside its tests; only cross-cutting ones here."""
import os

# Django's live_server with Playwright's sync API runs inside an event loop; Django would
# otherwise refuse database access from it (Django's async-safety check).
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


PASSWORD = "a-Long-enough-passw0rd"


# The cast: a learner, another learner, an instructor (a member of the "instructors" group).
@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user("learner", password=PASSWORD)


@pytest.fixture
def other_learner(django_user_model):
    return django_user_model.objects.create_user("other", password=PASSWORD)


@pytest.fixture
def instructor(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("teacher", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="instructors")[0])
    return user


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium (`make chromium`): Playwright cannot download its own without internet.
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture
def fast_runtime(monkeypatch, settings, tmp_path):
    """Local labs in tests: runtime state under tmp, fast polls and short scale-in waits, and
    enough emulated model time (labelled so in the runtime) that a burst of 600 jobs keeps a
    backlog past the first polls, so the autoscaler has something to scale out for."""
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("REFIMPL_POLL_S", "0.5")
    monkeypatch.setenv("REFIMPL_SCALE_IN_COOLDOWN_S", "2")
    monkeypatch.setenv("REFIMPL_IDLE_BEFORE_ZERO_S", "3")
    monkeypatch.setenv("REFIMPL_EMULATED_SECONDS_PER_ITEM", "0.05")
