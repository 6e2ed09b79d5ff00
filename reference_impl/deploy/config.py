"""What one lab deployment is, checked before any call to AWS.

Guardrails that need no AWS call live here: a time limit is required and bounded, the task cap is
bounded, names are what CloudFormation and the tags accept. The account allow-list needs STS and
lives in guardrails.py.
"""
import math
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from reference_impl import aws_facts
from reference_impl.scaling import MAX_MESSAGES_PER_RECEIVE, ScalingPolicy, target_tracking_config
from reference_impl.workload import WORKLOAD

from .template import parsed_template

MAX_TTL_MINUTES = 240
# An AWS lab's time limit must outlast its own creation: the stack (an ECS service, two Lambda
# functions, an API) takes minutes to create, and the expiry schedule is fixed when `up` starts.
# Thirty minutes leaves a class most of the time even when creation is slow.
MIN_TTL_MINUTES = 30
# `down`'s own time budget, whatever the lab's time left: tasks' 120 s stop timeout twice over,
# then a stack deletion (an ECS service and a Lambda function take minutes each). A caller that
# wraps `down` in a timeout (the labs app does) should give it at least this.
DOWN_TIMEOUT_S = 45 * 60
MAX_TASKS_CAP = 20
# SQS's visibility timeout: its default is our floor, and it can be at most 12 hours.
MIN_VISIBILITY_TIMEOUT_S = int(aws_facts.value("sqs_visibility_timeout_default_s"))
MAX_VISIBILITY_TIMEOUT_S = int(aws_facts.value("sqs_visibility_timeout_max_s"))
# A message may wait behind a whole receive batch in its task; twice that is the margin before
# SQS hands it to another task (the worker also extends visibility while it works).
VISIBILITY_SAFETY_FACTOR = 2

# Names. The stack is lab-LAB-MODEL and the template derives physical names from it (and the
# service's from MODEL); each must fit its AWS limit for the longest names accepted, so the
# limits below are computed from that table, not chosen.
STACK_PREFIX = "lab-"
MAX_MODEL_NAME_CHARS = 20   # our choice: the worker's models have short names (digits, iris)
# Physical name the template derives -> the aws_facts limit it must fit.
DERIVED_NAMES: dict[str, str] = {
    "${AWS::StackName}-scaler": "lambda_function_name_max_chars",
    "${AWS::StackName}-reaper": "lambda_function_name_max_chars",
    "${AWS::StackName}-result": "lambda_function_name_max_chars",
    "${AWS::StackName}": "scheduler_group_name_max_chars",       # the schedule group; the cluster too
    "${AWS::StackName}-jobs": "sqs_queue_name_max_chars",
    "${AWS::StackName}-dlq": "sqs_queue_name_max_chars",
    "${AWS::StackName}-worker": "ecs_family_max_chars",
    "${ModelName}-worker": "ecs_service_name_max_chars",
    "${AWS::StackName}-backlog-per-task": "aas_policy_name_max_chars",
    "/lab/${AWS::StackName}": "logs_group_name_max_chars",
    "/aws/lambda/${AWS::StackName}-scaler": "logs_group_name_max_chars",
    "/aws/lambda/${AWS::StackName}-reaper": "logs_group_name_max_chars",
    "/aws/lambda/${AWS::StackName}-result": "logs_group_name_max_chars",
    "/aws/ecs/containerinsights/${AWS::StackName}/performance": "logs_group_name_max_chars",
}
# Derived names with no documented length limit (API Gateway's quotas page lists none for a
# REST API's name).
UNLIMITED_DERIVED_NAMES = frozenset({"${AWS::StackName}-api"})


def _room(pattern: str, placeholder: str) -> int:
    return int(aws_facts.value(DERIVED_NAMES[pattern])) - len(pattern.replace(placeholder, ""))


MAX_STACK_NAME_CHARS = min(int(aws_facts.value("cfn_stack_name_max_chars")),
                           *(_room(p, "${AWS::StackName}") for p in DERIVED_NAMES if "${AWS::StackName}" in p))
MAX_LAB_NAME_CHARS = MAX_STACK_NAME_CHARS - len(STACK_PREFIX) - len("-") - MAX_MODEL_NAME_CHARS
assert MAX_MODEL_NAME_CHARS <= _room("${ModelName}-worker", "${ModelName}")
assert MAX_LAB_NAME_CHARS >= 8, "a derived name's limit leaves no room for a lab name"

_MODEL_NAME = re.compile(rf"^[a-z][a-z0-9-]{{1,{MAX_MODEL_NAME_CHARS - 1}}}$")
_LAB_NAME = re.compile(rf"^[a-z0-9-]{{1,{MAX_LAB_NAME_CHARS}}}$")
_OWNER = re.compile(r"^[A-Za-z0-9@._+-]{1,64}$")
_ECR_IMAGE = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
                        r"(?P<repo>[a-z0-9._/-]+)(?::(?P<tag>[\w.-]+)|@(?P<digest>sha256:[0-9a-f]{64}))$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


def parse_image_uri(uri: str) -> dict[str, str | None] | None:
    """account, region, repo and tag or digest of an ECR image URI; None if it is not one."""
    match = _ECR_IMAGE.fullmatch(uri)
    return match.groupdict() if match else None


class ConfigError(ValueError):
    """A lab setting is missing or out of bounds; the message names the setting and what is allowed."""


def default_policy(max_tasks: int = 5) -> ScalingPolicy:
    """The lab's scaling policy from the workload's sourced assumptions (latency, service time)."""
    return ScalingPolicy(acceptable_latency_s=WORKLOAD["acceptable_latency_s"].value,
                         seconds_per_message=WORKLOAD["service_time_s"].value,
                         max_tasks=max_tasks)


def visibility_timeout_s(policy: ScalingPolicy) -> int:
    """Long enough for a full receive batch to be processed twice over; within SQS's range."""
    needed = math.ceil(VISIBILITY_SAFETY_FACTOR * MAX_MESSAGES_PER_RECEIVE * policy.seconds_per_message)
    if needed > MAX_VISIBILITY_TIMEOUT_S:
        raise ConfigError(f"seconds_per_message {policy.seconds_per_message:g} needs a visibility timeout of "
                          f"{needed} s; SQS allows at most {MAX_VISIBILITY_TIMEOUT_S} s")
    return max(MIN_VISIBILITY_TIMEOUT_S, needed)


def allowed_account_ids(environ=os.environ) -> frozenset[str]:
    """LAB_ALLOWED_ACCOUNT_IDS: comma-separated 12-digit account ids; anything else is an error."""
    raw = environ.get("LAB_ALLOWED_ACCOUNT_IDS", "")
    ids = frozenset(part.strip() for part in raw.split(",") if part.strip())
    bad = sorted(i for i in ids if not re.fullmatch(r"\d{12}", i))
    if bad:
        raise ConfigError(f"LAB_ALLOWED_ACCOUNT_IDS: {', '.join(bad)} is not a 12-digit AWS account id")
    return ids


@dataclass(frozen=True)
class LabConfig:
    model_name: str
    owner: str
    lab: str
    ttl_minutes: int | None
    image_uri: str
    region: str
    policy: ScalingPolicy = field(default_factory=default_policy)
    # The CloudFormation service role the stack runs with; the scheduled teardown needs it
    # (see template.yaml, "Teardown").
    stack_role_arn: str | None = None
    model_key: str = "models/model.skops"
    # The network the tasks run in; None means the account's default VPC and its subnets.
    vpc_id: str | None = None
    subnet_ids: tuple[str, ...] = ()

    @property
    def stack_name(self) -> str:
        return f"{STACK_PREFIX}{self.lab}-{self.model_name}"

    def problems(self) -> list[str]:
        """Every setting that is wrong, each naming the setting, the problem and what is allowed."""
        out = []
        if self.ttl_minutes is None:
            out.append(f"ttl_minutes (--ttl-minutes) is required: every lab has a time limit of {MIN_TTL_MINUTES} to "
                       f"{MAX_TTL_MINUTES} minutes, after which it deletes itself")
        elif not MIN_TTL_MINUTES <= self.ttl_minutes <= MAX_TTL_MINUTES:
            out.append(f"ttl_minutes (--ttl-minutes) is {self.ttl_minutes}; allowed: {MIN_TTL_MINUTES} to "
                       f"{MAX_TTL_MINUTES} (the stack takes minutes to create; the limit must not pass before it is up)")
        if self.policy.max_tasks > MAX_TASKS_CAP:
            out.append(f"max_tasks (--max-tasks) is {self.policy.max_tasks}; a lab may run at most {MAX_TASKS_CAP} tasks")
        if self.policy.min_tasks > 0:
            out.append(f"min_tasks is {self.policy.min_tasks}; a lab starts and idles at 0 tasks")
        from reference_impl.model.catalog import CATALOG  # imports scikit-learn: only when checking
        if self.model_name not in CATALOG or not _MODEL_NAME.fullmatch(self.model_name):
            out.append(f"model_name {self.model_name!r}: one of the worker's models ({', '.join(sorted(CATALOG))}), "
                       f"at most {MAX_MODEL_NAME_CHARS} characters")
        if not _LAB_NAME.fullmatch(self.lab):
            out.append(f"lab {self.lab!r}: 1-{MAX_LAB_NAME_CHARS} lowercase letters, digits or hyphens (the stack "
                       f"name {STACK_PREFIX}LAB-MODEL names Lambda functions, which AWS limits to "
                       f"{int(aws_facts.value('lambda_function_name_max_chars'))} characters)")
        if not _OWNER.fullmatch(self.owner):
            out.append(f"owner {self.owner!r}: 1-64 letters, digits or @._+-")
        if not _ECR_IMAGE.fullmatch(self.image_uri):
            out.append(f"image_uri {self.image_uri!r}: an ECR image, ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG")
        if self.stack_role_arn is not None and not _ROLE_ARN.fullmatch(self.stack_role_arn):
            out.append(f"stack_role_arn {self.stack_role_arn!r}: an IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME")
        if self.vpc_id is not None and not re.fullmatch(r"vpc-[0-9a-f]{8,17}", self.vpc_id):
            out.append(f"vpc_id {self.vpc_id!r}: a VPC id, vpc-0123abcd")
        if bool(self.vpc_id) != bool(self.subnet_ids):
            out.append("vpc_id and subnet_ids go together: give both, or neither to use the default VPC")
        bad_subnets = [s for s in self.subnet_ids if not re.fullmatch(r"subnet-[0-9a-f]{8,17}", s)]
        if bad_subnets:
            out.append(f"subnet_ids {', '.join(bad_subnets)}: subnet ids, subnet-0123abcd")
        if not re.fullmatch(r"models/[A-Za-z0-9._/-]{1,200}", self.model_key):
            out.append(f"model_key {self.model_key!r}: a key under models/")
        most = parsed_template()["Parameters"]["SecondsPerItem"]["MaxValue"]
        if self.policy.seconds_per_message > most:
            out.append(f"seconds_per_message (--seconds-per-message) is {self.policy.seconds_per_message:g}; the "
                       f"worker emulates at most {most} s per input")
        try:
            visibility_timeout_s(self.policy)
        except ConfigError as exc:
            out.append(str(exc))
        return out

    def check(self) -> None:
        problems = self.problems()
        if problems:
            raise ConfigError("; ".join(problems))

    def expires_at(self, now: datetime) -> datetime:
        if self.ttl_minutes is None:  # check() refuses this before any job gets here
            raise ConfigError("ttl_minutes (--ttl-minutes) is required: every lab has a time limit")
        return (now.astimezone(timezone.utc) + timedelta(minutes=self.ttl_minutes)).replace(microsecond=0)

    def image_repository(self) -> str:
        match = _ECR_IMAGE.fullmatch(self.image_uri)
        if match is None:  # check() refuses this before any job gets here
            raise ConfigError(f"image_uri {self.image_uri!r} is not an ECR image URI")
        return match["repo"]

    def tags(self, expires_at: datetime) -> dict[str, str]:
        return {"owner": self.owner, "lab": self.lab, "expires-at": _at(expires_at)}

    def stack_parameters(self, expires_at: datetime, vpc_id: str, subnet_ids: tuple[str, ...],
                         boundary_arn: str = "", alert_topic_arn: str = "") -> dict[str, str]:
        """The template's parameters. The scaling numbers come from the ScalingPolicy alone; the
        boundary and the alert topic from the account's bootstrap."""
        scaling = target_tracking_config(self.policy)
        return {
            "ModelName": self.model_name,
            "Owner": self.owner,
            "LabName": self.lab,
            "ExpiresAt": _at(expires_at),
            "ImageUri": self.image_uri,
            "ImageRepositoryName": self.image_repository(),
            "VpcId": vpc_id,
            "SubnetIds": ",".join(subnet_ids),
            "PermissionsBoundaryArn": boundary_arn,
            "AlertTopicArn": alert_topic_arn,
            "ModelKey": self.model_key,
            "TargetBacklogPerTask": f"{scaling['TargetBacklogPerTask']:g}",
            "MinTasks": str(scaling["MinTasks"]),
            "MaxTasks": str(scaling["MaxTasks"]),
            "ScaleOutCooldownSeconds": str(scaling["ScaleOutCooldownSeconds"]),
            "ScaleInCooldownSeconds": str(scaling["ScaleInCooldownSeconds"]),
            "VisibilityTimeoutSeconds": str(visibility_timeout_s(self.policy)),
            # The tasks take the time per input the policy assumes (template: SecondsPerItem).
            "SecondsPerItem": f"{self.policy.seconds_per_message:g}",
        }


def _at(moment: datetime) -> str:
    """EventBridge Scheduler's at() format, in UTC, no zone suffix."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
