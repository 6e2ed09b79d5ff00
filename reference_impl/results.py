"""The results store: one object per job, written once.

Layout under a prefix (``RESULTS_S3_URI``, e.g. ``s3://bucket/results/``):

* ``<prefix><job_id>.json``: the job's result. Written with a conditional put
  (``If-None-Match: *``, S3 conditional writes,
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html), so the first
  write wins and a redelivered message never replaces it with a second, different result.
* ``<prefix><job_id>.error.json``: the latest failure of a job that has not succeeded (reason,
  attempt, attempts allowed before the dead-letter queue). Overwritten on each attempt.
* ``<prefix><submission_id>.submitted``: written by ``jobs.submit`` before it queues a submission's
  jobs (how many, when), so ``result`` tells a job still queued or running from one this endpoint
  has never seen (after a restart of the in-memory local endpoint, for example). Not ``.json``:
  readers that count results by that suffix are not misled.

The deployed API reads ``results/{id}.json`` directly (deploy/template.yaml), so this layout is
part of the public contract.
"""
import json
import re
import threading
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError

JOB_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class StoreUnavailable(Exception):
    """The store cannot be reached now; retrying later is safe."""


def check_job_id(job_id: str) -> str:
    if not isinstance(job_id, str) or not JOB_ID_PATTERN.match(job_id):
        raise ValueError(f"job id {job_id!r} is not valid: 1-128 characters, letters, digits, '.', '_' "
                         "or '-', starting with a letter or digit")
    return job_id


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix/`` -> (bucket, "some/prefix/")."""
    match = re.fullmatch(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.*)", uri or "")
    if not match:
        raise ValueError(f"{uri!r} is not an S3 URI of the form s3://bucket/key-or-prefix")
    return match.group(1), match.group(2)


def _encode(document: dict) -> bytes:
    # Sorted keys: the same result is byte-identical whichever worker writes it.
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


class ResultStore(Protocol):
    def put_result(self, job_id: str, document: dict) -> bool:
        """Store the job's result unless one exists; True if this call wrote it."""

    def put_error(self, job_id: str, document: dict) -> None: ...
    def get_result(self, job_id: str) -> dict | None: ...
    def get_error(self, job_id: str) -> dict | None: ...
    def put_submission(self, submission_id: str, document: dict) -> None: ...
    def get_submission(self, submission_id: str) -> dict | None: ...


class InMemoryResultStore:
    def __init__(self):
        self.results: dict[str, bytes] = {}
        self.errors: dict[str, bytes] = {}
        self.submissions: dict[str, bytes] = {}
        self.writes_refused = 0
        self._lock = threading.Lock()

    def put_result(self, job_id, document):
        with self._lock:
            if job_id in self.results:
                self.writes_refused += 1
                return False
            self.results[job_id] = _encode(document)
            return True

    def put_error(self, job_id, document):
        with self._lock:
            self.errors[job_id] = _encode(document)

    def get_result(self, job_id):
        raw = self.results.get(job_id)
        return None if raw is None else json.loads(raw)

    def get_error(self, job_id):
        raw = self.errors.get(job_id)
        return None if raw is None else json.loads(raw)

    def put_submission(self, submission_id, document):
        with self._lock:
            self.submissions[check_job_id(submission_id)] = _encode(document)

    def get_submission(self, submission_id):
        raw = self.submissions.get(submission_id)
        return None if raw is None else json.loads(raw)


class S3ResultStore:
    def __init__(self, s3, bucket: str, prefix: str):
        self.s3, self.bucket, self.prefix = s3, bucket, prefix

    @classmethod
    def from_uri(cls, s3, uri: str) -> "S3ResultStore":
        bucket, prefix = parse_s3_uri(uri)
        return cls(s3, bucket, prefix)

    def result_key(self, job_id):
        return f"{self.prefix}{check_job_id(job_id)}.json"

    def error_key(self, job_id):
        return f"{self.prefix}{check_job_id(job_id)}.error.json"

    def submission_key(self, submission_id):
        return f"{self.prefix}{check_job_id(submission_id)}.submitted"

    def put_result(self, job_id, document):
        try:
            self.s3.put_object(Bucket=self.bucket, Key=self.result_key(job_id), Body=_encode(document),
                               ContentType="application/json", IfNoneMatch="*")
            return True
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            # 412: a result exists. 409: a concurrent conditional write to the same key is in
            # progress (S3 documents this for racing writers); the other writer's result stands.
            if code in ("PreconditionFailed", "ConditionalRequestConflict"):
                return False
            raise _unavailable_or(exc)
        except BotoCoreError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def _put(self, key, document):
        try:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=_encode(document), ContentType="application/json")
        except ClientError as exc:
            raise _unavailable_or(exc)
        except BotoCoreError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def put_error(self, job_id, document):
        self._put(self.error_key(job_id), document)

    def put_submission(self, submission_id, document):
        self._put(self.submission_key(submission_id), document)

    def _get(self, key):
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise _unavailable_or(exc)
        except BotoCoreError as exc:
            raise StoreUnavailable(str(exc)) from exc
        return json.loads(body)

    def get_result(self, job_id):
        return self._get(self.result_key(job_id))

    def get_error(self, job_id):
        return self._get(self.error_key(job_id))

    def get_submission(self, submission_id):
        return self._get(self.submission_key(submission_id))

    def job_ids(self) -> tuple[set[str], set[str]]:
        """(job ids with a result, job ids with an error record) under the prefix."""
        results, errors = set(), set()
        paginator = self.s3.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    name = item["Key"][len(self.prefix):]
                    if name.endswith(".error.json"):
                        errors.add(name[:-len(".error.json")])
                    elif name.endswith(".json"):
                        results.add(name[:-len(".json")])
        except BotoCoreError as exc:
            raise StoreUnavailable(str(exc)) from exc
        return results, errors


def _unavailable_or(exc: ClientError) -> Exception:
    code = exc.response.get("Error", {}).get("Code")
    if code in ("NoSuchBucket", "ServiceUnavailable", "SlowDown", "InternalError"):
        return StoreUnavailable(str(exc))
    return exc
