"""What instructors do to labs, and the audit log of it. Views call these; so does the reaper.

Each lab target has a backend (labs/backends.py) that knows how to start, read, burst and stop
that kind of deployment; this module adds the lab's state machine and the audit trail.
"""
import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from labs.backends import BackendError, BackendStatus, backend_for
from labs.models import Burst, Lab, LabEvent, LabSample

log = logging.getLogger(__name__)


class LabNotRunning(Exception):
    pass


def record(lab, action: str, actor=None, **detail) -> LabEvent:
    return LabEvent.objects.create(lab=lab, actor=actor, action=action, detail=detail)


def launch(lab: Lab, actor) -> None:
    """Start the lab's backend. Call inside the transaction that created the lab: the job
    worker's poll must not see a deploying lab before it has a process to look at."""
    record(lab, "created", actor, target=lab.target, max_tasks=lab.max_tasks,
           expires_at=lab.expires_at.isoformat())
    try:
        backend_for(lab).start(lab)
    except BackendError as exc:
        lab.status, lab.error = Lab.Status.FAILED, str(exc)
        lab.ended_at = timezone.now()
        lab.save()
        record(lab, "failed", None, error=str(exc))
        return
    lab.save()
    record(lab, "deploy_started", None)


LIVE_KEYS = ("queue", "workers", "jobs", "decisions", "scaling", "progress", "unavailable")
BURST_ABANDONED_S = 300  # an open burst without progress this long lost its worker: a new one may start
SERIES_MAX = 3600  # an hour of samples at one a second; a page asks only for newer ones after its first load


def refresh(lab: Lab) -> BackendStatus:
    """Read the lab's backend once (background task only: it may wait on AWS), move the lab's
    state on, keep the figures on the lab and add a sample to its series."""
    if not lab.is_active:
        return {}
    live: BackendStatus
    try:
        live = backend_for(lab).status(lab)
    except BackendError as exc:
        live = {"unavailable": str(exc)}
    if lab.status == Lab.Status.DEPLOYING and live.get("ready"):
        if _move(lab, Lab.Status.RUNNING):
            record(lab, "running", None)
    elif live.get("delete_failed") and lab.status != Lab.Status.DELETE_FAILED:
        if _move(lab, Lab.Status.DELETE_FAILED, error=live["delete_failed"]):
            record(lab, "delete_failed", None, error=live["delete_failed"])
    elif lab.status in (Lab.Status.DEPLOYING, Lab.Status.RUNNING) and live.get("failed"):
        if _move(lab, Lab.Status.FAILED, error=live["failed"], ended_at=timezone.now()):
            record(lab, "failed", None, error=live["failed"])
    elif lab.status in (Lab.Status.TEARING_DOWN, Lab.Status.DELETE_FAILED) and live.get("stopped"):
        _ended(lab)
    now = timezone.now()
    figures = {k: v for k, v in live.items() if k in LIVE_KEYS}
    if "queue" in figures or "workers" in figures:
        queue, workers = live.get("queue"), live.get("workers")
        LabSample.objects.create(lab=lab, at=now, visible=queue.get("visible") if queue else None,
                                 in_flight=queue.get("in_flight") if queue else None,
                                 running=workers.get("running") if workers else None,
                                 desired=workers.get("desired") if workers else None)
    # A stopping runtime answers with no figures, or results it cannot read: keep the last ones
    # read, they are the lab's final figures.
    kept = {k: v for k, v in lab.live.items() if k in ("queue", "workers", "jobs", "decisions", "scaling")}
    fresh = {k: v for k, v in figures.items() if not (isinstance(v, dict) and "unavailable" in v and k in kept)}
    lab.live, lab.live_at = {**kept, **fresh}, now
    lab.save(update_fields=["live", "live_at"])
    return live


METRICS = [  # (key in the status JSON's group, group, what the dashboard calls it)
    ("visible", "queue", "messages waiting"), ("in_flight", "queue", "in flight"), ("dlq", "queue", "dead-letter"),
    ("desired", "workers", "desired workers"), ("running", "workers", "running workers"),
    ("completed", "jobs", "results written"), ("latency_p50_s", "jobs", "job latency p50 (s)"),
    ("latency_p95_s", "jobs", "job latency p95 (s)"),
]


def metrics(lab: Lab) -> list[tuple[str, str, object]]:
    """The figures the background poll last read, for the page as served (no JavaScript needed)."""
    return [(key, name, (lab.live.get(group) or {}).get(key)) for key, group, name in METRICS]


def status(lab: Lab, since: float | None = None) -> dict:
    """The dashboard's figures, from the database only: what the background poll last read, the
    series (samples after `since`, a Unix time), and the newest burst's progress."""
    samples = lab.samples.all()
    if since is not None:
        samples = samples.filter(at__gt=dt.datetime.fromtimestamp(since, tz=dt.timezone.utc))
    burst = lab.bursts.first()
    series = [s.to_dict() for s in samples[:SERIES_MAX]]
    return {
        "lab": {
            "id": lab.pk, "status": lab.status, "status_display": lab.get_status_display(),
            "active": lab.is_active, "seconds_left": lab.seconds_left(), "time_left": lab.time_left(),
            "error": lab.error, "target": lab.target,
            "created_at": lab.created_at.timestamp(),
            "ended_at": lab.ended_at.isoformat() if lab.ended_at else None,
        },
        **{k: v for k, v in lab.live.items() if k in LIVE_KEYS},
        "updated_at": lab.live_at.timestamp() if lab.live_at else None,
        "now": timezone.now().timestamp(),
        # Oldest first, SERIES_MAX at a time: a page catches up on a long lab in a few polls.
        "series": series,
        "series_more": len(series) == SERIES_MAX,
        "burst": burst.to_dict() if burst else None,
    }


def request_burst(lab: Lab, count: int, batch_size: int, actor) -> Burst:
    """Record the burst; a background task sends it (labs.tasks.send_burst)."""
    if lab.status != Lab.Status.RUNNING:
        raise LabNotRunning(f"The lab is {lab.get_status_display()}; a burst needs it running.")
    open_bursts = lab.bursts.filter(status__in=[Burst.Status.QUEUED, Burst.Status.SENDING])
    for abandoned in open_bursts.filter(updated_at__lt=timezone.now() - dt.timedelta(seconds=BURST_ABANDONED_S)):
        fail_burst(abandoned, f"no progress for {BURST_ABANDONED_S // 60} minutes (was the job worker stopped?); "
                              f"{abandoned.sent} of {abandoned.count} were sent")
    if open_bursts.exists():
        raise LabNotRunning("A burst is still being sent; wait for it to finish.")
    burst = Burst.objects.create(lab=lab, requested_by=actor, count=count, batch_size=batch_size)
    record(lab, "burst", actor, jobs=count, batch_size=batch_size)
    return burst


def send_burst_step(burst: Burst) -> bool:
    """Send the next step of the burst (the backend's burst_step jobs); True while more remain. Stops the burst at
    the first error and keeps the backend's words for the dashboard."""
    lab = burst.lab
    if not burst.is_open:
        return False
    if lab.status != Lab.Status.RUNNING:
        fail_burst(burst, f"the lab is {lab.get_status_display()}; {burst.sent} of {burst.count} were sent")
        return False
    step = min(backend_for(lab).burst_step, burst.count - burst.sent)  # polls run between two steps
    if burst.status == Burst.Status.QUEUED:
        burst.status = Burst.Status.SENDING
        burst.save(update_fields=["status", "updated_at"])
    try:
        burst.sent += backend_for(lab).burst(lab, burst.sent, step, burst.batch_size)
    except BackendError as exc:
        fail_burst(burst, f"stopped after {burst.sent} of {burst.count}: {exc}")
        return False
    if burst.sent >= burst.count:
        burst.status, burst.finished_at = Burst.Status.DONE, timezone.now()
        record(lab, "burst_sent", None, jobs=burst.sent)
    burst.save()
    return burst.is_open


def fail_burst(burst: Burst, error: str) -> None:
    burst.status, burst.error, burst.finished_at = Burst.Status.FAILED, error, timezone.now()
    burst.save()
    record(burst.lab, "burst_failed", None, sent=burst.sent, error=error)


def teardown(lab: Lab, actor, reason: str) -> None:
    if not lab.is_active or lab.status in (Lab.Status.TEARING_DOWN, Lab.Status.DELETE_FAILED):
        return  # already on its way, or waiting for an instructor's retry (retry_delete)
    with transaction.atomic():
        while not _move(lab, Lab.Status.TEARING_DOWN):
            # A poll moved it meanwhile (say deploying to running): tear down what it is now,
            # unless it has ended, failed or is on its way down already.
            if not lab.is_active or lab.status in (Lab.Status.TEARING_DOWN, Lab.Status.DELETE_FAILED):
                return
        record(lab, "teardown", actor, reason=reason)
    try:
        stopped = backend_for(lab).stop(lab)
    except BackendError as exc:
        log.warning("teardown of lab %s failed: %s", lab.pk, exc, exc_info=True)
        record(lab, "teardown_error", None, error=str(exc))
        return
    if stopped:
        _ended(lab)


def _ended(lab: Lab) -> None:
    if _move(lab, Lab.Status.ENDED, ended_at=timezone.now()):
        record(lab, "ended", None)


def _move(lab: Lab, to: str, **fields) -> bool:
    """Change the lab's status only if nobody changed it since `lab` was read: the job worker
    and the web app both move labs on (a poll sees it ready while an instructor tears it down)."""
    moved = Lab.objects.filter(pk=lab.pk, status=lab.status).update(status=to, **fields)
    if moved:
        lab.status = to
        for name, value in fields.items():
            setattr(lab, name, value)
    else:
        lab.refresh_from_db()
    return bool(moved)


def retry_delete(lab: Lab, actor) -> bool:
    """Ask the backend to delete a stack CloudFormation failed to delete; False if the lab is
    not in that state (a double click, or another instructor was quicker)."""
    if lab.status != Lab.Status.DELETE_FAILED:
        return False
    with transaction.atomic():
        previous_error = lab.error
        if not _move(lab, Lab.Status.TEARING_DOWN):
            return False
        record(lab, "retry_delete", actor, previous_error=previous_error)
    try:
        backend_for(lab).retry_delete(lab)
    except BackendError as exc:
        log.warning("retrying the deletion of lab %s failed: %s", lab.pk, exc, exc_info=True)
        record(lab, "teardown_error", None, error=str(exc))
    return True


def reap_expired() -> int:
    """Tear down every lab past its time limit. Runs in the background tick (labs/tasks.py)
    and from `manage.py reaplabs`; the runtimes enforce their own deadlines too, so this is the
    second line, not the only one."""
    expired = list(Lab.objects.expired())
    for lab in expired:
        teardown(lab, None, "time limit passed")
    return len(expired)
