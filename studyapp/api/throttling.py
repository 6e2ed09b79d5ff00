"""Request budgets per caller: anonymous callers by address, users by account, and scoped
budgets (password guessing, simulations) on top.

DRF's own throttles keep a list of every request's time in the cache and rewrite it on each
call, so their cost grows with the rate allowed. These count requests in fixed windows, which
costs the same at 10 or 10,000 requests a minute. The price of fixed windows: a caller may spend
up to twice its budget across a window boundary. Who is counted (the cache key) is DRF's own
rule, by subclassing its throttles.

Leases: the shared counter counts requests *claimed*, and a process claims several at once, at
most an eighth of what is left of the window's budget and never more than 64, then spends them
without asking the cache again. On the database cache a claim is two write transactions, so a
caller sending hundreds of requests a minute costs a write per claim, not per request (measured
in benchmarks/api.py: this was 13 of the question detail's 15 queries). The budget still holds
across every process: nothing is spent that was not claimed, and claims stop at the budget. Near
the end of a budget leases shrink to one request, so a caller served by one process gets exactly
its budget; one whose requests are spread over several processes may be refused a little early,
by what the other processes claimed and did not spend (at most an eighth of what was left when
they claimed).

Callers are told apart by the client address of accounts.client_address (REMOTE_ADDR, or the
entry trusted proxies vouch for), never by an X-Forwarded-For the client wrote itself.
The counters live in the shared cache (CACHE_URL), so every process spends the same budget.

Rates are the `DEFAULT_THROTTLE_RATES` setting (from the environment, see settings.py).
"""
import threading
from collections import OrderedDict

from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, SimpleRateThrottle, UserRateThrottle

from accounts.client_address import client_address


LEASE_SHARE = 8  # a claim takes at most 1/8 of what is left of the budget ...
MAX_LEASE = 64  # ... and at most this many requests
# Requests claimed and not yet spent, per process. Bounded: forgetting a lease only refuses a
# caller sooner (it was claimed from the shared count), never lets one spend more.
MAX_LEASES = 10_000


class Leases:
    """What this process has claimed and not spent, per counter; threads share it (gthread)."""

    def __init__(self) -> None:
        self._left: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, counter: str) -> bool:
        with self._lock:
            left = self._left.get(counter, 0)
            if left <= 0:
                return False
            self._left[counter] = left - 1
            return True

    def keep(self, counter: str, left: int) -> None:
        with self._lock:
            self._left[counter] = left
            self._left.move_to_end(counter)
            while len(self._left) > MAX_LEASES:
                self._left.popitem(last=False)

    def forget(self) -> None:
        """Drop every unspent claim: after the shared cache was cleared (tests do), or to free memory."""
        with self._lock:
            self._left.clear()


leases = Leases()


class FixedWindowThrottle(SimpleRateThrottle):
    num_requests: int  # set by SimpleRateThrottle.__init__ from the rate
    duration: int

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        window = int(self.timer() // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        # The rate is part of the lease's name: a claim made under another budget is not spent here.
        counter = f"{key}:{self.num_requests}/{self.duration}"
        return leases.take(counter) or self.claim(key, counter)

    def claim(self, key: str, counter: str) -> bool:
        """Claim requests from the shared count; True when this request is among them."""
        seen = self.cache.get(key, 0)
        want = max(1, min(MAX_LEASE, (self.num_requests - seen) // LEASE_SHARE))
        # A second longer than the window, so a counter never expires while it still counts.
        if self.cache.add(key, want, self.duration + 1):
            count = want
        else:
            try:
                count = self.cache.incr(key, want)
            except ValueError:  # evicted between add and incr: this claim starts the count
                self.cache.set(key, want, self.duration + 1)
                count = want
        granted = min(want, self.num_requests - (count - want))  # what the budget still had
        if granted <= 0:
            return False
        if granted > 1:
            leases.keep(counter, granted - 1)
        return True

    def wait(self):
        return max(0.0, self.window_ends_at - self.timer())

    def get_ident(self, request):
        return client_address(request)


class AnonThrottle(AnonRateThrottle, FixedWindowThrottle):
    """Anonymous callers, by address (the `anon` rate)."""


class UserThrottle(UserRateThrottle, FixedWindowThrottle):
    """Signed-in callers, by account whatever their address (the `user` rate)."""

    def get_cache_key(self, request, view):
        # Anonymous callers are AnonThrottle's: DRF's rule would count them here as well.
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class ScopedThrottle(ScopedRateThrottle, FixedWindowThrottle):
    """A view's own budget (`throttle_scope`), per account or, anonymously, per address."""
