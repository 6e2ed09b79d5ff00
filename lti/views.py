"""The endpoints an LMS calls: OIDC login initiation, the launch, the tool's JWKS.

Only these two are CSRF-exempt: an LMS posts to them from its own origin, so they cannot carry
this site's CSRF token; what protects them instead is the id_token's signature (verified against
the platform's JWKS), the state cookie set at login initiation, and the one-time nonce
(lti/verify.py). Every other page, LTI ones included, keeps Django's CSRF check.
"""
from django.contrib.auth import login
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from lti_tool.models import Key
from lti_tool.utils import DjangoToolConfig, sync_data_from_launch
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoOIDCLogin
from pylti1p3.exception import LtiException, OIDCException

from lti import provisioning, verify
from lti.models import LinkedResource

SESSION_KEY = "lti"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def refusal(request, problem: str, status: int = 400):
    return render(request, "lti/refused.html", {"problem": problem}, status=status)


def jwks(request):
    """The tool's public keys (active ones), for platforms to verify what the tool signs."""
    return JsonResponse(Key.objects.as_jwks())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def oidc_login(request, registration_uuid=None):
    """Third-party initiated login: the platform names itself (iss, client_id) and the tool
    answers with a redirect to the platform's auth endpoint, carrying a fresh state and nonce.
    No JavaScript cookie check (PyLTI1p3's is an inline script, which this site's CSP forbids):
    a browser that drops the state cookie gets the launch's refusal page, which says so."""
    params = request.POST if request.method == "POST" else request.GET
    target = params.get("target_link_uri")
    if not target:
        return refusal(request, "The login request has no target_link_uri (the LMS must send it).")
    if not target.startswith(request.build_absolute_uri("/")):
        return refusal(request, f"target_link_uri {target!r} is not a page of this tool.")
    oidc = DjangoOIDCLogin(request, DjangoToolConfig(registration_uuid), launch_data_storage=DjangoCacheDataStorage())
    try:
        response = oidc.redirect(target)
    except (LtiException, OIDCException) as exc:
        return refusal(request, f"The login request was refused: {exc}. The LMS administrator registers the "
                                "platform (issuer and client ID) on the tool's LTI page first.")
    return response


@csrf_exempt
@require_POST
def launch(request):
    try:
        lti_launch = verify.verified_launch(request)
    except LtiException as exc:
        return refusal(request, verify.explain(exc))
    deployment = lti_launch.deployment
    if not deployment.is_active:
        return refusal(request, f"Deployment {deployment.deployment_id!r} of {deployment.registration} is not "
                                "activated here yet: an administrator activates it on the tool's LTI page.", 403)
    try:
        role = provisioning.course_role(lti_launch.roles_claim)
    except provisioning.UnsupportedRole as exc:
        return refusal(request, str(exc), 403)
    if lti_launch.context_claim is None:
        return refusal(request, "This launch has no course (context claim): add the tool to a course.")
    with transaction.atomic():
        sync_data_from_launch(lti_launch)
        user = provisioning.account_for(lti_launch.user)
        course = provisioning.course_for(lti_launch.context)
        provisioning.enrol(course, user, role)
    login(request, user, backend=BACKEND)
    request.session[SESSION_KEY] = {"registration": lti_launch.registration.pk, "course": course.pk,
                                    "launch_id": lti_launch.get_launch_id()}
    if lti_launch.is_deep_link_launch:
        if role != "instructor":
            return refusal(request, "Only the course's instructors choose what the tool shows.", 403)
        return redirect("lti:deep_link")
    if not lti_launch.is_resource_launch:
        return refusal(request, "This tool answers resource-link and deep-linking launches only.")
    return redirect(_destination(lti_launch, course, role))


def _destination(lti_launch, course, role) -> str:
    if lti_launch.get_custom_claim("page") == "labs":
        return reverse("labs:list")
    link, _ = LinkedResource.objects.get_or_create(resource_link=lti_launch.resource_link)
    ags = lti_launch.ags_claim or {}
    if ags.get("lineitem") and link.lineitem_url != ags["lineitem"]:
        link.lineitem_url = ags["lineitem"]
        link.save(update_fields=["lineitem_url"])
    if link.assignment_id is None:
        wanted = lti_launch.get_custom_claim("assignment_id")
        # Only an assignment of this launch's own course: a link's custom parameters are the
        # platform's, but ids of another context's assignments must not open them here.
        found = course.assignments.filter(pk=wanted).first() if str(wanted or "").isdigit() else None
        if found is not None:
            link.assignment = found
            link.save(update_fields=["assignment"])
    if link.assignment_id is None:
        return reverse("lti:pick", args=[link.pk])
    return reverse("classroom:assignment", args=[course.pk, link.assignment_id])
