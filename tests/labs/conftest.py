import datetime as dt

import pytest
from django.utils import timezone

from labs.models import Lab


@pytest.fixture
def lab(instructor):
    return Lab.objects.create(
        name="demo", owner=instructor, status=Lab.Status.RUNNING,
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )


@pytest.fixture
def immediate_tasks(settings):
    """Background tasks run at once, in the test's thread, for real (django-tasks' ImmediateBackend):
    for tests of what a task does, not of when it runs."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
