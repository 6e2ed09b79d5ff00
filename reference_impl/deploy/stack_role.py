"""The CloudFormation service role's policy, derived from the template, not written by hand.

CloudFormation creates, reads, updates, deletes and lists each resource through the resource
type's handlers, and each handler declares the IAM actions it calls (the `handlers` section of
the resource provider schema). cfn-lint ships those schemas offline; this module reads them for
every resource type in template.yaml and grants their union, so a rollback, `down` or the
reaper's deletion never stops at an AccessDenied the template could have predicted.

Scoping: an action is limited to the lab's own resources (names CloudFormation derives from the
stack name, which always starts `lab-`) only where the action is listed in `SCOPED` below, i.e.
where the IAM Service Authorization Reference documents the resource type for it. Every other
action (Describe/List calls, services that key resources by generated ids) is granted on "*":
a wrong scope would turn into the AccessDenied this policy exists to prevent.
"""
import json
from functools import cache

from .template import parsed_template

HANDLERS = ("create", "read", "update", "delete", "list")
STACK_PREFIX = "lab-"

# Resource ARN patterns of the lab's resources, by kind. {p} partition, {r} region, {a} account.
_ARNS: dict[str, tuple[str, ...]] = {
    "queue": ("arn:{p}:sqs:{r}:{a}:lab-*",),
    "bucket": ("arn:{p}:s3:::lab-*",),
    "object": ("arn:{p}:s3:::lab-*/*",),
    "role": ("arn:{p}:iam::{a}:role/lab-*",),
    "function": ("arn:{p}:lambda:{r}:{a}:function:lab-*",),
    "log-group": ("arn:{p}:logs:{r}:{a}:log-group:/lab/lab-*", "arn:{p}:logs:{r}:{a}:log-group:/aws/lambda/lab-*",
                  "arn:{p}:logs:{r}:{a}:log-group:/aws/ecs/containerinsights/lab-*"),
    "schedule": ("arn:{p}:scheduler:{r}:{a}:schedule/lab-*/*",),
    "schedule-group": ("arn:{p}:scheduler:{r}:{a}:schedule-group/lab-*",),
    # Alarms: the stack's own, and the ones target tracking creates for a service of a lab cluster.
    "alarm": ("arn:{p}:cloudwatch:{r}:{a}:alarm:lab-*", "arn:{p}:cloudwatch:{r}:{a}:alarm:TargetTracking-service/lab-*"),
    "restapi": ("arn:{p}:apigateway:{r}::/restapis", "arn:{p}:apigateway:{r}::/restapis/*",
                "arn:{p}:apigateway:{r}::/tags/*"),
    "ecs-cluster": ("arn:{p}:ecs:{r}:{a}:cluster/lab-*",),
    "ecs-service": ("arn:{p}:ecs:{r}:{a}:service/lab-*/*",),
    "ecs-tagged": ("arn:{p}:ecs:{r}:{a}:cluster/lab-*", "arn:{p}:ecs:{r}:{a}:service/lab-*/*",
                   "arn:{p}:ecs:{r}:{a}:task-definition/lab-*"),
}


def _kinds(kind: str, *actions: str) -> dict[str, str]:
    return {action: kind for action in actions}


# Actions documented to take the lab resource's ARN. Anything not listed gets "*".
SCOPED: dict[str, str] = {
    **_kinds("queue", "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes",
             "sqs:GetQueueUrl", "sqs:ListQueueTags", "sqs:TagQueue", "sqs:UntagQueue"),
    **_kinds("bucket", "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucketAcl", "s3:PutBucketAcl",
             "s3:GetBucketTagging", "s3:PutBucketTagging", "s3:GetBucketPublicAccessBlock",
             "s3:PutBucketPublicAccessBlock", "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls",
             "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration", "s3:GetLifecycleConfiguration",
             "s3:PutLifecycleConfiguration", "s3:GetBucketVersioning", "s3:PutBucketVersioning",
             "s3:GetBucketLogging", "s3:PutBucketLogging", "s3:GetBucketCORS", "s3:PutBucketCORS",
             "s3:GetBucketWebsite", "s3:PutBucketWebsite", "s3:DeleteBucketWebsite",
             "s3:GetBucketNotification", "s3:PutBucketNotification", "s3:GetAccelerateConfiguration",
             "s3:PutAccelerateConfiguration", "s3:GetAnalyticsConfiguration", "s3:PutAnalyticsConfiguration",
             "s3:GetInventoryConfiguration", "s3:PutInventoryConfiguration", "s3:GetMetricsConfiguration",
             "s3:PutMetricsConfiguration", "s3:GetReplicationConfiguration", "s3:PutReplicationConfiguration",
             "s3:GetIntelligentTieringConfiguration", "s3:PutIntelligentTieringConfiguration",
             "s3:GetBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration"),
    **_kinds("object", "s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject", "s3:PutObjectAcl"),
    **_kinds("role", "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription",
             "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy",
             "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
             "iam:TagRole", "iam:UntagRole", "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
             "iam:PassRole"),
    **_kinds("function", "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction",
             "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PublishVersion",
             "lambda:TagResource", "lambda:UntagResource", "lambda:GetFunctionCodeSigningConfig",
             "lambda:PutFunctionCodeSigningConfig", "lambda:DeleteFunctionCodeSigningConfig",
             "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency",
             "lambda:GetRuntimeManagementConfig", "lambda:PutRuntimeManagementConfig",
             "lambda:GetFunctionRecursionConfig", "lambda:PutFunctionRecursionConfig"),
    **_kinds("log-group", "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
             "logs:DeleteRetentionPolicy", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource",
             "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:PutDataProtectionPolicy",
             "logs:GetDataProtectionPolicy", "logs:DeleteDataProtectionPolicy"),
    **_kinds("schedule", "scheduler:CreateSchedule", "scheduler:GetSchedule", "scheduler:UpdateSchedule",
             "scheduler:DeleteSchedule"),
    **_kinds("schedule-group", "scheduler:CreateScheduleGroup", "scheduler:GetScheduleGroup",
             "scheduler:DeleteScheduleGroup", "scheduler:TagResource", "scheduler:UntagResource",
             "scheduler:ListTagsForResource"),
    **_kinds("alarm", "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"),
    **_kinds("restapi", "apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"),
    **_kinds("ecs-cluster", "ecs:CreateCluster", "ecs:DeleteCluster", "ecs:DescribeClusters",
             "ecs:PutClusterCapacityProviders", "ecs:UpdateCluster", "ecs:UpdateClusterSettings"),
    **_kinds("ecs-service", "ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService", "ecs:DescribeServices"),
    **_kinds("ecs-tagged", "ecs:TagResource", "ecs:UntagResource", "ecs:ListTagsForResource"),
}

# The only service-linked roles the stack's resources may create: ECS's (a Fargate cluster) and
# Application Auto Scaling's for ECS (a scalable target).
LINKED_ROLE_SERVICES = ("ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com")


@cache
def _schema(region: str, resource_type: str) -> dict:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER  # cfn-lint: read only when deriving the policy

    return PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema


def resource_types(template: dict | None = None) -> list[str]:
    template = template or parsed_template()
    return sorted({spec["Type"] for spec in template["Resources"].values()})


def handler_permissions(template: dict | None = None, region: str = "us-east-1") -> dict[str, set[str]]:
    """Resource type -> every IAM action its create/read/update/delete/list handlers declare."""
    out = {}
    for resource_type in resource_types(template):
        handlers = _schema(region, resource_type).get("handlers", {})
        out[resource_type] = {p for h in HANDLERS for p in handlers.get(h, {}).get("permissions", [])}
    return out


def required_actions(template: dict | None = None) -> set[str]:
    return set().union(*handler_permissions(template).values())


def arns(kind: str, partition: str = "aws", region: str = "*", account: str = "*") -> list[str]:
    return [pattern.format(p=partition, r=region, a=account) for pattern in _ARNS[kind]]


def policy(partition: str = "aws", region: str = "*", account: str = "*", template: dict | None = None) -> dict:
    """The service role's permissions policy: one statement per kind of lab resource, then "*"."""
    by_kind: dict[str, set[str]] = {}
    for action in required_actions(template):
        by_kind.setdefault(SCOPED.get(action, "*"), set()).add(action)
    statements = []
    for kind in sorted(k for k in by_kind if k != "*"):
        statements.append({"Sid": "Lab" + "".join(w.capitalize() for w in kind.split("-")), "Effect": "Allow",
                           "Action": sorted(by_kind[kind]), "Resource": arns(kind, partition, region, account)})
    anywhere = by_kind.get("*", set())
    if "iam:CreateServiceLinkedRole" in anywhere:
        anywhere.discard("iam:CreateServiceLinkedRole")
        statements.append({"Sid": "LinkedRoles", "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
                           "Resource": "*",
                           "Condition": {"StringEquals": {"iam:AWSServiceName": list(LINKED_ROLE_SERVICES)}}})
    statements.append({"Sid": "NoResourceLevelPermissions", "Effect": "Allow", "Action": sorted(anywhere),
                       "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": statements}


def policy_json(**kwargs) -> str:
    return json.dumps(policy(**kwargs), indent=2) + "\n"


def trust_policy(account: str = "ACCOUNT") -> dict:
    """Who may use the role: CloudFormation, for stacks in this account only."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]}


def example_arn(kind: str, stack_name: str, partition: str, region: str, account: str) -> str:
    """An ARN of the kind this stack's resources get: what `plan` asks IAM's simulator about."""
    names = {"queue": f"{stack_name}-jobs", "bucket": f"{stack_name}-bucket-abc123",
             "object": f"{stack_name}-bucket-abc123/models/model.skops", "role": f"{stack_name}-TaskRole-ABC123",
             "function": f"{stack_name}-reaper", "log-group": f"{stack_name}:*",
             "schedule": f"{stack_name}/ExpirySchedule-abc123", "schedule-group": stack_name,
             "alarm": f"{stack_name}-alarm-ABC123", "restapi": "/restapis/abc123",
             "ecs-cluster": stack_name, "ecs-service": f"{stack_name}/worker", "ecs-tagged": stack_name}
    pattern = _ARNS[kind][0].replace("lab-*/*", names[kind]).replace("lab-*", names[kind])
    if kind == "restapi":
        pattern = _ARNS[kind][1].replace("/restapis/*", names[kind])
    return pattern.format(p=partition, r=region, a=account)
