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
