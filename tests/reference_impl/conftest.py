"""Fixtures for the reference system: a real LocalStack endpoint per test session, isolated
queues and buckets per test, a trained model in memory.

Other test folders can start their own endpoint with
``reference_impl.local.endpoint.start_local_endpoint(tmpdir)``. Plain helpers (isolated queues,
poison job bodies) are in tests/reference_impl/support.py.
"""
import pytest

from reference_impl.local.endpoint import start_local_endpoint
from reference_impl.local.runtime import local_clients
from reference_impl.model import artifacts
from reference_impl.model.artifacts import LoadedModel
from tests.reference_impl.support import provision_isolated


@pytest.fixture(scope="session")
def local_endpoint(tmp_path_factory):
    """LocalStack on a free loopback port, for the whole session (it starts in a few seconds)."""
    endpoint = start_local_endpoint(tmp_path_factory.mktemp("localstack"))
    yield endpoint
    endpoint.stop()


@pytest.fixture(scope="session")
def clients(local_endpoint):
    return local_clients(local_endpoint.url)


@pytest.fixture
def services(clients):
    return provision_isolated(clients, ("digits", "iris"), visibility_timeout_s=5, max_receive_count=3)


@pytest.fixture(scope="session")
def digits_model():
    estimator = artifacts.train("digits")
    return LoadedModel("digits", estimator, "0" * 64, 0, 0.0)
