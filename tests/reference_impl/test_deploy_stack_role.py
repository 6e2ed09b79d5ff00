"""`stack-role-policy`: the CloudFormation service role's policy, derived from the template.

Inspects the template and cfn-lint's bundled resource provider schemas, no AWS and no moto: the
question is whether the printed policy grants what CloudFormation's handlers call, which only
the schemas state offline (moto's CloudFormation does not check IAM at all). The schemas are read
here straight from cfn-lint's data files, not through the module under test, so a new resource
type or a new handler permission that the policy misses makes these tests fail.
"""
import copy
import io
import json
from fnmatch import fnmatchcase
from pathlib import Path

import cfnlint

from reference_impl import aws_facts
from reference_impl.deploy import stack_role
from reference_impl.deploy.__main__ import main
from reference_impl.deploy.template import parsed_template

SCHEMAS = Path(cfnlint.__file__).parent / "data" / "schemas"
ACCOUNT, REGION = "123456789012", "us-east-1"


def schema_permissions(resource_type: str) -> set[str]:
    index = json.loads((SCHEMAS / "providers" / f"{REGION}.json").read_text())
    schema = json.loads((SCHEMAS / "resources" / f"{index[resource_type]}.json").read_text())
    return {p for handler in schema["handlers"].values() for p in handler.get("permissions", [])}


def printed_policy(*args: str) -> dict:
    out = io.StringIO()
    assert main(["stack-role-policy", *args], out=out) == 0
    return json.loads(out.getvalue())


def allows(policy: dict, action: str, resource: str, context: dict | None = None) -> bool:
    """IAM's Allow matching for one request (no Deny statements exist here)."""
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        condition = statement.get("Condition", {}).get("StringEquals", {})
        if action not in actions or not any(fnmatchcase(resource, r) for r in resources):
            continue
        if all((context or {}).get(key) in (values if isinstance(values, list) else [values])
               for key, values in condition.items()):
            return True
    return False


def granted(policy: dict) -> set[str]:
    out = set()
    for statement in policy["Statement"]:
        out.update(statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    return out


def test_the_printed_policy_grants_every_handler_permission_of_every_resource_type():
    policy = printed_policy("--account-id", ACCOUNT, "--region", REGION)
    types = {spec["Type"] for spec in parsed_template()["Resources"].values()}
    needed = set().union(*(schema_permissions(t) for t in types))
    # examples of what the hand-kept policy lacked
    assert {"iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "sqs:GetQueueUrl",
            "application-autoscaling:ListTagsForResource", "application-autoscaling:DescribeScheduledActions",
            "cloudwatch:GetMetricData", "ecs:DescribeServiceDeployments"} <= needed
    missing = needed - granted(policy)
    assert not missing, f"not granted: {sorted(missing)}"
    assert policy["Version"] == "2012-10-17"


def test_a_resource_type_added_to_the_template_is_granted_its_handlers_permissions():
    template = copy.deepcopy(parsed_template())
    template["Resources"]["Table"] = {"Type": "AWS::DynamoDB::Table", "Properties": {}}
    assert "dynamodb:CreateTable" not in granted(stack_role.policy())
    assert schema_permissions("AWS::DynamoDB::Table") <= granted(stack_role.policy(template=template))


def test_every_scoped_action_is_one_the_template_needs():
    # A scope kept for an action no handler calls would hide the policy's real shape.
    assert set(stack_role.SCOPED) <= stack_role.required_actions()


def test_scoped_actions_reach_this_labs_resources_and_nothing_else():
    policy = printed_policy("--account-id", ACCOUNT, "--region", REGION)
    stack = "lab-week3-digits"
    for action, kind in stack_role.SCOPED.items():
        arn = stack_role.example_arn(kind, stack, "aws", REGION, ACCOUNT)
        assert allows(policy, action, arn), (action, arn)
    outside = {"iam:PutRolePolicy": f"arn:aws:iam::{ACCOUNT}:role/Admin",
               "iam:PassRole": f"arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole",
               "s3:DeleteBucket": "arn:aws:s3:::company-backups",
               "sqs:DeleteQueue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders",
               "lambda:UpdateFunctionCode": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:billing",
               "logs:DeleteLogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/billing",
               "sqs:CreateQueue": f"arn:aws:sqs:{REGION}:999999999999:lab-week3-digits-jobs"}
    for action, arn in outside.items():
        assert not allows(policy, action, arn), (action, arn)


def test_service_linked_roles_only_for_ecs_and_its_scaling():
    policy = stack_role.policy(account=ACCOUNT)
    key = "iam:AWSServiceName"
    assert allows(policy, "iam:CreateServiceLinkedRole", "*", {key: "ecs.amazonaws.com"})
    assert allows(policy, "iam:CreateServiceLinkedRole", "*", {key: "ecs.application-autoscaling.amazonaws.com"})
    assert not allows(policy, "iam:CreateServiceLinkedRole", "*", {key: "rds.amazonaws.com"})


def test_it_fits_iams_inline_policy_limit_with_no_wildcard_action():
    policy = stack_role.policy(account=ACCOUNT, region=REGION)
    # IAM counts a policy's characters without whitespace.
    assert len(json.dumps(policy, separators=(",", ":"))) <= aws_facts.value("iam_role_inline_policy_max_chars")
    assert not [a for a in granted(policy) if "*" in a]


def test_it_refuses_an_account_id_that_is_not_twelve_digits():
    err = io.StringIO()
    assert main(["stack-role-policy", "--account-id", "1234"], out=io.StringIO(), err=err) == 2
    assert "--account-id '1234' is not a 12-digit AWS account id" in err.getvalue()


def test_the_readme_keeps_no_hand_written_copy_and_shows_the_command():
    readme = (Path(stack_role.__file__).parent / "README.md").read_text()
    assert "python -m reference_impl.deploy stack-role-policy --account-id" in readme
    assert '"sqs:CreateQueue"' not in readme and '"Sid": "Queues"' not in readme
