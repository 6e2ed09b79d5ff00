"""One deployer per AWS lab, kept between polls.

Building a `Deployer` costs a boto3 session, an STS GetCallerIdentity (the account allow-list) and
a client per service; its status() then re-reads only what changes (reference_impl/deploy/status.py).
So the background poll keeps one per AWS lab here instead of making one per poll.

Bounded (MAX_KEPT, least recently used out first) and keyed by what the deployer was built from:
the lab's stack, model, owner, region and cap, and a fingerprint of where boto3's chain finds
credentials (the variables that select them and the shared files' change times) with the account
allow-list. A change to any of those builds a new one on the next poll. `forget` drops a lab's
(teardown calls it); so does an AWS answer that the credentials are no longer good, so the next
poll starts over from boto3's chain. Nothing secret is kept beyond what boto3's session holds in
memory; the fingerprint is a hash.
"""
import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

import boto3

MAX_KEPT = 32  # a class runs a handful of AWS labs at once; more is rebuilt, never refused
# The variables boto3's credential chain reads to choose credentials
# (https://boto3.amazonaws.com/v1/documentation/api/latest/guide/credentials.html), and the allow-list.
CHAIN_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                   "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
                   "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                   "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "LAB_ALLOWED_ACCOUNT_IDS")
# Error codes meaning the credentials no longer work (expired or replaced): drop the deployer.
CREDENTIAL_ERRORS = frozenset({"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
                               "UnrecognizedClientException", "RequestExpired", "InvalidAccessKeyId",
                               "SignatureDoesNotMatch", "AuthFailure"})

_kept: "OrderedDict[int, tuple[tuple, object]]" = OrderedDict()
_lock = threading.Lock()


def credential_fingerprint() -> str:
    parts = [f"{name}={os.environ.get(name, '')}" for name in CHAIN_VARIABLES]
    for variable, default in (("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"), ("AWS_CONFIG_FILE", "~/.aws/config")):
        path = Path(os.environ.get(variable) or default).expanduser()
        try:
            parts.append(f"{path}@{path.stat().st_mtime_ns}")
        except OSError:
            parts.append(f"{path}@absent")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def new_session(region: str) -> boto3.Session:
    """A session from boto3's standard chain (the only source of credentials)."""
    return boto3.Session(region_name=region)


def deployer_for(lab, build):
    """The lab's kept deployer, or a new one from `build(session)` when none fits."""
    key = (lab.stack_name, lab.model_name, lab.owner.get_username(), lab.aws_region, lab.max_tasks,
           credential_fingerprint())
    with _lock:
        kept = _kept.get(lab.pk)
        if kept is not None and kept[0] == key:
            _kept.move_to_end(lab.pk)
            return kept[1]
    deployer = build(new_session(lab.aws_region))
    with _lock:
        _kept[lab.pk] = (key, deployer)
        _kept.move_to_end(lab.pk)
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    return deployer


def forget(lab_pk: int) -> None:
    with _lock:
        _kept.pop(lab_pk, None)


def forget_if_credentials_failed(lab_pk: int, exc: BaseException) -> None:
    """Drop the lab's deployer when AWS said its credentials no longer work."""
    code = getattr(exc, "response", {}).get("Error", {}).get("Code") if hasattr(exc, "response") else None
    if code in CREDENTIAL_ERRORS or "credentials" in type(exc).__name__.lower():
        forget(lab_pk)


def kept_count() -> int:
    with _lock:
        return len(_kept)


def keep_only(lab_pks) -> None:
    """Drop the deployers of labs no longer polled (ended, failed, deleted)."""
    wanted = set(lab_pks)
    with _lock:
        for pk in [pk for pk in _kept if pk not in wanted]:
            del _kept[pk]
