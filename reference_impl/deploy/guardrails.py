"""Checks that need AWS: which account the credentials reach, and how credentials are obtained.

Credentials come only from boto3's standard chain (environment, shared config and SSO, instance
or container role) or from assuming a role with those; the deployer never reads, asks for or
stores a secret, and the assumed role's temporary credentials live in memory only.
"""
import re

import boto3
from botocore.exceptions import BotoCoreError, ClientError


class GuardrailError(RuntimeError):
    """A lab must not proceed: wrong account, no time limit, over the task cap, no credentials."""


_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


def open_session(region: str, role_arn: str | None = None, session_name: str = "lab-deployer",
                 base: boto3.Session | None = None) -> boto3.Session:
    """A session from the standard chain, or one that has assumed `role_arn` from it (1 hour)."""
    base = base or boto3.Session(region_name=region)
    if role_arn is None:
        return base
    if not _ROLE_ARN.fullmatch(role_arn):
        raise GuardrailError(f"--role-arn {role_arn!r} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
    try:
        creds = base.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name[:64],
                                               DurationSeconds=3600)["Credentials"]
    except (ClientError, BotoCoreError) as exc:
        raise GuardrailError(f"could not assume {role_arn}: {exc}") from exc
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name=region)


def check_account(session: boto3.Session, allowed: frozenset[str]) -> dict:
    """The caller identity, if its account is on the allow-list; GuardrailError otherwise."""
    if not allowed:
        raise GuardrailError("LAB_ALLOWED_ACCOUNT_IDS is empty: set it to the sandbox account id(s) labs may use")
    try:
        identity = session.client("sts").get_caller_identity()
    except (ClientError, BotoCoreError) as exc:
        raise GuardrailError(f"could not identify the caller with STS GetCallerIdentity: {exc}") from exc
    if identity["Account"] not in allowed:
        raise GuardrailError(f"account {identity['Account']} (caller {identity['Arn']}) is not in "
                             f"LAB_ALLOWED_ACCOUNT_IDS ({', '.join(sorted(allowed))}); refusing to touch it")
    return identity
