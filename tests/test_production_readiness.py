"""/api/v1/ready/ for a load balancer: 200 when the database, the cache and the job worker work;
503 naming the check that failed. /api/v1/health/ stays trivial."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks import task
from rest_framework.test import APIClient

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@task()
def nothing_much() -> str:
    return "done"


@pytest.fixture
def database_jobs(settings):
    settings.TASKS = DATABASE_BACKEND  # what production runs (tests may use another backend)
    from django_tasks import task_backends

    for backend in list(task_backends.all()):  # the handler caches backends; drop the old one
        del task_backends[backend.alias]


def ready():
    response = APIClient().get("/api/v1/ready/")
    return response.status_code, response.json()


def failing(body):
    return {name for name, check in body["checks"].items() if not check["ok"]}


def test_ready_when_database_cache_and_worker_all_work(db, database_jobs):
    status, body = ready()
    assert (status, body["status"], failing(body)) == (200, "ready", set())
    assert set(body["checks"]) == {"database", "cache", "jobs"}


def test_health_stays_trivial(db):
    response = APIClient().get("/api/v1/health/")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_a_job_waiting_past_its_time_means_no_worker_and_a_run_of_the_worker_makes_it_ready(transactional_db,
                                                                                             database_jobs, app_clock):
    result = nothing_much.enqueue()
    assert ready()[0] == 200  # just enqueued: a worker has its minute
    app_clock.advance(dt.timedelta(minutes=5))
    status, body = ready()
    assert (status, body["status"], failing(body)) == (503, "not ready", {"jobs"})
    assert "db_worker" in body["checks"]["jobs"]["detail"] and "1 task(s)" in body["checks"]["jobs"]["detail"]

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the real worker, once through
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert ready()[0] == 200


def test_a_job_deferred_to_later_is_not_late(db, database_jobs, app_clock):
    nothing_much.using(run_after=timezone.now() + dt.timedelta(hours=3)).enqueue()
    app_clock.advance(dt.timedelta(hours=2))  # enqueued two hours ago, due in an hour
    assert ready()[0] == 200


def test_a_cache_that_does_not_answer_is_named(db, settings):
    from reference_impl.local.endpoint import free_port

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}  # nothing listens there
    status, body = ready()
    assert (status, failing(body)) == (503, {"cache"})
    assert body["checks"]["cache"]["detail"].startswith("ConnectionError")


def test_a_database_that_does_not_answer_is_named(db, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:  # undone before the test's own clean-up needs the database
        patch.setattr(connection, "cursor", refused)
        status, body = ready()
    assert status == 503 and "database" in failing(body)
    assert body["checks"]["database"]["detail"].startswith("OperationalError")


def test_the_schema_documents_both_answers(db):
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    responses = schema["paths"]["/api/v1/ready/"]["get"]["responses"]
    assert {"200", "503"} <= set(responses)
