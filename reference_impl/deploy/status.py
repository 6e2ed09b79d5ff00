"""`status`: what one lab's stack is doing now, in as few calls as a poll can make.

The labs app polls this every few seconds for every AWS lab, with one `LabStack` kept between
polls. So a poll re-reads only what changes from one poll to the next: the stack's status
(DescribeStacks), the two queues' counts (GetQueueAttributes, one per queue) and the service's
counts with its tags (DescribeServices with include=TAGS: the scaler's "held-at-zero" mark is a
service tag). What holds while the stack's status does not change is read once per status: the
physical ids (DescribeStackResources), the scalable target's cap, a failed stack's reasons, and the
verified-model mark (once there, it stays). Stopped tasks are listed only when their reasons can
matter: the service has fewer tasks running than it wants, or the scaler held it at zero.
DescribeServices include=TAGS: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html
"""
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError

from .access import LabStack


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


def verified_key(stack: LabStack) -> str:
    """The mark `up` writes beside the model once it read it back and its checksum matched."""
    return f"{stack.config.model_key}.verified"


def model_verified(stack: LabStack, ids: dict[str, str]) -> bool:
    try:
        stack._client("s3").head_object(Bucket=ids["Bucket"], Key=verified_key(stack))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def _steady(stack: LabStack, described: dict) -> dict[str, Any]:
    """Reads that hold while the stack's id and status stay the same (none while *_IN_PROGRESS:
    resources come and go then). Kept on the LabStack, so a kept one reads them once."""
    key = (described["StackId"], described["StackStatus"])
    if described["StackStatus"].endswith("_IN_PROGRESS"):
        return {}
    if stack._steady_key != key:
        stack._steady_key, stack._steady = key, {}
    return stack._steady


def read(stack: LabStack) -> LabStatus:
    described = stack._stack()
    name = stack.config.stack_name
    if described is None:
        return LabStatus(name, "ABSENT")
    tags = {t["Key"]: t["Value"] for t in described.get("Tags", [])}
    expires = tags.get("expires-at")
    left = None
    if expires:
        left = int((datetime.fromisoformat(expires).replace(tzinfo=timezone.utc) - stack._now()).total_seconds())
    steady = _steady(stack, described)
    if "reason" not in steady:
        steady["reason"] = stack._failure_reason(described)
    reason = steady["reason"]
    if described["StackStatus"].startswith("DELETE"):
        # Resources vanish one by one while a stack is deleted; only the status is reliable.
        return LabStatus(name, described["StackStatus"], expires, left, reason=reason)
    if "ids" not in steady:
        steady["ids"] = stack._physical_ids()
    ids: dict[str, str] = steady["ids"]
    fields: dict[str, Any] = {}
    sqs = stack._client("sqs")
    if "JobQueue" in ids:
        attrs = sqs.get_queue_attributes(QueueUrl=ids["JobQueue"], AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        fields.update(visible=int(attrs["ApproximateNumberOfMessages"]),
                      in_flight=int(attrs["ApproximateNumberOfMessagesNotVisible"]), queue_url=ids["JobQueue"])
    if "DeadLetterQueue" in ids:
        attrs = sqs.get_queue_attributes(QueueUrl=ids["DeadLetterQueue"],
                                         AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        fields["dead_letter"] = int(attrs["ApproximateNumberOfMessages"])
    if "Service" in ids and "Cluster" in ids:
        services = stack._client("ecs").describe_services(cluster=ids["Cluster"], services=[ids["Service"]],
                                                          include=["TAGS"])["services"]
        if services:
            fields.update(desired=services[0]["desiredCount"], running=services[0]["runningCount"])
            if "target" not in steady or any(t["key"] == "held-at-zero" for t in services[0].get("tags", [])):
                # Holding at zero sets MaxCapacity 0: read again once the scaler has done it.
                steady["target"] = stack._scalable_target(ids)
            if steady["target"] is not None:
                fields["max_tasks"] = steady["target"]["MaxCapacity"]
            fields.update(_held_at_zero(stack, ids, services[0]))
    ready = False
    if described["StackStatus"] == "CREATE_COMPLETE" and "Bucket" in ids:
        steady["verified"] = steady.get("verified") or model_verified(stack, ids)
        ready = steady["verified"]
    return LabStatus(name, described["StackStatus"], expires, left,
                     api_url=stack._api_url(ids), reason=reason, ready=ready, **fields)


def _held_at_zero(stack: LabStack, ids: dict[str, str], service: dict) -> dict[str, Any]:
    """Whether the scaler's guard held the service at zero, and why its tasks stopped."""
    tags = {t["key"]: t["value"] for t in service.get("tags", [])}
    held = "held-at-zero" in tags
    if not held and service["runningCount"] >= service["desiredCount"]:
        return {}  # every task it wants runs: why earlier ones stopped is no news
    ecs = stack._client("ecs")
    stopped = ecs.list_tasks(cluster=ids["Cluster"], serviceName=service["serviceName"],
                             desiredStatus="STOPPED")["taskArns"]
    reasons: list[str] = []
    if stopped:
        for task in ecs.describe_tasks(cluster=ids["Cluster"], tasks=stopped[:100])["tasks"]:
            parts = [task.get("stoppedReason", "")] + [c["reason"] for c in task.get("containers", []) if c.get("reason")]
            reasons.append(": ".join(p for p in parts if p) or "stopped, no reason given")
    reasons = list(dict.fromkeys(reasons))[:5]
    if not held:
        return {"stopped_reasons": reasons}
    why = "; ".join(reasons) or "ECS gave no reason"
    return {"stopped_reasons": reasons,
            "held_at_zero": f"no task stayed running for 10 minutes, so the lab was held at 0 tasks at "
                            f"{tags['held-at-zero']} (it will not start tasks again; fix the cause, then down "
                            f"and up). Why the tasks stopped: {why}"}
