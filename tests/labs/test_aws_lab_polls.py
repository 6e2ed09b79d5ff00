"""An AWS lab's status is polled by the background tick, in moto: the page reads what it wrote.

Bursts to an AWS lab are not sent here: through the stack's API they would leave loopback
(moto does not intercept the signed HTTP requests), and the deployer's own tests cover them."""
import datetime as dt

import pytest
from django.utils import timezone

from labs import operations, tasks
from labs.models import Lab
from reference_impl.deploy.deployer import Deployer
from tests.reference_impl.deploy_support import ACCOUNT, lab_config, moto_aws
from tests.reference_impl.test_deploy_deployer import stack_ids


@pytest.fixture
def aws_lab(monkeypatch, settings, instructor, immediate_tasks, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.LAB_IMAGE_URI = lab_config().image_uri
    monkeypatch.setenv("LAB_ALLOWED_ACCOUNT_IDS", ACCOUNT)
    with moto_aws(monkeypatch) as session:
        lab = Lab.objects.create(name="aws demo", owner=instructor, target=Lab.Target.AWS, aws_region="us-east-1",
                                 runtime_dir=str(tmp_path), expires_at=timezone.now() + dt.timedelta(minutes=60))
        lab.stack_name = f"lab-lab{lab.pk}-digits"
        lab.save()
        config = lab_config(lab=f"lab{lab.pk}", owner=instructor.get_username())
        list(Deployer(config, session=session, sleep=lambda s: None, poll_s=0).up(upload_model=False))
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
