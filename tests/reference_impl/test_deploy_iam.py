"""The instructor's IAM policy in the README covers every AWS call the deployer makes.

Runs in moto (the calls are botocore's own, recorded before they are sent); the stack role's
policy is generated and tested in test_deploy_stack_role.py.

The calls are recorded from a full plan/up/status/burst/down against moto; the policy is the one
an account administrator copies from reference_impl/deploy/README.md. This proves the action list
is complete for the deployer's own calls; it cannot prove IAM's evaluation on a real account.
"""
import json
import re
from pathlib import Path

import pytest

from reference_impl.deploy import Deployer

from .deploy_support import ACCOUNT, NOW, lab_config, moto_aws, prepare_account, stub_unmodelled

README = Path(__file__).resolve().parents[2] / "reference_impl" / "deploy" / "README.md"
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
    blocks = re.findall(r"```json\n(.*?)```", README.read_text(), flags=re.S)
    docs = [json.loads(block) for block in blocks]
    by_first_sid = {d["Statement"][0].get("Sid", "trust"): d for d in docs}
    return {"instructor": by_first_sid["Identify"]}


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
                         "cloudformation:ValidateTemplate"}
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
