"""The queue boundary: what the worker and the job API need from a queue, and nothing more.

Contract (both implementations keep it, and the worker relies on nothing else):

* ``receive(max_messages, wait_s)`` blocks for at most ``wait_s`` seconds and returns up to
  ``max_messages`` (1-10) messages, or ``[]``. A returned message is hidden from other consumers
  until its visibility timeout passes, it is deleted, or its visibility is changed.
* Delivery is at least once: the same message can come back (after a crash, a lapsed visibility
  timeout, or a duplicate delivery), with ``receive_count`` one higher each time it is received.
* After ``max_receive_count`` receives without a delete the queue moves the message to its
  dead-letter queue (SQS's redrive policy), so a consumer never has to.
* ``delete`` and ``change_visibility`` take messages from ``receive`` and return the ones that
  failed (for example a receipt that expired because the message was redelivered elsewhere).
* ``change_visibility(messages, 0)`` releases messages to other consumers at once.
* ``counts()`` returns the visible and in-flight numbers the autoscaler reads.
* Every method raises ``QueueUnavailable`` when the queue cannot be reached right now (endpoint
  down, queue not there yet); callers back off and retry, nothing is lost.

``InMemoryQueue`` serves fast unit tests of the worker loop; ``SqsQueue`` is the boto3 path that
runs on AWS and against LocalStack.
"""
import itertools
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from reference_impl import aws_facts

# ReceiveMessage returns 1-10 messages and long-polls up to 20 s; batch calls take up to 10
# entries of at most 1 MiB together; a visibility timeout (and a message's delay before retry) is
# at most 12 hours. Sources in aws_facts.
MAX_BATCH = int(aws_facts.value("sqs_receive_max_messages"))
MAX_BATCH_ENTRIES = int(aws_facts.value("sqs_batch_max_entries"))
MAX_BATCH_BYTES = int(aws_facts.value("sqs_batch_max_bytes"))
MAX_WAIT_S = int(aws_facts.value("sqs_long_poll_max_s"))
MAX_VISIBILITY_S = int(aws_facts.value("sqs_visibility_timeout_max_s"))
# Batches in flight at once when sending many: boto3's clients are thread-safe
# (https://boto3.amazonaws.com/v1/documentation/api/latest/guide/clients.html#multithreading-or-multiprocessing-with-clients),
# and the clients of reference_impl.aws hold 20 connections, so 8 senders never wait for one.
SENDERS = 8


class QueueUnavailable(Exception):
    """The queue cannot be reached now; retrying later is safe."""


@dataclass(frozen=True)
class Message:
    message_id: str
    receipt_handle: str
    body: str
    receive_count: int
    # Epoch seconds when the message was sent, as the queue reports it.
    sent_at_s: float | None = None


@dataclass(frozen=True)
class QueueCounts:
    visible: int
    in_flight: int


class Queue(Protocol):
    def receive(self, max_messages: int, wait_s: float) -> list[Message]: ...
    def delete(self, messages: list[Message]) -> list[Message]: ...
    def change_visibility(self, messages: list[Message], timeout_s: int) -> list[Message]: ...
    def send(self, bodies: list[str]) -> list[str]: ...
    def counts(self) -> QueueCounts: ...
    def max_receive_count(self) -> int | None: ...


def _check_batch(max_messages: int, wait_s: float) -> None:
    if not 1 <= max_messages <= MAX_BATCH:
        raise ValueError(f"max_messages must be 1-{MAX_BATCH}, got {max_messages}")
    if not 0 <= wait_s <= MAX_WAIT_S:
        raise ValueError(f"wait_s must be 0-{MAX_WAIT_S}, got {wait_s}")


def _chunks(items, size=MAX_BATCH_ENTRIES):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _send_chunks(bodies):
    """Batches of at most 10 bodies whose sizes add up to at most the batch limit (1 MiB): ten
    bodies of 256 KiB each are valid messages but not a valid batch."""
    chunk: list[str] = []
    size = 0
    for body in bodies:
        length = len(body.encode())
        if chunk and (len(chunk) == MAX_BATCH_ENTRIES or size + length > MAX_BATCH_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(body)
        size += length
    if chunk:
        yield chunk


# --- in memory ---------------------------------------------------------------------------------

@dataclass
class _Stored:
    message_id: str
    body: str
    sent_at_s: float
    receive_count: int = 0
    visible_at: float = 0.0
    receipt: str | None = None


@dataclass
class InMemoryQueue:
    """SQS semantics in one process: visibility timeout, receive counts, redrive, counts.

    ``clock`` drives visibility (inject a fake one to step time in tests); blocking in
    ``receive`` uses real time. Set ``unavailable`` to make every call raise ``QueueUnavailable``,
    as an endpoint outage would.
    """

    visibility_timeout_s: float = aws_facts.value("sqs_visibility_timeout_default_s")
    redrive_max_receives: int | None = None
    dead_letter: "InMemoryQueue | None" = None
    clock: Callable[[], float] = time.monotonic
    unavailable: bool = False
    _messages: dict = field(default_factory=dict)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _seq: itertools.count = field(default_factory=itertools.count)

    def _check(self):
        if self.unavailable:
            raise QueueUnavailable("in-memory queue marked unavailable")

    def send(self, bodies):
        self._check()
        ids = []
        with self._cond:
            for body in bodies:
                mid = str(uuid.uuid4())
                # Insertion order (a dict keeps it) stands in for SQS's best-effort ordering.
                self._messages[mid] = _Stored(mid, body, time.time())
                ids.append(mid)
            self._cond.notify_all()
        return ids

    def _take(self, max_messages):
        now = self.clock()
        taken: list[Message] = []
        for stored in list(self._messages.values()):
            if len(taken) == max_messages:
                break
            if stored.visible_at > now:
                continue
            if self.redrive_max_receives is not None and stored.receive_count >= self.redrive_max_receives:
                # SQS moves the message when a receive would exceed maxReceiveCount.
                del self._messages[stored.message_id]
                if self.dead_letter is not None:
                    self.dead_letter._adopt(stored)
                continue
            stored.receive_count += 1
            stored.visible_at = now + self.visibility_timeout_s
            stored.receipt = f"{stored.message_id}#{next(self._seq)}"
            taken.append(Message(stored.message_id, stored.receipt, stored.body, stored.receive_count,
                                 stored.sent_at_s))
        return taken

    def _adopt(self, stored):
        with self._cond:
            self._messages[stored.message_id] = _Stored(stored.message_id, stored.body, stored.sent_at_s,
                                                         receive_count=stored.receive_count)
            self._cond.notify_all()

    def receive(self, max_messages=MAX_BATCH, wait_s=0):
        _check_batch(max_messages, wait_s)
        self._check()
        deadline = time.monotonic() + wait_s
        with self._cond:
            while True:
                taken = self._take(max_messages)
                remaining = deadline - time.monotonic()
                if taken or remaining <= 0:
                    return taken
                self._cond.wait(min(remaining, 0.05))

    def _current(self, message):
        stored = self._messages.get(message.message_id)
        return stored if stored is not None and stored.receipt == message.receipt_handle else None

    def delete(self, messages):
        self._check()
        failed = []
        with self._cond:
            for message in messages:
                if self._current(message) is None:
                    failed.append(message)
                else:
                    del self._messages[message.message_id]
        return failed

    def change_visibility(self, messages, timeout_s):
        self._check()
        failed = []
        with self._cond:
            for message in messages:
                stored = self._current(message)
                if stored is None:
                    failed.append(message)
                else:
                    stored.visible_at = self.clock() + timeout_s
            self._cond.notify_all()
        return failed

    def counts(self):
        self._check()
        with self._cond:
            now = self.clock()
            in_flight = sum(1 for s in self._messages.values() if s.visible_at > now)
            return QueueCounts(len(self._messages) - in_flight, in_flight)

    def max_receive_count(self):
        return self.redrive_max_receives

    def bodies(self) -> list[str]:
        """Every message body still held, visible or not (for assertions)."""
        with self._cond:
            return [s.body for s in self._messages.values()]


# --- SQS ---------------------------------------------------------------------------------------

_UNAVAILABLE_CODES = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist",
                      "ServiceUnavailable", "InternalError", "RequestThrottled", "ThrottlingException"}


def _translate(call, *args, **kwargs):
    """Run a boto3 call; endpoint and transient failures become QueueUnavailable."""
    try:
        return call(*args, **kwargs)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _UNAVAILABLE_CODES:
            raise QueueUnavailable(str(exc)) from exc
        raise
    except BotoCoreError as exc:  # connection refused, timeouts, closed connections
        raise QueueUnavailable(str(exc)) from exc


class SqsQueue:
    """The boto3 implementation. ``client`` is an SQS client; ``url`` the queue URL."""

    def __init__(self, client, url: str):
        self.client = client
        self.url = url

    def send(self, bodies):
        """SendMessageBatch of up to 10, up to SENDERS batches at once (a batch is one round trip;
        sent one after another, 100 batches of a 1,000-job burst took seconds). The ids come back
        in the order of `bodies`; the first failed batch raises, after the others in flight end."""
        chunks = list(_send_chunks(bodies))
        if len(chunks) <= 1:
            return [i for chunk in chunks for i in self._send_batch(chunk)]
        with ThreadPoolExecutor(max_workers=min(SENDERS, len(chunks)), thread_name_prefix="sqs-send") as pool:
            return [i for ids in pool.map(self._send_batch, chunks) for i in ids]

    def _send_batch(self, chunk: list[str]) -> list[str]:
        entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)]
        response = _translate(self.client.send_message_batch, QueueUrl=self.url, Entries=entries)
        if response.get("Failed"):
            raise QueueUnavailable(f"SendMessageBatch failed for {response['Failed']}")
        by_id = {entry["Id"]: entry["MessageId"] for entry in response["Successful"]}
        return [by_id[str(i)] for i in range(len(chunk))]

    def receive(self, max_messages=MAX_BATCH, wait_s=0):
        _check_batch(max_messages, wait_s)
        response = _translate(
            self.client.receive_message, QueueUrl=self.url, MaxNumberOfMessages=max_messages,
            WaitTimeSeconds=int(wait_s), MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
        )
        return [
            Message(m["MessageId"], m["ReceiptHandle"], m["Body"],
                    int(m.get("Attributes", {}).get("ApproximateReceiveCount", 1)),
                    int(m.get("Attributes", {}).get("SentTimestamp", 0)) / 1000 or None)
            for m in response.get("Messages", [])
        ]

    def _batch(self, call, messages, **extra):
        failed: list[Message] = []
        for chunk in _chunks(messages):
            entries = [{"Id": str(i), "ReceiptHandle": m.receipt_handle, **extra} for i, m in enumerate(chunk)]
            response = _translate(call, QueueUrl=self.url, Entries=entries)
            failed.extend(chunk[int(f["Id"])] for f in response.get("Failed", []))
        return failed

    def delete(self, messages):
        return self._batch(self.client.delete_message_batch, messages)

    def change_visibility(self, messages, timeout_s):
        return self._batch(self.client.change_message_visibility_batch, messages, VisibilityTimeout=int(timeout_s))

    def counts(self):
        attrs = _translate(self.client.get_queue_attributes, QueueUrl=self.url,
                           AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        attrs = attrs["Attributes"]
        return QueueCounts(int(attrs["ApproximateNumberOfMessages"]), int(attrs["ApproximateNumberOfMessagesNotVisible"]))

    def max_receive_count(self):
        attrs = _translate(self.client.get_queue_attributes, QueueUrl=self.url, AttributeNames=["RedrivePolicy"])
        policy = attrs.get("Attributes", {}).get("RedrivePolicy")
        return int(json.loads(policy)["maxReceiveCount"]) if policy else None
