"""boto3 clients for the reference system, configured once.

Environment (boto3's own variables; nothing here reads credentials):

* ``AWS_ENDPOINT_URL``: send every call to this endpoint instead of AWS (LocalStack on loopback
  when the local runtime runs). Unset on AWS.
* ``AWS_REGION`` / ``AWS_DEFAULT_REGION``: the region; ``us-east-1`` when neither is set.

Credentials come only from boto3's standard chain (environment, profile, ECS task role). The local
runtime's clients carry LocalStack's dummy ``test``/``test`` keys in a session of their own
(``local/runtime.py``, ``local_clients``), and its worker processes get them in their environment;
nothing here writes the process's environment, so the chain any other code sees is untouched.
"""
import os
from dataclasses import dataclass

import boto3
from botocore.config import Config

from reference_impl import aws_facts

DEFAULT_REGION = "us-east-1"

# Short timeouts so a vanished endpoint is noticed in seconds, not after botocore's 60 s
# default; the worker's own backoff (worker.py) decides how long to keep trying. The read
# timeout must exceed the longest long-poll wait, with time for the answer to arrive.
_CONFIG = Config(
    connect_timeout=3,
    read_timeout=aws_facts.value("sqs_long_poll_max_s") + 5,
    retries={"max_attempts": 2, "mode": "standard"},
    max_pool_connections=20,
)


def region(environ=os.environ) -> str:
    return environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


@dataclass(frozen=True)
class Clients:
    sqs: object
    s3: object


def clients(endpoint_url: str | None = None, region_name: str | None = None,
            credentials: dict | None = None) -> Clients:
    """SQS and S3 clients for one endpoint (``None``: ``AWS_ENDPOINT_URL`` if set, else AWS).

    ``credentials`` (``{"aws_access_key_id": ..., "aws_secret_access_key": ...}``) are for this
    session only; without them, boto3's standard chain. boto3 clients are thread-safe, so one
    pair serves a whole process (sessions are not; the session is created here, once per call).
    """
    session = boto3.session.Session(region_name=region_name or region(), **(credentials or {}))
    endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
    return Clients(
        sqs=session.client("sqs", endpoint_url=endpoint_url, config=_CONFIG),
        s3=session.client("s3", endpoint_url=endpoint_url, config=_CONFIG),
    )
