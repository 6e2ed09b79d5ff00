"""`down` (and `retry_delete`): stop the work, empty the bucket, delete the stack, sweep what is left."""
import time
from collections.abc import Iterator

from botocore.exceptions import BotoCoreError, ClientError

from reference_impl import aws_facts

from .access import LabStack
from .config import DOWN_TIMEOUT_S
from .events import DeployError, Event
from .guardrails import GuardrailError


# Tasks get SIGKILL at most 120 s after SIGTERM (Fargate's longest stopTimeout); twice that and a
# minute to spare before `down` stops waiting for them.
STOP_WAIT_S = 2 * aws_facts.value("ecs_stop_timeout_max_s") + 60
LAB_TAGS = ("owner", "lab", "expires-at")   # what this tool tags every stack with; `down` needs them


def down(lab: LabStack, timeout_s: float = DOWN_TIMEOUT_S) -> Iterator[Event]:
    """Stop the work, empty the bucket, delete the stack; finishes within `timeout_s`.

    The timeout is the teardown's own, never the lab's time left (an expired lab has none).
    Order, as in the template's reaper: hold scaling at 0, desired count 0, StopTask for the
    tasks that protect themselves from scale-in, purge the queue, wait for the tasks to stop
    (a running worker could write a result after the bucket was emptied, and CloudFormation
    cannot delete a non-empty bucket), empty the bucket, DeleteStack. A failed step is
    reported and the next one runs: the deletion is what stops the bill. Refuses (before any
    change) a stack that does not carry this tool's lab tags.
    """
    stack = lab._stack()
    if stack is None:
        yield Event("done", f"stack {lab.config.stack_name} does not exist; nothing to delete")
        return
    _require_lab_tags(lab, stack)
    deadline = time.monotonic() + timeout_s
    ids = lab._physical_ids()
    if "Service" in ids and "Cluster" in ids:
        yield from _stop_work(lab, ids, deadline)
    if "Bucket" in ids:
        try:
            yield Event("info", f"bucket {ids['Bucket']} emptied ({_empty_bucket(lab, ids['Bucket'])} objects)")
        except DeployError as exc:
            yield Event("info", f"{exc}; deleting the stack anyway")
    cf = lab._client("cloudformation")
    family = ids.get("TaskDefinition")
    cf.delete_stack(StackName=stack["StackId"])
    total = len(ids)
    status = yield from lab._stream(cf, stack["StackId"], total, "DELETE", max(1.0, deadline - time.monotonic()))
    if status != "DELETE_COMPLETE":
        reason = lab._failure_reason(cf.describe_stacks(StackName=stack["StackId"])["Stacks"][0])
        raise DeployError(f"stack {lab.config.stack_name} ended {status}: {reason}; retry with `down`")
    sweep_outside_the_stack(lab)
    if family:
        yield Event("info", _delete_inactive_task_definition(lab, family))
    yield Event("done", f"stack {lab.config.stack_name} deleted", total, total)


def _delete_inactive_task_definition(lab: LabStack, arn: str) -> str:
    """CloudFormation only deregisters a task definition (it stays, INACTIVE, for ever); delete it."""
    _, failed = lab._step("deleting the INACTIVE task definition", lambda: lab._client("ecs")
                           .delete_task_definitions(taskDefinitions=[arn]))
    return failed or f"task definition {arn.rsplit('/', 1)[-1]} deleted (it was INACTIVE)"


def _require_lab_tags(lab: LabStack, stack: dict) -> None:
    """Refuse, before any change, a stack that is not this tool's lab for this owner: its
    tags (owner, lab, expires-at), its owner, and the service role it was created with."""
    tags = {t["Key"]: t["Value"] for t in stack.get("Tags", [])}
    missing = [t for t in LAB_TAGS if t not in tags]
    name = lab.config.stack_name
    if missing or tags["lab"] != lab.config.lab:
        raise GuardrailError(f"stack {name} does not carry this tool's lab tags "
                             f"({', '.join(LAB_TAGS)} with lab={lab.config.lab}); it has "
                             f"{tags or 'none'}: refusing to touch it")
    if tags["owner"] != lab.config.owner:
        raise GuardrailError(f"stack {name} belongs to {tags['owner']!r}, not {lab.config.owner!r} (--owner): "
                             "refusing to delete another owner's lab; they can run down, or the janitor "
                             f"deletes it at its time limit ({tags['expires-at']} UTC)")
    role = lab.stack_role_arn()
    if role is not None and stack.get("RoleARN") != role:
        raise GuardrailError(f"stack {name} was created with {stack.get('RoleARN') or 'no service role'}, not "
                             f"this tool's stack role {role}: refusing to touch it")


def _stop_work(lab: LabStack, ids: dict[str, str], deadline: float) -> Iterator[Event]:
    ecs = lab._client("ecs")
    cluster, service = ids["Cluster"], ids["Service"]
    if lab._scalable_target(ids) is not None:
        _, failed = lab._step("holding scaling at 0", lambda: lab._client("application-autoscaling")
                               .register_scalable_target(ServiceNamespace="ecs", ResourceId=lab._resource_id(ids),
                                                         ScalableDimension="ecs:service:DesiredCount",
                                                         MinCapacity=0, MaxCapacity=0))
        yield Event("info", failed or "scaling held at 0 (MaxCapacity 0)")
    _, failed = lab._step("desired count 0", lambda: ecs.update_service(cluster=cluster, service=service,
                                                                          desiredCount=0))
    yield Event("info", failed or "service desired count set to 0")
    # Tasks ECS is not already stopping are the ones protected from scale-in.
    protected, failed = lab._step("listing tasks", lambda: ecs.list_tasks(
        cluster=cluster, serviceName=service, desiredStatus="RUNNING")["taskArns"])
    for arn in protected or []:
        _, failed = lab._step(f"stopping {arn}", lambda: ecs.stop_task(cluster=cluster, task=arn,
                                                                      reason="lab teardown"))
        yield Event("info", failed or f"stopped protected task {arn.rsplit('/', 1)[-1]}")
    if "JobQueue" in ids:
        _, failed = lab._step("purging the queue", lambda: lab._client("sqs").purge_queue(QueueUrl=ids["JobQueue"]))
        yield Event("info", failed or "queue purged")
    tasks, failed = lab._step("listing tasks", lambda: ecs.list_tasks(cluster=cluster, serviceName=service)["taskArns"])
    if tasks:
        wait_s = max(1.0, min(STOP_WAIT_S, deadline - time.monotonic()))
        _, failed = lab._step("waiting for tasks to stop", lambda: ecs.get_waiter("tasks_stopped").wait(
            cluster=cluster, tasks=tasks, WaiterConfig=lab._waiter_config(wait_s)))
    yield Event("info", failed or "no task running")


def sweep_outside_the_stack(lab: LabStack) -> None:
    """Container Insights' log group is the stack's own now; a stack created before that
    (or a group ECS recreated) is removed here, so nothing of the lab is left."""
    name = f"/aws/ecs/containerinsights/{lab.config.stack_name}/performance"
    try:
        lab._client("logs").delete_log_group(logGroupName=name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise DeployError(f"could not delete log group {name}: {exc}") from exc


def _empty_bucket(lab: LabStack, bucket: str) -> int:
    s3 = lab._client("s3")
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
