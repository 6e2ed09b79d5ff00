import pytest
from rest_framework.test import APIClient

from questions.loader import CONTENT_DIR, load_questions



@pytest.fixture
def bank(db):
    load_questions([CONTENT_DIR / "1973.md"])  # the tests here are written about #1973 alone


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user(api):
    """An API client authenticated as the given user (None: anonymous)."""
    def _as(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client
    return _as
