"""Bursts and polls run as background tasks: the page request only records what was asked."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from labs import operations, tasks
from labs.backends import LocalBackend
from labs.models import Burst, Lab, LabSample


def test_a_burst_request_returns_at_once_with_the_burst_queued_for_the_worker(client, instructor, lab):
    # The lab has no runtime at all: had the request tried to send, the burst would have failed.
    client.force_login(instructor)
    response = client.post(reverse("labs:burst", args=[lab.pk]), {"count": 600, "batch_size": 2})
    assert response.status_code == 302
    burst = Burst.objects.get()
    assert (burst.status, burst.sent, burst.count, burst.batch_size) == ("queued", 0, 600, 2)
    job = DBTaskResult.objects.get(task_path=tasks.send_burst.module_path)
    assert job.status == "READY" and job.args_kwargs == {"args": [burst.pk], "kwargs": {}}
    page = client.get(reverse("labs:detail", args=[lab.pk])).content.decode()
    assert "Sending 600 jobs in the background" in page and "0</span>/<span data-burst-field=\"total\">600" in page


def test_a_second_burst_waits_for_the_first(client, instructor, lab):
    client.force_login(instructor)
    client.post(reverse("labs:burst", args=[lab.pk]), {"count": 10, "batch_size": 1})
    response = client.post(reverse("labs:burst", args=[lab.pk]), {"count": 10, "batch_size": 1}, follow=True)
    assert "still being sent" in response.content.decode() and Burst.objects.count() == 1


def test_a_burst_stops_at_the_first_error_and_says_so(instructor, lab, immediate_tasks, tmp_path):
    lab.runtime_dir = str(tmp_path)  # no runtime there: the first step fails
    lab.save()
    burst = operations.request_burst(lab, 2 * LocalBackend.burst_step, 1, instructor)
    tasks.start_burst(burst)
    burst.refresh_from_db()
    assert burst.status == "failed" and burst.sent == 0
    assert burst.error.startswith(f"stopped after 0 of {2 * LocalBackend.burst_step}: the lab's runtime is not ready")
    assert list(lab.events.filter(action="burst_failed").values_list("detail__sent", flat=True)) == [0]
    assert operations.status(lab)["burst"] == {"id": burst.pk, "status": "failed", "sent": 0,
                                               "total": 2 * LocalBackend.burst_step, "errors": 1, "error": burst.error}


def test_a_burst_for_a_lab_that_stopped_meanwhile_is_not_sent(instructor, lab, immediate_tasks):
    burst = operations.request_burst(lab, 10, 1, instructor)
    lab.status = Lab.Status.TEARING_DOWN
    lab.save()
    tasks.start_burst(burst)
    burst.refresh_from_db()
    assert burst.status == "failed" and "tearing down" in burst.error


def test_bursts_need_a_running_lab(client, instructor, lab):
    lab.status = Lab.Status.DEPLOYING
    lab.save()
    client.force_login(instructor)
    response = client.post(reverse("labs:burst", args=[lab.pk]), {"count": 10, "batch_size": 1}, follow=True)
    assert "a burst needs it running" in response.content.decode() and not Burst.objects.exists()


def test_the_status_endpoint_serves_the_whole_series_then_only_newer_samples(client, instructor, lab):
    start = timezone.now() - dt.timedelta(seconds=10)
    for i, running in enumerate([0, 1, 3, 2, 0]):
        LabSample.objects.create(lab=lab, at=start + dt.timedelta(seconds=i), visible=100 * running,
                                 in_flight=running, running=running, desired=running)
    client.force_login(instructor)
    series = client.get(reverse("labs:status", args=[lab.pk])).json()["series"]
    assert [s["running"] for s in series] == [0, 1, 3, 2, 0]  # a reload, or a second viewer, sees it all
    newer = client.get(reverse("labs:status", args=[lab.pk]), {"since": series[2]["t"]}).json()["series"]
    assert [s["running"] for s in newer] == [2, 0]
    bad = client.get(reverse("labs:status", args=[lab.pk]), {"since": "yesterday"})
    assert bad.status_code == 400 and bad.json()["field"] == "since"


def test_the_status_endpoint_reads_the_database_only(client, instructor, lab, monkeypatch):
    def no_backend(lab):
        raise AssertionError("a page request reached the lab's backend")
    monkeypatch.setattr(operations, "backend_for", no_backend)
    lab.live = {"queue": {"visible": 7, "in_flight": 2, "dlq": 0}, "workers": {"desired": 2, "running": 1}}
    lab.live_at = timezone.now()
    lab.save()
    client.force_login(instructor)
    body = client.get(reverse("labs:status", args=[lab.pk])).json()
    assert body["queue"]["visible"] == 7 and body["workers"]["running"] == 1
    assert body["lab"]["time_left"] == lab.time_left() and len(body["lab"]["time_left"]) == 5


def test_the_tick_keeps_a_lab_s_figures_and_adds_a_sample(instructor, lab, immediate_tasks, tmp_path, monkeypatch,
                                                         app_clock):
    from labs import backends

    readings = iter([{"queue": {"visible": 40, "in_flight": 10, "dlq": 0}, "workers": {"desired": 2, "running": 1},
                      "jobs": {"completed": 5}},
                     {"queue": {"visible": 0, "in_flight": 0, "dlq": 0}, "workers": {"desired": 0, "running": 0},
                      "jobs": {"unavailable": "the runtime is stopping"}},
                     {"stopped": True}])  # a stopping runtime answers with no figures
    monkeypatch.setattr(backends.LocalBackend, "status", lambda self, lab: next(readings))
    tasks.tick.enqueue()
    lab.refresh_from_db()
    assert lab.live["queue"]["visible"] == 40 and lab.samples.get().running == 1
    for _ in range(2):
        app_clock.advance(dt.timedelta(seconds=tasks.POLL_S[lab.target]))  # the lab's next poll is due
        tasks.tick.enqueue()
    lab.refresh_from_db()
    assert lab.live["jobs"] == {"completed": 5} and lab.live["workers"]["running"] == 0  # last figures kept
    assert [s.running for s in lab.samples.all()] == [1, 0]


def test_the_tick_chain_is_started_once_by_the_pages_and_reschedules_itself(client, instructor, lab):
    client.force_login(instructor)
    client.get(reverse("labs:list"))
    client.get(reverse("labs:detail", args=[lab.pk]))
    pending = DBTaskResult.objects.filter(task_path=tasks.tick.module_path, status="READY")
    assert pending.count() == 1
    first = pending.get()
    # What the worker does with it: run it, and it enqueues the next one for later.
    first.claim("test-worker")
    first.task.call()
    following = DBTaskResult.objects.filter(task_path=tasks.tick.module_path, status="READY").get()
    assert following.run_after > timezone.now()


def test_a_lab_launched_while_the_chain_idles_is_polled_without_the_idle_wait(client, instructor, lab):
    Lab.objects.filter(pk=lab.pk).update(status=Lab.Status.ENDED)
    client.force_login(instructor)
    client.get(reverse("labs:list"))
    first = DBTaskResult.objects.get(task_path=tasks.tick.module_path, status="READY")
    first.claim("test-worker")
    first.task.call()  # no active lab: the next tick waits IDLE_S
    idle = DBTaskResult.objects.get(task_path=tasks.tick.module_path, status="READY")
    assert idle.run_after > timezone.now() + dt.timedelta(seconds=tasks.IDLE_S - 5)
    Lab.objects.filter(pk=lab.pk).update(status=Lab.Status.DEPLOYING)  # as a launch leaves it
    client.get(reverse("labs:detail", args=[lab.pk]))
    idle.refresh_from_db()
    assert idle.status == "READY" and idle.run_after <= timezone.now()
    assert DBTaskResult.objects.filter(task_path=tasks.tick.module_path, status="READY").count() == 1


def test_a_long_series_comes_oldest_first_in_pages(client, instructor, lab, monkeypatch):
    monkeypatch.setattr(operations, "SERIES_MAX", 2)
    start = timezone.now() - dt.timedelta(seconds=10)
    for i in range(3):
        LabSample.objects.create(lab=lab, at=start + dt.timedelta(seconds=i), running=i)
    client.force_login(instructor)
    first = client.get(reverse("labs:status", args=[lab.pk])).json()
    assert [s["running"] for s in first["series"]] == [0, 1] and first["series_more"] is True
    rest = client.get(reverse("labs:status", args=[lab.pk]), {"since": first["series"][-1]["t"]}).json()
    assert [s["running"] for s in rest["series"]] == [2] and rest["series_more"] is False


def test_a_burst_whose_worker_vanished_does_not_block_the_next(instructor, lab):
    stuck = Burst.objects.create(lab=lab, count=600, batch_size=1, sent=200, status=Burst.Status.SENDING)
    Burst.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=10))
    fresh = operations.request_burst(lab, 100, 1, instructor)
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "200 of 600 were sent" in stuck.error and fresh.status == "queued"


def test_one_lab_whose_poll_breaks_does_not_stop_the_others(instructor, lab, immediate_tasks, monkeypatch):
    from labs import backends

    other = Lab.objects.create(name="other", owner=instructor, status=Lab.Status.RUNNING,
                               expires_at=timezone.now() + dt.timedelta(minutes=30))

    def status(self, polled):
        if polled.pk == lab.pk:
            raise KeyError("models")
        return {"queue": {"visible": 3, "in_flight": 0, "dlq": 0}, "workers": {"desired": 1, "running": 1}}
    monkeypatch.setattr(backends.LocalBackend, "status", status)
    result = tasks.tick.enqueue().return_value
    assert (result["reaped"], result["polled"]) == (0, 2)
    assert result["next_s"] > tasks.POLL_S[lab.target] - 1  # the broken one too waits for its next poll
    lab.refresh_from_db()
    other.refresh_from_db()
    assert "the poll failed: KeyError('models')" in lab.live["unavailable"]
    assert other.live["queue"]["visible"] == 3


def test_teardown_wins_over_a_poll_that_moved_the_lab_meanwhile(instructor, lab, tmp_path):
    lab.status, lab.runtime_dir = Lab.Status.DEPLOYING, str(tmp_path)
    lab.save()
    stale = Lab.objects.get(pk=lab.pk)  # what the page read
    Lab.objects.filter(pk=lab.pk).update(status=Lab.Status.RUNNING)  # what the worker's poll did since
    operations.teardown(stale, instructor, "requested")
    lab.refresh_from_db()
    assert lab.status == Lab.Status.ENDED and list(lab.events.values_list("action", flat=True))[::-1] == [
        "teardown", "ended"]


def test_a_poll_does_not_undo_a_teardown_that_came_meanwhile(instructor, lab, tmp_path, monkeypatch):
    from labs import backends

    lab.status, lab.runtime_dir = Lab.Status.DEPLOYING, str(tmp_path)
    lab.save()
    polled = Lab.objects.get(pk=lab.pk)

    def ready_but_torn_down_meanwhile(self, lab):
        Lab.objects.filter(pk=lab.pk).update(status=Lab.Status.TEARING_DOWN)  # the instructor, meanwhile
        return {"ready": True}
    monkeypatch.setattr(backends.LocalBackend, "status", ready_but_torn_down_meanwhile)
    operations.refresh(polled)
    lab.refresh_from_db()
    assert lab.status == Lab.Status.TEARING_DOWN and not lab.events.filter(action="running").exists()


@pytest.mark.parametrize("since", ["nan", "inf", "-inf", "1e400", "9e18", "-1", "yesterday", ""])
def test_a_since_no_date_can_hold_is_a_400_naming_the_field_and_the_range(client, instructor, lab, since):
    client.force_login(instructor)
    bad = client.get(reverse("labs:status", args=[lab.pk]), {"since": since})
    assert bad.status_code == 400 and bad.json()["field"] == "since"
    assert "from 0 to 253402300799" in bad.json()["detail"]
