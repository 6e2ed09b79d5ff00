"""The asynchronous job contract: submit now, read the result later.

A job is one or more inputs for one named model. ``submit`` checks every input against the
model's rules (catalog.py) before anything is queued, sends one SQS message to that model's queue
and returns the job id at once. A worker later writes the job's result under
``results/<job_id>.json`` (results.py); ``get`` reads it back.

Message body (JSON, also what the deployed API forwards from clients)::

    {"job_id": "digits.3f2a...", "model": "digits", "inputs": [[...64 numbers...], ...],
     "submitted_at": 1764350000.123}

``job_id`` and ``submitted_at`` may be missing when a client posts straight to the queue (the
deployed API Gateway does); the worker then uses the SQS message id as the job id, which is the id
that API returns.

Job ids made here are ``<model>.<submission>-<n>``: the model (so ``result JOB_ID`` finds its
service without a lookup), the submission they were queued in, their place in it.

Job status, from ``get``:

* ``done``: the result exists (predictions, one per input, in input order).
* ``failed``: the job failed on its last allowed attempt; SQS moves it to the model's dead-letter
  queue on the next receive. ``error.reason`` says why, also when no worker could write it: a
  worker that died on each delivery (SIGKILL, out of memory) leaves "the worker stopped while
  processing it (N deliveries)", noted before the last delivery began (worker.py).
* ``running``: on its last allowed delivery, which has not yet finished nor timed out.
* ``retrying``: it failed at least once and has attempts left.
* ``queued``: queued or running: this endpoint recorded its submission and nothing else yet.
* ``unknown``: not known to this endpoint: an id made here whose submission this endpoint has no
  record of (the local endpoint keeps everything in memory, so a restart forgets every job), or
  one never submitted.
* ``pending``: no result yet, for an id not made here (an SQS message id from the deployed API),
  which carries no submission record to check.
"""
import json
import math
import re
import time
import uuid
from dataclasses import dataclass

from reference_impl import aws_facts
from reference_impl.model.catalog import ModelSpec, spec as model_spec
from reference_impl.queues import Queue
from reference_impl.results import ResultStore, check_job_id

# Small enough that one receive of 10 jobs is a batch the model handles in milliseconds and a
# message stays far below SQS's message size limit (1 MiB since August 2025, 256 KiB before).
# MAX_MESSAGE_BYTES keeps to the older, smaller figure, which queues set to it then still enforce.
MAX_INPUTS_PER_JOB = 100
MAX_MESSAGE_BYTES = int(aws_facts.value("sqs_message_max_bytes_before_2025"))


class InvalidJob(ValueError):
    """A job the model cannot run; the message names the field and what is allowed."""

    def __init__(self, reason: str, job_id: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.job_id = job_id


@dataclass(frozen=True)
class Job:
    job_id: str
    model: str
    inputs: list
    submitted_at: float | None


_SUBMITTED_JOB_ID = re.compile(r"^([a-z0-9_]+\.[0-9a-f]{32})-(\d{1,6})$")
# The Unix time the newest submitted_at may carry: year 2286, far past any real clock, far below
# the float range, so a latency computed from it is always a number.
MAX_SUBMITTED_AT_S = 1e10


def new_submission_id(model: str) -> str:
    return f"{model}.{uuid.uuid4().hex}"


def submission_of(job_id: str) -> tuple[str, int] | None:
    """(submission id, place in it) for an id made by ``submit``; None for other ids."""
    match = _SUBMITTED_JOB_ID.match(job_id)
    return (match.group(1), int(match.group(2))) if match else None


def check_inputs(model: ModelSpec, inputs) -> list[list[float]]:
    if not isinstance(inputs, (list, tuple)):
        raise InvalidJob(f"inputs: expected a list of inputs, got {type(inputs).__name__}")
    if not inputs:
        raise InvalidJob(f"inputs: at least one input is needed (at most {MAX_INPUTS_PER_JOB})")
    if len(inputs) > MAX_INPUTS_PER_JOB:
        raise InvalidJob(f"inputs: {len(inputs)} inputs in one job; at most {MAX_INPUTS_PER_JOB} are allowed, "
                         "split them into several jobs")
    if not isinstance(inputs[0], (list, tuple)) and isinstance(inputs[0], (int, float)):
        raise InvalidJob("inputs: expected a list of inputs, got one input; wrap it in a list: [[...]]")
    try:
        return [model.check_input(row, where=f"inputs[{i}]") for i, row in enumerate(inputs)]
    except ValueError as exc:
        raise InvalidJob(str(exc)) from None


def _body(model: str, inputs, job_id: str | None, now_s: float | None) -> str:
    rows = check_inputs(model_spec(model), inputs)
    data = {"model": model, "inputs": rows, "submitted_at": time.time() if now_s is None else now_s}
    if job_id is not None:
        data["job_id"] = job_id
    body = json.dumps(data, separators=(",", ":"))
    if len(body.encode()) > MAX_MESSAGE_BYTES:
        raise InvalidJob(f"inputs: the job encodes to {len(body.encode())} bytes; at most {MAX_MESSAGE_BYTES} fit "
                         "in one message, use fewer inputs per job")
    return body


def encode(model: str, inputs, job_id: str | None = None, now_s: float | None = None) -> tuple[str, str]:
    """Validate and encode one job: (job_id, message body)."""
    job_id = check_job_id(job_id) if job_id else f"{new_submission_id(model)}-0"
    return job_id, _body(model, inputs, job_id, now_s)


def api_body(model: str, inputs, now_s: float | None = None) -> str:
    """A validated message body for the deployed API (POST /jobs), without a job id: the API
    answers with the SQS message id, and the worker stores the result under that id, so it is
    the id to ask GET /jobs/{id} for. A body that carried its own job id would be stored under
    that id instead, which the API's caller never learns."""
    return _body(model, inputs, None, now_s)


def decode(body: str, model: str, message_id: str) -> Job:
    """Parse and check a message as the worker receives it. Any body a client can send either
    decodes or raises InvalidJob with the reason and the job id if known; nothing else."""
    try:
        return _decode(body, model, message_id)
    except InvalidJob:
        raise
    except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:
        # Not reached by any body we know of; if a new one finds a gap, it is still refused.
        raise InvalidJob(f"body could not be read: {type(exc).__name__}: {str(exc)[:200]}", job_id=message_id) from None


def _decode(body, model, message_id):
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidJob(f"body is not JSON: {exc.msg} at position {exc.pos}", job_id=message_id) from None
    except RecursionError:
        raise InvalidJob("body: JSON nested too deeply to read", job_id=message_id) from None
    except ValueError as exc:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        raise InvalidJob(f"body is not JSON this worker reads: {exc}", job_id=message_id) from None
    if not isinstance(data, dict):
        raise InvalidJob(f"body: expected a JSON object, got {type(data).__name__}", job_id=message_id)
    job_id = data.get("job_id") or message_id
    try:
        check_job_id(job_id)
    except ValueError as exc:
        raise InvalidJob(str(exc), job_id=message_id) from None
    if data.get("model", model) != model:
        raise InvalidJob(f"model: this queue serves {model!r}, the job asks for {data.get('model')!r}", job_id=job_id)
    try:
        rows = check_inputs(model_spec(model), data.get("inputs"))
    except InvalidJob as exc:
        raise InvalidJob(exc.reason, job_id=job_id) from None
    return Job(job_id, model, rows, _submitted_at(data.get("submitted_at")))


def _submitted_at(value) -> float | None:
    """A plausible Unix time, or None: results carry it and readers subtract it from a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        value = float(value)
    except OverflowError:
        return None
    return value if math.isfinite(value) and 0 <= value <= MAX_SUBMITTED_AT_S else None


def submit(model: str, inputs, *, queue: Queue, store: ResultStore) -> str:
    """Queue one job (one or more inputs) and return its id; nothing is sent if any input is invalid."""
    return submit_many(model, [inputs], queue=queue, store=store)[0]


def submit_many(model: str, jobs: list, *, queue: Queue, store: ResultStore) -> list[str]:
    """Queue several jobs in SQS batches of 10; every job is checked before the first is sent.
    The submission is recorded in ``store`` first, so ``get`` can tell its jobs are queued."""
    submission = new_submission_id(model)
    ids = [f"{submission}-{n}" for n in range(len(jobs))]
    now_s = time.time()
    bodies = [encode(model, inputs, job_id, now_s)[1] for job_id, inputs in zip(ids, jobs)]
    store.put_submission(submission, {"submission": submission, "model": model, "jobs": len(ids),
                                      "submitted_at": now_s})
    queue.send(bodies)
    return ids


def get(job_id: str, *, store: ResultStore, now_s: float | None = None) -> dict:
    check_job_id(job_id)
    result = store.get_result(job_id)
    if result is not None:
        return {"job_id": job_id, "status": "done", "result": result}
    error = store.get_error(job_id)
    until = error.get("unless_done_by") if error is not None else None
    if until is not None and (time.time() if now_s is None else now_s) < until:
        # The note of a last delivery still under way: it comes true only if the worker dies.
        return {"job_id": job_id, "status": "running", "attempt": error.get("attempt"),
                "max_attempts": error.get("max_attempts")}
    if error is not None:
        return {"job_id": job_id, "status": "failed" if error.get("dead_lettered") else "retrying", "error": error}
    submission = submission_of(job_id)
    if submission is None:
        return {"job_id": job_id, "status": "pending"}
    record = store.get_submission(submission[0])
    if record is not None and submission[1] < record.get("jobs", 0):
        return {"job_id": job_id, "status": "queued", "submitted_at": record.get("submitted_at")}
    return {"job_id": job_id, "status": "unknown"}


def model_of(job_id: str) -> str | None:
    """The model named in an id made by ``submit``; None for other ids (SQS message ids)."""
    name, dot, _ = job_id.partition(".")
    return name if dot else None
