"""The worker: the ECS task's entry point (``python -m reference_impl.worker``).

It loads its model once, then loops: long-poll up to 10 messages, run the model on the whole
batch, write each job's result once (conditional put, results.py), delete the batch in one call.

Failure rules:

* No message can crash the worker or fail its batch-mates. A job that cannot succeed (a body that
  is not a job, however malformed or deeply nested; bad inputs; anything the model raises on it;
  a result the store refuses) gets an error record with the reason
  (``results/<job_id>.error.json``) and is left on the queue to come back after
  ``WORKER_RETRY_DELAY_S``; after the queue's ``maxReceiveCount`` receives SQS moves it to the
  dead-letter queue, and its last error record says ``dead_lettered``. The worker never deletes a
  failed job.
* A worker that dies on a job (SIGKILL, out of memory) writes nothing, so before it starts a job's
  last allowed delivery it records, in the same error record, what will be true if it never
  finishes: "the worker stopped while processing it (N deliveries)", dead-lettered, unless a
  result or another error replaces it by ``unless_done_by`` (renewed with the heartbeat). A reader
  (jobs.get) shows the job running until then, dead-lettered after.
* A write or delete that fails because the endpoint is away is retried by redelivery: the job's
  result is idempotent, so doing it twice is harmless.
* The endpoint gone: every call backs off (exponential with jitter, capped) and resumes.
* While a batch runs longer than a third of the visibility timeout, a heartbeat extends it.
* SIGTERM: finish the batch if it ends before the stop timeout, otherwise release what is left
  (visibility 0) so another worker takes it at once; then exit. A second SIGTERM or Ctrl-C
  releases at once.
* While busy the worker holds scale-in protection (protection.py).

Environment:

* ``QUEUE_URL``, ``MODEL_S3_URI`` (``s3://bucket/key``), ``RESULTS_S3_URI`` (``s3://bucket/prefix/``): required.
* ``MODEL_SHA256``: pin the artifact's checksum (optional).
* ``WORKER_WAIT_S`` (20): long-poll seconds, 0-20.
* ``WORKER_VISIBILITY_TIMEOUT_S`` (30): the queue's visibility timeout, which the heartbeat renews.
* ``WORKER_STOP_TIMEOUT_S`` (30): seconds between SIGTERM and SIGKILL (ECS's stopTimeout: Fargate's
  default 30 s, at most 120 s; aws_facts).
* ``WORKER_RETRY_DELAY_S`` (5): how long a failed job stays hidden before its next attempt.
* ``WORKER_EMULATED_SECONDS_PER_ITEM`` (0): EMULATION, off by default: sleep this long per input
  to stand in for a heavier model, so a two-core demo shows what scaling buys.
* ``WORKER_BACKOFF_MAX_S`` (20): the longest wait between attempts while the endpoint is away.
* ``WORKER_STATUS_FILE``: local runtime only; the registry file the supervisor reads.
* ``ECS_AGENT_URI``: set by ECS; enables task scale-in protection.
* ``WORKER_LOG_LEVEL`` (INFO).
"""
import logging
import os
import random
import signal
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from reference_impl import aws, aws_facts, jobs
from reference_impl.clock import SYSTEM, Clock
from reference_impl.envvars import SettingError, env_float, env_required, env_str
from reference_impl.model import artifacts
from reference_impl.protection import EcsTaskProtection, NoProtection, StatusFile
from reference_impl.queues import MAX_BATCH, MAX_VISIBILITY_S, MAX_WAIT_S, Message, QueueUnavailable, SqsQueue
from reference_impl.results import S3ResultStore, StoreUnavailable

log = logging.getLogger("reference_impl.worker")

# Time kept back from the stop timeout to release messages and exit before SIGKILL.
STOP_MARGIN_S = 2.0
# ECS's stopTimeout (SIGTERM to SIGKILL): Fargate's default and its longest.
ECS_STOP_TIMEOUT_DEFAULT_S = float(aws_facts.value("ecs_stop_timeout_default_s"))
ECS_STOP_TIMEOUT_MAX_S = aws_facts.value("ecs_stop_timeout_max_s")
SQS_VISIBILITY_TIMEOUT_DEFAULT_S = float(aws_facts.value("sqs_visibility_timeout_default_s"))


@dataclass(frozen=True)
class WorkerConfig:
    """The worker's settings; each default here is the one ``from_env`` uses."""

    wait_s: float = float(MAX_WAIT_S)
    max_messages: int = MAX_BATCH
    visibility_timeout_s: float = SQS_VISIBILITY_TIMEOUT_DEFAULT_S
    stop_timeout_s: float = ECS_STOP_TIMEOUT_DEFAULT_S
    retry_delay_s: int = 5
    emulated_seconds_per_item: float = 0.0
    backoff_base_s: float = 0.5
    backoff_max_s: float = 20.0
    write_threads: int = 10

    @classmethod
    def from_env(cls, environ=os.environ) -> "WorkerConfig":
        config = cls._read_env(environ)
        # A SIGTERM that arrives during a long poll is acted on when the poll returns; the poll
        # must end with time to spare before SIGKILL.
        if config.wait_s > config.stop_timeout_s - STOP_MARGIN_S:
            raise SettingError(f"WORKER_WAIT_S={config.wait_s:g} must be at most WORKER_STOP_TIMEOUT_S "
                               f"({config.stop_timeout_s:g}) minus {STOP_MARGIN_S:g} s")
        return config

    @classmethod
    def _read_env(cls, environ):
        d = cls()
        return cls(
            wait_s=env_float("WORKER_WAIT_S", d.wait_s, 0, MAX_WAIT_S, environ),
            visibility_timeout_s=env_float("WORKER_VISIBILITY_TIMEOUT_S", d.visibility_timeout_s, 1,
                                           MAX_VISIBILITY_S, environ),
            stop_timeout_s=env_float("WORKER_STOP_TIMEOUT_S", d.stop_timeout_s, 1, ECS_STOP_TIMEOUT_MAX_S, environ),
            retry_delay_s=int(env_float("WORKER_RETRY_DELAY_S", d.retry_delay_s, 0, MAX_VISIBILITY_S, environ)),
            emulated_seconds_per_item=env_float("WORKER_EMULATED_SECONDS_PER_ITEM", d.emulated_seconds_per_item,
                                                0, 60, environ),
            backoff_max_s=env_float("WORKER_BACKOFF_MAX_S", d.backoff_max_s, 0.1, 600, environ),
        )


@dataclass
class WorkStats:
    received: int = 0
    succeeded: int = 0
    duplicates: int = 0  # results that already existed (a redelivery): not written again
    failed: int = 0
    released: int = 0
    backoffs: int = 0

    @property
    def handled(self) -> int:
        return self.succeeded + self.duplicates + self.failed


def compute_backoff_s(attempts: int, *, base_s: float, max_s: float, rng=random) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(max, base * 2**attempts)], at least 10 ms."""
    return max(0.01, rng.uniform(0, min(max_s, base_s * 2 ** min(attempts, 30))))


class _Heartbeat:
    """Keeps a batch's messages invisible while it runs longer than a third of the timeout."""

    def __init__(self, queue, messages, timeout_s, clock: Clock, on_beat=None):
        self.queue, self.messages, self.timeout_s, self.clock = queue, list(messages), timeout_s, clock
        self.on_beat = on_beat
        self.ticker = None

    def _beat(self):
        try:
            self.queue.change_visibility(self.messages, int(self.timeout_s))
        except QueueUnavailable:
            log.warning("could not extend visibility of %d messages", len(self.messages), exc_info=True)
            return
        if self.on_beat is not None:
            self.on_beat()

    def __enter__(self):
        self.ticker = self.clock.every(max(0.5, self.timeout_s / 3), self._beat, "visibility-heartbeat")
        return self

    def __exit__(self, *exc):
        self.ticker.cancel()


@dataclass
class Worker:
    queue: object
    store: object
    model: artifacts.LoadedModel
    config: WorkerConfig = field(default_factory=WorkerConfig)
    protection: object = field(default_factory=NoProtection)
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    stats: WorkStats = field(default_factory=WorkStats)
    clock: Clock = SYSTEM
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self):
        self._stop = threading.Event()
        self._deadline = None  # clock.now() by which the batch must be finished or released
        self._protected = False
        self._failures_in_a_row = 0
        self._max_receives = None
        self._last_report = float("-inf")
        self._pool = None  # result writers, started with the first batch of two or more

    def close(self) -> None:
        """Stop the result writers' threads (work() does this when it returns)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    # --- stopping ------------------------------------------------------------------------------

    def request_stop(self, cold: bool = False) -> None:
        """Warm stop: finish or release the batch within the stop timeout. Cold: release now."""
        now = self.clock.now()
        if cold or self._stop.is_set():
            self._deadline = now
        else:
            self._deadline = now + max(0.0, self.config.stop_timeout_s - STOP_MARGIN_S)
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _time_left(self) -> float:
        return float("inf") if self._deadline is None else self._deadline - self.clock.now()

    # --- the loop ------------------------------------------------------------------------------

    def work(self, burst: bool = False, max_jobs: int | None = None) -> WorkStats:
        """Process until stopped; ``burst`` also stops at the first empty receive, ``max_jobs``
        after that many jobs were handled (succeeded, duplicate or failed)."""
        try:
            return self._work(burst, max_jobs)
        finally:
            self.close()

    def _work(self, burst, max_jobs):
        self._max_receives = self._call_with_backoff(self.queue.max_receive_count)
        if self._max_receives is None and not self.stopping:
            log.warning("queue has no redrive policy: a poison message would be retried forever")
        while not self.stopping and (max_jobs is None or self.stats.handled < max_jobs):
            try:
                wanted = self.config.max_messages
                if max_jobs is not None:
                    wanted = max(1, min(wanted, max_jobs - self.stats.handled))
                messages = self.queue.receive(wanted, self.config.wait_s)
            except QueueUnavailable:
                self._backoff("receive")
                continue
            self._failures_in_a_row = 0
            if not messages:
                self._set_protected(False)
                if burst:
                    break
                continue
            self._set_protected(True)
            self.stats.received += len(messages)
            if self.stopping:
                self._release(messages)
                break
            try:
                self._handle(messages)
            except Exception:  # noqa: BLE001 - a bug of ours, not the messages': keep serving
                # _handle settles every message itself; reaching here is a fault in the worker.
                # The batch comes back after the visibility timeout and, if the fault is
                # permanent, reaches the dead-letter queue; the worker stays up for other work.
                log.exception("handling a batch of %d messages failed", len(messages))
            self._maybe_report()
        self._set_protected(False)
        self._maybe_report(force=True)
        return self.stats

    def _call_with_backoff(self, call):
        while not self.stopping:
            try:
                result = call()
                self._failures_in_a_row = 0
                return result
            except QueueUnavailable:
                self._backoff(getattr(call, "__name__", "call"))
        return None

    def _backoff(self, what: str) -> None:
        delay = compute_backoff_s(self._failures_in_a_row, base_s=self.config.backoff_base_s,
                                  max_s=self.config.backoff_max_s, rng=self.rng)
        self._failures_in_a_row += 1
        self.stats.backoffs += 1
        log.warning("queue unavailable during %s (attempt %d); retrying in %.2f s",
                    what, self._failures_in_a_row, delay)
        self.clock.wait(self._stop, delay)

    def _set_protected(self, protected: bool) -> None:
        if protected != self._protected:
            self._protected = protected
            self.protection.set_protected(protected)

    def _maybe_report(self, force=False):
        now = self.clock.now()
        if force or now - self._last_report >= 1.0:
            self._last_report = now
            self.protection.report(**{k: v for k, v in vars(self.stats).items()},
                                   backoff=self._failures_in_a_row > 0)

    # --- one batch -----------------------------------------------------------------------------

    def _handle(self, messages: list[Message]) -> None:
        parsed, failed = [], []
        for message in messages:
            try:
                parsed.append((message, jobs.decode(message.body, self.model.name, message.message_id)))
            except jobs.InvalidJob as exc:
                failed.append((message, exc.job_id or message.message_id, exc.reason))
            except Exception as exc:  # noqa: BLE001 - one message's failure, recorded with its reason
                log.error("could not decode message %s", message.message_id, exc_info=True)
                failed.append((message, message.message_id, f"could not decode the message: {_describe(exc)}"))
        last = [(m, job) for m, job in parsed if self._max_receives is not None and m.receive_count >= self._max_receives]
        self._note_last_deliveries(last)
        with _Heartbeat(self.queue, messages, self.config.visibility_timeout_s, self.clock,
                        on_beat=(lambda: self._note_last_deliveries(last)) if last else None):
            predictions, model_failures = self._predict([job for _, job in parsed])
            failed.extend((m, job.job_id, model_failures[i]) for i, (m, job) in enumerate(parsed) if i in model_failures)
            ready = [(m, job, predictions[i]) for i, (m, job) in enumerate(parsed) if i in predictions]
            done, unstarted = self._emulate(ready)
            written = self._write_results(done)
            failed.extend((m, job_id, reason) for m, job_id, outcome, reason in written if outcome == "failed")
            self._record_failures(failed)
        self._settle(written, failed, unstarted)

    def _predict(self, batch: list[jobs.Job]) -> tuple[dict, dict]:
        """Predictions and failures by position in ``batch``, from one model call; a failing
        batch is retried job by job so one bad job cannot fail the others. Whatever the model
        raises is that job's failure: a systematic fault sends every job to the dead-letter queue,
        each with the reason, rather than crash-looping the worker."""
        if not batch:
            return {}, {}
        rows = [row for job in batch for row in job.inputs]
        try:
            labels = self.model.predict(rows)
            if len(labels) != len(rows):
                raise ValueError(f"the model returned {len(labels)} predictions for {len(rows)} inputs")
        except Exception:  # noqa: BLE001 - retried job by job below, where each failure is recorded
            log.warning("batch of %d jobs failed in the model; retrying one by one", len(batch), exc_info=True)
        else:
            out, start = {}, 0
            for i, job in enumerate(batch):
                out[i] = labels[start:start + len(job.inputs)]
                start += len(job.inputs)
            return out, {}
        out, failures = {}, {}
        for i, job in enumerate(batch):
            try:
                out[i] = self.model.predict(job.inputs)
            except Exception as exc:  # noqa: BLE001 - this job's failure, recorded with its reason
                failures[i] = f"model error: {_describe(exc)}"
        return out, failures

    def _emulate(self, ready):
        """EMULATION: sleep per input to stand in for a heavier model. Stops early, leaving the
        rest unstarted, when a stop's deadline would pass first."""
        per_item = self.config.emulated_seconds_per_item
        if per_item <= 0:
            return ready, []
        for index, (_, job, _) in enumerate(ready):
            needed = per_item * len(job.inputs)
            if self.stopping and needed > self._time_left():
                return ready[:index], ready[index:]
            end = self.clock.now() + needed
            while (left := end - self.clock.now()) > 0:
                if self.stopping and self._time_left() < left:
                    return ready[:index], ready[index:]
                self.clock.sleep(min(left, 0.05))
        return ready, []

    def _write_results(self, done):
        """Write results in parallel; returns (message, job id, outcome, reason) with outcome
        "written", "duplicate", "unavailable" (retry later) or "failed" (the store refused it)."""
        def write(item):
            message, job, predictions = item
            document = {
                "job_id": job.job_id, "model": job.model, "model_sha256": self.model.sha256,
                "predictions": predictions, "submitted_at": job.submitted_at,
                "completed_at": self.clock.time(), "worker": self.worker_id, "attempt": message.receive_count,
            }
            try:
                outcome = "written" if self.store.put_result(job.job_id, document) else "duplicate"
                return message, job.job_id, outcome, None
            except StoreUnavailable:
                log.warning("result store unavailable for job %s; it will be redelivered", job.job_id, exc_info=True)
                return message, job.job_id, "unavailable", None
            except Exception as exc:  # noqa: BLE001 - this job's failure (access denied, bad key...)
                log.error("result of job %s could not be stored", job.job_id, exc_info=True)
                return message, job.job_id, "failed", f"result could not be stored: {_describe(exc)}"
        if len(done) <= 1:
            return [write(item) for item in done]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.config.write_threads, thread_name_prefix="result-writer")
        return list(self._pool.map(write, done))

    def _note_last_deliveries(self, last):
        """Record, before a job's last allowed delivery runs, the outcome if this worker dies on
        it (see the module's failure rules); the result or a real error replaces it."""
        until = self.clock.time() + self.config.visibility_timeout_s
        for message, job in last:
            try:
                self.store.put_error(job.job_id, {
                    "job_id": job.job_id, "model": self.model.name, "message_id": message.message_id,
                    "reason": f"the worker stopped while processing it ({message.receive_count} deliveries)",
                    "attempt": message.receive_count, "max_attempts": self._max_receives, "dead_lettered": True,
                    "worker_stopped": True, "unless_done_by": until, "failed_at": until, "worker": self.worker_id,
                })
            except Exception:  # noqa: BLE001 - the job runs either way; only this record is missing
                log.warning("could not note the last delivery of job %s", job.job_id, exc_info=True)

    def _record_failures(self, failed):
        for message, job_id, reason in failed:
            dead = self._max_receives is not None and message.receive_count >= self._max_receives
            log.warning("job %s failed (attempt %d of %s): %s", job_id, message.receive_count,
                        self._max_receives or "unlimited", reason)
            try:
                self.store.put_error(job_id, {
                    "job_id": job_id, "model": self.model.name, "message_id": message.message_id,
                    "reason": reason, "attempt": message.receive_count, "max_attempts": self._max_receives,
                    "dead_lettered": dead, "failed_at": self.clock.time(), "worker": self.worker_id,
                })
            except Exception:  # noqa: BLE001 - the job is retried either way; only the record is missing
                log.warning("could not record the failure of job %s", job_id, exc_info=True)

    def _settle(self, written, failed, unstarted):
        to_delete = [m for m, _, outcome, _ in written if outcome in ("written", "duplicate")]
        self.stats.succeeded += sum(1 for *_, outcome, _ in written if outcome == "written")
        self.stats.duplicates += sum(1 for *_, outcome, _ in written if outcome == "duplicate")
        self.stats.failed += len(failed)
        retry_later = [m for m, *_ in failed] + [m for m, _, outcome, _ in written if outcome == "unavailable"]
        try:
            if to_delete:
                lost = self.queue.delete(to_delete)
                if lost:
                    # Redelivered elsewhere meanwhile: that consumer finds the result and deletes it.
                    log.info("%d receipts had expired; their jobs are already done", len(lost))
            if retry_later:
                self.queue.change_visibility(retry_later, self.config.retry_delay_s)
        except QueueUnavailable:
            log.warning("could not settle a batch; its messages will be redelivered", exc_info=True)
        self._release([m for m, *_ in unstarted])

    def _release(self, messages):
        if not messages:
            return
        try:
            self.queue.change_visibility(messages, 0)
            self.stats.released += len(messages)
            log.info("released %d messages to other workers", len(messages))
        except QueueUnavailable:
            log.warning("could not release %d messages; they return after the visibility timeout",
                        len(messages), exc_info=True)


def _describe(exc: BaseException) -> str:
    """An exception as a reason a person can read: its type and the start of its message."""
    text = str(exc)
    return f"{type(exc).__name__}: {text[:200]}{'...' if len(text) > 200 else ''}"


def _protection_from_env(environ, model_name):
    if environ.get("ECS_AGENT_URI"):
        return EcsTaskProtection(environ["ECS_AGENT_URI"])
    path = env_str("WORKER_STATUS_FILE", environ=environ)
    if path:
        return StatusFile(path, model=model_name, started_at=time.time())
    return NoProtection()


def main(environ=os.environ) -> int:
    logging.basicConfig(level=env_str("WORKER_LOG_LEVEL", "INFO", environ),
                        format="%(asctime)s %(levelname)s [worker %(process)d] %(message)s")
    try:
        config = WorkerConfig.from_env(environ)
        queue_url = env_required("QUEUE_URL", environ)
        model_uri = env_required("MODEL_S3_URI", environ)
        results_uri = env_required("RESULTS_S3_URI", environ)
    except SettingError as exc:
        log.error("%s", exc)
        return 2
    clients = aws.clients()
    worker_box = {}

    def on_signal(signum, _frame):
        worker = worker_box.get("worker")
        cold = signum == signal.SIGINT
        if worker is None:
            raise SystemExit(0)  # still loading the model: nothing is held, leave now
        log.info("signal %s: %s stop", signal.Signals(signum).name, "cold" if cold else "warm")
        worker.request_stop(cold=cold)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    status = _protection_from_env(environ, None)
    status.report(state="loading")
    model = _load_with_retries(clients.s3, model_uri, env_str("MODEL_SHA256", environ=environ))
    status.report(model=model.name, model_bytes=model.size_bytes, load_seconds=round(model.load_seconds, 3),
                  state="idle")
    worker = Worker(SqsQueue(clients.sqs, queue_url), S3ResultStore.from_uri(clients.s3, results_uri), model,
                    config, status)
    worker_box["worker"] = worker
    stats = worker.work()
    status.report(state="stopped")
    log.info("stopped: %s", stats)
    return 0


def _load_with_retries(s3, uri, sha, attempts=8):
    for attempt in range(attempts):
        try:
            return artifacts.load(s3, uri, expected_sha256=sha)
        except artifacts.ArtifactError:
            if attempt == attempts - 1:
                raise
            delay = compute_backoff_s(attempt, base_s=0.5, max_s=10)
            log.warning("model load failed; retrying in %.1f s", delay, exc_info=True)
            time.sleep(delay)


if __name__ == "__main__":
    sys.exit(main())
