"""The queue boundary's contract (queues.py), checked on both implementations: the in-memory
queue the fast worker tests use must behave as SQS (LocalStack) does where the worker relies on it."""
import json
import uuid

import pytest

from reference_impl.queues import InMemoryQueue, QueueCounts, SqsQueue
from tests.support import wait_for

pytestmark = pytest.mark.localstack


def _sqs_pair(clients, visibility_s, max_receives):
    tag = uuid.uuid4().hex[:10]
    dlq_url = clients.sqs.create_queue(QueueName=f"contract-{tag}-dlq")["QueueUrl"]
    arn = clients.sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = clients.sqs.create_queue(QueueName=f"contract-{tag}", Attributes={
        "VisibilityTimeout": str(visibility_s),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": str(max_receives)})})["QueueUrl"]
    return SqsQueue(clients.sqs, url), SqsQueue(clients.sqs, dlq_url)


def _memory_pair(visibility_s, max_receives):
    dlq = InMemoryQueue()
    return InMemoryQueue(visibility_timeout_s=visibility_s, redrive_max_receives=max_receives, dead_letter=dlq), dlq


@pytest.fixture(params=["in-memory", "sqs"])
def make_pair(request):
    if request.param == "in-memory":
        return _memory_pair
    clients = request.getfixturevalue("clients")
    return lambda visibility_s, max_receives: _sqs_pair(clients, visibility_s, max_receives)


def test_a_received_message_is_hidden_until_deleted(make_pair):
    queue, _ = make_pair(30, 3)
    queue.send(["a", "b"])
    first = queue.receive(1, 0)
    assert [m.receive_count for m in first] == [1]
    assert queue.counts() == QueueCounts(1, 1)
    assert queue.delete(first) == []
    assert queue.counts() == QueueCounts(1, 0)


def test_releasing_makes_a_message_visible_at_once_with_a_higher_count(make_pair):
    queue, _ = make_pair(30, 5)
    queue.send(["a"])
    [message] = queue.receive(1, 1)
    assert queue.change_visibility([message], 0) == []
    [again] = queue.receive(1, 1)
    assert again.message_id == message.message_id and again.receive_count == 2
    assert again.body == "a"


def test_an_unsettled_message_returns_after_the_visibility_timeout(make_pair):
    queue, _ = make_pair(1, 5)
    queue.send(["a"])
    assert len(queue.receive(1, 0)) == 1
    assert queue.receive(1, 0) == []
    [again] = wait_for(lambda: queue.receive(1, 0), 10, "the message visible again")
    assert again.receive_count == 2


def test_after_max_receives_the_message_moves_to_the_dead_letter_queue(make_pair):
    queue, dlq = make_pair(30, 2)
    queue.send(["poison"])
    for _ in range(2):
        [message] = queue.receive(1, 1)
        queue.change_visibility([message], 0)
    assert queue.receive(1, 1) == []
    assert queue.max_receive_count() == 2
    [dead] = dlq.receive(1, 1)
    assert dead.body == "poison"


def test_batches_hold_at_most_ten(make_pair):
    queue, _ = make_pair(30, 3)
    ids = queue.send([str(i) for i in range(23)])
    assert len(set(ids)) == 23
    got = []
    while batch := queue.receive(10, 0):
        assert len(batch) <= 10
        got.extend(batch)
        assert queue.delete(batch) == []
    assert sorted(m.body for m in got) == sorted(str(i) for i in range(23))
    with pytest.raises(ValueError, match="max_messages must be 1-10, got 11"):
        queue.receive(11, 0)


def test_ten_large_messages_are_sent_in_batches_sqs_accepts(clients):
    # Ten 200 KB bodies are ten valid messages but 2 MB together: SendMessageBatch takes 1 MiB.
    queue, _ = _sqs_pair(clients, visibility_s=30, max_receives=3)
    bodies = [json.dumps({"n": i, "pad": "x" * 200_000}) for i in range(10)]
    assert len(queue.send(bodies)) == 10
    received = []
    while batch := queue.receive(10, 0):
        received.extend(batch)
    assert sorted(json.loads(m.body)["n"] for m in received) == list(range(10))
