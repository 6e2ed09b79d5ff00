"""One controller at a time, a workload that scales visibly, and a lab ready only with its model.

The controllers are checked from the template (moto skips Application Auto Scaling's policies and
CloudWatch alarms in CloudFormation) and by running the scaler function's own code against moto;
the model's upload, verification and the `ready` status run in moto.
"""
import math
import re
from pathlib import Path

import pytest

from reference_impl import aws_facts, workload
from reference_impl.deploy import Deployer
from reference_impl.deploy.config import default_policy
from reference_impl.deploy.events import DeployError
from reference_impl.deploy.template import parsed_template
from reference_impl.scaling import ScalingPolicy
from reference_impl.worker import WorkerConfig

from .deploy_support import ACCOUNT, NOW, lab_config, moto_aws, prepare_account, stub_unmodelled

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")
RESOURCES = parsed_template()["Resources"]
README = Path(__file__).resolve().parents[2] / "reference_impl" / "deploy" / "README.md"


def test_only_target_tracking_and_the_scaler_function_change_the_task_count():
    policies = [k for k, v in RESOURCES.items() if v["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"]
    assert policies == ["BacklogPerTaskPolicy"]
    assert RESOURCES["BacklogPerTaskPolicy"]["Properties"]["PolicyType"] == "TargetTrackingScaling"
    assert not [k for k, v in RESOURCES.items() if v["Type"] == "AWS::CloudWatch::Alarm"]
    # target tracking's metric divides by running tasks: no value, so no action, at zero
    metrics = RESOURCES["BacklogPerTaskPolicy"]["Properties"]["TargetTrackingScalingPolicyConfiguration"][
        "CustomizedMetricSpecification"]["Metrics"]
    assert next(m for m in metrics if m["ReturnData"])["Expression"] == "(m1 + m3) / m2"
    # and the function acts only on a service whose desired count is 0
    code = RESOURCES["ScalerFunction"]["Properties"]["Code"]["ZipFile"]
    assert "elif desired > 0 or visible == 0:" in code


def test_the_readme_says_which_controller_acts_in_each_phase():
    table = README.read_text().split("### Who scales when", 1)[1].split("\n\n", 2)[1]
    rows = {line.split("|")[1].strip(): line.split("|")[2] for line in table.splitlines()[2:]}
    assert "The scaler function" in rows["From zero (0 tasks, messages arrive)"]
    for phase in ("Scaling out (backlog per task above the target for 3 minutes)",
                  "Scaling in (below the target for 15 minutes)",
                  "Back to zero (no backlog, nothing in flight)"):
        assert "Target tracking" in rows[phase], phase


@pytest.mark.parametrize("policy", [default_policy(), ScalingPolicy(60, 0.5, max_tasks=7)])
def test_the_tasks_take_the_seconds_per_item_the_policy_assumes(policy):
    params = lab_config(policy=policy).stack_parameters(NOW, "vpc-1", ("subnet-1",))
    environment = {e["Name"]: e["Value"] for e in
                   RESOURCES["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Environment"]}
    assert environment["WORKER_EMULATED_SECONDS_PER_ITEM"] == {"Ref": "SecondsPerItem"}
    assert params["SecondsPerItem"] == f"{policy.seconds_per_message:g}"
    # what the worker reads from that variable
    config = WorkerConfig.from_env({"QUEUE_URL": "https://q", "MODEL_S3_URI": "s3://b/m", "RESULTS_S3_URI": "s3://b/r/",
                                    "WORKER_EMULATED_SECONDS_PER_ITEM": params["SecondsPerItem"]})
    assert config.emulated_seconds_per_item == policy.seconds_per_message


def test_a_policy_slower_than_the_worker_can_emulate_is_refused():
    slow = ScalingPolicy(acceptable_latency_s=3600, seconds_per_message=61, max_tasks=2)
    assert any("the worker emulates at most 60 s per input" in p for p in lab_config(policy=slow).problems())


def test_the_readmes_bursts_let_each_controller_act_in_turn():
    """The README's first burst is woken by the function with one task; its second keeps that
    task's backlog above the target for the datapoints target tracking needs to scale out."""
    bursts = [int(n) for n in re.findall(r"deploy burst (\d+) --model", README.read_text())]
    first, second = bursts
    target = workload.value("acceptable_latency_s") / workload.value("service_time_s")
    assert math.ceil(first / target) == 1
    per_minute = 60 / workload.value("service_time_s")      # one task's drain rate
    minutes = aws_facts.value("tt_scale_out_datapoints")
    assert second - per_minute * minutes > target


# ------------------------------------------------------------------ ready only with a verified model (moto)
@pytest.fixture
def aws(monkeypatch):
    with moto_aws(monkeypatch) as session:
        prepare_account(session)
        yield session


def deployer(session) -> Deployer:
    d = Deployer(lab_config(), session=session, allowed_accounts=frozenset({ACCOUNT}), now=lambda: NOW,
                 sleep=lambda s: None, poll_s=0)
    stub_unmodelled(d)
    return d


def test_the_lab_is_ready_only_after_the_model_is_uploaded_and_verified(aws):
    d = deployer(aws)
    list(d.up(upload_model=False))
    status = d.status()
    assert status.stack_status == "CREATE_COMPLETE" and status.ready is False
    events = [e.message for e in d._upload_and_verify_model(0)]
    assert events[-1].startswith("model verified: read back from s3://")
    assert d.status().ready is True


def test_a_model_that_fails_verification_leaves_the_lab_not_ready(aws, monkeypatch):
    from reference_impl.model import artifacts

    d = deployer(aws)
    list(d.up(upload_model=False))
    real = artifacts.upload

    def corrupt(s3, artifact, uri):  # the bytes S3 holds are not the ones hashed
        real(s3, artifact, uri)
        bucket, key = uri[5:].split("/", 1)
        s3.put_object(Bucket=bucket, Key=key, Body=b"not the model", Metadata={"sha256": artifact.sha256})

    monkeypatch.setattr(artifacts, "upload", corrupt)
    with pytest.raises(DeployError, match="the uploaded model failed verification"):
        list(d._upload_and_verify_model(0))
    assert d.status().ready is False
