"""Fixtures for the reference system: a real LocalStack endpoint per test session, isolated
queues and buckets per test, a trained model in memory.

Other test folders can start their own endpoint with
``reference_impl.local.endpoint.start_local_endpoint(tmpdir)`` or reuse ``local_endpoint`` by
importing it from here: ``from tests.reference_impl.conftest import local_endpoint  # noqa``.
"""
import time
import uuid

import pytest

from reference_impl.local.endpoint import start_local_endpoint
from reference_impl.local.provision import ProvisionSettings, provision
from reference_impl.local.runtime import local_clients
from reference_impl.model import artifacts
from reference_impl.model.artifacts import LoadedModel


def wait_for(predicate, timeout_s, what, interval_s=0.1):
    """Poll until ``predicate()`` is true; fail naming ``what`` after ``timeout_s``. The bound is
    generous (a busy two-core machine), and a test that needs it has failed anyway."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(interval_s)


@pytest.fixture(scope="session")
def local_endpoint(tmp_path_factory):
    """LocalStack on a free loopback port, for the whole session (it starts in a few seconds)."""
    endpoint = start_local_endpoint(tmp_path_factory.mktemp("localstack"))
    yield endpoint
    endpoint.stop()


@pytest.fixture(scope="session")
def clients(local_endpoint):
    return local_clients(local_endpoint.url)


def provision_isolated(clients, models=("digits",), **settings):
    """A bucket and queues no other test uses, on the shared endpoint."""
    tag = uuid.uuid4().hex[:10]
    return provision(clients, list(models), ProvisionSettings(bucket=f"refimpl-test-{tag}",
                                                              queue_prefix=f"t{tag}-", **settings))


@pytest.fixture
def services(clients):
    return provision_isolated(clients, ("digits", "iris"), visibility_timeout_s=5, max_receive_count=3)


@pytest.fixture(scope="session")
def digits_model():
    estimator = artifacts.train("digits")
    return LoadedModel("digits", estimator, "0" * 64, 0, 0.0)
