"""The local autoscaler: scale from zero, out to the cap, back to zero, never a busy worker,
no flapping. Rules checked with stand-in processes and a stepped clock; the whole loop checked
with real worker processes against LocalStack."""
import ipaddress
import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from reference_impl import jobs
from reference_impl.clock import ManualClock
from reference_impl.local import endpoint as endpoint_module, runtime as local_runtime, state, status as local_status
from reference_impl.local.endpoint import free_port, start_local_endpoint
from reference_impl.local.runtime import LocalSettings, build_supervisor, local_clients
from reference_impl.local.supervisor import ModelPool, Supervisor, WorkerHandle
from reference_impl.model.catalog import CATALOG
from reference_impl.queues import InMemoryQueue
from reference_impl.scaling import ScalingPolicy

from tests.reference_impl.conftest import provision_isolated, wait_for


# --- stand-ins -------------------------------------------------------------------------------

class FakeProcess:
    def __init__(self, pid):
        self.pid, self.returncode, self.signals = pid, None, []

    def poll(self):
        return self.returncode

    def send_signal(self, signum):
        self.signals.append(signum)
        self.returncode = 0  # stops at once

    def kill(self):
        self.send_signal(signal.SIGKILL)


class FakeLauncher:
    def __init__(self, folder):
        self.folder, self.started = folder, []

    def start(self, model):
        process = FakeProcess(1000 + len(self.started))
        path = state.worker_dir(self.folder, model) / f"{process.pid}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"state": "idle", "protected": False}))
        self.started.append(process)
        return WorkerHandle(model, process, path)


def set_busy(handle, busy):
    handle.status_path.write_text(json.dumps({"state": "busy" if busy else "idle", "protected": busy}))


def fake_supervisor(tmp_path, policy, queue):
    clock = ManualClock()
    queue.clock = clock.now
    launcher = FakeLauncher(tmp_path)
    supervisor = Supervisor({"digits": ModelPool(policy, queue)}, launcher, tmp_path, clock=clock)
    return supervisor, launcher, clock


BODY = json.dumps({"inputs": [[0] * 64]})


# --- rules, with stand-ins --------------------------------------------------------------------

def test_a_busy_worker_is_never_the_one_stopped(tmp_path):
    policy = ScalingPolicy(10, 1, max_tasks=4, scale_in_cooldown_s=0, idle_before_zero_s=0, scale_in_max_step=4)
    queue = InMemoryQueue()
    supervisor, launcher, clock = fake_supervisor(tmp_path, policy, queue)
    queue.send([BODY] * 30)
    supervisor.poll()
    pool = supervisor.pools["digits"]
    assert len(pool.workers) == 3
    busy, idle_one, idle_two = pool.workers
    set_busy(busy, True)
    queue.receive(10, 0)  # the busy worker holds 10 messages...
    queue._messages = {k: v for k, v in queue._messages.items() if v.visible_at > clock.now()}  # ...the rest are done
    clock.advance(1)
    record = supervisor.poll()[0]
    assert record["desired"] == 1 and busy.process.signals == []
    assert sorted(s["pid"] for s in record["stopped"]) == [idle_one.pid, idle_two.pid]
    assert all(not s["protected"] for s in record["stopped"])


def test_scale_in_waits_while_every_surplus_worker_is_busy(tmp_path):
    policy = ScalingPolicy(10, 1, max_tasks=4, scale_in_cooldown_s=0, idle_before_zero_s=0)
    queue = InMemoryQueue()
    supervisor, launcher, clock = fake_supervisor(tmp_path, policy, queue)
    queue.send([BODY] * 15)
    supervisor.poll()
    for handle in supervisor.pools["digits"].workers:
        set_busy(handle, True)
    queue._messages.clear()  # the queue drained, but both workers still report work in hand
    clock.advance(1)
    record = supervisor.poll()[0]
    assert record["stopped"] == [] and record["deferred"] == 2  # the queue is idle: both would go
    assert "stop deferred" in record["reason"]
    assert all(p.signals == [] for p in launcher.started)


def test_a_worker_that_dies_is_replaced_on_the_next_poll(tmp_path):
    policy = ScalingPolicy(10, 1, max_tasks=4)
    queue = InMemoryQueue()
    supervisor, launcher, clock = fake_supervisor(tmp_path, policy, queue)
    queue.send([BODY])
    supervisor.poll()
    launcher.started[0].returncode = -9
    clock.advance(1)
    record = supervisor.poll()[0]
    assert record["events"] == [{"pid": 1000, "event": "exited on its own with code -9 while idle"}]
    assert len(record["started"]) == 1 and len(supervisor.pools["digits"].workers) == 1


def test_workers_that_crash_at_start_are_replaced_after_a_growing_delay(tmp_path):
    policy = ScalingPolicy(10, 1, max_tasks=4)
    queue = InMemoryQueue()
    supervisor, launcher, clock = fake_supervisor(tmp_path, policy, queue)
    queue.send([BODY])
    starts = []
    for step in range(40):  # 10 s in 0.25 s polls; every worker dies while loading its model
        clock.advance_to(step * 0.25)
        for handle in supervisor.pools["digits"].workers:
            handle.status_path.write_text(json.dumps({"state": "loading", "protected": False}))
            handle.process.returncode = 1
        starts.extend(clock.now() for _ in supervisor.poll()[0]["started"])
    # Replaced after 1, 2, 4 s: not once per poll.
    assert [round(b - a) for a, b in zip(starts, starts[1:])] == [1, 2, 4]
    assert "workers keep crashing at start" in supervisor.pools["digits"].last_record["reason"]


class StubbornProcess(FakeProcess):
    """Ignores SIGTERM, as a worker stuck in a long call would; only SIGKILL ends it."""

    def send_signal(self, signum):
        self.signals.append(signum)
        if signum == signal.SIGKILL:
            self.returncode = -9


def test_a_worker_that_ignores_sigterm_is_killed_once_the_stop_timeout_has_passed(tmp_path):
    policy = ScalingPolicy(10, 1, max_tasks=4, scale_in_cooldown_s=0, idle_before_zero_s=0)
    queue = InMemoryQueue()
    supervisor, launcher, clock = fake_supervisor(tmp_path, policy, queue)
    supervisor.stop_timeout_s = 30
    queue.send([BODY])
    supervisor.poll()
    [handle] = supervisor.pools["digits"].workers
    handle.process = StubbornProcess(handle.pid)
    queue._messages.clear()
    clock.advance(1)
    assert supervisor.poll()[0]["stopped"][0]["pid"] == handle.pid  # SIGTERM at t=1
    clock.advance_to(31)
    assert supervisor.poll()[0]["events"] == [] and handle.process.signals == [signal.SIGTERM]
    clock.advance_to(31.5)
    assert supervisor.poll()[0]["events"] == [{"pid": handle.pid, "event": "killed after stop timeout"}]
    assert handle.process.signals == [signal.SIGTERM, signal.SIGKILL]


def test_run_polls_once_per_poll_period_until_stopped(tmp_path):
    policy = ScalingPolicy(10, 1, max_tasks=4)
    supervisor, launcher, clock = fake_supervisor(tmp_path, policy, InMemoryQueue())
    stop = threading.Event()
    clock.at(10.0, stop.set)
    supervisor.run(stop, poll_s=0.5)
    polls = state.read_decisions(tmp_path, "digits")
    assert len(polls) == 20 and clock.now() == 10.0
    assert [round(b["ts"] - a["ts"], 6) for a, b in zip(polls, polls[1:])] == [0.5] * 19


def _sparse_run(tmp_path, idle_before_zero_s):
    """A message every 20 s for 10 minutes, handled in a second; returns workers started."""
    policy = ScalingPolicy(10, 1, max_tasks=4, scale_in_cooldown_s=0, idle_before_zero_s=idle_before_zero_s)
    queue = InMemoryQueue()
    supervisor, launcher, clock = fake_supervisor(tmp_path, policy, queue)
    for second in range(600):
        clock.advance_to(float(second))
        if second % 20 == 0:
            queue.send([BODY])
        if second % 20 == 1:
            queue._messages.clear()  # the worker finished it
        supervisor.poll()
    return len(launcher.started)


def test_sparse_messages_do_not_make_workers_flap(tmp_path):
    assert _sparse_run(tmp_path, idle_before_zero_s=60) == 1


def test_without_the_idle_period_the_same_traffic_would_flap(tmp_path):
    # The control for the test above: it is the idle period that prevents the flapping.
    assert _sparse_run(tmp_path, idle_before_zero_s=0) == 30


def _trickle_run(tmp_path, workers_report_what_they_take):
    """A message every 20 s for 10 minutes that a running worker takes at once, between two
    polls, so the queue looks empty at every poll after the first; returns workers started."""
    policy = ScalingPolicy(10, 1, max_tasks=4, scale_in_cooldown_s=0, idle_before_zero_s=60)
    queue = InMemoryQueue()
    supervisor, launcher, clock = fake_supervisor(tmp_path, policy, queue)
    taken = {}
    for second in range(600):
        clock.advance_to(float(second))
        if second % 20 == 0:
            queue.send([BODY])
        workers = supervisor.pools["digits"].workers
        if workers and queue._messages:
            queue._messages.clear()  # a long-polling worker takes it at once
            handle = workers[0]
            taken[handle.pid] = taken.get(handle.pid, 0) + 1
            if workers_report_what_they_take:
                handle.status_path.write_text(json.dumps({"state": "idle", "protected": False,
                                                          "received": taken[handle.pid]}))
        supervisor.poll()
    return len(launcher.started)


def test_a_trickle_the_queue_never_shows_keeps_its_worker(tmp_path):
    assert _trickle_run(tmp_path, workers_report_what_they_take=True) == 1


def test_without_the_workers_counts_the_same_trickle_would_flap(tmp_path):
    # The control: the queue alone looks idle for a minute at a time, so the worker is stopped
    # and restarted on the next message, again and again.
    assert _trickle_run(tmp_path, workers_report_what_they_take=False) > 3


# --- the real thing: worker processes on LocalStack --------------------------------------------

FAST_LOCAL = dict(max_workers=3, acceptable_latency_s=1.0, seconds_per_message=0.1,  # 10 per worker
                  scale_in_cooldown_s=1.0, idle_before_zero_s=2.0, emulated_seconds_per_item=0.02,
                  visibility_timeout_s=5, stop_timeout_s=5, worker_wait_s=1, retry_delay_s=0, poll_s=0.3)


@pytest.fixture
def runtime(tmp_path, clients):
    services = provision_isolated(clients, ("digits",), visibility_timeout_s=5, max_receive_count=3)
    settings = LocalSettings(folder=tmp_path, models=("digits",), **FAST_LOCAL)
    supervisor = build_supervisor(settings, services, clients)
    yield supervisor, services["digits"], settings
    supervisor.shutdown()


@pytest.mark.localstack
def test_one_message_at_zero_workers_starts_a_worker_within_one_poll(runtime, clients):
    supervisor, service, _ = runtime
    assert supervisor.poll()[0]["running"] == 0
    [job_id] = jobs.submit_many("digits", [CATALOG["digits"].sample_inputs(1)], queue=service.queue(clients),
                                store=service.store(clients))
    record = supervisor.poll()[0]
    assert record["action"] == "scale_out" and len(record["started"]) == 1
    assert "scale from zero on the first message" in record["reason"]
    store = service.store(clients)
    wait_for(lambda: jobs.get(job_id, store=store)["status"] == "done", 60, f"job {job_id} to be done")


@pytest.mark.localstack
def test_a_burst_scales_out_to_the_cap_and_back_to_zero(runtime, clients):
    supervisor, service, settings = runtime
    ids = jobs.submit_many("digits", [CATALOG["digits"].sample_inputs(1, i) for i in range(150)],
                           queue=service.queue(clients), store=service.store(clients))
    stop = threading.Event()
    thread = threading.Thread(target=supervisor.run, args=(stop, settings.poll_s))
    thread.start()
    try:
        wait_for(lambda: any(r["running"] == 0 and r["desired"] == 0
                             for r in state.read_decisions(settings.folder, "digits")[3:]),
                 120, "the pool to scale out and back to zero workers")
    finally:
        stop.set()
        thread.join()
    records = state.read_decisions(settings.folder, "digits")
    peak = max(r["running"] for r in records)
    assert peak == settings.max_workers
    assert records[-1]["running"] == 0 and records[-1]["desired"] == 0
    # Every stop the supervisor made was of a worker not holding work.
    stops = [s for r in records for s in r["stopped"]]
    assert stops and not any(s["protected"] for s in stops)
    results, _ = service.store(clients).job_ids()
    assert results == set(ids)


@pytest.mark.localstack
def test_local_up_submit_status_and_result_from_the_command_line(tmp_path, local_endpoint):
    tag = os.urandom(4).hex()
    env = {**os.environ, "REFIMPL_STATE_DIR": str(tmp_path), "REFIMPL_BUCKET": f"refimpl-cli-{tag}",
           "REFIMPL_QUEUE_PREFIX": f"cli{tag}-", "REFIMPL_POLL_S": "0.3", "REFIMPL_WORKER_WAIT_S": "1",
           "REFIMPL_EMULATED_SECONDS_PER_ITEM": "0"}
    command = [sys.executable, "-m", "reference_impl"]
    up = subprocess.Popen(command + ["local", "up", "--endpoint-url", local_endpoint.url, "--models", "digits,iris"],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def ready():
            assert up.poll() is None, f"local up exited early: {up.stdout.read()}"
            return (tmp_path / "runtime.json").exists()
        wait_for(ready, 60, "local up to write runtime.json")
        run = lambda *args: subprocess.run(command + list(args), env=env, capture_output=True, text=True, timeout=60)
        submitted = run("submit", "--model", "iris", "--count", "3", "--batch-size", "2", "--json")
        assert submitted.returncode == 0, submitted.stderr
        job_id = json.loads(submitted.stdout)["job_ids"][0]
        store = state.services(tmp_path)["iris"].store(local_clients(local_endpoint.url))
        wait_for(lambda: jobs.get(job_id, store=store)["status"] == "done", 60, f"job {job_id} to be done")
        result = run("result", job_id, "--json")
        report = json.loads(result.stdout)["result"]
        assert len(report["predictions"]) == 2 and report["model"] == "iris"
        status = json.loads(run("status", "--json").stdout)
        assert set(status["models"]) == {"digits", "iris"} and status["supervisor_alive"]
        assert status["models"]["iris"]["recent_decisions"][0]["action"] == "scale_out"
        assert status["models"]["digits"]["desired"] == 0 and status["models"]["digits"]["dead_letter"] == 0
        assert local_status(tmp_path)["models"]["iris"]["visible"] == 0
        bad = run("submit", "--model", "iris", "--count", "0")
        assert bad.returncode == 2 and "--count must be 1-100000, got 0" in bad.stderr
    finally:
        up.send_signal(signal.SIGINT)
        output = up.communicate(timeout=40)[0]
    assert up.returncode == 0, output
    assert "stopping workers" in output and not (tmp_path / "runtime.json").exists()


def test_local_up_refuses_settings_its_workers_would_refuse():
    from reference_impl.cli import parser
    from reference_impl.envvars import SettingError
    from reference_impl.local.runtime import settings_from_args

    args = parser().parse_args(["local", "up"])
    with pytest.raises(SettingError, match=r"WORKER_WAIT_S=2 must be at most .* matching REFIMPL_ variables"):
        settings_from_args(args, {"REFIMPL_STOP_TIMEOUT_S": "2"})
    with pytest.raises(ValueError, match="unknown model 'gpt'"):
        settings_from_args(parser().parse_args(["local", "up", "--models", "digits,gpt"]), {})


# --- the endpoint: loopback only, never outlives its runtime, restarts reported ---------------

def listening_sockets(pids) -> list[str]:
    """Listening TCP sockets (and bound UDP ones) of these processes as "address:port", from
    /proc: the inode of each socket a process holds, looked up in /proc/net/{tcp,tcp6,udp,udp6}."""
    inodes = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        with open(f"/proc/net/{table}") as fh:
            for line in list(fh)[1:]:
                fields = line.split()
                local, st, inode = fields[1], fields[3], fields[9]
                if inode in inodes and (st == "0A" or table.startswith("udp")):
                    address, port = local.split(":")
                    raw = bytes.fromhex(address)
                    # /proc prints each 32-bit word in host (little-endian) order.
                    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                    found.append(f"{ipaddress.ip_address(raw)}:{int(port, 16)}")
    return found


def is_loopback(address_port: str) -> bool:
    address = ipaddress.ip_address(address_port.rsplit(":", 1)[0])
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def endpoint_pid(root) -> int:
    return json.loads((root / endpoint_module.MARKER).read_text())["pid"]


def process_gone(pid) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.mark.localstack
def test_the_endpoint_listens_on_loopback_only(local_endpoint):
    sockets = listening_sockets([local_endpoint.process.pid])
    assert sockets, "the endpoint listens somewhere"
    assert all(is_loopback(s) for s in sockets), sockets
    assert f"127.0.0.1:{local_endpoint.port}" in sockets


@pytest.mark.localstack
def test_a_stale_endpoint_of_ours_is_stopped_at_the_next_start(tmp_path):
    root = tmp_path / "endpoint"
    stale = start_local_endpoint(root)  # as a runtime that died would leave it: running, marker written
    fresh = None
    try:
        fresh = start_local_endpoint(root, port=stale.port)
        assert stale.process.wait(30) == -signal.SIGKILL
        assert endpoint_pid(root) == fresh.process.pid != stale.process.pid
        assert endpoint_module.is_ready(fresh.url)
    finally:
        for endpoint in (fresh, stale):
            if endpoint is not None:
                endpoint.stop()


def own_runtime_env(folder) -> dict:
    """`local up` in ``folder`` with an endpoint of its own on a free port, one model, quick polls."""
    env = {**os.environ, "REFIMPL_STATE_DIR": str(folder), "REFIMPL_ENDPOINT_PORT": str(free_port()),
           "REFIMPL_MODELS": "iris", "REFIMPL_POLL_S": "0.3", "REFIMPL_WORKER_WAIT_S": "1",
           "REFIMPL_STOP_TIMEOUT_S": "5", "REFIMPL_EMULATED_SECONDS_PER_ITEM": "0"}
    env.pop("AWS_ENDPOINT_URL", None)
    return env


@pytest.mark.localstack
def test_a_sigkilled_runtime_takes_its_endpoint_along_and_the_next_start_serves(tmp_path):
    env = own_runtime_env(tmp_path)
    command = [sys.executable, "-m", "reference_impl"]

    def start():
        process = subprocess.Popen(command + ["local", "up"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)

        def up():
            assert process.poll() is None, f"local up exited with {process.returncode}"
            return (state.read_json(tmp_path / "runtime.json") or {}).get("pid") == process.pid
        wait_for(up, 120, "local up to provision and write runtime.json")
        return process

    first = start()
    try:
        localstack = endpoint_pid(tmp_path / "logs")
        ours = [first.pid, localstack]
        assert all(is_loopback(s) for s in listening_sockets(ours)), listening_sockets(ours)
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        wait_for(lambda: process_gone(localstack), 30, f"LocalStack (pid {localstack}) to die with its runtime")
    finally:
        if first.poll() is None:
            first.kill()
    second = start()
    try:
        submitted = subprocess.run(command + ["submit", "--model", "iris", "--json"], env=env, capture_output=True,
                                   text=True, timeout=60)
        assert submitted.returncode == 0, submitted.stderr
        [job_id] = json.loads(submitted.stdout)["job_ids"]

        def done():
            return subprocess.run(command + ["result", job_id], env=env, capture_output=True, text=True,
                                  timeout=60).stdout.startswith(f"{job_id}: done by")
        wait_for(done, 90, f"job {job_id} to be done by the restarted runtime")
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(60)


@pytest.mark.localstack
def test_status_reports_an_endpoint_restart_and_the_jobs_it_lost(tmp_path, capsys, monkeypatch):
    from reference_impl import cli

    settings = LocalSettings(folder=tmp_path, port=free_port(), models=("iris",), max_workers=1, poll_s=0.3,
                             emulated_seconds_per_item=1.0, worker_wait_s=1, stop_timeout_s=5)
    stop, ready = threading.Event(), threading.Event()
    runner = threading.Thread(target=local_runtime.up, args=(settings, stop), kwargs={"on_ready": lambda _: ready.set()})
    runner.start()
    monkeypatch.setenv("REFIMPL_STATE_DIR", str(tmp_path))
    try:
        wait_for(ready.is_set, 120, "the runtime to be ready")
        runtime = state.read_runtime(tmp_path)
        service = state.services(tmp_path)["iris"]
        clients = local_clients(runtime["endpoint_url"])
        ids = jobs.submit_many("iris", [CATALOG["iris"].sample_inputs(1, i) for i in range(20)],
                               queue=service.queue(clients), store=service.store(clients))
        decisions = lambda: state.read_decisions(tmp_path, "iris")  # noqa: E731
        wait_for(lambda: any((d.get("visible") or 0) + (d.get("in_flight") or 0) >= 15 for d in decisions()), 60,
                 "a poll to see the backlog")
        os.killpg(endpoint_pid(tmp_path / "logs"), signal.SIGKILL)  # LocalStack crashes
        wait_for(lambda: state.read_runtime(tmp_path)["endpoint_restarts"], 120, "the runtime to restart its endpoint")
        [restart] = local_status(tmp_path)["endpoint_restarts"]
        assert restart["exit_code"] == -signal.SIGKILL and 15 <= restart["lost_jobs"]["iris"] <= 20
        # Unfinished and finished apart, from one reading taken while the endpoint was up.
        assert restart["counted_at"] is not None and restart["lost_results"]["iris"] >= 0
        assert 15 <= restart["lost_jobs"]["iris"] + restart["lost_results"]["iris"] <= 20

        assert cli.main(["status"]) == 0
        out = capsys.readouterr().out
        assert "endpoint restarted at" in out and "unfinished job(s) lost, queued or running (iris " in out
        assert f"and {restart['lost_results']['iris']} finished result(s) lost (iris " in out
        assert cli.main(["result", ids[-1]]) == 1
        assert "not known to this endpoint" in capsys.readouterr().out
    finally:
        stop.set()
        runner.join(120)
    assert not runner.is_alive()


def test_local_clients_and_a_status_poll_leave_the_default_credential_chain_untouched(tmp_path, monkeypatch):
    import boto3

    # A process with no credentials anywhere: no variables, no files, no instance metadata.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    before = dict(os.environ)
    clients = local_clients("http://127.0.0.1:4566")
    assert clients.sqs._request_signer._credentials.access_key == "test"
    # The lab dashboard's poll of a local runtime (it makes local clients to read the queues).
    state.write_json(tmp_path / "runtime.json", {"endpoint_url": f"http://127.0.0.1:{free_port()}",
                                                 "pid": os.getpid(), "models": {}})
    assert local_status(tmp_path)["supervisor_alive"]
    assert dict(os.environ) == before
    assert boto3.Session().get_credentials() is None, "a later AWS client would get the dummy keys"


def test_every_local_setting_is_read_from_its_variable_and_defaults_to_its_field():
    from reference_impl.local.runtime import SETTINGS

    defaults = LocalSettings()
    assert LocalSettings.from_env({}) == defaults
    environ, expected = {}, {}
    for setting in SETTINGS:
        default = getattr(defaults, setting.field)
        value = "custom-" if isinstance(default, str) else setting.maximum
        environ[setting.variable], expected[setting.field] = str(value), value
    read = LocalSettings.from_env(environ)
    assert {field: getattr(read, field) for field in expected} == expected


@pytest.mark.localstack
def test_a_runtime_left_running_on_the_folder_is_stopped_by_the_next_start(tmp_path):
    # `make run` SIGKILLed: its runtime runs on, orphaned (here: its own session, nobody waits).
    env = own_runtime_env(tmp_path)
    command = [sys.executable, "-m", "reference_impl", "local", "up"]
    runtimes = []
    try:
        for _ in range(2):
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True)
            runtimes.append(process)
            wait_for(lambda: (state.read_json(tmp_path / "runtime.json") or {}).get("pid") == process.pid, 120,
                     f"runtime {len(runtimes)} to be up")
            if len(runtimes) == 1:
                first_endpoint = endpoint_pid(tmp_path / "logs")
        assert runtimes[0].wait(30) == 0, "the first runtime stopped warmly"
        assert process_gone(first_endpoint) and endpoint_pid(tmp_path / "logs") != first_endpoint
        assert local_status(tmp_path)["supervisor_alive"]
    finally:
        for process in runtimes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                process.wait(60)
