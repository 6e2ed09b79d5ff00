"""Shared fixtures. Fixtures for one feature live beside its tests; only cross-cutting ones here.
Plain helpers and constants (PASSWORD, wait_for) are in tests/support.py."""
import datetime as dt
import gc
import os

# Django's live_server with Playwright's sync API runs inside an event loop; Django would
# otherwise refuse database access from it (Django's async-safety check).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402

from studyapp.devserver import ThreadedWSGIServer  # noqa: E402
from tests.support import PASSWORD, collect_and_freeze_after_test  # noqa: E402

# The live server (browser and LTI tests) without a delayed-ACK stall on every response.
LiveServerThread.server_class = ThreadedWSGIServer

# A test process allocates far more than a web process (Hypothesis's draws, migrations, botocore's
# models, thousands of requests), and at Python's default thresholds (700, 10, 10) the cyclic
# collector ran about 120 times a second, a tenth of the run's CPU (measured with gc.callbacks over
# tests/questions, quizzes and progress: 3.4 s of 30 s). Fewer, larger passes free the same
# garbage: 1.7 s (`make test-fast`: 147 -> 138 s). Test processes only: the servers the tests start
# run as in production.
gc.set_threshold(20_000, 20, 20)

# Markers that `make test-fast` leaves out, given by what a test uses, so that no test can forget
# one: Playwright's fixtures mean a browser, the shared LocalStack endpoint means LocalStack.
BROWSER_FIXTURES = {"page", "context", "browser", "new_context"}
LOCALSTACK_FIXTURES = {"local_endpoint"}
# Tests that touch the database, which `make test` runs a second time on PostgreSQL.
DATABASE_FIXTURES = {"db", "transactional_db", "live_server"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a test that asked for it (the moto ones, through deploy_support.moto_aws), once all
    its fixtures are finalized: one full collection, then gc.freeze() of everything that is
    left, which is what outlives the test (modules, the botocore models and client methods
    read once per process, cfn-lint's schemas). Each moto test drops a few hundred thousand
    objects in cycles (moto's backends), only a full collection frees them, and each full
    collection walked the whole heap again, 0.3 s a time: 7 of the deploy tests' 40 s of CPU.
    Frozen objects are only left out of later collections: reference counting still frees
    them, and the test's own garbage is collected before the freeze. What stays is a cycle
    among frozen objects that is dropped later (a module-scoped fixture's value, say): bounded
    by what outlives a test, and nothing the tests observe."""
    yield
    if collect_and_freeze_after_test["requested"]:
        collect_and_freeze_after_test["requested"] = False
        gc.collect()
        gc.freeze()


def pytest_itemcollected(item):
    # As each test is collected, so that -m sees these markers.
    used = set(getattr(item, "fixturenames", ()))
    if used & BROWSER_FIXTURES:
        item.add_marker(pytest.mark.browser)
    if used & LOCALSTACK_FIXTURES:
        item.add_marker(pytest.mark.localstack)
    if used & DATABASE_FIXTURES or item.get_closest_marker("django_db"):
        item.add_marker(pytest.mark.database)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """TEST_DATABASE=postgres: the database tests run on a PostgreSQL server of their own, started
    for the session in a temporary folder (tests/postgres_cluster.py). Otherwise SQLite, in a file
    as in production (an in-memory database locks differently: concurrent writers fail at once)."""
    from django.conf import settings

    choice = os.environ.get("TEST_DATABASE", "sqlite")
    if choice == "sqlite":
        settings.DATABASES["default"]["TEST"]["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "test.sqlite3")
        yield
        return
    if choice != "postgres":
        raise pytest.UsageError(f"TEST_DATABASE must be sqlite or postgres, got {choice!r}")
    from django.db import connections

    from tests.postgres_cluster import start_cluster

    cluster = start_cluster()
    # In place: Django's connection handler holds this very dict. No connection exists yet.
    default = settings.DATABASES["default"]
    test = {**default["TEST"], "NAME": None}
    default.clear()
    default.update(cluster.database_settings(), TEST=test)
    del connections["default"]
    try:
        yield
    finally:
        connections.close_all()
        cluster.stop()


@pytest.fixture(autouse=True)
def localstack_only_when_marked(request, monkeypatch):
    """A test that starts LocalStack some other way (a subprocess, a lab) must say so with
    @pytest.mark.localstack: without the marker it gets no LocalStack interpreter and fails with
    a message naming the marker, instead of silently slowing `make test-fast` down."""
    if request.node.get_closest_marker("localstack") is None:
        monkeypatch.setenv("REFIMPL_LOCALSTACK_PYTHON", "/not-marked-pytest.mark.localstack/python")


@pytest.fixture(autouse=True)
def no_throttle_leases_from_other_tests():
    """Each test's database (and with it the shared cache) starts empty, so requests a throttle
    claimed in an earlier test (studyapp/api/throttling.py's leases) must not be spent in this one."""
    from studyapp.api.throttling import leases

    leases.forget()


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


@pytest.fixture(autouse=True, scope="session")
def botocore_models_read_once():
    """Tests make a new boto3 session per test (moto, LocalStack, stubs), and each session's
    loader would parse every service model again from JSON: about 0.5 s a test. The models are
    the same files for the whole run, so every loader in the test process shares one cache of
    what it has read. Callers never change what a loader returns (one session's clients already
    share it), so sharing across sessions changes nothing else."""
    from botocore import loaders

    shared: dict = {}
    original = loaders.Loader.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self._cache = shared

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loaders.Loader, "__init__", init)
        yield


@pytest.fixture(autouse=True, scope="session")
def botocore_client_methods_built_once(botocore_models_read_once):
    """Every new client makes its class's methods again: one function per operation, each with
    its OperationModel and docstring (EC2's 750 operations were 10 ms a client, and the deploy
    tests make about 1,400 clients; the garbage left made up much of the GC's work). A method
    depends only on the service model, which the loaders above share, and calls
    `self._make_api_call` of the client it is called on, so the clients of one model can share
    the functions; each client class still gets a dict of its own for the `creating-client-class`
    handlers to add to (boto3's S3 transfer methods, for one), and its own class."""
    from botocore import client

    built: dict[int, tuple[dict, dict]] = {}  # by the model's id; holding the model keeps the id its own
    original = client.ClientCreator._create_methods

    def create_methods(self, service_model):
        description = service_model._service_description  # the loaders' shared dict: one per model
        if id(description) not in built:
            built[id(description)] = (description, original(self, service_model))
        return dict(built[id(description)][1])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(client.ClientCreator, "_create_methods", create_methods)
        yield


@pytest.fixture(autouse=True, scope="session")
def botocore_service_models_shared(botocore_models_read_once):
    """One botocore ServiceModel per service for the test process, not one per client. A new
    ServiceModel starts with empty caches, so each client built its operation and shape models
    again: for endpoint discovery at creation (every operation of the service) and to parse each
    response. A ServiceModel is a read-only view of the loaders' shared JSON (botocore and
    boto3 never change one; its caches hold what follows from the JSON), so sharing it is what
    one client already does across its calls."""
    from botocore import client
    from botocore.model import ServiceModel

    models: dict[tuple[int, str], tuple[dict, ServiceModel]] = {}  # holding the JSON keeps its id its own

    def load_service_model(self, service_name, api_version=None):
        json_model = self._loader.load_service_model(service_name, "service-2", api_version=api_version)
        key = (id(json_model), service_name)
        if key not in models:
            models[key] = (json_model, ServiceModel(json_model, service_name=service_name))
        return models[key][1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(client.ClientCreator, "_load_service_model", load_service_model)
        yield


@pytest.fixture(scope="session")
def question_files_parsed():
    """What load_questions(paths) parses, parsed once per test process: parsing was two thirds of
    loading the bank (0.4 of 0.6 s on an idle machine, a hundred tests), and the shipped files are
    the same for the whole run. Keyed by the files' text, so a file changed meanwhile is parsed
    again; each call gets its own copy, so nothing a load does to it reaches the next test. The
    fixtures below then save it as load_questions does (questions.loader.save_all): tests of
    loading itself call load_questions."""
    import copy

    from questions.loader import parse_texts, question_files

    parsed: dict[tuple, list] = {}

    def parse(paths=None):
        texts = tuple((path.read_text(encoding="utf-8"), str(path)) for path in question_files(paths))
        if texts not in parsed:
            parsed[texts] = parse_texts(texts)
        return copy.deepcopy(parsed[texts])
    return parse


# The question bank. `bank`: every question file in questions/content/ (on the transactional
# database too, when a test's live_server asks for it); `q1973`: only the question the app is
# built around, for tests written about it alone, returned with its choices.
@pytest.fixture(scope="session")
def bank_rows():
    """The rows the first load of the bank into empty tables wrote, by model, kept for the test
    process (see `bank`)."""
    return {}


@pytest.fixture
def bank(db, question_files_parsed, bank_rows):
    """Into empty tables, the rows that questions.loader.save_all wrote there the first time in
    this process, inserted again as they were (same ids, sequences moved past them, timestamps
    now, as saving sets them): save_all's 770 queries were 0.2 s a test on SQLite and 0.4 s on
    PostgreSQL. When a test has stored questions or tags before, save_all loads over them."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from questions.loader import save_all
    from questions.models import Choice, Question, Tag

    models = [Tag, Question, Question.tags.through, Choice]  # each row's references come first
    if any(model.objects.exists() for model in models):
        save_all(question_files_parsed())
    elif not bank_rows:
        save_all(question_files_parsed())
        bank_rows.update({model: list(model.objects.order_by("pk").values()) for model in models})
    else:
        now = timezone.now()
        with transaction.atomic():
            for model in models:
                stamped = {"created_at": now, "updated_at": now} if model is Question else {}
                model.objects.bulk_create(model(**{**row, **stamped}) for row in bank_rows[model])
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)


@pytest.fixture
def q1973(db, question_files_parsed):
    from questions.loader import CONTENT_DIR, save_all
    from questions.models import Question

    save_all(question_files_parsed([CONTENT_DIR / "1973.md"]))
    return Question.objects.with_choices().get(external_id="1973")


@pytest.fixture
def api():
    """An anonymous API client (DRF's)."""
    from rest_framework.test import APIClient

    return APIClient()


class AppClock:
    """The app's clock (django.utils.timezone.now, which the app, Django and django-tasks read),
    moved by the test and ticking on from there: `at(time)` today (UTC), `advance(timedelta)`."""

    def __init__(self, monkeypatch):
        from django.utils import timezone

        self._real_now, self._shift = timezone.now, dt.timedelta(0)
        monkeypatch.setattr(timezone, "now", lambda: self._real_now() + self._shift)

    def at(self, time_of_day):
        now = self._real_now()
        self._shift = dt.datetime.combine(now.date(), time_of_day, tzinfo=dt.timezone.utc) - now

    def advance(self, delta):
        self._shift += delta


@pytest.fixture
def app_clock(monkeypatch):
    """For tests whose outcome depends on the time: the day boundary ("due today"), a task late."""
    return AppClock(monkeypatch)


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def both_modes_client(request, settings, db):
    """Django's test client with DEBUG on, then off, answering errors as a server would (no
    exception raised into the test): for what must hold in development and in production."""
    from django.test import Client

    settings.DEBUG = request.param
    return Client(raise_request_exception=False)


@pytest.fixture
def signed_in(client, learner):
    """Django's test client, logged in as the learner."""
    client.force_login(learner)
    return client


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
