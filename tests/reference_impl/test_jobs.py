"""The job contract: what submit accepts and refuses, what the worker reads back, job status."""
import json
import math

import pytest

from reference_impl import jobs
from reference_impl.queues import InMemoryQueue
from reference_impl.results import InMemoryResultStore
from tests.reference_impl.support import POISON, ROW


def test_submit_queues_one_message_and_returns_the_id_at_once():
    queue = InMemoryQueue()
    job_id = jobs.submit("digits", [ROW, ROW], queue=queue, store=InMemoryResultStore())
    [body] = queue.bodies()
    data = json.loads(body)
    assert data["job_id"] == job_id and job_id.startswith("digits.")
    assert data["model"] == "digits" and len(data["inputs"]) == 2


@pytest.mark.parametrize("inputs, message", [
    ([], "at least one input"),
    (ROW, "wrap it in a list"),
    ([[0.0] * 63], "inputs[0]: expected 64 numbers for model 'digits', got 63"),
    ([ROW, [17.0] * 64], "inputs[1][0]: 17.0 is outside 0..16"),
    ([[math.nan] * 64], "inputs[0][0]: nan is outside"),
    ([[True] * 64], "inputs[0][0]: expected a number, got bool"),
    ([["1"] * 64], "inputs[0][0]: expected a number, got str"),
    ([ROW] * 101, "101 inputs in one job; at most 100"),
    ("pixels", "expected a list of inputs, got str"),
])
def test_invalid_inputs_are_refused_with_the_field_and_rule(inputs, message):
    queue = InMemoryQueue()
    with pytest.raises(jobs.InvalidJob, match=None) as info:
        jobs.submit("digits", inputs, queue=queue, store=InMemoryResultStore())
    assert message in str(info.value)
    assert queue.bodies() == []


def test_unknown_model_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown model 'resnet'; known models: digits, iris"):
        jobs.submit("resnet", [ROW], queue=InMemoryQueue(), store=InMemoryResultStore())


def test_submit_many_sends_nothing_when_any_job_is_invalid():
    queue, store = InMemoryQueue(), InMemoryResultStore()
    with pytest.raises(jobs.InvalidJob):
        jobs.submit_many("iris", [[[5.1, 3.5, 1.4, 0.2]], [[5.1, 3.5, 1.4]]], queue=queue, store=store)
    assert queue.bodies() == [] and store.submissions == {}


def test_submit_many_returns_ids_in_order_of_the_jobs():
    queue = InMemoryQueue()
    ids = jobs.submit_many("iris", [[[5.1, 3.5, 1.4, 0.2]]] * 23, queue=queue, store=InMemoryResultStore())
    assert len(set(ids)) == 23
    assert [json.loads(b)["job_id"] for b in queue.bodies()] == ids


def test_decode_uses_the_message_id_when_the_client_sent_no_job_id():
    # The deployed API Gateway forwards the client's body as is and answers with the message id.
    job = jobs.decode(json.dumps({"inputs": [ROW]}), "digits", "5e3c-message-id")
    assert job.job_id == "5e3c-message-id" and job.submitted_at is None


def test_api_bodies_carry_no_job_id_so_the_message_id_is_the_job_id():
    body = jobs.api_body("digits", [ROW], now_s=12.5)
    assert "job_id" not in json.loads(body)
    job = jobs.decode(body, "digits", "mid-from-the-api")
    assert job.job_id == "mid-from-the-api" and job.submitted_at == 12.5
    with pytest.raises(jobs.InvalidJob, match="expected 64 numbers"):
        jobs.api_body("digits", [[1.0]])


@pytest.mark.parametrize("body, reason", [
    ("not json", "body is not JSON"),
    ("[1, 2]", "expected a JSON object, got list"),
    (json.dumps({"model": "iris", "inputs": [ROW]}), "this queue serves 'digits', the job asks for 'iris'"),
    (json.dumps({"job_id": "../etc", "inputs": [ROW]}), "job id '../etc' is not valid"),
    (json.dumps({"job_id": "j1", "inputs": [[99] * 64]}), "99 is outside"),
])
def test_decode_refuses_what_the_worker_cannot_run(body, reason):
    with pytest.raises(jobs.InvalidJob) as info:
        jobs.decode(body, "digits", "mid-1")
    assert reason in info.value.reason
    assert info.value.job_id in ("mid-1", "j1")


def test_get_tells_queued_jobs_from_jobs_this_endpoint_does_not_know():
    store = InMemoryResultStore()
    [job_id] = jobs.submit_many("digits", [[ROW]], queue=InMemoryQueue(), store=store)
    assert jobs.get(job_id, store=store)["status"] == "queued"
    # The same id at an endpoint that restarted empty (a fresh store), or one never submitted.
    assert jobs.get(job_id, store=InMemoryResultStore())["status"] == "unknown"
    assert jobs.get(job_id[:-1] + "7", store=store)["status"] == "unknown"
    # An SQS message id (the deployed API's job ids) carries no submission to look up.
    assert jobs.get("5e3c2b1a-0000-4000-8000-000000000000", store=store)["status"] == "pending"


def test_get_reports_pending_then_retrying_then_failed_then_done():
    store = InMemoryResultStore()
    assert jobs.get("digits.a1", store=store)["status"] == "pending"
    store.put_error("digits.a1", {"reason": "boom", "attempt": 1, "dead_lettered": False})
    assert jobs.get("digits.a1", store=store)["status"] == "retrying"
    store.put_error("digits.a1", {"reason": "boom", "attempt": 3, "dead_lettered": True})
    failed = jobs.get("digits.a1", store=store)
    assert failed["status"] == "failed" and failed["error"]["reason"] == "boom"
    store.put_result("digits.a1", {"predictions": [7]})
    assert jobs.get("digits.a1", store=store) == {"job_id": "digits.a1", "status": "done",
                                                   "result": {"predictions": [7]}}


def test_get_refuses_ids_that_are_not_keys():
    with pytest.raises(ValueError, match="is not valid"):
        jobs.get("a/../../b", store=InMemoryResultStore())


def test_model_of_reads_the_model_from_ids_made_here_only():
    assert jobs.model_of(jobs.encode("iris", [[5.1, 3.5, 1.4, 0.2]])[0]) == "iris"
    assert jobs.model_of("5e3c2b1a-0000-4000-8000-000000000000") is None


@pytest.mark.parametrize("kind", POISON)
def test_decode_refuses_every_poison_body_with_its_reason_and_nothing_else(kind):
    body, reason = POISON[kind]
    if reason is None:
        # Decodes; the out-of-range submission time is dropped, so no reader computes with it.
        assert jobs.decode(body, "digits", "mid-9").submitted_at is None
        return
    with pytest.raises(jobs.InvalidJob) as info:
        jobs.decode(body, "digits", "mid-9")
    assert reason in info.value.reason and len(info.value.reason) < 300
    assert info.value.job_id == "mid-9"
