"""`up`: create the stack through a change set, streaming its events, then upload and verify the model."""
from collections.abc import Iterator

from botocore.exceptions import ClientError, WaiterError

from . import bootstrap as bootstraps
from . import preflight as preflights
from .access import LabStack
from .events import DeployError, Event
from .guardrails import GuardrailError
from .plan import preflight
from .status import verified_key


def up(stack: LabStack, upload_model: bool = True, ballast_mb: int = 0) -> Iterator[Event]:
    """Create the stack through a change set, streaming its events; then upload the model.

    The model is the worker's own (reference_impl.model): trained, saved as skops with its
    sha256 as metadata (the worker refuses an artifact without it), padded with `ballast_mb`
    megabytes so the class can see what loading a 1.5 GB model costs each new task.
    """
    stack.config.check()
    checks = preflight(stack)
    if not all(c.ok for c in checks):
        raise preflights.PreflightError(checks)
    role_arn = stack.stack_role_arn()
    if role_arn is None:
        raise GuardrailError("no CloudFormation service role: the scheduled teardown deletes the stack with it; "
                             + preflights.ASK_ADMIN)
    outputs = stack.bootstrap_outputs() or {}
    cf = stack._client("cloudformation")
    yield Event("info", f"account {stack.identity['Account']} is allowed; caller {stack.identity['Arn']}")
    if stack._stack() is not None:
        raise GuardrailError(f"stack {stack.config.stack_name} already exists; use status, or down first")
    expires = stack.config.expires_at(stack._now())
    name = f"create-{expires:%Y%m%d%H%M%S}"
    try:
        change_set = cf.create_change_set(
            StackName=stack.config.stack_name, ChangeSetName=name, ChangeSetType="CREATE",
            # The published copy of this very template (preflight checked it is there): the
            # instructor policy allows creating stacks from the bootstrap's bucket only.
            TemplateURL=outputs["TemplateBaseUrl"] + bootstraps.template_key().removeprefix("templates/"),
            Capabilities=["CAPABILITY_IAM"], RoleARN=role_arn,
            Parameters=[{"ParameterKey": k, "ParameterValue": v}
                        for k, v in stack._stack_parameters(expires).items()],
            Tags=[{"Key": k, "Value": v} for k, v in stack.config.tags(expires).items()],
        )
    except ClientError as exc:
        raise DeployError(f"CreateChangeSet failed: {exc}") from exc
    described = _wait_change_set(stack, cf, change_set["Id"])
    total = len(described.get("Changes", []))
    yield Event("changeset", f"change set {name}: {total} resources to add; executing", 0, total,
                {"changes": [c["ResourceChange"]["LogicalResourceId"] for c in described.get("Changes", [])]})
    cf.execute_change_set(ChangeSetName=change_set["Id"])
    status = yield from stack._stream(cf, change_set["StackId"], total, "CREATE")
    if status != "CREATE_COMPLETE":
        raise DeployError(f"stack {stack.config.stack_name} ended {status}; run `down` to remove what is left")
    if upload_model:
        yield from upload_and_verify_model(stack, ballast_mb)
    yield Event("done", f"stack {stack.config.stack_name} is up; it deletes itself at {expires:%H:%M} UTC",
                total, total, {"stack_id": change_set["StackId"], "expires_at": expires.isoformat()})


def upload_and_verify_model(stack: LabStack, ballast_mb: int) -> Iterator[Event]:
    """Upload the model, then load it back the way a task will (download, SHA-256 against the
    uploaded file's, deserialise) and only then write the marker `status` reads as ready."""
    from reference_impl.model import artifacts  # scikit-learn: only here

    bucket = stack._physical_ids()["Bucket"]
    uri = f"s3://{bucket}/{stack.config.model_key}"
    s3 = stack._client("s3")
    yield Event("info", f"training model {stack.config.model_name} and uploading it to {uri}")
    artifact = artifacts.build_and_upload(s3, stack.config.model_name, uri, ballast_mb)
    yield Event("info", f"model uploaded: {artifact.size_bytes} bytes, sha256 {artifact.sha256}; verifying")
    try:
        artifacts.load(s3, uri, expected_sha256=artifact.sha256)
    except artifacts.ArtifactError as exc:
        raise DeployError(f"the uploaded model failed verification: {exc}") from exc
    s3.put_object(Bucket=bucket, Key=verified_key(stack), Body=artifact.sha256.encode(),
                  Metadata={"sha256": artifact.sha256})
    yield Event("info", f"model verified: read back from {uri}, sha256 matches, it loads as a task loads it")


def _wait_change_set(stack: LabStack, cf, change_set_id: str) -> dict:
    try:
        cf.get_waiter("change_set_create_complete").wait(ChangeSetName=change_set_id,
                                                          WaiterConfig=stack._waiter_config(stack._timeout_s))
    except WaiterError as exc:
        reason = (exc.last_response or {}).get("StatusReason", str(exc))
        raise DeployError(f"change set failed: {reason}") from exc
    return cf.describe_change_set(ChangeSetName=change_set_id)
