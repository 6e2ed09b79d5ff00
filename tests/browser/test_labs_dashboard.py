"""An instructor runs a lab on this machine from the browser and watches it scale, on the stack
`make run` starts (studyapp/devstack.py): runserver and a real `manage.py db_worker` process on
their own SQLite file, so the burst and the polls are picked up by the worker, not run in a test."""
import datetime as dt
import os
import re
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.utils import timezone

from labs.models import Lab, LabSample
from reference_impl.local.endpoint import free_port
from tests.browser.support import log_in, serious_axe_violations
from tests.support import PASSWORD, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.localstack]
ROOT = Path(__file__).resolve().parents[2]
# Waits poll from Python (tests.support.wait_for): the page's CSP rightly forbids the eval that
# Playwright's wait_for_function needs.


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except FileNotFoundError:
                continue
            found.update(children)
            todo.extend(children)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


@pytest.fixture
def devstack(tmp_path, fast_runtime):
    """`python -m studyapp.devstack --no-runtime` (what `make run` runs, without the shared
    runtime labs do not use) on a fresh database; yields its URL and its processes."""
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "DEBUG": "true", "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py sets studyapp.settings
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*manage, "shell", "-c",
                    "from django.contrib.auth.models import Group, User; "
                    f"u = User.objects.create_user('teacher', password='{PASSWORD}'); "
                    "u.groups.add(Group.objects.get_or_create(name='instructors')[0])"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    log = open(tmp_path / "devstack.log", "wb")
    stack = subprocess.Popen([sys.executable, "-m", "studyapp.devstack", "--no-runtime", "--port", str(port)],
                             cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def serving():
        try:
            return urllib.request.urlopen(f"{url}/accounts/login/", timeout=5).status == 200
        except OSError:
            assert stack.poll() is None, (tmp_path / "devstack.log").read_text()
            return False
    wait_for(serving, 90, "the web app answering")
    workers = wait_for(lambda: [p for p in descendants(stack.pid) if " db_worker" in command_of(p)], 60,
                         "the job worker running")
    processes = descendants(stack.pid)
    try:
        yield {"url": url, "db": tmp_path / "db.sqlite3", "worker": workers[0], "log": tmp_path / "devstack.log"}
    finally:
        try:
            os.kill(workers[0], signal.SIGCONT)  # in case the test stopped there
        except ProcessLookupError:
            pass
        stack.send_signal(signal.SIGTERM)
        stack.wait(timeout=120)
        log.close()
        try:
            wait_for(lambda: not any(alive(p) for p in processes), 60, "the web app and the worker stopping")
        finally:
            for pid in processes:  # only what this fixture started, if it outlived the stack
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)


def hold_worker(devstack):
    """Stop the worker (SIGSTOP) at a moment it holds no write lock on the database, so the web
    app keeps answering while nothing runs in the background."""
    def stopped_unlocked():
        os.kill(devstack["worker"], signal.SIGSTOP)
        db = sqlite3.connect(devstack["db"], timeout=0.1, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:  # stopped mid-write: let it finish and try again
            os.kill(devstack["worker"], signal.SIGCONT)
            return False
        finally:
            db.close()
    wait_for(stopped_unlocked, 60, "the worker stopped between two writes")


def metric(page, name) -> int:
    text = page.inner_text(f'[data-metric="{name}"]')
    return int(text) if text.isdigit() else -1


def burst_field(page, name) -> str:
    return page.inner_text(f'[data-burst-field="{name}"]')


def test_a_burst_from_the_lab_page_returns_at_once_and_its_progress_shows_on_the_dashboard(
        browser, devstack, shot):
    url = devstack["url"]
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: problems.append(f"left the server: {r.url}")
            if not (r.url.startswith(url) or r.url.startswith("data:")) else None)
    page.goto(f"{url}/accounts/login/?next=/labs/")
    page.fill("#id_username", "teacher")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{url}/labs/")
    assert page.locator("#id_target option").all_inner_texts() == ["This machine"]  # no account allowed
    page.fill("#id_name", "class demo")
    page.fill("#id_max_tasks", "6")
    page.fill("#id_ttl_minutes", "15")
    page.click("text=Launch lab")
    page.wait_for_url(re.compile(r"/labs/\d+/$"))
    lab_url = page.url
    try:
        # Only the worker's tick moves a lab to running: this is the worker polling.
        page.wait_for_selector('#lab[data-lab-status="running"]', state="attached", timeout=180_000)
        assert re.fullmatch(r"\d\d:\d\d", page.inner_text('[data-field="time_left"]'))
        wait_for(lambda: metric(page, "running") == 0, 60, "no worker while idle")

        # With the worker held, the request can only have recorded the burst: it came back with
        # nothing sent, and the page says so.
        hold_worker(devstack)
        page.fill("#id_count", "1000")
        page.click('[data-action="burst"]')
        page.wait_for_url(lab_url)
        assert "in the background" in page.inner_text(".messages")
        assert (burst_field(page, "status"), burst_field(page, "sent"), burst_field(page, "total")) == \
            ("queued", "0", "1000")
        os.kill(devstack["worker"], signal.SIGCONT)

        # The worker sends it; the dashboard follows without a reload.
        wait_for(lambda: burst_field(page, "status") == "done" and burst_field(page, "sent") == "1000", 120,
                   "the burst's progress reaching 1000/1000")
        assert burst_field(page, "errors") == "0"
        # 1,000 jobs want ceil(1000 / 200) = 5 workers, and the cap of 6 allows them: the lab
        # scales past 2-3 (issue 19; this test's lab was capped at 3 before).
        wait_for(lambda: metric(page, "running") >= 4, 90, "four or more workers")
        assert metric(page, "running") <= 6
        shot(page, "lab-scaled-out")
        wait_for(lambda: metric(page, "completed") == 1000, 180, "every job done")
        wait_for(lambda: metric(page, "running") == 0, 180, "workers scaling back to zero")
        assert "scale" in page.inner_text("#decisions")
        # Its reasoning: the target per worker and where it comes from, and which controller
        # made each change (issue 19).
        assert page.is_visible("[data-scaling]")
        latency, per_message, target = (float(page.inner_text(f'[data-scaling-field="{k}"]')) for k in
                                        ("acceptable_latency_s", "seconds_per_message", "target_backlog_per_task"))
        assert target == round(latency / per_message, 2)
        assert "from zero: direct queue read" in page.inner_text("#decisions")
        assert "300 s" in page.inner_text('[data-scaling-field="idle_to_zero"]')

        # A reload (or a second viewer) gets the whole rise and fall from the server.
        summary = '[data-field="series-summary"]'
        peak = int(page.get_attribute(summary, "data-peak-running"))
        viewer = context.new_page()
        viewer.goto(lab_url)
        wait_for(lambda: viewer.get_attribute(summary, "data-peak-running") is not None, 30, "the series loaded")
        assert int(viewer.get_attribute(summary, "data-peak-running")) == peak >= 1
        assert "now 0 running" in viewer.inner_text(summary)
        shot(viewer, "lab-scaled-in")
        viewer.close()
    finally:
        page.goto(lab_url)
        if page.locator('[data-action="teardown"]').count():
            page.click('[data-action="teardown"]')
            page.click('[data-action="confirm-teardown"]')
        page.wait_for_selector('#lab[data-lab-status="ended"]', state="attached", timeout=180_000)
    assert page.is_hidden('[data-field="countdown"]') and page.is_visible('[data-field="ended"]')
    assert metric(page, "completed") == 1000  # the ended lab keeps its final figures
    audit = page.inner_text("text=Audit log >> xpath=..")
    assert "burst_sent" in audit and "teardown" in audit
    context.close()
    assert problems == []


def test_a_learner_gets_the_site_s_403_page_saying_why(browser, live_server, transactional_db, learner, client):
    context = browser.new_context(bypass_csp=True)  # for axe-core only
    log_in(context, client, learner, live_server)
    page = context.new_page()
    assert page.goto(f"{live_server.url}/labs/").status == 403
    assert page.inner_text("h1") == "You cannot open this page"
    assert "Labs are for instructors" in page.inner_text("main")
    assert page.locator("nav.site-nav >> text=Questions").count() == 1
    assert serious_axe_violations(page) == []
    context.close()


def test_an_ended_lab_s_dashboard_shows_its_whole_series_and_final_figures(
        browser, live_server, transactional_db, instructor, client, watched):
    # No worker here: the page and its status endpoint read only what the polls stored.
    start = timezone.now() - dt.timedelta(minutes=3)
    lab = Lab.objects.create(name="last week", owner=instructor, status=Lab.Status.ENDED, ended_at=timezone.now(),
                             expires_at=start + dt.timedelta(minutes=30),
                             live={"queue": {"visible": 0, "in_flight": 0, "dlq": 0},
                                   "workers": {"desired": 0, "running": 0}, "jobs": {"completed": 600}})
    for i, running in enumerate([0, 1, 2, 3, 3, 2, 1, 0]):
        LabSample.objects.create(lab=lab, at=start + dt.timedelta(seconds=10 * i), visible=150 * running,
                                 in_flight=running, running=running, desired=running)
    context = browser.new_context()
    log_in(context, client, instructor, live_server)
    page = watched(context.new_page())
    page.goto(f"{live_server.url}/labs/{lab.pk}/")
    summary = '[data-field="series-summary"]'
    wait_for(lambda: page.get_attribute(summary, "data-samples") == "8", 30, "the stored series drawn")
    assert page.get_attribute(summary, "data-peak-running") == "3"
    assert "over 1 min 10 s: at most 3 running workers and 450 messages waiting; now 0 running" in \
        page.inner_text(summary)
    assert page.is_hidden('[data-field="countdown"]') and page.inner_text('[data-metric="completed"]') == "600"
    assert page.locator('[data-action="burst"], [data-action="teardown"]').count() == 0
    context.close()


def test_teardown_asks_first_and_the_pages_pass_axe(browser, live_server, transactional_db, instructor, client):
    lab = Lab.objects.create(name="demo", owner=instructor, status=Lab.Status.RUNNING, runtime_dir="/nonexistent",
                             expires_at=timezone.now() + dt.timedelta(minutes=30))
    context = browser.new_context(bypass_csp=True)  # for axe-core only
    log_in(context, client, instructor, live_server)
    page = context.new_page()
    page.goto(f"{live_server.url}/labs/{lab.pk}/")
    assert serious_axe_violations(page) == []
    page.click('[data-action="teardown"]')
    assert page.inner_text("h1") == "Tear down “demo”?"
    assert serious_axe_violations(page) == []
    page.click("text=No, keep it running")
    lab.refresh_from_db()
    assert lab.status == Lab.Status.RUNNING
    page.click('[data-action="teardown"]')
    page.click('[data-action="confirm-teardown"]')
    page.wait_for_selector('#lab[data-lab-status="ended"]', state="attached")
    assert Lab.objects.get().status == Lab.Status.ENDED
    context.close()


def test_the_dashboard_says_when_no_background_poll_has_come(
        browser, live_server, transactional_db, instructor, client, watched):
    # No job worker runs beside this live server: the dashboard must not look live when it is not.
    lab = Lab.objects.create(name="demo", owner=instructor, status=Lab.Status.RUNNING, runtime_dir="/nonexistent",
                             expires_at=timezone.now() + dt.timedelta(minutes=30),
                             live_at=timezone.now() - dt.timedelta(minutes=1))
    context = browser.new_context()
    log_in(context, client, instructor, live_server)
    page = watched(context.new_page())
    page.goto(f"{live_server.url}/labs/{lab.pk}/")
    page.wait_for_selector('[data-field="stale"]', state="visible")
    assert "is the job worker (manage.py db_worker) running?" in page.inner_text('[data-field="stale"]')
    Lab.objects.filter(pk=lab.pk).update(live_at=timezone.now())  # a poll came: the worker is back
    page.wait_for_selector('[data-field="stale"]', state="hidden")
    context.close()
