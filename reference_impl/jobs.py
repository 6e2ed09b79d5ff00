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

Job status, from ``get``:

* ``done``: the result exists (predictions, one per input, in input order).
* ``failed``: the job failed on its last allowed attempt; SQS moves it to the model's dead-letter
  queue on the next receive. ``error.reason`` says why.
* ``retrying``: it failed at least once and has attempts left.
* ``pending``: nothing written yet (queued, running, or an id nobody submitted).
"""
import json
import time
import uuid
from dataclasses import dataclass

from reference_impl.model.catalog import ModelSpec, spec as model_spec
from reference_impl.queues import Queue
from reference_impl.results import ResultStore, check_job_id

# Small enough that one receive of 10 jobs is a batch the model handles in milliseconds and a
# message stays far below SQS's message size limit (256 KiB for years, 1 MiB since 2025; see
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html),
# which MAX_MESSAGE_BYTES keeps to the older, smaller figure.
MAX_INPUTS_PER_JOB = 100
MAX_MESSAGE_BYTES = 256 * 1024


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


def new_job_id(model: str) -> str:
    # The model name in the id lets `result JOB_ID` find the right service without a lookup.
    return f"{model}.{uuid.uuid4().hex}"


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
    job_id = check_job_id(job_id) if job_id else new_job_id(model)
    return job_id, _body(model, inputs, job_id, now_s)


def api_body(model: str, inputs, now_s: float | None = None) -> str:
    """A validated message body for the deployed API (POST /jobs), without a job id: the API
    answers with the SQS message id, and the worker stores the result under that id, so it is
    the id to ask GET /jobs/{id} for. A body that carried its own job id would be stored under
    that id instead, which the API's caller never learns."""
    return _body(model, inputs, None, now_s)


def decode(body: str, model: str, message_id: str) -> Job:
    """Parse and check a message as the worker receives it; InvalidJob carries the job id if known."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidJob(f"body is not JSON: {exc.msg} at position {exc.pos}", job_id=message_id) from None
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
    submitted = data.get("submitted_at")
    return Job(job_id, model, rows, submitted if isinstance(submitted, (int, float)) else None)


def submit(model: str, inputs, *, queue: Queue) -> str:
    """Queue one job (one or more inputs) and return its id; nothing is sent if any input is invalid."""
    job_id, body = encode(model, inputs)
    queue.send([body])
    return job_id


def submit_many(model: str, jobs: list, *, queue: Queue) -> list[str]:
    """Queue several jobs in SQS batches of 10; every job is checked before the first is sent."""
    encoded = [encode(model, inputs) for inputs in jobs]
    queue.send([body for _, body in encoded])
    return [job_id for job_id, _ in encoded]


def get(job_id: str, *, store: ResultStore) -> dict:
    check_job_id(job_id)
    result = store.get_result(job_id)
    if result is not None:
        return {"job_id": job_id, "status": "done", "result": result}
    error = store.get_error(job_id)
    if error is not None:
        return {"job_id": job_id, "status": "failed" if error.get("dead_lettered") else "retrying", "error": error}
    return {"job_id": job_id, "status": "pending"}


def model_of(job_id: str) -> str | None:
    """The model named in an id made by new_job_id; None for other ids (SQS message ids)."""
    name, dot, _ = job_id.partition(".")
    return name if dot else None
