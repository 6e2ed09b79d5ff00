"""Request budgets per caller: anonymous callers by address, users by account, and scoped
budgets (password guessing, simulations) on top.

DRF's own throttles keep a list of every request's time in the cache and rewrite it on each
call, so their cost grows with the rate allowed. These count requests in fixed windows, which
costs the same at 10 or 10,000 requests a minute. The price of fixed windows: a caller may spend
up to twice its budget across a window boundary. Who is counted (the cache key) is DRF's own
rule: ScopedThrottle subclasses its throttle, CallerThrottle writes its two keys.

Leases: the shared counter counts requests *claimed*, and a process claims several at once, at
most an eighth of what is left of the window's budget and never more than MAX_LEASE, then spends
them without asking the cache again. On the database cache a claim is two write transactions, so a
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
import functools
import threading
from collections import OrderedDict

from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from accounts.client_address import client_address


LEASE_SHARE = 8  # a claim takes at most 1/8 of what is left of the budget ...
# ... and at most this many requests. The share is what bounds early refusals; the cap only
# matters for budgets over 8 x 1024 a window (a tool's, or a benchmark's), where at 64 the claims
# were still about a third of what the throttle cost a request (measured in process at a
# 100,000,000/min budget: 12 µs a request with leases of 64, 8 µs with 1024).
MAX_LEASE = 1024
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


class CallerThrottle(FixedWindowThrottle):
    """Every caller's general budget: anonymous callers by address (the `anon` rate), signed-in
    ones by account whatever their address (the `user` rate, a budget of its own).

    One check, not DRF's AnonRateThrottle and UserRateThrottle side by side: every API request
    pays for it, and each of those parses its rate and asks who the caller is, even when the
    caller is the other's (benchmarks/api_cpu.py: the two cost a cached question read about
    11 µs more than this one). The cache keys are theirs (`throttle_anon_<address>`,
    `throttle_user_<account id>`)."""

    def __init__(self) -> None:  # the rate depends on the caller: chosen in allow_request
        pass

    def allow_request(self, request, view):
        user = request.user
        self.scope = "user" if user and user.is_authenticated else "anon"
        self.rate = self.THROTTLE_RATES.get(self.scope)
        self.num_requests, self.duration = _parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        ident = request.user.pk if self.scope == "user" else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


@functools.lru_cache(maxsize=64)
def _parse_rate(rate: str | None) -> tuple:
    """DRF's parse of a rate ("120/min": (120, 60)), once per rate, not per request."""
    return SimpleRateThrottle.parse_rate(None, rate)  # type: ignore[arg-type]  # reads no attribute of self


class ScopedThrottle(ScopedRateThrottle, FixedWindowThrottle):
    """A view's own budget (`throttle_scope`), per account or, anonymously, per address."""
