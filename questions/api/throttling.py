"""Request budgets per caller: anonymous callers by address, users by account, and scoped
budgets (password guessing, simulations) on top.

DRF's own throttles keep a list of every request's time in the cache and rewrite it on each
call, so their cost grows with the rate allowed. These count requests in fixed windows (one
cache `add` and one `incr`), which costs the same at 10 or 10,000 requests a minute. The price
of fixed windows: a caller may spend up to twice its budget across a window boundary.

Rates are the `DEFAULT_THROTTLE_RATES` setting (from the environment, see settings.py).
"""
from rest_framework.throttling import SimpleRateThrottle


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


class AnonThrottle(FixedWindowThrottle):
    """Anonymous callers, by address (the `anon` rate)."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserThrottle(FixedWindowThrottle):
    """Signed-in callers, by account whatever their address (the `user` rate)."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class ScopedThrottle(FixedWindowThrottle):
    """A view's own budget (`throttle_scope`), per account or, anonymously, per address."""

    def __init__(self):
        # The scope comes from the view, so the rate is looked up in allow_request.
        pass

    def allow_request(self, request, view):
        self.scope = getattr(view, "throttle_scope", None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = request.user.pk
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
