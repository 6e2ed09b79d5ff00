"""The counts of failed logins, in their own table (accounts.models.LoginFailureCount).

Each count expires LOGIN_LOCKOUT_MINUTES after its latest failure, as the cache's did; expired
rows are read as 0 and deleted whenever a new count starts, so the table holds only counts that
still matter: at most one row per account and address that failed in the last cool-off period.
"""
import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import LoginFailureCount


def _now() -> dt.datetime:
    return timezone.now()  # one clock, which tests move past the cool-off


def get(key: str) -> int:
    row = LoginFailureCount.objects.filter(key=key, expires_at__gt=_now()).values_list("count", flat=True).first()
    return row or 0


def add(key: str, timeout_s: float) -> int:
    """One more failure for `key`; the count starts again after it expired. The new count."""
    now = _now()
    expires_at = now + dt.timedelta(seconds=timeout_s)
    for _ in range(3):  # another process may create the row between our update and insert
        with transaction.atomic():
            if LoginFailureCount.objects.filter(key=key, expires_at__gt=now).update(count=F("count") + 1,
                                                                                   expires_at=expires_at):
                return get(key)
        LoginFailureCount.objects.filter(expires_at__lte=now).delete()  # this key's expired row, and others'
        try:
            with transaction.atomic():
                LoginFailureCount.objects.create(key=key, count=1, expires_at=expires_at)
            return 1
        except IntegrityError:
            continue
    return get(key)


def extend(key: str, timeout_s: float) -> None:
    """The wait starts again from this refused try, for a count that exists; none is created."""
    LoginFailureCount.objects.filter(key=key, expires_at__gt=_now()).update(
        expires_at=_now() + dt.timedelta(seconds=timeout_s))


def delete(key: str) -> bool:
    return LoginFailureCount.objects.filter(key=key).delete()[0] > 0
