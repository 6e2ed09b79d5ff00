"""The address a request comes from, one rule for throttles and login lockouts.

`REMOTE_ADDR` is the peer of this process and cannot be forged. Behind reverse proxies it is the
nearest proxy, so with `TRUSTED_PROXY_COUNT` = N (README, "Configuration") the client is the
right-most `X-Forwarded-For` entry that no trusted proxy wrote: each proxy appends the address it
was connected from, so the last N entries are the proxies' own, and the N-th from the right is the
client as the outermost trusted proxy saw it. Anything left of it was written by the client and is
ignored: a guesser rotating X-Forwarded-For values stays one address.
"""
from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request skipped a proxy; the left-most is then the closest
    # thing to the client any trusted proxy wrote.
    return forwarded[-min(proxies, len(forwarded))]
