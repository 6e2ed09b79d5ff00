"""The LTI tool's own pages: the values an LMS administrator pastes (and, for staff, registering
a platform), the instructor's first-launch pick, deep linking's picker, and a course's score
deliveries and roster sync.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from lti_tool.models import Key, LtiContext, LtiDeployment, LtiRegistration
from pylti1p3.exception import LtiException

from accounts.roles import is_instructor
from classroom import access
from classroom.models import Membership
from lti import deep_linking, framing, grades, roster, verify
from lti.forms import DeepLinkForm, PickAssignmentForm, RegistrationForm
from lti.models import LinkedResource, PlatformFraming, Score

DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def tool_urls(request) -> dict:
    url = request.build_absolute_uri
    return {"login": url(reverse("lti:login")), "launch": url(reverse("lti:launch")),
            "deep_linking": url(reverse("lti:launch")), "jwks": url(reverse("lti:jwks")),
            "domain": request.get_host()}


@login_required
def tool_page(request):
    """What to paste into the LMS; staff also register platforms and activate deployments here."""
    if not (is_instructor(request.user) or request.user.is_staff):
        raise PermissionDenied("The LTI set-up page is for instructors.")
    form = RegistrationForm(request.POST or None) if request.user.is_staff else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only staff register platforms.")
        status = 400
        if form.is_valid():
            with transaction.atomic():
                registration = form.save()
                PlatformFraming.objects.create(registration=registration, origins=form.cleaned_data["frame_origins"])
                for deployment_id in form.deployment_list():
                    LtiDeployment.objects.create(registration=registration, deployment_id=deployment_id, is_active=True)
            messages.success(request, f"Registered {registration.name}.")
            return redirect("lti:tool")
    return render(request, "lti/tool.html", {
        "urls": tool_urls(request), "form": form, "has_key": Key.objects.active().exists(),
        "registrations": LtiRegistration.objects.prefetch_related("deployments").order_by("name"),
    }, status=status)


@require_POST
@login_required
def activate_deployment(request, pk):
    if not request.user.is_staff:
        raise PermissionDenied("Only staff activate deployments.")
    LtiDeployment.objects.filter(pk=pk).update(is_active=True)
    return redirect("lti:tool")


def _link_as_member(request, pk):
    link = get_object_or_404(LinkedResource.objects.select_related("resource_link"), pk=pk)
    membership = (Membership.objects.select_related("course")
                  .filter(user=request.user, course__lti_contexts__context=link.resource_link.context_id).first())
    if membership is None:
        raise Http404("No such link")
    return link, membership


@login_required
def pick(request, pk):
    """First launch of a link: its course's instructor chooses the assignment it opens."""
    link, membership = _link_as_member(request, pk)
    course = membership.course
    if link.assignment_id:
        return redirect("classroom:assignment", course.pk, link.assignment_id)
    if membership.role != Membership.Role.INSTRUCTOR:
        return render(request, "lti/not_chosen.html", {"course": course})
    form = PickAssignmentForm(course, request.POST or None)
    if request.method == "POST" and form.is_valid():
        link.assignment = form.cleaned_data["assignment"]
        link.save(update_fields=["assignment"])
        return redirect("classroom:assignment", course.pk, link.assignment_id)
    return render(request, "lti/pick.html", {"course": course, "form": form, "link": link},
                  status=400 if request.method == "POST" else 200)


def _session_launch(request):
    lti = request.session.get("lti") or {}
    if not lti.get("launch_id"):
        raise PermissionDenied("This page opens from a deep-linking launch in your LMS.")
    course = access.course_as_instructor(request.user, lti["course"])
    try:
        launch = verify.restored_launch(request, lti["launch_id"])
    except LtiException as exc:
        raise PermissionDenied(f"The LMS's request has expired ({exc}): start again from your LMS.") from exc
    if not launch.is_deep_link_launch:
        raise PermissionDenied("This page opens from a deep-linking launch in your LMS.")
    return launch, course


@login_required
def deep_link(request):
    launch, course = _session_launch(request)
    form = DeepLinkForm(course, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            if data["kind"] == "labs":
                resource = deep_linking.resource_for_labs(request)
            else:
                assignment = {"assignment": lambda: data["assignment"],
                              "question": lambda: deep_linking.assignment_for_question(course, data["question_obj"]),
                              "drills": lambda: deep_linking.assignment_for_drills(course, data["drills"])}[data["kind"]]()
                resource = deep_linking.resource_for_assignment(request, assignment)
        return _return_to_lms(request, launch, resource)
    return render(request, "lti/deep_link.html", {"course": course, "form": form},
                  status=400 if request.method == "POST" else 200)


def _return_to_lms(request, launch, resource):
    """The signed LtiDeepLinkingResponse (PyLTI1p3 signs it with the tool's key), posted back to
    the LMS by a page of ours: PyLTI1p3's own form posts with an inline script, which this site's
    CSP forbids; the form may post to the LMS's return URL only (CSP form-action)."""
    deep_link = launch.get_message_launch().get_deep_link()
    return_url = launch.get_claim(DL_SETTINGS)["deep_link_return_url"]
    response = render(request, "lti/deep_link_return.html",
                      {"return_url": return_url, "jwt": deep_link.get_response_jwt([resource]),
                       "title": resource.get_title()})
    response._csp_update = {"form-action": [framing.origin(return_url)]}  # type: ignore[attr-defined]
    return response


@login_required
def course_lti(request, course_pk):
    """A linked course's LTI page for its instructors: each score's delivery, and roster sync."""
    course = access.course_as_instructor(request.user, course_pk)
    scores = Score.objects.filter(link__assignment__course=course).select_related("user", "link__assignment")
    return render(request, "lti/course.html", {"course": course, "scores": scores,
                                               "contexts": _contexts(course)})


def _contexts(course):
    return list(LtiContext.objects.filter(linked_course__course=course).exclude(memberships_url="")
                .select_related("deployment__registration"))


@require_POST
@login_required
def resend(request, course_pk, score_pk):
    course = access.course_as_instructor(request.user, course_pk)
    score = get_object_or_404(Score, pk=score_pk, link__assignment__course=course)
    grades.resend(score)
    messages.success(request, "The score is queued again.")
    return redirect("lti:course", course.pk)


@require_POST
@login_required
def sync_roster(request, course_pk):
    course = access.course_as_instructor(request.user, course_pk)
    contexts = _contexts(course)
    if not contexts:
        messages.error(request, "The LMS has not offered its roster service for this course (no NRPS claim yet).")
        return redirect("lti:course", course.pk)
    try:
        done = [roster.sync(course, context, keep_user=request.user) for context in contexts]
    except LtiException as exc:
        messages.error(request, f"The LMS refused the roster request: {exc}")
        return redirect("lti:course", course.pk)
    messages.success(request, f"Roster synced: {sum(d.enrolled for d in done)} members, "
                              f"{sum(d.removed for d in done)} removed, {sum(d.skipped for d in done)} skipped "
                              "(roles other than instructor or learner).")
    return redirect("lti:course", course.pk)
