"""The lockout policy django-axes enforces (AXES_HANDLER): failed logins counted per account and
per client address, each against a limit of its own, in a table of their own
(accounts/lockout_counts.py), where no cache eviction can end a lockout early.

Why not django-axes' own cache handler: it holds both counts to one limit, so the five typos of
five learners behind a school's one address would lock the whole school out; one successful
login clears the address count too, so a guesser with an account of their own could spray
other accounts' passwords forever; and it names counts by the bare value, so a username spelled
like an address shares that address's count. Here an account locks after LOGIN_FAILURE_LIMIT
failures, an address after LOGIN_ADDRESS_FAILURE_LIMIT, a success clears only its account's
count, and every count expires LOGIN_LOCKOUT_MINUTES after its last failure.

A refused try from a locked address only restarts that address's wait: it counts nothing and
makes no row for the username it names, so a flood of made-up usernames costs one row.
"""
import hashlib
import logging

from axes.handlers.base import AbstractAxesHandler, AxesBaseHandler
from axes.helpers import get_cache_timeout, get_client_username, get_failure_limit
from axes.signals import user_locked_out
from django.conf import settings

from accounts import lockout_counts

log = logging.getLogger(__name__)


def _key(kind: str, value) -> str:
    return f"lockout:{kind}:" + hashlib.sha256(str(value or "").encode()).hexdigest()


class LockoutHandler(AbstractAxesHandler, AxesBaseHandler):
    def _keys(self, request, credentials):
        return (_key("account", get_client_username(request, credentials)),
                _key("address", request.axes_ip_address))

    def get_failures(self, request, credentials=None) -> int:
        """django-axes compares this with AXES_FAILURE_LIMIT, so the address count is scaled to
        that limit: it reaches it exactly when the address reaches its own."""
        account, address = (lockout_counts.get(key) for key in self._keys(request, credentials))
        limit = get_failure_limit(request, credentials)
        return max(account, address * limit // settings.LOGIN_ADDRESS_FAILURE_LIMIT)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return  # no client to count (see accounts.backends)
        timeout = get_cache_timeout(request)
        account_key, address_key = self._keys(request, credentials)
        if lockout_counts.get(address_key) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            lockout_counts.extend(address_key, timeout)  # refused already: the wait starts again
            request.axes_locked_out = True
            request.axes_credentials = credentials
            return
        for key in (account_key, address_key):
            lockout_counts.add(key, timeout)  # the wait starts again from the latest failure
        if self.is_locked(request, credentials):
            username = get_client_username(request, credentials)
            log.warning("Login locked out: account %r or address %s, at %s", username, request.axes_ip_address,
                        request.path)
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)

    def user_logged_in(self, sender, request, user, **kwargs):
        # The account proved itself; the address did not (it may be a guesser's own account).
        lockout_counts.delete(_key("account", user.get_username()))

    def user_logged_out(self, sender, request, user, **kwargs):
        pass  # logging out proves nothing about guessing: no count changes

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        """For django-axes' axes_reset_ip / axes_reset_username commands."""
        keys = ([_key("address", ip_address)] if ip_address else []) + ([_key("account", username)] if username else [])
        return sum(lockout_counts.delete(key) for key in keys)
