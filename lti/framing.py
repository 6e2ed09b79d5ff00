"""Letting registered LMSs show the tool in their iframe, without opening the rest of the site.

The site's defaults stay as they are: `X-Frame-Options: DENY`, CSP `frame-ancestors 'none'`,
session and CSRF cookies `SameSite=Lax`. For a session that came in through an LTI launch only,
this middleware (listed before SessionMiddleware, so it sees the final headers and cookies):

- replaces frame-ancestors with that launch's platform's origins, and drops X-Frame-Options
  (CSP frame-ancestors, which every current browser honours, is the finer control);
- over HTTPS, marks the session and CSRF cookies `SameSite=None; Secure`: inside a cross-site
  iframe a browser sends only those. CSRF protection stays on for every form: the token is still
  checked, only the cookie that carries it may now ride in a frame.

The LTI endpoints themselves (login, launch, refusal pages) may be framed by every registered
platform: a launch is not yet tied to one when it is refused.
"""
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from lti_tool.models import LtiRegistration

CSP_HEADER = "Content-Security-Policy"


def origin(url: str) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def platform_origins(registration) -> list[str]:
    # A missing one-to-one row raises a subclass of AttributeError: getattr's default covers it.
    framing = getattr(registration, "framing", None)
    listed = framing.origin_list() if framing is not None else []
    if listed:
        return listed
    return sorted({o for o in (origin(registration.issuer), origin(registration.auth_url)) if o})


def _origins_for(request) -> list[str] | None:
    session = getattr(request, "session", None)
    lti = session.get("lti") if session is not None else None
    if lti:
        registration = LtiRegistration.objects.filter(pk=lti.get("registration"), is_active=True).first()
        return platform_origins(registration) if registration else []
    if request.path in (reverse("lti:launch"), reverse("lti:login")):
        origins: set[str] = set()
        for registration in LtiRegistration.objects.active().select_related("framing"):
            origins.update(platform_origins(registration))
        return sorted(origins)
    return None


def _replace_frame_ancestors(policy: str, origins: list[str]) -> str:
    value = "frame-ancestors " + (" ".join(origins) if origins else "'none'")
    directives = [d.strip() for d in policy.split(";") if d.strip() and not d.strip().startswith("frame-ancestors")]
    return "; ".join(directives + [value])


class LtiFramingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        origins = _origins_for(request)
        if origins is None:
            return response
        if CSP_HEADER in response:
            response[CSP_HEADER] = _replace_frame_ancestors(response[CSP_HEADER], origins)
        if origins and "X-Frame-Options" in response:
            del response["X-Frame-Options"]
        if request.is_secure():
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                if name in response.cookies:
                    response.cookies[name]["samesite"] = "None"
                    response.cookies[name]["secure"] = True
        return response

