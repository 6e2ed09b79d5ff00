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


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """One fast hasher for the whole suite, tests only: most tests create users and log in, and
    at the real work factor hashing would take much of the run. Production keeps Django's."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


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

    from accounts.roles import INSTRUCTORS_GROUP

    user = django_user_model.objects.create_user("teacher", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
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


@pytest.fixture
def assert_num_queries_besides_cache(settings):
    """Like pytest-django's django_assert_num_queries, but leaves out the shared cache's own
    statements (the database cache by default: throttles count every request in it) and
    savepoints, so a query count states what the view itself asks of the database."""
    from contextlib import contextmanager

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    config = settings.CACHES["default"]
    table = config["LOCATION"] if config["BACKEND"].endswith(".DatabaseCache") else None

    def counted(sql):
        # Savepoints are bookkeeping, not work (the cache's writes are wrapped in them).
        return (table is None or table not in sql) and not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))

    @contextmanager
    def _assert(num):
        with CaptureQueriesContext(connection) as context:
            yield context
        sqls = [query["sql"] for query in context.captured_queries]
        own = [sql for sql in sqls if counted(sql)]
        assert len(own) == num, f"expected {num} queries besides the cache, got {len(own)}:\n" + "\n".join(own)
    return _assert
