"""An AWS lab's status is polled by the background tick, in moto: the page reads what it wrote.

moto cannot make a deletion fail: the DELETE_FAILED test shapes CloudFormation's answers on the
deployer's own client, as the deployer's tests do (tests/reference_impl/test_deploy_teardown.py).

Bursts to an AWS lab are not sent here: through the stack's API they would leave loopback
(moto does not intercept the signed HTTP requests), and the deployer's own tests cover them."""
import datetime as dt

import pytest
from django.utils import timezone

from labs import backends, deployers, operations, tasks
from labs.models import Lab
from reference_impl.deploy.deployer import Deployer
from tests.reference_impl.deploy_support import (ACCOUNT, failed_deletion, lab_config, moto_aws, prepare_account, stack_ids,
                                                 stub_unmodelled)


@pytest.fixture
def aws_lab(monkeypatch, settings, instructor, immediate_tasks, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.LAB_IMAGE_URI = lab_config().image_uri
    monkeypatch.setenv("LAB_ALLOWED_ACCOUNT_IDS", ACCOUNT)
    with moto_aws(monkeypatch) as session:
        prepare_account(session)  # the deployer's preflight: service-linked roles, the image in ECR
        lab = Lab.objects.create(name="aws demo", owner=instructor, target=Lab.Target.AWS, aws_region="us-east-1",
                                 runtime_dir=str(tmp_path), expires_at=timezone.now() + dt.timedelta(minutes=60))
        lab.stack_name = f"lab-lab{lab.pk}-digits"
        lab.save()
        config = lab_config(lab=f"lab{lab.pk}", owner=instructor.get_username())
        deployer = Deployer(config, session=session, sleep=lambda s: None, poll_s=0)
        stub_unmodelled(deployer)  # what moto does not model: the Fargate quota, IAM's policy simulation
        list(deployer.up())  # with the model: a lab is ready only once its artifact is verified
        yield lab, session


def test_the_tick_polls_an_aws_lab_and_the_dashboard_reads_the_figures(aws_lab):
    lab, session = aws_lab
    ids = stack_ids(session, lab.stack_name)
    session.client("sqs").send_message_batch(QueueUrl=ids["JobQueue"], Entries=[
        {"Id": str(i), "MessageBody": "{}"} for i in range(7)])
    tasks.tick.enqueue()
    lab.refresh_from_db()
    st = operations.status(lab)
    assert lab.status == Lab.Status.RUNNING  # CREATE_COMPLETE, read by the poll
    assert st["queue"]["visible"] == 7 and st["workers"]["desired"] == 0
    assert [s["visible"] for s in st["series"]] == [7]


def test_an_aws_lab_keeps_one_deployer_and_a_poll_makes_four_calls(aws_lab, monkeypatch, app_clock):
    """A poll used to build a Deployer each time: a session, STS GetCallerIdentity, a client per
    service and eight reads. Kept, the first poll identifies the account and reads what holds; each
    later poll reads what changes: the stack's status, the two queues, the service (with its tags)."""
    lab, session = aws_lab
    monkeypatch.setattr(deployers, "_kept", deployers.OrderedDict())
    calls: list[list[str]] = []
    sessions = []
    real_session = deployers.new_session

    def counted(region):
        made = real_session(region)
        made.events.register("before-call", lambda model, **kw: calls[-1].append(model.name))
        sessions.append(made)
        return made
    monkeypatch.setattr(deployers, "new_session", counted)

    def poll() -> list[str]:
        calls.append([])
        tasks.tick.enqueue()
        app_clock.advance(dt.timedelta(seconds=tasks.POLL_S[Lab.Target.AWS]))
        return calls[-1]
    first = poll()
    assert first.count("GetCallerIdentity") == 1 and "DescribeStackResources" in first
    steady = [poll() for _ in range(3)]
    assert steady == [["DescribeStacks", "GetQueueAttributes", "GetQueueAttributes", "DescribeServices"]] * 3
    assert len(sessions) == 1
    lab.refresh_from_db()
    assert lab.status == Lab.Status.RUNNING and lab.samples.count() == 4

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "rotated")  # other credentials: a new session, checked again
    assert poll().count("GetCallerIdentity") == 1 and len(sessions) == 2

    monkeypatch.setattr(backends, "_spawn", lambda *args, **kwargs: 0)  # `down` itself is the deployer's tests'
    operations.teardown(lab, actor=None, reason="requested")
    assert deployers.kept_count() == 0  # the teardown's polls start from a fresh read


def test_an_aws_lab_shows_its_target_and_which_controller_changed_the_desired_count(aws_lab, app_clock):
    lab, session = aws_lab
    ids = stack_ids(session, lab.stack_name)
    tasks.tick.enqueue()
    lab.refresh_from_db()
    st = operations.status(lab)
    policy = backends.AwsBackend()._deployer(lab).config.policy
    assert st["scaling"]["target_backlog_per_task"] == policy.acceptable_latency_s / policy.seconds_per_message
    assert st["decisions"] == []
    ecs = session.client("ecs")
    for desired in (2, 4, 1):  # what the scaler function, then target tracking, would set
        ecs.update_service(cluster=ids["Cluster"], service=ids["Service"], desiredCount=desired)
        app_clock.advance(dt.timedelta(seconds=tasks.POLL_S[Lab.Target.AWS]))
        tasks.tick.enqueue()
    lab.refresh_from_db()
    changes = [(d["desired"], d["controller"]) for d in operations.status(lab)["decisions"]]
    assert changes == [(2, backends.AWS_CONTROLLERS["from_zero"]), (4, backends.AWS_CONTROLLERS["out"]),
                       (1, backends.AWS_CONTROLLERS["in"])]


def test_a_stack_that_fails_to_delete_shows_its_reason_on_the_labs_page(aws_lab, client, instructor, monkeypatch,
                                                                          app_clock):
    lab, session = aws_lab
    lab.status = Lab.Status.TEARING_DOWN
    lab.save()
    deployer = backends.AwsBackend()._deployer(lab)
    failed_deletion(deployer, monkeypatch)
    monkeypatch.setattr(backends.AwsBackend, "_deployer", lambda self, lab: deployer)
    tasks.tick.enqueue()
    lab.refresh_from_db()
    assert lab.status == Lab.Status.DELETE_FAILED
    assert lab.error == ("The following resource(s) failed to delete: [Bucket]. ; "
                         "Bucket: The bucket you tried to delete is not empty")
    client.force_login(instructor)
    page = client.get("/labs/").content.decode()
    assert "Stacks AWS could not delete" in page and "The bucket you tried to delete is not empty" in page
    app_clock.advance(dt.timedelta(seconds=tasks.POLL_S[Lab.Target.AWS]))
    tasks.tick.enqueue()  # the next polls leave it waiting for an instructor's retry
    lab.refresh_from_db()
    assert lab.status == Lab.Status.DELETE_FAILED and lab.events.filter(action="delete_failed").count() == 1


def test_a_stack_up_without_its_verified_model_is_not_ready_for_jobs(aws_lab):
    lab, session = aws_lab
    ids = stack_ids(session, lab.stack_name)
    # The deployer's mark that the uploaded model read back with its checksum: as before that check.
    session.client("s3").delete_object(Bucket=ids["Bucket"], Key="models/model.skops.verified")
    tasks.tick.enqueue()
    lab.refresh_from_db()
    assert lab.status == Lab.Status.DEPLOYING  # CREATE_COMPLETE alone does not make it ready


def test_a_lab_asks_the_deployer_for_its_whole_time_limit(instructor):
    """Rounding the time left down asked a fresh 30-minute lab's deployer for 29 minutes, under
    its 30-minute minimum, so every AWS lab at the minimum was refused."""
    lab = Lab(name="aws demo", owner=instructor, target=Lab.Target.AWS,
              expires_at=timezone.now() + dt.timedelta(minutes=30) - dt.timedelta(seconds=2))
    assert backends._ttl_minutes(lab) == 30
