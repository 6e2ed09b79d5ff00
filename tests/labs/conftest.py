import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from labs.models import Lab

PASSWORD = "a-Long-enough-passw0rd"


@pytest.fixture
def instructor(django_user_model):
    user = django_user_model.objects.create_user("instructor", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="instructors")[0])
    return user


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user("learner", password=PASSWORD)


@pytest.fixture
def lab(instructor):
    return Lab.objects.create(
        name="demo", owner=instructor, status=Lab.Status.RUNNING,
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )
