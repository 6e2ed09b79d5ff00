"""Reliability against the real local endpoint with real worker processes: killed workers,
SIGTERM mid-batch, poison messages, the endpoint restarting. Nothing may be lost or done twice.

Timeouts are short on purpose (visibility 2-5 s, emulated work of tens of milliseconds per
input) so the whole file runs in a minute or two. Every kill and signal waits for an observed
state (a worker's status file says busy, messages are in flight, a result exists), never for a
fixed time, so a busy machine makes the tests slower, not flaky.
"""
import json
import random
import signal
import threading

import pytest

from reference_impl import jobs
from reference_impl.local.endpoint import start_local_endpoint
from reference_impl.local.provision import ProvisionSettings, provision
from reference_impl.local.runtime import LocalSettings, build_supervisor, local_clients
from reference_impl.local.supervisor import ProcessLauncher
from reference_impl.model import artifacts
from reference_impl.model.catalog import CATALOG
from reference_impl.protection import read_status_file
from reference_impl.worker import Worker, WorkerConfig

from tests.reference_impl.support import provision_isolated
from tests.support import wait_for

pytestmark = pytest.mark.localstack
DIGITS = CATALOG["digits"]


def dead_letter_job_ids(service, clients):
    """Job ids of every message in the dead-letter queue (read, then made visible again)."""
    dlq, ids, seen = service.dead_letter_queue(clients), [], []
    while batch := dlq.receive(10, 0):
        seen.extend(batch)
        for message in batch:
            try:
                data = json.loads(message.body)
            except (ValueError, RecursionError):  # poison bodies are what this queue holds
                data = None
            ids.append((data.get("job_id") if isinstance(data, dict) else None) or message.message_id)
    if seen:
        dlq.change_visibility(seen, 0)
    return ids


def worker_env(settings, clients):
    return settings.worker_env(clients.sqs.meta.endpoint_url)


def test_a_burst_with_workers_killed_at_random_resolves_every_job_exactly_once(tmp_path, clients):
    # maxReceiveCount 10: a good job may be in a killed worker's batch several times and must
    # still not reach the dead-letter queue; poison jobs do, after 10 attempts.
    services = provision_isolated(clients, ("digits",), visibility_timeout_s=2, max_receive_count=10)
    service = services["digits"]
    settings = LocalSettings(folder=tmp_path, models=("digits",), max_workers=3, acceptable_latency_s=1,
                             seconds_per_message=0.1, scale_in_cooldown_s=30, idle_before_zero_s=30,
                             emulated_seconds_per_item=0.05, visibility_timeout_s=2, stop_timeout_s=5,
                             worker_wait_s=1, retry_delay_s=0, poll_s=0.3)
    queue = service.queue(clients)
    # Enough work that the three workers are busy for the six kills: each kill waits for a busy one.
    inputs = [DIGITS.sample_inputs(1, i) for i in range(400)]
    good = jobs.submit_many("digits", inputs, queue=queue, store=service.store(clients))
    poison = [f"digits.poison{i}" for i in range(3)]
    queue.send([json.dumps({"job_id": job_id, "inputs": [[1, 2, 3]]}) for job_id in poison])

    supervisor = build_supervisor(settings, services, clients)
    stop = threading.Event()
    runner = threading.Thread(target=supervisor.run, args=(stop, settings.poll_s))
    runner.start()
    kills, rng = [], random.Random(1973)
    store = service.store(clients)

    def busy_workers():
        # A worker holding a batch: its status says busy and the queue has messages in flight.
        busy = [h for h in list(supervisor.pools["digits"].workers)
                if h.process.poll() is None and h.status().get("state") == "busy"]
        return busy if busy and queue.counts().in_flight else []
    try:
        wait_for(lambda: len(supervisor.pools["digits"].workers) == 3, 60, "three workers")
        while len(kills) < 6:
            wait_for(busy_workers, 60, f"a busy worker to kill (kill {len(kills) + 1} of 6; kills so far {kills})")
            victim = rng.choice(busy_workers() or [None])
            if victim is None:
                continue  # it went idle between the two looks
            kills.append((victim.pid, victim.status().get("state")))
            victim.process.send_signal(signal.SIGKILL)
            victim.process.wait(30)

        def resolved():
            results, errors = store.job_ids()
            dead = {j for j in errors if (store.get_error(j) or {}).get("dead_lettered")}
            return results | dead >= set(good) | set(poison) and queue.counts().in_flight == 0
        wait_for(resolved, 180, "every job to have a result or a dead-letter record")
    finally:
        stop.set()
        runner.join()
        supervisor.shutdown()

    results, errors = store.job_ids()
    assert results == set(good), "every good job has exactly one result, and nothing else has one"
    assert sorted(dead_letter_job_ids(service, clients)) == sorted(poison)
    for job_id in poison:
        error = store.get_error(job_id)
        assert error["dead_lettered"] and error["attempt"] == 10
        assert "expected 64 numbers for model 'digits', got 3" in error["reason"]
    expected = dict(zip(good, artifacts.train("digits").predict([row[0] for row in inputs]).tolist()))
    redelivered = 0
    for job_id in good:
        result = store.get_result(job_id)
        assert result["predictions"] == [expected[job_id]]
        redelivered += result["attempt"] > 1
    assert queue.counts().visible == 0
    assert len(kills) == 6 and all(state == "busy" for _, state in kills), kills
    assert redelivered > 0, "no kill caught a worker with work in hand; the test proved nothing"


def test_sigterm_during_a_batch_loses_nothing(tmp_path, clients):
    services = provision_isolated(clients, ("digits",), visibility_timeout_s=60, max_receive_count=3)
    service = services["digits"]
    # One batch of ten 0.5 s jobs (5 s); the SIGTERM leaves 1 s (stop timeout 3 s minus the 2 s
    # margin), so it lands mid-batch even if this test notices the busy worker seconds late.
    settings = LocalSettings(folder=tmp_path, emulated_seconds_per_item=0.5, stop_timeout_s=3,
                             visibility_timeout_s=60, worker_wait_s=1)
    ids = jobs.submit_many("digits", [DIGITS.sample_inputs(1, i) for i in range(10)], queue=service.queue(clients),
                           store=service.store(clients))
    handle = ProcessLauncher(services, tmp_path, worker_env(settings, clients)).start("digits")
    store = service.store(clients)
    try:
        wait_for(lambda: (read_status_file(str(handle.status_path)) or {}).get("protected")
                 and service.queue(clients).counts().in_flight == 10, 60, "a worker busy with all ten jobs")
        handle.process.send_signal(signal.SIGTERM)
        # The worker's own deadline (stop timeout minus its margin) is tested on a virtual clock
        # in test_worker.py; here: it exits by itself, cleanly, having lost nothing.
        handle.process.wait(60)
    finally:
        if handle.process.poll() is None:
            handle.process.kill()
    assert handle.process.returncode == 0
    done, _ = store.job_ids()
    counts = service.queue(clients).counts()
    # Finished jobs have results; the rest were released at once, not hidden for 60 s.
    assert 1 <= len(done) < 10 and counts.in_flight == 0 and counts.visible == 10 - len(done)
    log = (tmp_path / "logs" / "worker-digits-0001.log").read_text()
    assert f"released {10 - len(done)} messages to other workers" in log
    model = artifacts.load(clients.s3, service.model_uri)
    Worker(service.queue(clients), store, model, WorkerConfig(wait_s=0)).work(burst=True)
    assert store.job_ids()[0] == set(ids)


def test_a_poison_message_lands_in_the_dead_letter_queue_after_the_redrive_count(clients):
    service = provision_isolated(clients, ("digits",), visibility_timeout_s=5, max_receive_count=3)["digits"]
    queue, store = service.queue(clients), service.store(clients)
    queue.send(["{\"inputs\": [[0, 0]], \"job_id\": \"digits.bad-shape\"}", "not json at all"])
    model = artifacts.load(clients.s3, service.model_uri)
    stats = Worker(queue, store, model, WorkerConfig(wait_s=1, retry_delay_s=0)).work(burst=True)
    assert stats.failed == 6 and stats.succeeded == 0
    dead = dead_letter_job_ids(service, clients)
    assert "digits.bad-shape" in dead and len(dead) == 2
    failed = jobs.get("digits.bad-shape", store=store)
    assert failed["status"] == "failed"
    assert failed["error"]["attempt"] == 3 and failed["error"]["max_attempts"] == 3
    assert "expected 64 numbers for model 'digits', got 2" in failed["error"]["reason"]
    [not_json] = [j for j in dead if j != "digits.bad-shape"]
    assert jobs.get(not_json, store=store)["error"]["reason"].startswith("body is not JSON")
    assert queue.counts() == type(queue.counts())(0, 0)


def test_the_worker_backs_off_while_the_endpoint_restarts_and_resumes(tmp_path):
    endpoint = start_local_endpoint(tmp_path / "endpoint")
    handle = None
    try:
        clients = local_clients(endpoint.url)
        settings = ProvisionSettings(bucket="refimpl-restart", visibility_timeout_s=5)
        services = provision(clients, ["digits"], settings)
        local = LocalSettings(folder=tmp_path, emulated_seconds_per_item=0, worker_wait_s=1)
        env = {**local.worker_env(endpoint.url), "WORKER_BACKOFF_MAX_S": "1"}
        handle = ProcessLauncher(services, tmp_path, env).start("digits")
        store = services["digits"].store(clients)
        before = jobs.submit_many("digits", [DIGITS.sample_inputs(1)] * 3, queue=services["digits"].queue(clients),
                                 store=store)
        wait_for(lambda: store.job_ids()[0] == set(before), 30, "results before the restart")

        endpoint.kill()  # a crash: no goodbye to open connections
        log_path = tmp_path / "logs" / "worker-digits-0001.log"
        wait_for(lambda: "queue unavailable during receive" in log_path.read_text(), 60,
                 "the worker to notice the endpoint is gone")
        assert handle.process.poll() is None, "the worker must outlive its endpoint"
        endpoint.start()
        # LocalStack keeps nothing across a restart; provisioning again is part of recovering.
        services = provision(clients, ["digits"], settings)
        after = jobs.submit_many("digits", [DIGITS.sample_inputs(1)] * 3, queue=services["digits"].queue(clients),
                                store=store)
        wait_for(lambda: store.job_ids()[0] >= set(after), 60, "results after the restart")
        assert {store.get_result(j)["worker"].split(":")[1] for j in after} == {str(handle.pid)}
    finally:
        if handle is not None:
            handle.process.send_signal(signal.SIGTERM)
            handle.process.wait(10)
        endpoint.stop()


def test_poison_messages_in_a_batch_of_valid_jobs_settle_alone_and_the_worker_never_restarts(
        tmp_path, clients, monkeypatch, capsys):
    from reference_impl import cli
    from reference_impl.local import state

    services = provision_isolated(clients, ("digits",), visibility_timeout_s=5, max_receive_count=3)
    service = services["digits"]
    queue, store = service.queue(clients), service.store(clients)
    good = jobs.submit_many("digits", [DIGITS.sample_inputs(1, i) for i in range(5)], queue=queue, store=store)
    poison = dict(zip(["deep", "huge integer", "bad shape"], queue.send([
        "[" * 3000 + "]" * 3000,
        '{"inputs": [[' + "9" * 5000 + "]]}",
        json.dumps({"inputs": [[1, 2, 3]]}),
    ])))
    # All eight are waiting before the worker starts, so its first receive (up to 10) takes
    # poison and valid jobs together.
    settings = LocalSettings(folder=tmp_path, emulated_seconds_per_item=0, worker_wait_s=1, retry_delay_s=0)
    handle = ProcessLauncher(services, tmp_path, worker_env(settings, clients)).start("digits")
    try:
        def settled():
            assert handle.process.poll() is None, "the worker exited"
            dead = [(store.get_error(m) or {}).get("dead_lettered") for m in poison.values()]
            return all(dead) and store.job_ids()[0] >= set(good)
        wait_for(settled, 90, "the valid jobs' results and the poison messages' dead-letter records")
        wait_for(lambda: sorted(dead_letter_job_ids(service, clients)) == sorted(poison.values()), 60,
                 "the poison messages (and only they) to be in the dead-letter queue")
        assert handle.process.poll() is None, "the worker never exits or restarts"
    finally:
        handle.process.send_signal(signal.SIGTERM)
        handle.process.wait(60)
    for job_id in good:
        result = store.get_result(job_id)
        assert result["attempt"] == 1 and result["worker"].endswith(f":{handle.pid}")
    reasons = {kind: store.get_error(message_id)["reason"] for kind, message_id in poison.items()}
    assert "nested too deeply" in reasons["deep"]
    assert "integer string conversion" in reasons["huge integer"]
    assert "expected 64 numbers for model 'digits', got 3" in reasons["bad shape"]

    # What `python -m reference_impl result` says about each.
    state.write_json(tmp_path / "runtime.json", {"endpoint_url": clients.sqs.meta.endpoint_url,
                                                 "models": {"digits": service.to_dict()}})
    monkeypatch.setenv("REFIMPL_STATE_DIR", str(tmp_path))

    def result(job_id):
        code = cli.main(["result", job_id])
        return code, capsys.readouterr().out.strip()
    code, text = result(poison["deep"])
    assert code == 1 and f"{poison['deep']}: failed: body: JSON nested too deeply" in text
    code, text = result(good[0])
    assert code == 0 and "done by" in text
    queued = jobs.submit_many("digits", [DIGITS.sample_inputs(1)], queue=queue, store=store)[0]
    assert result(queued) == (0, f"{queued}: queued or running")
    forgotten = good[0][:-1] + "9"  # an id of ours this endpoint never saw
    code, text = result(forgotten)
    assert code == 1 and "not known to this endpoint" in text
