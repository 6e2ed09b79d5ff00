"""What instructors and learners see on the labs pages: countdown, final figures, confirmation
before teardown, stacks that failed to delete with a retry, and a 403 page that says why."""
import datetime as dt
import os
import re
import signal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from labs import backends, operations
from tests.support import wait_for
from labs.models import Lab


def test_time_left_is_shown_as_minutes_and_seconds(client, instructor, lab):
    lab.expires_at = timezone.now() + dt.timedelta(minutes=25, seconds=44, milliseconds=900)
    lab.save()
    client.force_login(instructor)
    page = client.get(reverse("labs:detail", args=[lab.pk])).content.decode()
    # 25:44 unless the machine took seconds to answer: the format is what is tested.
    assert re.search(r'<span data-field="time_left">25:[34]\d</span> left before teardown', page)
    assert Lab(expires_at=timezone.now() + dt.timedelta(hours=2, seconds=5.5)).time_left() == "120:05"


def test_an_ended_lab_shows_its_final_figures_and_no_countdown(client, instructor, lab):
    lab.status, lab.ended_at = Lab.Status.ENDED, timezone.now()
    lab.live = {"queue": {"visible": 0, "in_flight": 0, "dlq": 0}, "workers": {"desired": 0, "running": 0},
                "jobs": {"completed": 600, "latency_p50_s": 1.25}}
    lab.save()
    client.force_login(instructor)
    page = client.get(reverse("labs:detail", args=[lab.pk])).content.decode()
    assert '<span data-field="countdown" hidden>' in page and "left before teardown" in page
    assert '<span data-field="ended"> · ended at' in page
    assert 'data-metric="completed">600<' in page and 'data-metric="latency_p50_s">1.25<' in page
    assert 'data-metric="running">0<' in page  # zero is a figure, not a dash
    assert 'data-action="burst"' not in page and 'data-action="teardown"' not in page


def test_teardown_asks_for_confirmation_first(client, instructor, lab, tmp_path):
    lab.runtime_dir = str(tmp_path)
    lab.save()
    client.force_login(instructor)
    detail = client.get(reverse("labs:detail", args=[lab.pk])).content.decode()
    assert f'href="{reverse("labs:teardown", args=[lab.pk])}" data-action="teardown"' in detail
    confirm = client.get(reverse("labs:teardown", args=[lab.pk]))
    assert confirm.status_code == 200 and "Yes, tear it down" in confirm.content.decode()
    lab.refresh_from_db()
    assert lab.status == Lab.Status.RUNNING and not lab.events.exists()  # asking changed nothing
    client.post(reverse("labs:teardown", args=[lab.pk]))
    lab.refresh_from_db()
    assert lab.status == Lab.Status.ENDED
    assert list(lab.events.values_list("action", flat=True))[::-1] == ["teardown", "ended"]


def test_teardown_needs_csrf(instructor, lab):
    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    assert client.post(reverse("labs:teardown", args=[lab.pk])).status_code == 403
    lab.refresh_from_db()
    assert lab.status == Lab.Status.RUNNING


def test_a_learner_gets_a_page_of_the_site_that_says_why(client, learner, lab):
    client.force_login(learner)
    response = client.get(reverse("labs:detail", args=[lab.pk]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>You cannot open this page</h1>" in page and "Labs are for instructors" in page
    assert 'class="site-nav"' in page and "Log out" in page  # the site's own layout, not a bare 403


def delete_failed_lab(lab):
    lab.target, lab.status, lab.stack_name = Lab.Target.AWS, Lab.Status.DELETE_FAILED, "lab-lab1-digits"
    lab.error = "The following resource(s) failed to delete: [Bucket]. ; Bucket (AWS::S3::Bucket): bucket not empty"
    lab.save()
    return lab


def test_a_stack_that_failed_to_delete_shows_on_the_labs_page_with_its_reason_and_a_retry(
        client, instructor, lab, monkeypatch):
    delete_failed_lab(lab)
    spawned = []
    # The subprocess boundary only: the deployer's `down` would talk to AWS.
    monkeypatch.setattr(backends, "_spawn", lambda lab, args, env, log_name, ttl_s=None: spawned.append(args) or 4242)
    client.force_login(instructor)
    page = client.get(reverse("labs:list")).content.decode()
    assert "Stacks AWS could not delete" in page and "bucket not empty" in page
    assert f'action="{reverse("labs:retry_delete", args=[lab.pk])}"' in page
    client.post(reverse("labs:retry_delete", args=[lab.pk]))
    lab.refresh_from_db()
    assert lab.status == Lab.Status.TEARING_DOWN
    assert spawned and spawned[0][:3] == ["-m", "reference_impl.deploy", "down"]
    event = lab.events.get(action="retry_delete")
    assert event.actor == instructor and "bucket not empty" in event.detail["previous_error"]
    assert "Stacks AWS could not delete" not in client.get(reverse("labs:list")).content.decode()


def test_retrying_a_deletion_needs_an_instructor_and_csrf(client, learner, instructor, lab):
    delete_failed_lab(lab)
    client.force_login(learner)
    assert client.post(reverse("labs:retry_delete", args=[lab.pk])).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(instructor)
    assert strict.post(reverse("labs:retry_delete", args=[lab.pk])).status_code == 403
    lab.refresh_from_db()
    assert lab.status == Lab.Status.DELETE_FAILED and not lab.events.exists()


def test_retry_on_a_lab_that_is_not_stuck_changes_nothing(client, instructor, lab):
    client.force_login(instructor)
    response = client.post(reverse("labs:retry_delete", args=[lab.pk]), follow=True)
    assert "not waiting for a retry" in response.content.decode()
    lab.refresh_from_db()
    assert lab.status == Lab.Status.RUNNING


def test_the_poll_marks_a_lab_whose_stack_failed_to_delete_and_the_reaper_leaves_it_alone(
        instructor, lab, monkeypatch):
    lab.status, lab.expires_at = Lab.Status.TEARING_DOWN, timezone.now() - dt.timedelta(minutes=1)
    lab.save()
    monkeypatch.setattr(backends.LocalBackend, "status", lambda self, lab: {"delete_failed": "Bucket: not empty"})
    operations.refresh(lab)
    lab.refresh_from_db()
    assert lab.status == Lab.Status.DELETE_FAILED and lab.error == "Bucket: not empty"
    assert operations.reap_expired() == 0  # no new failing deletion every poll: it waits for a retry


def test_an_expired_aws_lab_s_teardown_gets_its_own_time_limit_not_the_lab_s(instructor, lab, tmp_path, monkeypatch):
    # The `down` process runs under coreutils `timeout`: with the lab's time left (none, once
    # expired) it was killed after a second. Here `python -m reference_impl.deploy down` is
    # replaced by a harmless sleep (it would call AWS); the `timeout` wrapper is the real one.
    lab.target, lab.runtime_dir = Lab.Target.AWS, str(tmp_path)
    lab.expires_at = timezone.now() - dt.timedelta(minutes=1)
    lab.save()
    started = []
    real_spawn = backends._spawn

    def spawn(lab, args, env, log_name, ttl_s=None):
        pid = real_spawn(lab, ["-c", "import time; time.sleep(30)"], env, log_name, ttl_s)
        started.append((args, pid))
        return pid
    monkeypatch.setattr(backends, "_spawn", spawn)
    operations.teardown(lab, None, "time limit passed")
    (args, pid), = started
    try:
        # The kernel fills in the arguments a moment after exec: wait until they are there.
        argv = wait_for(lambda: open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[0] and
                        open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0"), 10, "the arguments", interval_s=0.05)
        assert argv[0] == b"timeout" and argv[3] == str(backends.TEARDOWN_TIMEOUT_S).encode()
        assert args[:3] == ["-m", "reference_impl.deploy", "down"]
    finally:
        os.killpg(pid, signal.SIGKILL)
