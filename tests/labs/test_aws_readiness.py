"""The labs page tells a teacher everything an AWS lab lacks, at once, before a lab fails.

The form check reads the server's settings only; "Check this account" runs the deployer's
read-only checks against moto (Service Quotas and IAM's policy simulation, which moto lacks,
answered by the deployer tests' Stubber clients where the account should pass).
"""
import pytest

from labs.models import Lab
from reference_impl.deploy import deployer as deployer_module
from tests.reference_impl.deploy_support import ACCOUNT, lab_config, moto_aws, prepare_account, stub_unmodelled

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")
AWS_LAB = {"name": "aws", "target": "aws", "max_tasks": 2, "ttl_minutes": 30}


def test_an_aws_lab_lacking_settings_is_refused_with_every_missing_one_at_once(client, db, instructor, monkeypatch,
                                                                                  settings):
    settings.LAB_IMAGE_URI = ""
    monkeypatch.setenv("LAB_ALLOWED_ACCOUNT_IDS", ACCOUNT)
    client.force_login(instructor)
    response = client.post("/labs/", AWS_LAB)
    assert response.status_code == 400 and not Lab.objects.exists()
    page = response.content.decode()
    assert "No worker image is set: ask the person who runs this server to set LAB_IMAGE_URI" in page
    settings.LAB_IMAGE_URI = "docker.io/worker:latest"
    page = client.post("/labs/", AWS_LAB).content.decode()
    assert "is not an image in Amazon ECR" in page and not Lab.objects.exists()


def test_with_nothing_set_the_teacher_reads_who_to_ask(client, db, instructor, monkeypatch):
    monkeypatch.delenv("LAB_ALLOWED_ACCOUNT_IDS", raising=False)
    client.force_login(instructor)
    page = client.get("/labs/").content.decode()
    assert "AWS sandbox accounts are off on this server: ask the person who runs it to allow the school" in page


def test_check_this_account_lists_every_failed_check_of_a_fresh_account(client, db, instructor, monkeypatch, settings):
    settings.LAB_IMAGE_URI = lab_config().image_uri
    monkeypatch.setenv("LAB_ALLOWED_ACCOUNT_IDS", ACCOUNT)
    client.force_login(instructor)
    with moto_aws(monkeypatch):
        response = client.post("/labs/check-aws/")
    page = response.content.decode()
    assert response.status_code == 200 and "An AWS lab would fail now. Everything to fix:" in page
    for expected in ("no labs-bootstrap stack in us-east-1", "service-linked role AWSServiceRoleForECS: missing",
                     "repository lab-worker (from the image URI) does not exist",
                     "What to do: ask your AWS administrator to run"):
        assert expected in page.replace("&#x27;", "'").replace("&quot;", '"').replace("&#x60;", "`"), expected
    assert page.count("data-aws-problem") >= 4


def test_check_this_account_says_ready_for_a_bootstrapped_account(client, db, instructor, monkeypatch, settings):
    settings.LAB_IMAGE_URI = lab_config().image_uri
    monkeypatch.setenv("LAB_ALLOWED_ACCOUNT_IDS", ACCOUNT)
    real = deployer_module.Deployer

    def stubbed(config, **kwargs):
        d = real(config, **kwargs)
        stub_unmodelled(d, rounds=1)
        return d
    monkeypatch.setattr(deployer_module, "Deployer", stubbed)
    client.force_login(instructor)
    with moto_aws(monkeypatch) as session:
        prepare_account(session)
        page = client.post("/labs/check-aws/").content.decode()
    assert "data-aws-ready" in page, page[page.find("data-aws-check"):][:2000]


def test_a_failed_lab_shows_its_failure_not_a_poll_that_never_comes(client, db, instructor):
    import datetime as dt

    from django.utils import timezone
    lab = Lab.objects.create(name="x", owner=instructor, target=Lab.Target.AWS, status=Lab.Status.FAILED,
                             error="stack ROLLBACK_COMPLETE: Service: CannotPullContainerError",
                             expires_at=timezone.now() + dt.timedelta(minutes=30))
    client.force_login(instructor)
    page = client.get(f"/labs/{lab.pk}/").content.decode()
    assert "Waiting for the first poll" not in page
    assert "No scaling decision: the lab failed (stack ROLLBACK_COMPLETE: Service: CannotPullContainerError)" in page
