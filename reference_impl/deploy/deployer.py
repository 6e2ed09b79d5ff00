"""The lab deployer: plan, up, status, burst, down for one model service, with guardrails.

A Python API first (the labs web app calls it), the CLI in __main__.py second. Long operations
are generators of `Event`s so a caller can show progress while they run; each raises
`DeployError` (or `GuardrailError`, `ConfigError`) when it cannot finish, after saying why.
"""
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from reference_impl import aws_facts

from . import burst as bursts
from . import costs, preflight
from .config import MAX_TASKS_CAP, MAX_TTL_MINUTES, LabConfig, allowed_account_ids
from .events import DeployError, Event
from .guardrails import GuardrailError, check_account, open_session
from .template import parsed_template, template_body

STOP_WAIT_S = 300   # tasks get SIGKILL 120 s after SIGTERM (stopTimeout); twice that and some


@dataclass(frozen=True)
class Plan:
    account: str
    caller: str
    region: str
    stack_name: str
    expires_at: str
    parameters: dict[str, str]
    tags: dict[str, str]
    resources: list[tuple[str, str]]
    caps: dict[str, str]
    cost: costs.CostEstimate
    template_check: str
    checks: list = field(default_factory=list)   # preflight.Check, each pass or fail with its fix

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks)


@dataclass(frozen=True)
class LabStatus:
    stack_name: str
    stack_status: str              # CloudFormation's, or "ABSENT"
    expires_at: str | None = None
    seconds_left: int | None = None
    visible: int | None = None
    in_flight: int | None = None
    dead_letter: int | None = None
    desired: int | None = None
    running: int | None = None
    pending: int | None = None
    max_tasks: int | None = None   # the scalable target's MaxCapacity, when one is registered
    api_url: str | None = None
    queue_url: str | None = None


class Deployer:
    """One lab's stack. Every method checks the account allow-list before anything else."""

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
        self._identity: dict | None = None
        self._clients: dict[str, object] = {}

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

    # ------------------------------------------------------------ preflight and plan
    def preflight(self) -> list[preflight.Check]:
        """The read-only prerequisite checks (preflight.py); the account check raises first."""
        self.config.check()
        self._checked()
        _, subnet_ids = self._network()
        needed = self.config.policy.max_tasks * costs.task_size()["vcpu"]
        return preflight.run(self._client, self._identity, self.config, subnet_ids, needed)

    def plan(self) -> Plan:
        """What `up` would create, its caps, cost and prerequisite checks. Read-only: STS identity,
        EC2 Describe*, IAM GetRole and SimulatePrincipalPolicy, ECR DescribeImages, Service Quotas,
        CloudFormation ValidateTemplate."""
        checks = self.preflight()
        cf = self._client("cloudformation")
        try:
            cf.validate_template(TemplateBody=template_body())
        except ClientError as exc:
            raise DeployError(f"CloudFormation rejected the template: {exc}") from exc
        expires = self.config.expires_at(self._now())
        p = self.config.policy
        caps = {
            "time limit": f"{self.config.ttl_minutes} min (max {MAX_TTL_MINUTES}); deletes itself at {expires:%Y-%m-%d %H:%M} UTC",
            "tasks": f"0 to {p.max_tasks} (a lab may not exceed {MAX_TASKS_CAP})",
            "target backlog per task": f"{p.target_backlog_per_task:g} messages "
                                       f"({p.acceptable_latency_s:g} s acceptable latency / {p.seconds_per_message:g} s per message)",
            "account": f"{self._identity['Account']} (on LAB_ALLOWED_ACCOUNT_IDS)",
        }
        resources = [(logical, spec["Type"]) for logical, spec in parsed_template()["Resources"].items()]
        return Plan(account=self._identity["Account"], caller=self._identity["Arn"], region=self.config.region,
                    stack_name=self.config.stack_name, expires_at=expires.isoformat(),
                    parameters=self.config.stack_parameters(expires, *self._network()), tags=self.config.tags(expires),
                    resources=resources, caps=caps,
                    cost=costs.estimate(p.max_tasks, self.config.ttl_minutes),
                    template_check="CloudFormation ValidateTemplate accepted the template", checks=checks)

    # ------------------------------------------------------------ up
    def up(self, upload_model: bool = True, ballast_mb: int = 0) -> Iterator[Event]:
        """Create the stack through a change set, streaming its events; then upload the model.

        The model is the worker's own (reference_impl.model): trained, saved as skops with its
        sha256 as metadata (the worker refuses an artifact without it), padded with `ballast_mb`
        megabytes so the class can see what loading a 1.5 GB model costs each new task.
        """
        self.config.check()
        if self.config.stack_role_arn is None:
            raise GuardrailError("stack_role_arn (--stack-role-arn) is required: the scheduled teardown deletes the "
                                 "stack with this CloudFormation service role (see the README's IAM section)")
        checks = self.preflight()
        if not all(c.ok for c in checks):
            raise preflight.PreflightError(checks)
        cf = self._client("cloudformation")
        yield Event("info", f"account {self._identity['Account']} is allowed; caller {self._identity['Arn']}")
        if self._stack() is not None:
            raise GuardrailError(f"stack {self.config.stack_name} already exists; use status, or down first")
        expires = self.config.expires_at(self._now())
        name = f"create-{expires:%Y%m%d%H%M%S}"
        try:
            change_set = cf.create_change_set(
                StackName=self.config.stack_name, ChangeSetName=name, ChangeSetType="CREATE",
                TemplateBody=template_body(), Capabilities=["CAPABILITY_IAM"],
                RoleARN=self.config.stack_role_arn,
                Parameters=[{"ParameterKey": k, "ParameterValue": v}
                            for k, v in self.config.stack_parameters(expires, *self._network()).items()],
                Tags=[{"Key": k, "Value": v} for k, v in self.config.tags(expires).items()],
            )
        except ClientError as exc:
            raise DeployError(f"CreateChangeSet failed: {exc}") from exc
        described = self._wait_change_set(cf, change_set["Id"])
        total = len(described.get("Changes", []))
        yield Event("changeset", f"change set {name}: {total} resources to add; executing", 0, total,
                    {"changes": [c["ResourceChange"]["LogicalResourceId"] for c in described.get("Changes", [])]})
        cf.execute_change_set(ChangeSetName=change_set["Id"])
        status = yield from self._stream(cf, change_set["StackId"], total, "CREATE")
        if status != "CREATE_COMPLETE":
            raise DeployError(f"stack {self.config.stack_name} ended {status}; run `down` to remove what is left")
        if upload_model:
            from reference_impl.model.artifacts import build_and_upload  # scikit-learn: only here
            uri = f"s3://{self._physical_ids()['Bucket']}/{self.config.model_key}"
            yield Event("info", f"training model {self.config.model_name} and uploading it to {uri}")
            artifact = build_and_upload(self._client("s3"), self.config.model_name, uri, ballast_mb)
            yield Event("info", f"model uploaded: {artifact.size_bytes} bytes, sha256 {artifact.sha256}")
        yield Event("done", f"stack {self.config.stack_name} is up; it deletes itself at {expires:%H:%M} UTC",
                    total, total, {"stack_id": change_set["StackId"], "expires_at": expires.isoformat()})

    def _wait_change_set(self, cf, change_set_id: str) -> dict:
        deadline = time.monotonic() + self._timeout_s
        while True:
            described = cf.describe_change_set(ChangeSetName=change_set_id)
            if described["Status"] == "CREATE_COMPLETE":
                return described
            if described["Status"] == "FAILED":
                raise DeployError(f"change set failed: {described.get('StatusReason', 'no reason given')}")
            if time.monotonic() > deadline:
                raise DeployError(f"change set still {described['Status']} after {self._timeout_s:g} s")
            self._sleep(self._poll_s)

    def _stream(self, cf, stack_id: str, total: int, action: str) -> Iterator[Event]:
        """Yield each new stack event until the stack leaves *_IN_PROGRESS; return its status."""
        seen: set[str] = set()
        done = 0
        deadline = time.monotonic() + self._timeout_s
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
                raise DeployError(f"stack still {status} after {self._timeout_s:g} s")
            self._sleep(self._poll_s)

    # ------------------------------------------------------------ status
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
        deleted (a rolled-back or half-deleted stack lists them) are left out, so status and down
        never call a queue or service that is gone.
        """
        listed = self._client("cloudformation").describe_stack_resources(StackName=self.config.stack_name)
        return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in listed["StackResources"]
                if r.get("LogicalResourceId") and r.get("PhysicalResourceId")
                and not r.get("ResourceStatus", "").startswith("DELETE")}

    def _api_url(self, ids: dict[str, str]) -> str | None:
        if "Api" not in ids:
            return None
        return f"https://{ids['Api']}.execute-api.{self.config.region}.amazonaws.com/v1"

    def status(self) -> LabStatus:
        stack = self._stack()
        if stack is None:
            return LabStatus(self.config.stack_name, "ABSENT")
        tags = {t["Key"]: t["Value"] for t in stack.get("Tags", [])}
        expires = tags.get("expires-at")
        left = None
        if expires:
            left = int((datetime.fromisoformat(expires).replace(tzinfo=timezone.utc) - self._now()).total_seconds())
        if stack["StackStatus"].startswith("DELETE"):
            # Resources vanish one by one while a stack is deleted; only the status is reliable.
            return LabStatus(self.config.stack_name, stack["StackStatus"], expires, left)
        ids = self._physical_ids()
        fields: dict = {}
        if "JobQueue" in ids:
            sqs = self._client("sqs")
            attrs = sqs.get_queue_attributes(QueueUrl=ids["JobQueue"], AttributeNames=[
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            fields.update(visible=int(attrs["ApproximateNumberOfMessages"]),
                          in_flight=int(attrs["ApproximateNumberOfMessagesNotVisible"]), queue_url=ids["JobQueue"])
        if "DeadLetterQueue" in ids:
            attrs = self._client("sqs").get_queue_attributes(
                QueueUrl=ids["DeadLetterQueue"], AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
            fields["dead_letter"] = int(attrs["ApproximateNumberOfMessages"])
        if "Service" in ids and "Cluster" in ids:
            services = self._client("ecs").describe_services(cluster=ids["Cluster"], services=[ids["Service"]])["services"]
            if services:
                fields.update(desired=services[0]["desiredCount"], running=services[0]["runningCount"],
                              pending=services[0].get("pendingCount", 0))
                target = self._scalable_target(ids)
                if target is not None:
                    fields["max_tasks"] = target["MaxCapacity"]
        return LabStatus(self.config.stack_name, stack["StackStatus"], expires, left,
                         api_url=self._api_url(ids), **fields)

    def _resource_id(self, ids: dict[str, str]) -> str:
        return f"service/{ids['Cluster'].rsplit('/', 1)[-1]}/{ids['Service'].rsplit('/', 1)[-1]}"

    def _scalable_target(self, ids: dict[str, str]) -> dict | None:
        found = self._client("application-autoscaling").describe_scalable_targets(
            ServiceNamespace="ecs", ResourceIds=[self._resource_id(ids)],
            ScalableDimension="ecs:service:DesiredCount")["ScalableTargets"]
        return found[0] if found else None

    # ------------------------------------------------------------ burst
    def burst(self, count: int, via: str = "auto", api_url: str | None = None,
              inputs_per_job: int = 1, workers: int = 8) -> Iterator[Event]:
        """Submit `count` jobs through the API (signed with the caller's IAM identity) or the queue.

        via="auto" uses the API when the stack has one and says so; "queue" sends with SQS
        SendMessageBatch; "api" insists on the API. Each job is the job contract's message
        (reference_impl.jobs.encode) made of the model's own sample inputs.
        """
        if not 1 <= count <= bursts.MAX_BURST:
            raise ValueError(f"count is {count}; a burst is 1 to {bursts.MAX_BURST} jobs")
        if via not in ("auto", "api", "queue"):
            raise ValueError(f"via is {via!r}; allowed: auto, api, queue")
        ids = self._physical_ids()
        url = api_url or self._api_url(ids)
        if via == "api" and url is None:
            raise DeployError(f"stack {self.config.stack_name} has no API")
        if via in ("auto", "api") and url is not None:
            yield Event("info", f"submitting {count} jobs through the API: POST {url}/jobs (SigV4-signed)", 0, count)
            credentials = self._checked().get_credentials()
            if credentials is None:
                raise GuardrailError("no AWS credentials in the standard chain to sign API requests with")
            make = bursts.job_maker(self.config.model_name, inputs_per_job, for_api=True)
            yield from bursts.through_api(url, count, make, credentials.get_frozen_credentials(),
                                         self.config.region, workers)
        else:
            why = "as asked" if via == "queue" else "the stack has no API URL"
            yield Event("info", f"submitting {count} jobs directly to the queue ({why}): {ids['JobQueue']}", 0, count)
            make = bursts.job_maker(self.config.model_name, inputs_per_job)
            yield from bursts.to_queue(self._client("sqs"), ids["JobQueue"], count, make)

    # ------------------------------------------------------------ down
    def down(self) -> Iterator[Event]:
        """Hold the service at 0, wait for tasks to stop, empty the bucket, delete the stack.

        The same order as the template's reaper: CloudFormation cannot delete a non-empty
        bucket, and a running worker could write a result after it was emptied.
        """
        stack = self._stack()
        if stack is None:
            yield Event("done", f"stack {self.config.stack_name} does not exist; nothing to delete")
            return
        ids = self._physical_ids()
        if "Service" in ids and "Cluster" in ids:
            target = self._scalable_target(ids)
            if target is not None:
                self._client("application-autoscaling").register_scalable_target(
                    ServiceNamespace="ecs", ResourceId=self._resource_id(ids),
                    ScalableDimension="ecs:service:DesiredCount", MinCapacity=0, MaxCapacity=0)
                yield Event("info", "scaling held at 0 (MaxCapacity 0)")
            ecs = self._client("ecs")
            ecs.update_service(cluster=ids["Cluster"], service=ids["Service"], desiredCount=0)
            yield Event("info", "service desired count set to 0; waiting for tasks to stop")
            running = self._wait_stopped(ecs, ids)
            yield Event("info", f"{running} tasks running" if running else "no task running")
        if "Bucket" in ids:
            deleted = self._empty_bucket(ids["Bucket"])
            yield Event("info", f"bucket {ids['Bucket']} emptied ({deleted} objects)")
        cf = self._client("cloudformation")
        cf.delete_stack(StackName=stack["StackId"])
        total = len(ids)
        status = yield from self._stream(cf, stack["StackId"], total, "DELETE")
        if status != "DELETE_COMPLETE":
            raise DeployError(f"stack {self.config.stack_name} ended {status}; see its events in the console")
        yield Event("done", f"stack {self.config.stack_name} deleted", total, total)

    def _wait_stopped(self, ecs, ids: dict[str, str]) -> int:
        deadline = time.monotonic() + STOP_WAIT_S
        while True:
            service = ecs.describe_services(cluster=ids["Cluster"], services=[ids["Service"]])["services"][0]
            if service["runningCount"] == 0 or time.monotonic() > deadline:
                return service["runningCount"]
            self._sleep(self._poll_s)

    def _empty_bucket(self, bucket: str) -> int:
        s3 = self._client("s3")
        deleted = 0
        try:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
                if keys:
                    s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
                    deleted += len(keys)
        except (ClientError, BotoCoreError) as exc:
            raise DeployError(f"could not empty bucket {bucket}: {exc}") from exc
        return deleted


