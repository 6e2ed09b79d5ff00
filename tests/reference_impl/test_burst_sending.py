"""A burst goes out in SendMessageBatch calls of 10, several at once, and nothing changes for
the jobs: every body sent once, ids in the order of the bodies, the first refusal raised.
(How fast: benchmarks/lab_burst.py.)"""
import json
import threading

import boto3
import pytest
from moto import mock_aws

from reference_impl.aws import Clients
from reference_impl.local import burst
from reference_impl.model.catalog import spec
from reference_impl.queues import QueueUnavailable, SqsQueue
from reference_impl.service import ModelService


@pytest.fixture
def sqs(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


def test_a_burst_is_sent_in_batches_of_ten_in_parallel_with_ids_in_order(sqs):
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    threads, sizes = set(), []

    def seen(params, **kwargs):
        threads.add(threading.get_ident())
        sizes.append(len(params["Entries"]))
    sqs.meta.events.register("provide-client-params.sqs.SendMessageBatch", seen)
    bodies = [f"job-{i}" for i in range(95)]
    ids = SqsQueue(sqs, url).send(bodies)
    assert sorted(sizes) == [5] + [10] * 9 and len(threads) > 1  # ten batches, more than one sender
    received = {}
    while len(received) < 95:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            received[m["MessageId"]] = m["Body"]
    assert [received[i] for i in ids] == bodies  # the i-th id is the i-th body's


def test_a_refused_batch_raises(sqs):
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]

    def refuse(http_response=None, parsed=None, **kwargs):
        parsed["Failed"] = [{"Id": "0", "SenderFault": False, "Code": "InternalError", "Message": "try later"}]
    sqs.meta.events.register("after-call.sqs.SendMessageBatch", refuse)
    with pytest.raises(QueueUnavailable, match="SendMessageBatch failed"):
        SqsQueue(sqs, url).send([f"job-{i}" for i in range(30)])


def test_a_local_burst_queues_the_models_own_sample_inputs(sqs):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="results")
    url = sqs.create_queue(QueueName="digits-jobs")["QueueUrl"]
    service = ModelService("digits", url, "", "s3://results/models/digits.skops", "s3://results/results/")
    ids = burst.send(service, Clients(sqs, s3), "digits", 10, 25, 2)
    assert len(ids) == 25 and len(set(ids)) == 25
    bodies = []
    while len(bodies) < 25:
        bodies += [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
    first = min((json.loads(b) for b in bodies), key=lambda job: job["job_id"].rsplit("-", 1)[-1].zfill(4))
    assert first["inputs"] == spec("digits").sample_inputs(2, 20)  # job 10's two inputs: rows 20 and 21
    # The sample rows are copies: a caller that changes one changes no later burst's.
    rows = spec("digits").sample_inputs(1, 7)
    rows[0][0] = 99.0
    assert spec("digits").sample_inputs(1, 7)[0][0] != 99.0
