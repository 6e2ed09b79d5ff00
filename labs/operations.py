"""What instructors do to labs, and the audit log of it. Views call these; so does the reaper.

Each lab target has a backend (labs/backends.py) that knows how to start, read, burst and stop
that kind of deployment; this module adds the lab's state machine and the audit trail.
"""
import logging

from django.db import transaction
from django.utils import timezone

from labs.backends import BackendError, backend_for
from labs.models import Lab, LabEvent

log = logging.getLogger(__name__)


class LabNotRunning(Exception):
    pass


def record(lab, action: str, actor=None, **detail) -> LabEvent:
    return LabEvent.objects.create(lab=lab, actor=actor, action=action, detail=detail)


def launch(lab: Lab, actor) -> None:
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


def status(lab: Lab) -> dict:
    """The dashboard's figures. Also moves a deploying lab to running once its backend is ready."""
    live = {}
    if lab.is_active:
        try:
            live = backend_for(lab).status(lab)
        except BackendError as exc:
            live = {"unavailable": str(exc)}
        if lab.status == Lab.Status.DEPLOYING and live.get("ready"):
            lab.status = Lab.Status.RUNNING
            lab.save(update_fields=["status"])
            record(lab, "running", None)
        elif lab.status in (Lab.Status.DEPLOYING, Lab.Status.RUNNING) and live.get("failed"):
            lab.status, lab.error, lab.ended_at = Lab.Status.FAILED, live["failed"], timezone.now()
            lab.save(update_fields=["status", "error", "ended_at"])
            record(lab, "failed", None, error=live["failed"])
        elif lab.status == Lab.Status.TEARING_DOWN and live.get("stopped"):
            _ended(lab)
    return {
        "lab": {
            "id": lab.pk, "status": lab.status, "status_display": lab.get_status_display(),
            "seconds_left": lab.seconds_left(), "error": lab.error, "target": lab.target,
        },
        **{k: v for k, v in live.items() if k in ("queue", "workers", "jobs", "decisions", "progress", "unavailable")},
    }


def burst(lab: Lab, count: int, batch_size: int, actor) -> int:
    if lab.status != Lab.Status.RUNNING:
        raise LabNotRunning(f"The lab is {lab.get_status_display()}; a burst needs it running.")
    sent = backend_for(lab).burst(lab, count, batch_size)
    record(lab, "burst", actor, jobs=sent, batch_size=batch_size)
    return sent


def teardown(lab: Lab, actor, reason: str) -> None:
    if not lab.is_active or lab.status == Lab.Status.TEARING_DOWN:
        return
    with transaction.atomic():
        lab.status = Lab.Status.TEARING_DOWN
        lab.save(update_fields=["status"])
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
    lab.status, lab.ended_at = Lab.Status.ENDED, timezone.now()
    lab.save(update_fields=["status", "ended_at"])
    record(lab, "ended", None)


def reap_expired() -> int:
    """Tear down every lab past its time limit. Runs on every labs page load and from
    `manage.py reaplabs`; the runtimes enforce their own deadlines too, so this is the second
    line, not the only one."""
    expired = list(Lab.objects.expired())
    for lab in expired:
        teardown(lab, None, "time limit passed")
    return len(expired)
