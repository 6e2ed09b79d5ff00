"""`bootstrap`: what an account administrator deploys once per account and region.

The stack `labs-bootstrap` (bootstrap.yaml) holds what outlives every lab: the CloudFormation
service role, the permissions boundary of lab roles, the instructor policy, the service-linked
roles, the image repository, the budget alert, the alert topic and the janitor. Then the lab
template is published to the bootstrap's bucket under a content-addressed key; instructors may
create stacks from that URL only (the instructor policy's cloudformation:TemplateUrl condition).

`read_outputs` is how the deployer finds all of it: one DescribeStacks on `labs-bootstrap`.
"""
import hashlib
import time
from collections.abc import Callable, Iterator

import boto3
from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from .events import DeployError, Event
from .guardrails import check_account, open_session
from .preflight import LINKED_ROLES
from .stack_role import BOOTSTRAP_PATH
from .template import template_body

BOOTSTRAP_STACK = "labs-bootstrap"
OUTPUTS = ("StackRoleArn", "PermissionsBoundaryArn", "InstructorPolicyArn", "TemplateBucketName",
           "TemplateBaseUrl", "AlertTopicArn", "RepositoryUri", "JanitorFunctionName")
RUN_IT = "ask your AWS administrator to run `python -m reference_impl.deploy bootstrap --email ADDRESS` " \
         "(README, 'Administrator, once')"


def template_key(body: str | None = None) -> str:
    """Where the lab template is published: its SHA-256 names it, so a URL never changes meaning."""
    body = template_body() if body is None else body
    return f"templates/lab-{hashlib.sha256(body.encode()).hexdigest()[:32]}.yaml"


def read_outputs(cf) -> dict[str, str] | None:
    """The bootstrap stack's outputs, or None when there is no usable bootstrap stack."""
    try:
        stacks = cf.describe_stacks(StackName=BOOTSTRAP_STACK)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise
    if not stacks or stacks[0]["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE",
                                                       "UPDATE_ROLLBACK_COMPLETE"):
        return None
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


class Bootstrapper:
    """Create or update `labs-bootstrap`, then publish the lab template. Allow-list first."""

    def __init__(self, region: str, email: str, monthly_budget_usd: int = 50, *,
                 session: boto3.Session | None = None, role_arn: str | None = None,
                 allowed_accounts: frozenset[str] | None = None,
                 sleep: Callable[[float], None] = time.sleep, poll_s: float = 5.0, timeout_s: float = 1800):
        from .config import allowed_account_ids

        if "@" not in email or len(email) > 254:
            raise ValueError(f"--email {email!r}: the address that receives the alerts (name@example.org)")
        if not 1 <= monthly_budget_usd <= 100_000:
            raise ValueError(f"--monthly-budget-usd {monthly_budget_usd}: 1 to 100000")
        self.region, self.email, self.budget = region, email, monthly_budget_usd
        self._base, self._role_arn = session, role_arn
        self._allowed = allowed_account_ids() if allowed_accounts is None else allowed_accounts
        self._sleep, self._poll_s, self._timeout_s = sleep, poll_s, timeout_s

    def run(self) -> Iterator[Event]:
        session = open_session(self.region, self._role_arn, "labs-bootstrap", base=self._base)
        identity = check_account(session, self._allowed)
        yield Event("info", f"account {identity['Account']} is allowed; caller {identity['Arn']}")
        iam, cf = session.client("iam"), session.client("cloudformation", region_name=self.region)
        present = {}
        for role in LINKED_ROLES:
            try:
                iam.get_role(RoleName=role)
                present[role] = True
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "NoSuchEntity":
                    raise DeployError(f"could not read {role}: {exc}") from exc
                present[role] = False
        yield Event("info", "service-linked roles: " + ", ".join(
            f"{r} {'exists' if ok else 'will be created'}" for r, ok in present.items()))
        params = {"AlertEmail": self.email, "MonthlyBudgetUsd": str(self.budget),
                  "CreateEcsLinkedRole": str(not present["AWSServiceRoleForECS"]).lower(),
                  "CreateScalingLinkedRole": str(not present["AWSServiceRoleForApplicationAutoScaling_ECSService"]).lower()}
        exists = self._exists(cf)
        kind = "UPDATE" if exists else "CREATE"
        name = f"bootstrap-{time.strftime('%Y%m%d%H%M%S', time.gmtime())}"
        try:
            change_set = cf.create_change_set(
                StackName=BOOTSTRAP_STACK, ChangeSetName=name, ChangeSetType=kind,
                TemplateBody=BOOTSTRAP_PATH.read_text(encoding="utf-8"), Capabilities=["CAPABILITY_NAMED_IAM"],
                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
                Tags=[{"Key": "labs", "Value": "bootstrap"}])
        except ClientError as exc:
            raise DeployError(f"CreateChangeSet for {BOOTSTRAP_STACK} failed: {exc}") from exc
        waiter_config = {"Delay": max(0, int(self._poll_s)),
                         "MaxAttempts": max(1, int(self._timeout_s // max(self._poll_s, 1)))}
        try:
            cf.get_waiter("change_set_create_complete").wait(ChangeSetName=change_set["Id"], WaiterConfig=waiter_config)
            changes = cf.describe_change_set(ChangeSetName=change_set["Id"]).get("Changes", [])
        except WaiterError as exc:
            reason = (exc.last_response or {}).get("StatusReason", str(exc))
            if "didn't contain changes" not in reason and "No updates" not in reason:
                raise DeployError(f"bootstrap change set failed: {reason}") from exc
            changes = []
        if changes or not exists:
            yield Event("changeset", f"{kind.lower()} {BOOTSTRAP_STACK}: {len(changes)} resources; executing")
            cf.execute_change_set(ChangeSetName=change_set["Id"])
            waiter = "stack_create_complete" if kind == "CREATE" else "stack_update_complete"
            try:
                cf.get_waiter(waiter).wait(StackName=BOOTSTRAP_STACK, WaiterConfig=waiter_config)
            except WaiterError as exc:
                raise DeployError(f"{BOOTSTRAP_STACK} did not complete: {exc}; see its events in the "
                                  "CloudFormation console") from exc
        else:
            yield Event("info", f"{BOOTSTRAP_STACK} is up to date")
        outputs = read_outputs(cf)
        if outputs is None:
            raise DeployError(f"{BOOTSTRAP_STACK} has no outputs after {kind}")
        key = template_key()
        session.client("s3", region_name=self.region).put_object(
            Bucket=outputs["TemplateBucketName"], Key=key, Body=template_body().encode(),
            ContentType="application/x-yaml", ServerSideEncryption="AES256")
        yield Event("info", f"lab template published: {outputs['TemplateBaseUrl']}{key.removeprefix('templates/')}")
        yield Event("done", "bootstrap complete. Attach the instructor policy to each instructor: "
                    f"{outputs['InstructorPolicyArn']}; confirm the subscription e-mail sent to {self.email}; "
                    f"push the worker image to {outputs['RepositoryUri']}", data=outputs)

    @staticmethod
    def _exists(cf) -> bool:
        try:
            status = cf.describe_stacks(StackName=BOOTSTRAP_STACK)["Stacks"][0]["StackStatus"]
        except ClientError as exc:
            if "does not exist" in str(exc):
                return False
            raise DeployError(f"DescribeStacks {BOOTSTRAP_STACK} failed: {exc}") from exc
        except BotoCoreError as exc:
            raise DeployError(f"DescribeStacks {BOOTSTRAP_STACK} failed: {exc}") from exc
        if status == "ROLLBACK_COMPLETE":
            raise DeployError(f"{BOOTSTRAP_STACK} is ROLLBACK_COMPLETE (a first bootstrap failed): delete it in the "
                              "CloudFormation console, read why in its events, then run bootstrap again")
        return True
