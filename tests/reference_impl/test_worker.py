"""The worker loop against the in-memory queue and store: fast, no endpoint, no processes."""
import json
import random

import numpy as np
import pytest

from reference_impl import jobs
from reference_impl import worker as worker_module
from reference_impl.clock import ManualClock
from reference_impl.model.catalog import CATALOG
from reference_impl.queues import InMemoryQueue
from reference_impl.results import InMemoryResultStore, StoreUnavailable
from reference_impl.worker import Worker, WorkerConfig, compute_backoff_s

from tests.reference_impl.test_jobs import POISON

FAST = WorkerConfig(wait_s=0, retry_delay_s=0, backoff_base_s=0.01, backoff_max_s=0.05)


class FlakyModel:
    """Wraps a model; any input row whose first value is 13 makes predict raise."""

    def __init__(self, model):
        self.model, self.name, self.sha256 = model, model.name, model.sha256

    def predict(self, rows):
        if any(row[0] == 13 for row in rows):
            raise ValueError("cannot score a row starting with 13")
        return self.model.predict(rows)


class RecordingProtection:
    def __init__(self):
        self.calls = []

    def set_protected(self, protected):
        self.calls.append(protected)

    def report(self, **fields):
        pass


@pytest.fixture
def queues():
    dlq = InMemoryQueue()
    return InMemoryQueue(visibility_timeout_s=30, redrive_max_receives=3, dead_letter=dlq), dlq


def samples(count, offset=0):
    return CATALOG["digits"].sample_inputs(count, offset)


def test_a_batch_gets_one_result_per_job_and_is_deleted(queues, digits_model):
    queue, _ = queues
    store = InMemoryResultStore()
    ids = jobs.submit_many("digits", [samples(2, i * 2) for i in range(15)], queue=queue, store=InMemoryResultStore())
    stats = Worker(queue, store, digits_model, FAST).work(burst=True)
    assert stats.succeeded == 15 and queue.counts().visible + queue.counts().in_flight == 0
    for i, job_id in enumerate(ids):
        result = store.get_result(job_id)
        expected = digits_model.predict(samples(2, i * 2))
        assert result["predictions"] == expected
        assert result["model"] == "digits" and result["attempt"] == 1


def test_the_model_predicts_the_digits_it_was_trained_on(digits_model):
    rows = samples(200)
    labels = CATALOG["digits"].load_data(return_X_y=True)[1][:200]
    assert np.mean(np.array(digits_model.predict(rows)) == labels) > 0.95


def test_a_redelivered_job_keeps_its_first_result(queues, digits_model):
    queue, _ = queues
    store = InMemoryResultStore()
    [job_id] = jobs.submit_many("digits", [samples(1)], queue=queue, store=InMemoryResultStore())
    [message] = queue.receive(1, 0)
    worker = Worker(queue, store, digits_model, FAST)
    worker._handle([message])
    first = store.results[job_id]
    # The same message again, as SQS may deliver it twice.
    queue.send([message.body])
    stats = worker.work(burst=True)
    assert stats.duplicates == 1 and store.writes_refused == 1
    assert store.results[job_id] == first


def test_a_poison_message_goes_to_the_dead_letter_queue_with_its_reason(queues, digits_model):
    queue, dlq = queues
    store = InMemoryResultStore()
    good = jobs.submit_many("digits", [samples(1)], queue=queue, store=InMemoryResultStore())
    queue.send([json.dumps({"job_id": "digits.poison1", "inputs": [[0] * 10]})])
    worker = Worker(queue, store, digits_model, FAST)
    worker.work(burst=True)
    assert store.get_result(good[0]) is not None
    assert [json.loads(b)["job_id"] for b in dlq.bodies()] == ["digits.poison1"]
    error = store.get_error("digits.poison1")
    assert "expected 64 numbers" in error["reason"]
    assert error["attempt"] == 3 and error["max_attempts"] == 3 and error["dead_lettered"] is True
    assert worker.stats.failed == 3


def test_a_job_the_model_fails_on_does_not_fail_its_batch(queues, digits_model):
    queue, _ = queues
    store = InMemoryResultStore()
    bad_row = [13.0] + [0.0] * 63
    ids = jobs.submit_many("digits", [samples(1), [bad_row], samples(1, 5)], queue=queue, store=InMemoryResultStore())
    Worker(queue, store, FlakyModel(digits_model), FAST).work(burst=True)
    assert store.get_result(ids[0]) and store.get_result(ids[2])
    assert store.get_result(ids[1]) is None
    assert "model error: ValueError: cannot score a row starting with 13" in store.get_error(ids[1])["reason"]


class FaultyModel(FlakyModel):
    """A model with a bug: any row starting with 14 raises something no model contract names."""

    def predict(self, rows):
        if any(row[0] == 14 for row in rows):
            raise RuntimeError("internal model fault")
        return super().predict(rows)


class PickyStore(InMemoryResultStore):
    """Refuses (not "unavailable": refuses) the results of one job."""

    def __init__(self, refused):
        super().__init__()
        self.refused = refused

    def put_result(self, job_id, document):
        if job_id == self.refused:
            raise PermissionError("AccessDenied on this key")
        return super().put_result(job_id, document)


def test_poison_in_a_batch_settles_alone_and_the_valid_jobs_complete_first_time(queues, digits_model):
    queue, dlq = queues
    store = PickyStore(refused=None)
    good = jobs.submit_many("digits", [samples(1, i) for i in range(3)], queue=queue, store=store)
    faulty = jobs.submit_many("digits", [[[14.0] + [0.0] * 63]], queue=queue, store=store)
    refused = jobs.submit_many("digits", [samples(1, 7)], queue=queue, store=store)
    store.refused = refused[0]
    poison_ids = queue.send([body for body, _ in POISON.values()])
    worker = Worker(queue, store, FaultyModel(digits_model), FAST)
    worker.work(burst=True)  # returns: no message crashed it
    for job_id in good:
        assert store.get_result(job_id)["attempt"] == 1
    kinds = list(POISON)
    for kind, message_id in zip(kinds, poison_ids):
        if POISON[kind][1] is None:
            continue  # the one that decodes and completes
        error = store.get_error(message_id)
        assert error["dead_lettered"] and POISON[kind][1] in error["reason"], (kind, error)
    assert "model error: RuntimeError: internal model fault" in store.get_error(faulty[0])["reason"]
    assert "result could not be stored: PermissionError" in store.get_error(refused[0])["reason"]
    assert len(dlq.bodies()) == len(POISON) - 1 + 2
    assert worker.stats.succeeded == len(good) + 1


def test_visibility_is_extended_while_a_long_batch_runs(digits_model):
    clock = ManualClock()
    queue = InMemoryQueue(visibility_timeout_s=1, clock=clock.now)
    store = InMemoryResultStore()
    jobs.submit_many("digits", [samples(1)] * 3, queue=queue, store=InMemoryResultStore())
    config = WorkerConfig(wait_s=0, visibility_timeout_s=1, emulated_seconds_per_item=0.8)
    worker = Worker(queue, store, digits_model, config, clock=clock)
    stolen = []
    # Past the 1 s timeout, mid-batch: without the heartbeat the messages would be visible.
    clock.at(1.6, lambda: stolen.extend(queue.receive(10, 0)))
    worker.work(max_jobs=3)
    assert clock.now() >= 2.4, "the batch ran its 3 x 0.8 s"
    assert stolen == []
    assert worker.stats.succeeded == 3 and worker.stats.duplicates == 0


def test_without_the_heartbeat_the_same_batch_would_be_taken_by_another_worker(digits_model, monkeypatch):
    # The control for the test above: it is the heartbeat that keeps the batch hidden.
    monkeypatch.setattr(worker_module._Heartbeat, "_beat", lambda self: None)
    clock = ManualClock()
    queue = InMemoryQueue(visibility_timeout_s=1, clock=clock.now)
    jobs.submit_many("digits", [samples(1)] * 3, queue=queue, store=InMemoryResultStore())
    worker = Worker(queue, InMemoryResultStore(), digits_model,
                    WorkerConfig(wait_s=0, visibility_timeout_s=1, emulated_seconds_per_item=0.8), clock=clock)
    stolen = []
    clock.at(1.6, lambda: stolen.extend(queue.receive(10, 0)))
    worker.work(max_jobs=3)
    assert len(stolen) == 3


def test_a_warm_stop_mid_batch_finishes_what_fits_and_releases_the_rest(digits_model):
    clock = ManualClock()
    queue = InMemoryQueue(visibility_timeout_s=60, clock=clock.now)
    store = InMemoryResultStore()
    ids = jobs.submit_many("digits", [samples(1, i) for i in range(10)], queue=queue, store=InMemoryResultStore())
    config = WorkerConfig(wait_s=0, stop_timeout_s=2.5, emulated_seconds_per_item=0.2)
    worker = Worker(queue, store, digits_model, config, clock=clock)
    clock.at(0.3, worker.request_stop)  # 0.5 s to finish (2.5 s stop timeout minus the 2 s margin)
    worker.work()
    done = [i for i in ids if store.get_result(i)]
    # Jobs of 0.2 s each: one done before the stop, then only those that end by 0.8 s.
    assert 3 <= len(done) <= 4 and clock.now() <= 0.8 + 1e-9
    assert all(store.get_result(i)["completed_at"] - clock.EPOCH <= 0.8 + 1e-9 for i in done)
    # Released, not left hidden for the 60 s visibility timeout: all visible at once.
    assert queue.counts().visible == 10 - len(done) and queue.counts().in_flight == 0
    assert worker.stats.released == 10 - len(done)


def test_a_cold_stop_releases_the_batch_at_once(digits_model):
    clock = ManualClock()
    queue = InMemoryQueue(visibility_timeout_s=60, clock=clock.now)
    jobs.submit_many("digits", [samples(1)] * 5, queue=queue, store=InMemoryResultStore())
    worker = Worker(queue, InMemoryResultStore(), digits_model,
                    WorkerConfig(wait_s=0, emulated_seconds_per_item=1.0), clock=clock)
    clock.at(0.2, lambda: worker.request_stop(cold=True))
    worker.work()
    # Within one emulation slice (50 ms) of the stop, not at the end of the 1 s job.
    assert clock.now() <= 0.25 + 1e-9
    assert queue.counts().visible == 5 and worker.stats.released == 5


def test_the_worker_backs_off_while_the_queue_is_away_and_resumes(digits_model):
    clock = ManualClock()
    queue = InMemoryQueue(clock=clock.now)
    store = InMemoryResultStore()
    [job_id] = jobs.submit_many("digits", [samples(1)], queue=queue, store=InMemoryResultStore())
    queue.unavailable = True
    config = WorkerConfig(wait_s=0, backoff_base_s=0.5, backoff_max_s=20)
    worker = Worker(queue, store, digits_model, config, clock=clock, rng=random.Random(7))
    clock.at(120, lambda: setattr(queue, "unavailable", False))  # the endpoint is away two minutes
    worker.work(max_jobs=1)
    assert store.get_result(job_id) is not None
    # Each wait within its growing cap, none past the maximum; about a handful, not hundreds.
    assert clock.waits and len(clock.waits) == worker.stats.backoffs
    for attempt, wait in enumerate(clock.waits):
        assert 0.01 <= wait <= min(20, 0.5 * 2 ** attempt)
    assert 6 <= worker.stats.backoffs <= 60
    assert clock.now() >= 120


def test_a_stop_during_a_backoff_ends_the_wait_at_once(digits_model):
    clock = ManualClock()
    queue = InMemoryQueue(clock=clock.now, unavailable=True)
    worker = Worker(queue, InMemoryResultStore(), digits_model,
                    WorkerConfig(wait_s=0, backoff_base_s=60, backoff_max_s=600), clock=clock,
                    rng=random.Random(3))
    clock.at(100, worker.request_stop)
    worker.work()
    assert clock.now() == 100


def test_a_result_that_cannot_be_written_is_not_deleted(digits_model):
    class DownStore(InMemoryResultStore):
        def put_result(self, job_id, document):
            raise StoreUnavailable("bucket gone")

    queue = InMemoryQueue()
    jobs.submit_many("digits", [samples(1)] * 2, queue=queue, store=InMemoryResultStore())
    worker = Worker(queue, DownStore(), digits_model, WorkerConfig(wait_s=0, retry_delay_s=30))
    worker._handle(queue.receive(10, 0))
    assert queue.counts().in_flight == 2  # hidden for the retry delay, still on the queue
    assert worker.stats.succeeded == 0


def test_protection_is_held_while_busy_and_dropped_when_idle(queues, digits_model):
    queue, _ = queues
    protection = RecordingProtection()
    jobs.submit_many("digits", [samples(1)] * 25, queue=queue, store=InMemoryResultStore())
    Worker(queue, InMemoryResultStore(), digits_model, FAST, protection).work(burst=True)
    assert protection.calls == [True, False]


def test_max_jobs_stops_the_loop_after_that_many(queues, digits_model):
    queue, _ = queues
    jobs.submit_many("digits", [samples(1)] * 25, queue=queue, store=InMemoryResultStore())
    stats = Worker(queue, InMemoryResultStore(), digits_model, FAST).work(max_jobs=7)
    assert stats.handled == 7 and queue.counts().visible == 18


@pytest.mark.parametrize("attempts", [0, 1, 5, 40])
def test_backoff_stays_within_its_cap(attempts):
    for _ in range(50):
        delay = compute_backoff_s(attempts, base_s=0.5, max_s=30)
        assert 0.01 <= delay <= min(30, 0.5 * 2 ** attempts)


class Killed(BaseException):
    """What SIGKILL or the OOM killer is to a worker: it stops mid-batch and writes nothing."""


class DyingModel:
    def __init__(self, model):
        self.name, self.sha256 = model.name, model.sha256

    def predict(self, rows):
        raise Killed()


def test_a_job_whose_worker_dies_on_every_delivery_ends_dead_lettered_with_that_reason(digits_model):
    clock = ManualClock()
    dlq = InMemoryQueue(clock=clock.now)
    queue = InMemoryQueue(visibility_timeout_s=30, redrive_max_receives=3, dead_letter=dlq, clock=clock.now)
    submissions = InMemoryResultStore()
    store = submissions  # the submission record and the results in one store, as in S3
    [job_id] = jobs.submit_many("digits", [samples(1)], queue=queue, store=store)
    seen = []
    for delivery in range(1, 4):
        with pytest.raises(Killed):
            Worker(queue, store, DyingModel(digits_model), FAST, clock=clock).work(burst=True)
        seen.append(jobs.get(job_id, store=store, now_s=clock.time())["status"])
        clock.advance(31)  # the visibility timeout passes: SQS delivers it again, or dead-letters it
    assert seen == ["queued", "queued", "running"]  # the last delivery is under way until it times out
    report = jobs.get(job_id, store=store, now_s=clock.time())
    assert report["status"] == "failed"
    assert report["error"]["reason"] == "the worker stopped while processing it (3 deliveries)"
    assert report["error"]["dead_lettered"] is True
    Worker(queue, store, digits_model, FAST, clock=clock).work(burst=True)  # the next receive moves it
    assert [json.loads(b)["job_id"] for b in dlq.bodies()] == [job_id]
    from reference_impl.cli import describe_result
    assert describe_result(report).startswith(f"{job_id}: failed: the worker stopped while processing it (3 deliveries)")


def test_a_last_delivery_that_succeeds_or_fails_replaces_the_note(queues, digits_model):
    clock = ManualClock()
    queue = InMemoryQueue(visibility_timeout_s=30, redrive_max_receives=1, clock=clock.now)
    store = InMemoryResultStore()
    [good] = jobs.submit_many("digits", [samples(1)], queue=queue, store=store)
    queue.send([json.dumps({"job_id": "digits.poison2", "inputs": [[0] * 10]})])
    Worker(queue, store, digits_model, FAST, clock=clock).work(burst=True)
    assert jobs.get(good, store=store, now_s=clock.time())["status"] == "done"
    poison = jobs.get("digits.poison2", store=store, now_s=clock.time())
    assert poison["status"] == "failed" and "expected 64 numbers" in poison["error"]["reason"]
