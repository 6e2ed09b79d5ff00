"""Labs' background jobs, on django-tasks (TASKS in settings; `manage.py db_worker` runs them).

No page request of the labs app waits on AWS or sends a burst: a burst is sent by `send_burst`
in steps of a few hundred jobs, and `tick` polls every active lab (its figures and one sample of
the dashboard's series) and tears down expired ones. `tick` keeps itself going: each run enqueues
the next with `run_after`, so no cron is needed; `ensure_ticking` (called by the labs pages)
starts the chain again if a worker died in the middle of one.

With a backend that cannot defer (django-tasks' ImmediateBackend, in tests) a task runs at once
and the tick does not chain; tests enqueue `tick` themselves.
"""
import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from labs import deployers, operations
from labs.models import Burst, Lab

log = logging.getLogger(__name__)

# How often the background poll reads each kind of lab, and so how often a dashboard asks for
# news (labs/views.py gives the page its lab's interval). Every few seconds, not every second:
# - local: the local scaler decides once a second (REFIMPL_POLL_S) and logs each decision with
#   its own time, so a 2 s poll loses no decision; it halves LocalStack reads while a burst runs.
# - AWS: nothing there changes faster than a few seconds. The deployed scaler runs once a minute
#   (template.yaml, ScalerSchedule: rate(1 minute)), target tracking acts on one-minute CloudWatch
#   datapoints, a Fargate task takes tens of seconds to start, and SQS's counts are approximate
#   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html).
#   Five seconds shows each change within seconds at a fifth of the calls of a 1 s poll.
POLL_S: dict[str, float] = {Lab.Target.LOCAL: 2.0, Lab.Target.AWS: 5.0}
MIN_TICK_S = 0.5    # never sooner than this between two ticks, whatever is due
IDLE_S = 30.0         # between two ticks with no active lab: the reaper has nothing to do
STALE_RUN_S = 300   # a tick "running" longer than this belonged to a worker that died
KEEP_RESULTS_S = 3600  # finished task rows of this module kept this long, for debugging


@task()
def send_burst(burst_id: int) -> dict:
    """One step of a burst; enqueues the next step while jobs remain, so polls run in between."""
    burst = Burst.objects.select_related("lab", "lab__owner").get(pk=burst_id)
    try:
        more = operations.send_burst_step(burst)
    except Exception as exc:
        # Anything the backend did not foresee: the burst must not stay "sending" for ever (it
        # would refuse the next one); the task still fails, with its traceback, for the log.
        operations.fail_burst(burst, f"stopped after {burst.sent} of {burst.count}: {exc!r}")
        raise
    if more:
        send_burst.enqueue(burst_id)
    return {"sent": burst.sent, "total": burst.count, "status": burst.status}


def poll_s(lab: Lab) -> float:
    return POLL_S.get(lab.target, POLL_S[Lab.Target.LOCAL])


def _due_in(lab: Lab, now) -> float:
    """Seconds until the lab's next poll is due (0 or less: due now)."""
    if lab.live_at is None:
        return 0.0
    return poll_s(lab) - (now - lab.live_at).total_seconds()


@task()
def tick() -> dict:
    """Reap expired labs, poll every active lab that is due, then schedule the next tick for
    the soonest lab due next."""
    next_s: float = IDLE_S
    try:
        reaped = operations.reap_expired()
        polled = 0
        active = list(Lab.objects.active().select_related("owner"))
        deployers.keep_only(lab.pk for lab in active)
        for lab in active:
            # A little early counts as due: a tick that wakes a few ms before a lab's time
            # would otherwise poll it a whole tick late.
            if _due_in(lab, timezone.now()) > MIN_TICK_S / 2:
                continue
            try:
                operations.refresh(lab)
            except Exception as exc:
                # One lab's unforeseen failure must not stop the polls (and the reaper) of every
                # other lab: logged with its traceback and shown on that lab's dashboard.
                log.exception("polling lab %s failed", lab.pk)
                # live_at too: a lab that fails is polled again at its own pace, not every tick.
                Lab.objects.filter(pk=lab.pk).update(live={**lab.live, "unavailable": f"the poll failed: {exc!r}"},
                                                     live_at=timezone.now())
            polled += 1
        _prune_results()
    finally:
        now = timezone.now()
        due = [_due_in(lab, now) for lab in Lab.objects.active()]
        next_s = max(MIN_TICK_S, min(due)) if due else IDLE_S
        _schedule_tick(next_s)
    return {"reaped": reaped, "polled": polled, "next_s": next_s}


def _defers() -> bool:
    return tick.get_backend().supports_defer


def _ticks():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=tick.module_path)


def _pending_ticks():
    recent = timezone.now() - dt.timedelta(seconds=STALE_RUN_S)
    return _ticks().filter(status="READY") | _ticks().filter(status="RUNNING", started_at__gte=recent)


def _schedule_tick(after_s: float) -> None:
    if not _defers():
        return
    if _ticks().filter(status="READY").exists():
        return  # a page already restarted the chain
    tick.using(run_after=timezone.now() + dt.timedelta(seconds=after_s)).enqueue()


def ensure_ticking() -> None:
    """Start the tick chain unless one is waiting or running, and bring a waiting tick forward
    when a lab is active: a tick scheduled while no lab was active waits IDLE_S, and a lab
    launched meanwhile would sit "deploying" that long before its first poll. Cheap (a few
    queries); the labs pages call it, so the first visit after a worker's restart gets polling
    and reaping going too."""
    if not _defers():
        return
    # Reads first, writes only when they find something to do: the pages call this on every
    # load, and a write takes SQLite's one write lock from the job worker.
    now = timezone.now()
    late = _ticks().filter(status="READY", run_after__gt=now + dt.timedelta(seconds=max(POLL_S.values())))
    if Lab.objects.active().exists() and late.exists():
        late.update(run_after=now)
    if not _pending_ticks().exists():
        tick.enqueue()


def _prune_results() -> None:
    if not _defers():
        return
    from django_tasks_db.models import DBTaskResult

    old = timezone.now() - dt.timedelta(seconds=KEEP_RESULTS_S)
    DBTaskResult.objects.filter(task_path__in=[tick.module_path, send_burst.module_path],
                                status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=old).delete()


def start_burst(burst: Burst) -> None:
    send_burst.enqueue(burst.pk)
