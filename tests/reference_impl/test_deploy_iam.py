"""The bootstrap's instructor policy covers every AWS call the deployer makes, and no more templates.

Runs in moto (the calls are botocore's own, recorded before they are sent); the stack role's
policy is generated and tested in test_deploy_stack_role.py.

The calls are recorded from a full plan/up/status/burst/down against moto; the policy is the
InstructorPolicy of bootstrap.yaml, resolved for the account. This proves the action list is
complete for the deployer's own calls and, with iam_eval, that its conditions refuse another
template; it cannot prove IAM's evaluation on a real account.
"""
import json

import pytest
from parliament import analyze_policy_string
from policy_sentry.querying.all import get_all_actions

from reference_impl.deploy import Deployer, bootstrap

from .deploy_support import (ACCOUNT, NOW, REGION, TEMPLATE_BUCKET, bootstrap_policies, lab_config, moto_aws,
                             prepare_account, stub_unmodelled)
from .iam_eval import allows
# S3 operations are authorised under differently named actions
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html).
S3_ACTIONS = {"ListObjectsV2": "ListBucket", "DeleteObjects": "DeleteObject", "CreateMultipartUpload": "PutObject",
              "UploadPart": "PutObject", "CompleteMultipartUpload": "PutObject", "HeadObject": "GetObject"}

# SQS batch calls are authorised by their single-message actions
# (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
SQS_ACTIONS = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage",
               "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")


def policies() -> dict[str, dict]:
    return {"instructor": bootstrap_policies()["InstructorPolicy"]}


def allowed_actions(policy: dict) -> set[str]:
    out = set()
    for statement in policy["Statement"]:
        actions = statement["Action"]
        out.update([actions] if isinstance(actions, str) else actions)
    return out


def test_every_call_of_a_whole_lab_is_allowed_by_the_instructor_policy(monkeypatch):
    calls = set()

    def record(model, **kwargs):
        service = model.service_model.signing_name
        renamed = {"s3": S3_ACTIONS, "sqs": SQS_ACTIONS}.get(service, {})
        calls.add(f"{service}:{renamed.get(model.name, model.name)}")

    with moto_aws(monkeypatch) as session:
        prepare_account(session)
        session.events.register("before-call", record)
        d = Deployer(lab_config(), session=session, allowed_accounts=frozenset({ACCOUNT}), now=lambda: NOW,
                     sleep=lambda s: None, poll_s=0)
        for stubbed in stub_unmodelled(d).values():
            stubbed.client.meta.events.register_first("before-call.*.*", record)
        d.plan()
        # plan reads only: identity, the network, the prerequisites, CloudFormation's template check
        assert calls == {"sts:GetCallerIdentity", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "iam:GetRole",
                         "ecr:DescribeImages", "servicequotas:GetServiceQuota", "iam:SimulatePrincipalPolicy",
                         "cloudformation:ValidateTemplate", "cloudformation:DescribeStacks", "s3:GetObject",
                         "ec2:DescribeRouteTables"}
        list(d.up())
        d.status()
        list(d.burst(3, via="queue"))
        list(d.down())
    assert {"cloudformation:CreateChangeSet", "cloudformation:DeleteStack", "s3:PutObject"} <= calls
    missing = calls - allowed_actions(policies()["instructor"])
    assert not missing, f"add to the README's instructor policy: {sorted(missing)}"


def test_the_policies_are_valid_json_with_no_wildcard_actions():
    for name, policy in policies().items():
        assert policy["Version"] == "2012-10-17", name
        assert not [a for a in allowed_actions(policy) if "*" in a], name


PUBLISHED = f"https://{TEMPLATE_BUCKET}.s3.{REGION}.amazonaws.com/{bootstrap.template_key()}"
STACK_ARN = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/lab-week3-digits/1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/labs-cloudformation-role"


def test_an_instructor_can_create_stacks_only_from_the_published_template_with_the_stack_role():
    policy = policies()["instructor"]
    ok = {"cloudformation:TemplateUrl": PUBLISHED, "cloudformation:RoleArn": ROLE}
    assert allows(policy, "cloudformation:CreateChangeSet", STACK_ARN, ok)
    refused = {
        "a template body (no TemplateUrl)": {"cloudformation:RoleArn": ROLE},
        "another bucket": {**ok, "cloudformation:TemplateUrl": "https://evil.s3.amazonaws.com/templates/lab-x.yaml"},
        "another prefix": {**ok, "cloudformation:TemplateUrl": PUBLISHED.replace("/templates/", "/uploads/")},
        "no service role": {"cloudformation:TemplateUrl": PUBLISHED},
        "another role": {**ok, "cloudformation:RoleArn": f"arn:aws:iam::{ACCOUNT}:role/Admin"},
    }
    for why, context in refused.items():
        assert not allows(policy, "cloudformation:CreateChangeSet", STACK_ARN, context), why
    for action in ("cloudformation:CreateStack", "cloudformation:UpdateStack", "s3:PutObject"):
        assert not allows(policy, action, STACK_ARN, ok), action
    # nor may they write the template they are allowed to use
    assert not allows(policy, "s3:PutObject", f"arn:aws:s3:::{TEMPLATE_BUCKET}/{bootstrap.template_key()}")
    assert not allows(policy, "iam:PassRole", ROLE, {"iam:PassedToService": "lambda.amazonaws.com"})


def test_the_deployer_sends_the_published_url_and_the_stack_role(monkeypatch):
    sent = {}

    def record(params, **kwargs):
        sent.update(params)

    with moto_aws(monkeypatch) as session:
        prepare_account(session)
        d = Deployer(lab_config(), session=session, allowed_accounts=frozenset({ACCOUNT}), now=lambda: NOW,
                     sleep=lambda s: None, poll_s=0)
        stub_unmodelled(d)
        d._client("cloudformation").meta.events.register("provide-client-params.cloudformation.CreateChangeSet", record)
        list(d.up(upload_model=False))
        outputs = d.bootstrap_outputs()
    context = {"cloudformation:TemplateUrl": sent["TemplateURL"], "cloudformation:RoleArn": sent["RoleARN"]}
    assert "TemplateBody" not in sent
    assert sent["TemplateURL"] == outputs["TemplateBaseUrl"] + bootstrap.template_key().removeprefix("templates/")
    resolved = bootstrap_policies()["InstructorPolicy"]
    bucket = outputs["TemplateBucketName"]
    text = json.dumps(resolved).replace(TEMPLATE_BUCKET, bucket)
    assert allows(json.loads(text), "cloudformation:CreateChangeSet", STACK_ARN, context)


def test_every_bootstrap_policy_lints_clean_and_names_only_real_actions():
    known = get_all_actions(lowercase=True)
    for name, policy in bootstrap_policies().items():
        unknown = [a for a in allowed_actions(policy) if a.lower() not in known and a != "s3:*"]
        assert not unknown, (name, unknown)
        findings = [(f.issue, f.detail) for f in analyze_policy_string(json.dumps(policy)).findings
                    if not (f.issue == "RESOURCE_STAR" and set(f.detail) <= RESOURCE_STAR_OK)
                    and not (f.issue == "UNKNOWN_ACTION" and name == "StackRole/lab-stacks")
                    and not (f.issue == "RESOURCE_MISMATCH" and name == "StackRole/lab-stacks")]
        if name == "StackRole/lab-stacks":
            continue   # explained finding by finding in test_deploy_stack_role.py
        assert not findings, (name, findings)


# Calls IAM authorises on "*" only or on ids no name pattern can match: ListTasks is kept to lab
# clusters by its ecs:cluster condition; scalable targets have generated ids.
RESOURCE_STAR_OK = {"ecs:ListTasks", "application-autoscaling:RegisterScalableTarget"}
