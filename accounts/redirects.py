"""Where a form sends the user afterwards: the `next` it was given, if that is a page of this site.

Anything else (another host, a scheme-relative `//host`, a browser-normalised `/\\host`, a bare
word that is no path) is dropped and the caller's default used, so a crafted link can neither
send a fresh login off-site nor turn into an error after the account was made.
"""
from django.utils.http import url_has_allowed_host_and_scheme


def checked_next(request, field="next") -> str:
    """The request's `next` (POST first, then the query string) when safe, else ""."""
    target = request.POST.get(field) or request.GET.get(field) or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""
