"""Polls cost little: the dashboard's status poll writes nothing, and a kept deployer is bounded."""
import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from labs import deployers, tasks
from labs.models import Lab

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_the_dashboard_s_status_poll_writes_nothing(client, instructor, lab):
    """Each viewer polls every few seconds; a write per poll took SQLite's one write lock from
    the job worker (the tick chain's UPDATE ran on every poll, matching nothing)."""
    client.force_login(instructor)
    client.get(reverse("labs:detail", args=[lab.pk]))  # the page starts the tick chain: one tick waits
    Lab.objects.filter(pk=lab.pk).update(live={"queue": {"visible": 3}}, live_at=timezone.now())
    with CaptureQueriesContext(connection) as seen:
        for _ in range(3):
            assert client.get(reverse("labs:status", args=[lab.pk])).json()["queue"]["visible"] == 3
    assert _writes(seen.captured_queries) == []


def test_a_status_poll_restarts_a_dead_tick_chain(client, instructor, lab):
    """The one write a poll may make: figures stale for three polls and no tick waiting."""
    from django_tasks_db.models import DBTaskResult

    client.force_login(instructor)
    Lab.objects.filter(pk=lab.pk).update(live_at=timezone.now() - dt.timedelta(minutes=5))
    client.get(reverse("labs:status", args=[lab.pk]))
    assert DBTaskResult.objects.filter(task_path=tasks.tick.module_path, status="READY").count() == 1


def test_the_page_polls_as_often_as_the_background_reads_its_lab(client, instructor, lab):
    client.force_login(instructor)
    page = client.get(reverse("labs:detail", args=[lab.pk])).content.decode()
    assert f'data-poll-ms="{int(tasks.POLL_S[Lab.Target.LOCAL] * 1000)}"' in page
    Lab.objects.filter(pk=lab.pk).update(target=Lab.Target.AWS)
    page = client.get(reverse("labs:detail", args=[lab.pk])).content.decode()
    assert f'data-poll-ms="{int(tasks.POLL_S[Lab.Target.AWS] * 1000)}"' in page


def test_a_tick_polls_only_the_labs_that_are_due_and_wakes_for_the_next(instructor, lab, immediate_tasks,
                                                                         monkeypatch, app_clock):
    from labs import backends

    polled = []
    monkeypatch.setattr(backends.LocalBackend, "status", lambda self, l: polled.append(l.pk) or {"ready": True})
    first = tasks.tick.enqueue().return_value
    assert polled == [lab.pk] and tasks.POLL_S[Lab.Target.LOCAL] - 1 < first["next_s"] <= tasks.POLL_S[Lab.Target.LOCAL]
    assert tasks.tick.enqueue().return_value["polled"] == 0  # read a moment ago: not due
    app_clock.advance(dt.timedelta(seconds=tasks.POLL_S[Lab.Target.LOCAL]))
    assert tasks.tick.enqueue().return_value["polled"] == 1 and polled == [lab.pk, lab.pk]


def test_kept_deployers_are_bounded_and_rebuilt_when_credentials_change(instructor, monkeypatch):
    monkeypatch.setattr(deployers, "MAX_KEPT", 2)
    monkeypatch.setattr(deployers, "_kept", deployers.OrderedDict())
    monkeypatch.setattr(deployers, "new_session", lambda region: object())  # no AWS here: the keeping is the test
    monkeypatch.setenv("AWS_PROFILE", "sandbox")
    built = []

    def build(session):
        built.append(session)
        return object()
    labs = [Lab(pk=pk, owner=instructor, target=Lab.Target.AWS, aws_region="us-east-1",
                stack_name=f"lab-lab{pk}-digits") for pk in (1, 2, 3)]
    kept = deployers.deployer_for(labs[0], build)
    assert deployers.deployer_for(labs[0], build) is kept and len(built) == 1  # kept between polls
    deployers.deployer_for(labs[1], build)
    deployers.deployer_for(labs[2], build)
    assert deployers.kept_count() == 2  # the least recently polled went
    assert deployers.deployer_for(labs[0], build) is not kept
    kept = deployers.deployer_for(labs[0], build)
    monkeypatch.setenv("AWS_PROFILE", "another-sandbox")
    assert deployers.deployer_for(labs[0], build) is not kept  # other credentials: a new session
    deployers.forget(labs[0].pk)
    assert deployers.kept_count() == 1
