"""One lab's stack as every job sees it: the guarded session, one client per service, and the
reads of the stack that plan, up, status and teardown share.

A `LabStack` is cheap to keep: the labs app keeps one per AWS lab between polls (labs/deployers.py),
so the session, the STS account check and the clients are made once, not once a poll.
"""
import time
from collections.abc import Callable, Generator
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, TypeVar

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from reference_impl import aws_facts

from . import bootstrap as bootstraps
from .config import LabConfig, allowed_account_ids
from .events import DeployError, Event
from .guardrails import GuardrailError, check_account, open_session

T = TypeVar("T")


class LabStack:
    """One lab's stack. Every read and change checks the account allow-list before anything else."""

    def __init__(self, config: LabConfig, *, session: boto3.Session | None = None, role_arn: str | None = None,
                 allowed_accounts: frozenset[str] | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 sleep: Callable[[float], None] = time.sleep, poll_s: float = 5.0, timeout_s: float = 3600):
        self.config = config
        self._base_session = session
        self._role_arn = role_arn
        self._allowed = allowed_account_ids() if allowed_accounts is None else allowed_accounts
        self._now, self._sleep, self._poll_s, self._timeout_s = now, sleep, poll_s, timeout_s
        self._session: boto3.Session | None = None
        self._identity: dict[str, str] | None = None
        self._clients: dict[str, Any] = {}
        self._bootstrap: dict[str, str] | None | bool = False   # False: not read yet
        # What status.py reads once per stack status (status._steady), and the status it was read in.
        self._steady_key: tuple[str, str] | None = None
        self._steady: dict[str, Any] = {}

    @property
    def identity(self) -> dict[str, str]:
        """STS GetCallerIdentity of the allowed account (read once, with the session)."""
        self._checked()
        assert self._identity is not None  # _checked sets it or raises
        return self._identity

    def bootstrap_outputs(self) -> dict[str, str] | None:
        """The account's labs-bootstrap outputs (stack role, boundary, template URL, topic), or None."""
        if self._bootstrap is False:
            self._bootstrap = bootstraps.read_outputs(self._client("cloudformation"))
        return self._bootstrap if isinstance(self._bootstrap, dict) else None

    def stack_role_arn(self) -> str | None:
        """--stack-role-arn if given, else the bootstrap's service role."""
        return self.config.stack_role_arn or (self.bootstrap_outputs() or {}).get("StackRoleArn")

    def _resolved(self) -> LabConfig:
        return replace(self.config, stack_role_arn=self.stack_role_arn())

    def _stack_parameters(self, expires: datetime) -> dict[str, str]:
        """The template's parameters, with the bootstrap's boundary and alert topic."""
        outputs = self.bootstrap_outputs() or {}
        vpc_id, subnet_ids = self._network()
        return self.config.stack_parameters(expires, vpc_id, subnet_ids,
                                            boundary_arn=outputs.get("PermissionsBoundaryArn", ""),
                                            alert_topic_arn=outputs.get("AlertTopicArn", ""))

    # ------------------------------------------------------------ guardrails and clients
    def _checked(self) -> boto3.Session:
        if self._session is None:
            session = open_session(self.config.region, self._role_arn, f"lab-{self.config.owner}",
                                   base=self._base_session)
            self._identity = check_account(session, self._allowed)
            self._session = session
        return self._session

    def _client(self, name: str):
        """One client per name; "iam:simulate" is a second IAM client, kept apart so the policy
        simulation (which moto lacks) can be stubbed on its own in tests."""
        if name not in self._clients:
            self._clients[name] = self._checked().client(name.split(":")[0], region_name=self.config.region)
        return self._clients[name]

    def _network(self) -> tuple[str, tuple[str, ...]]:
        """The configured VPC and subnets, or the account's default VPC and its default subnets."""
        if self.config.vpc_id:
            return self.config.vpc_id, tuple(self.config.subnet_ids)
        ec2 = self._client("ec2")
        vpcs = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
        if not vpcs:
            raise GuardrailError(f"{self.config.region} has no default VPC; pass --vpc-id and --subnet-ids "
                                 "(subnets with a route to an internet gateway)")
        vpc_id = vpcs[0]["VpcId"]
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                {"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
        # Where Fargate runs in some zones only, the default subnets of the others are left out.
        only = aws_facts.FARGATE_ZONES_ONLY.get(self.config.region)
        subnets = [s for s in subnets if only is None or s.get("AvailabilityZoneId") in only]
        if not subnets:
            raise GuardrailError(f"default VPC {vpc_id} has no default subnets; pass --vpc-id and --subnet-ids")
        return vpc_id, tuple(sorted(s["SubnetId"] for s in subnets))

    def _waiter_config(self, timeout_s: float) -> dict:
        delay = max(0, int(self._poll_s))
        return {"Delay": delay, "MaxAttempts": max(1, int(timeout_s // max(delay, 1)))}

    def _stream(self, cf, stack_id: str, total: int, action: str,
                timeout_s: float | None = None) -> Generator[Event, None, str]:
        """Yield each new stack event until the stack leaves *_IN_PROGRESS; return its status.

        A poll of its own rather than a botocore waiter: a waiter cannot report the events as
        they come, and the progress is what the class watches."""
        seen: set[str] = set()
        done = 0
        timeout_s = self._timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                events = cf.describe_stack_events(StackName=stack_id)["StackEvents"]
                status = cf.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
            except ClientError as exc:
                if action == "DELETE" and "does not exist" in str(exc):
                    return "DELETE_COMPLETE"
                raise DeployError(f"lost track of stack {stack_id}: {exc}") from exc
            for ev in reversed(events):  # the API lists newest first
                if ev["EventId"] in seen:
                    continue
                seen.add(ev["EventId"])
                is_stack = ev.get("ResourceType") == "AWS::CloudFormation::Stack"
                if not is_stack and ev["ResourceStatus"] == f"{action}_COMPLETE":
                    done += 1
                reason = f" ({ev['ResourceStatusReason']})" if ev.get("ResourceStatusReason") else ""
                yield Event("stack" if is_stack else "resource",
                            f"{ev['LogicalResourceId']} {ev.get('ResourceType', '')} {ev['ResourceStatus']}{reason}",
                            min(done, total), total)
            if not status.endswith("_IN_PROGRESS"):
                return status
            if time.monotonic() > deadline:
                raise DeployError(f"stack still {status} after {timeout_s:g} s")
            self._sleep(self._poll_s)

    # ------------------------------------------------------------ reads of the stack
    def _stack(self) -> dict | None:
        try:
            return self._client("cloudformation").describe_stacks(StackName=self.config.stack_name)["Stacks"][0]
        except ClientError as exc:
            if "does not exist" in str(exc):
                return None
            raise DeployError(f"DescribeStacks failed: {exc}") from exc

    def _physical_ids(self) -> dict[str, str]:
        """Logical id -> physical id of the resources that exist now.

        Read from the resources, not Outputs (the same on AWS and moto). Resources already
        deleted or being deleted (a rolled-back or half-deleted stack lists them) are left out, so
        status and down never call a queue or service that is gone; DELETE_FAILED ones still
        exist (a bucket that was not empty), and a retried `down` must empty them.
        """
        listed = self._client("cloudformation").describe_stack_resources(StackName=self.config.stack_name)
        return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in listed["StackResources"]
                if r.get("LogicalResourceId") and r.get("PhysicalResourceId")
                and r.get("ResourceStatus") not in ("DELETE_COMPLETE", "DELETE_IN_PROGRESS")}

    def _api_url(self, ids: dict[str, str]) -> str | None:
        if "Api" not in ids:
            return None
        return f"https://{ids['Api']}.execute-api.{self.config.region}.amazonaws.com/v1"

    def _failure_reason(self, stack: dict) -> str | None:
        """CloudFormation's reason and each resource that failed, for a failed or rolled-back stack."""
        status = stack["StackStatus"]
        if not (status.endswith("FAILED") or "ROLLBACK" in status):
            return None
        events = self._client("cloudformation").describe_stack_events(StackName=stack["StackId"])["StackEvents"]
        failed = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', 'no reason given')}" for e in events
                  if e["ResourceStatus"].endswith("FAILED") and e.get("ResourceType") != "AWS::CloudFormation::Stack"]
        parts = [stack.get("StackStatusReason") or status, *dict.fromkeys(failed)]
        return "; ".join(parts[:6])

    def _resource_id(self, ids: dict[str, str]) -> str:
        return f"service/{ids['Cluster'].rsplit('/', 1)[-1]}/{ids['Service'].rsplit('/', 1)[-1]}"

    def _scalable_target(self, ids: dict[str, str]) -> dict | None:
        found = self._client("application-autoscaling").describe_scalable_targets(
            ServiceNamespace="ecs", ResourceIds=[self._resource_id(ids)],
            ScalableDimension="ecs:service:DesiredCount")["ScalableTargets"]
        return found[0] if found else None

    def _step(self, name: str, action: Callable[[], T]) -> tuple[T | None, str | None]:
        """Run one step of a teardown: its result, or None and what failed (the next step runs)."""
        try:
            return action(), None
        except (ClientError, BotoCoreError) as exc:
            return None, f"{name} failed: {exc}; carrying on"
