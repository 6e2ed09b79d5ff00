"""Request budgets per caller: anonymous callers by address, users by account, and scoped
budgets (password guessing, simulations) on top.

DRF's own throttles keep a list of every request's time in the cache and rewrite it on each
call, so their cost grows with the rate allowed. These count requests in fixed windows (one
cache `add` and one `incr`), which costs the same at 10 or 10,000 requests a minute. The price
of fixed windows: a caller may spend up to twice its budget across a window boundary. Who is
counted (the cache key) is DRF's own rule, by subclassing its throttles.

Callers are told apart by the client address of accounts.client_address (REMOTE_ADDR, or the
entry trusted proxies vouch for), never by an X-Forwarded-For the client wrote itself.
The counters live in the shared cache (CACHE_URL), so every process spends the same budget.

Rates are the `DEFAULT_THROTTLE_RATES` setting (from the environment, see settings.py).
"""
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, SimpleRateThrottle, UserRateThrottle

from accounts.client_address import client_address


class FixedWindowThrottle(SimpleRateThrottle):
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        window = int(self.timer() // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        # A second longer than the window, so a counter never expires while it still counts.
        self.cache.add(key, 0, self.duration + 1)
        try:
            count = self.cache.incr(key)
        except ValueError:  # evicted between add and incr: this request starts the count
            self.cache.set(key, 1, self.duration + 1)
            count = 1
        return count <= self.num_requests

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
