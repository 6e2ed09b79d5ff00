"""The lab deployer: plan, up, status, burst, down for one model service, with guardrails.

A Python API first (the labs web app calls it), the CLI in __main__.py second. Long operations
are generators of `Event`s so a caller can show progress while they run; each raises
`DeployError` (or `GuardrailError`, `ConfigError`) when it cannot finish, after saying why.
"""
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

import boto3
from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from reference_impl import aws_facts

from . import bootstrap as bootstraps
from . import burst as bursts
from . import costs, preflight
from .config import DOWN_TIMEOUT_S, MAX_TASKS_CAP, MAX_TTL_MINUTES, LabConfig, allowed_account_ids
from .events import DeployError, Event
from .guardrails import GuardrailError, check_account, open_session
from .template import parsed_template, template_body

# Tasks get SIGKILL at most 120 s after SIGTERM (Fargate's longest stopTimeout); twice that and a
# minute to spare before `down` stops waiting for them.
STOP_WAIT_S = 2 * aws_facts.value("ecs_stop_timeout_max_s") + 60
LAB_TAGS = ("owner", "lab", "expires-at")   # what this tool tags every stack with; `down` needs them


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
    max_tasks: int | None = None   # the scalable target's MaxCapacity, when one is registered
    api_url: str | None = None
    queue_url: str | None = None
    # The lab takes jobs: the stack is CREATE_COMPLETE and the model was uploaded and verified.
    ready: bool = False
    # Why the stack is in a *_FAILED or ROLLBACK_* state (DELETE_FAILED: what could not be
    # deleted and CloudFormation's reason); `Deployer.retry_delete()` tries the deletion again.
    reason: str | None = None
    # The scaler held the service at zero because no task stayed running for 10 minutes: when,
    # and why the tasks stopped (ECS's stoppedReason and each container's reason).
    held_at_zero: str | None = None
    stopped_reasons: list[str] = field(default_factory=list)


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
        self._bootstrap: dict[str, str] | None | bool = False   # False: not read yet

    def bootstrap_outputs(self) -> dict[str, str] | None:
        """The account's labs-bootstrap outputs (stack role, boundary, template URL, topic), or None."""
        if self._bootstrap is False:
            self._bootstrap = bootstraps.read_outputs(self._client("cloudformation"))
        return self._bootstrap  # type: ignore[return-value]

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

    # ------------------------------------------------------------ preflight and plan
    def preflight(self) -> list[preflight.Check]:
        """The read-only prerequisite checks (preflight.py); the account check raises first."""
        self.config.check()
        self._checked()
        _, subnet_ids = self._network()
        needed = self.config.policy.max_tasks * costs.task_size()["vcpu"]
        return preflight.run(self._client, self._identity, self._resolved(), subnet_ids, needed,
                             bootstrap=self.bootstrap_outputs(), template_key=bootstraps.template_key())

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
                    parameters=self._stack_parameters(expires),
                    tags=self.config.tags(expires),
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
        checks = self.preflight()
        if not all(c.ok for c in checks):
            raise preflight.PreflightError(checks)
        role_arn = self.stack_role_arn()
        if role_arn is None:
            raise GuardrailError("no CloudFormation service role: the scheduled teardown deletes the stack with it; "
                                 + preflight.ASK_ADMIN)
        outputs = self.bootstrap_outputs() or {}
        cf = self._client("cloudformation")
        yield Event("info", f"account {self._identity['Account']} is allowed; caller {self._identity['Arn']}")
        if self._stack() is not None:
            raise GuardrailError(f"stack {self.config.stack_name} already exists; use status, or down first")
        expires = self.config.expires_at(self._now())
        name = f"create-{expires:%Y%m%d%H%M%S}"
        try:
            change_set = cf.create_change_set(
                StackName=self.config.stack_name, ChangeSetName=name, ChangeSetType="CREATE",
                # The published copy of this very template (preflight checked it is there): the
                # instructor policy allows creating stacks from the bootstrap's bucket only.
                TemplateURL=outputs["TemplateBaseUrl"] + bootstraps.template_key().removeprefix("templates/"),
                Capabilities=["CAPABILITY_IAM"], RoleARN=role_arn,
                Parameters=[{"ParameterKey": k, "ParameterValue": v}
                            for k, v in self._stack_parameters(expires).items()],
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
            yield from self._upload_and_verify_model(ballast_mb)
        yield Event("done", f"stack {self.config.stack_name} is up; it deletes itself at {expires:%H:%M} UTC",
                    total, total, {"stack_id": change_set["StackId"], "expires_at": expires.isoformat()})

    def _upload_and_verify_model(self, ballast_mb: int) -> Iterator[Event]:
        """Upload the model, then load it back the way a task will (download, SHA-256 against the
        uploaded file's, deserialise) and only then write the marker `status` reads as ready."""
        from reference_impl.model import artifacts  # scikit-learn: only here

        bucket = self._physical_ids()["Bucket"]
        uri = f"s3://{bucket}/{self.config.model_key}"
        s3 = self._client("s3")
        yield Event("info", f"training model {self.config.model_name} and uploading it to {uri}")
        artifact = artifacts.build_and_upload(s3, self.config.model_name, uri, ballast_mb)
        yield Event("info", f"model uploaded: {artifact.size_bytes} bytes, sha256 {artifact.sha256}; verifying")
        try:
            artifacts.load(s3, uri, expected_sha256=artifact.sha256)
        except artifacts.ArtifactError as exc:
            raise DeployError(f"the uploaded model failed verification: {exc}") from exc
        s3.put_object(Bucket=bucket, Key=self._verified_key, Body=artifact.sha256.encode(),
                      Metadata={"sha256": artifact.sha256})
        yield Event("info", f"model verified: read back from {uri}, sha256 matches, it loads as a task loads it")

    @property
    def _verified_key(self) -> str:
        return f"{self.config.model_key}.verified"

    def _model_verified(self, ids: dict[str, str]) -> bool:
        try:
            self._client("s3").head_object(Bucket=ids["Bucket"], Key=self._verified_key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def _waiter_config(self, timeout_s: float) -> dict:
        delay = max(0, int(self._poll_s))
        return {"Delay": delay, "MaxAttempts": max(1, int(timeout_s // max(delay, 1)))}

    def _wait_change_set(self, cf, change_set_id: str) -> dict:
        try:
            cf.get_waiter("change_set_create_complete").wait(ChangeSetName=change_set_id,
                                                              WaiterConfig=self._waiter_config(self._timeout_s))
        except WaiterError as exc:
            reason = (exc.last_response or {}).get("StatusReason", str(exc))
            raise DeployError(f"change set failed: {reason}") from exc
        return cf.describe_change_set(ChangeSetName=change_set_id)

    def _stream(self, cf, stack_id: str, total: int, action: str, timeout_s: float | None = None) -> Iterator[Event]:
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

    def status(self) -> LabStatus:
        stack = self._stack()
        if stack is None:
            return LabStatus(self.config.stack_name, "ABSENT")
        tags = {t["Key"]: t["Value"] for t in stack.get("Tags", [])}
        expires = tags.get("expires-at")
        left = None
        if expires:
            left = int((datetime.fromisoformat(expires).replace(tzinfo=timezone.utc) - self._now()).total_seconds())
        reason = self._failure_reason(stack)
        if stack["StackStatus"].startswith("DELETE"):
            # Resources vanish one by one while a stack is deleted; only the status is reliable.
            return LabStatus(self.config.stack_name, stack["StackStatus"], expires, left, reason=reason)
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
                fields.update(desired=services[0]["desiredCount"], running=services[0]["runningCount"])
                target = self._scalable_target(ids)
                if target is not None:
                    fields["max_tasks"] = target["MaxCapacity"]
                fields.update(self._held_at_zero(ids, services[0]))
        ready = stack["StackStatus"] == "CREATE_COMPLETE" and "Bucket" in ids and self._model_verified(ids)
        return LabStatus(self.config.stack_name, stack["StackStatus"], expires, left,
                         api_url=self._api_url(ids), reason=reason, ready=ready, **fields)

    def _held_at_zero(self, ids: dict[str, str], service: dict) -> dict:
        """Whether the scaler's guard held the service at zero, and why its tasks stopped."""
        ecs = self._client("ecs")
        tags = {t["key"]: t["value"] for t in ecs.list_tags_for_resource(resourceArn=service["serviceArn"]).get("tags", [])}
        stopped = ecs.list_tasks(cluster=ids["Cluster"], serviceName=service["serviceName"],
                                 desiredStatus="STOPPED")["taskArns"]
        reasons: list[str] = []
        if stopped:
            for task in ecs.describe_tasks(cluster=ids["Cluster"], tasks=stopped[:100])["tasks"]:
                parts = [task.get("stoppedReason", "")] + [c["reason"] for c in task.get("containers", []) if c.get("reason")]
                reasons.append(": ".join(p for p in parts if p) or "stopped, no reason given")
        reasons = list(dict.fromkeys(reasons))[:5]
        if "held-at-zero" not in tags:
            return {"stopped_reasons": reasons}
        why = "; ".join(reasons) or "ECS gave no reason"
        return {"stopped_reasons": reasons,
                "held_at_zero": f"no task stayed running for 10 minutes, so the lab was held at 0 tasks at "
                                f"{tags['held-at-zero']} (it will not start tasks again; fix the cause, then down "
                                f"and up). Why the tasks stopped: {why}"}

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
    def down(self, timeout_s: float = DOWN_TIMEOUT_S) -> Iterator[Event]:
        """Stop the work, empty the bucket, delete the stack; finishes within `timeout_s`.

        The timeout is the teardown's own, never the lab's time left (an expired lab has none).
        Order, as in the template's reaper: hold scaling at 0, desired count 0, StopTask for the
        tasks that protect themselves from scale-in, purge the queue, wait for the tasks to stop
        (a running worker could write a result after the bucket was emptied, and CloudFormation
        cannot delete a non-empty bucket), empty the bucket, DeleteStack. A failed step is
        reported and the next one runs: the deletion is what stops the bill. Refuses (before any
        change) a stack that does not carry this tool's lab tags.
        """
        stack = self._stack()
        if stack is None:
            yield Event("done", f"stack {self.config.stack_name} does not exist; nothing to delete")
            return
        self._require_lab_tags(stack)
        deadline = time.monotonic() + timeout_s
        ids = self._physical_ids()
        if "Service" in ids and "Cluster" in ids:
            yield from self._stop_work(ids, deadline)
        if "Bucket" in ids:
            try:
                yield Event("info", f"bucket {ids['Bucket']} emptied ({self._empty_bucket(ids['Bucket'])} objects)")
            except DeployError as exc:
                yield Event("info", f"{exc}; deleting the stack anyway")
        cf = self._client("cloudformation")
        family = ids.get("TaskDefinition")
        cf.delete_stack(StackName=stack["StackId"])
        total = len(ids)
        status = yield from self._stream(cf, stack["StackId"], total, "DELETE", max(1.0, deadline - time.monotonic()))
        if status != "DELETE_COMPLETE":
            reason = self._failure_reason(cf.describe_stacks(StackName=stack["StackId"])["Stacks"][0])
            raise DeployError(f"stack {self.config.stack_name} ended {status}: {reason}; retry with `down`")
        self._sweep_outside_the_stack()
        if family:
            yield Event("info", self._delete_inactive_task_definition(family))
        yield Event("done", f"stack {self.config.stack_name} deleted", total, total)

    def _delete_inactive_task_definition(self, arn: str) -> str:
        """CloudFormation only deregisters a task definition (it stays, INACTIVE, for ever); delete it."""
        _, failed = self._step("deleting the INACTIVE task definition", lambda: self._client("ecs")
                               .delete_task_definitions(taskDefinitions=[arn]))
        return failed or f"task definition {arn.rsplit('/', 1)[-1]} deleted (it was INACTIVE)"

    def retry_delete(self, timeout_s: float = DOWN_TIMEOUT_S) -> Iterator[Event]:
        """Delete a stack again after DELETE_FAILED (LabStatus.reason says what failed)."""
        return self.down(timeout_s)

    def _require_lab_tags(self, stack: dict) -> None:
        """Refuse, before any change, a stack that is not this tool's lab for this owner: its
        tags (owner, lab, expires-at), its owner, and the service role it was created with."""
        tags = {t["Key"]: t["Value"] for t in stack.get("Tags", [])}
        missing = [t for t in LAB_TAGS if t not in tags]
        name = self.config.stack_name
        if missing or tags["lab"] != self.config.lab:
            raise GuardrailError(f"stack {name} does not carry this tool's lab tags "
                                 f"({', '.join(LAB_TAGS)} with lab={self.config.lab}); it has "
                                 f"{tags or 'none'}: refusing to touch it")
        if tags["owner"] != self.config.owner:
            raise GuardrailError(f"stack {name} belongs to {tags['owner']!r}, not {self.config.owner!r} (--owner): "
                                 "refusing to delete another owner's lab; they can run down, or the janitor "
                                 f"deletes it at its time limit ({tags['expires-at']} UTC)")
        role = self.stack_role_arn()
        if role is not None and stack.get("RoleARN") != role:
            raise GuardrailError(f"stack {name} was created with {stack.get('RoleARN') or 'no service role'}, not "
                                 f"this tool's stack role {role}: refusing to touch it")

    def _step(self, name: str, action: Callable[[], object]) -> tuple[object, str | None]:
        try:
            return action(), None
        except (ClientError, BotoCoreError) as exc:
            return None, f"{name} failed: {exc}; carrying on"

    def _stop_work(self, ids: dict[str, str], deadline: float) -> Iterator[Event]:
        ecs = self._client("ecs")
        cluster, service = ids["Cluster"], ids["Service"]
        if self._scalable_target(ids) is not None:
            _, failed = self._step("holding scaling at 0", lambda: self._client("application-autoscaling")
                                   .register_scalable_target(ServiceNamespace="ecs", ResourceId=self._resource_id(ids),
                                                             ScalableDimension="ecs:service:DesiredCount",
                                                             MinCapacity=0, MaxCapacity=0))
            yield Event("info", failed or "scaling held at 0 (MaxCapacity 0)")
        _, failed = self._step("desired count 0", lambda: ecs.update_service(cluster=cluster, service=service,
                                                                              desiredCount=0))
        yield Event("info", failed or "service desired count set to 0")
        # Tasks ECS is not already stopping are the ones protected from scale-in.
        protected, failed = self._step("listing tasks", lambda: ecs.list_tasks(
            cluster=cluster, serviceName=service, desiredStatus="RUNNING")["taskArns"])
        for arn in protected or []:
            _, failed = self._step(f"stopping {arn}", lambda: ecs.stop_task(cluster=cluster, task=arn,
                                                                          reason="lab teardown"))
            yield Event("info", failed or f"stopped protected task {arn.rsplit('/', 1)[-1]}")
        if "JobQueue" in ids:
            _, failed = self._step("purging the queue", lambda: self._client("sqs").purge_queue(QueueUrl=ids["JobQueue"]))
            yield Event("info", failed or "queue purged")
        tasks, failed = self._step("listing tasks", lambda: ecs.list_tasks(cluster=cluster, serviceName=service)["taskArns"])
        if tasks:
            wait_s = max(1.0, min(STOP_WAIT_S, deadline - time.monotonic()))
            _, failed = self._step("waiting for tasks to stop", lambda: ecs.get_waiter("tasks_stopped").wait(
                cluster=cluster, tasks=tasks, WaiterConfig=self._waiter_config(wait_s)))
        yield Event("info", failed or "no task running")

    def _sweep_outside_the_stack(self) -> None:
        """Container Insights' log group is the stack's own now; a stack created before that
        (or a group ECS recreated) is removed here, so nothing of the lab is left."""
        name = f"/aws/ecs/containerinsights/{self.config.stack_name}/performance"
        try:
            self._client("logs").delete_log_group(logGroupName=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise DeployError(f"could not delete log group {name}: {exc}") from exc

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
