"""What `/api/v1/ready/` checks before a load balancer sends this process traffic.

`/api/v1/health/` only says the process answers; readiness says it can do its work:

* database: a query goes through;
* cache (CACHE_URL): a value written can be read back, so throttles and login lockouts hold;
* jobs: the background worker (`manage.py db_worker`) keeps up. django-tasks' database backend
  keeps no record of its workers, so the sign of a missing or stuck worker is work left waiting:
  a task ready to run (due, not deferred to later) for longer than READY_MAX_JOB_DELAY_S
  (default 60 s). Once the labs have been opened, their periodic tick is such a task, due at
  least every 30 s, so a worker that is gone shows within about a minute and a half.

Each check answers ok or names what failed; the details say which kind of error, never its
text (it may name hosts or users, and the endpoint is public).
"""
import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from reference_impl.envvars import env_int

log = logging.getLogger(__name__)

DATABASE_TASK_BACKEND = "django_tasks_db.DatabaseBackend"


@dataclass
class Check:
    ok: bool
    detail: str


def _failed(name: str, exc: Exception) -> Check:
    log.warning("readiness: %s check failed", name, exc_info=exc)
    return Check(False, f"{type(exc).__name__} (see the server log)")


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means not ready; the log has the rest
        return _failed("database", exc)
    return Check(True, f"{connection.vendor} answers")


def check_cache() -> Check:
    key, value = f"readiness:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=30)
        read = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        return _failed("cache", exc)
    if read != value:
        return Check(False, "a value written to the cache could not be read back")
    return Check(True, "written and read back")


def max_job_delay() -> dt.timedelta:
    return dt.timedelta(seconds=env_int("READY_MAX_JOB_DELAY_S", 60, 1, 24 * 3600))


def check_jobs(now: dt.datetime | None = None) -> Check:
    backend = getattr(settings, "TASKS", {}).get("default", {}).get("BACKEND")
    if backend != DATABASE_TASK_BACKEND:
        return Check(True, f"jobs run by {backend or 'no backend'}, not a separate worker")
    from django_tasks_db.models import DBTaskResult, TaskResultStatus, get_date_max

    now = now or timezone.now()
    late = now - max_job_delay()
    try:
        ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        # Not deferred: due since it was enqueued. Deferred: due since its run_after.
        waiting = (ready.filter(run_after=get_date_max(), enqueued_at__lt=late).count()
                   + ready.exclude(run_after=get_date_max()).filter(run_after__lt=late).count())
    except Exception as exc:
        return _failed("jobs", exc)
    if waiting:
        return Check(False, f"{waiting} task(s) due more than {int(max_job_delay().total_seconds())} s ago "
                            "still wait: is `manage.py db_worker` running?")
    return Check(True, "no task waits past its time")


def readiness() -> dict[str, Check]:
    return {"database": check_database(), "cache": check_cache(), "jobs": check_jobs()}
