import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from questions.loader import CONTENT_DIR, load_questions

PASSWORD = "a-Long-enough-passw0rd"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Most tests create users, and the fuzzer calls POST /auth/token/ many times: at the real
    # work factor, password hashing would take most of this folder's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bank(db):
    load_questions([CONTENT_DIR])


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user("learner", password=PASSWORD)


@pytest.fixture
def other_learner(django_user_model):
    return django_user_model.objects.create_user("other", password=PASSWORD)


@pytest.fixture
def instructor(django_user_model):
    user = django_user_model.objects.create_user("teacher", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="instructors")[0])
    return user


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


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: Playwright cannot download its own here (see ../shared/TOOLING.md).
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}
