"""What a verified launch makes here: the LMS user's account, the context's course and the user's
role in it. Everything else a launch shows is looked up through these, so a launch for one
context reaches only that context's course.
"""
import hashlib

from django.contrib.auth import get_user_model
from lti_tool.lti_core.constants import ContextRole
from lti_tool.lti_core.utils import normalize_role

from classroom.models import Course, Membership
from lti.models import LinkedCourse, course_external_id

INSTRUCTOR_ROLES = (ContextRole.INSTRUCTOR.value, ContextRole.ADMINISTRATOR.value)
LEARNER_ROLES = (ContextRole.LEARNER.value,)


class UnsupportedRole(ValueError):
    pass


def course_role(roles: list[str]) -> str:
    """LTI context roles (sub-roles such as Instructor#TeachingAssistant included) -> the course's
    role; a launch with neither an instructor's nor a learner's role is refused."""
    full = [normalize_role(r) for r in roles or []]
    if any(r.startswith(prefix) for r in full for prefix in INSTRUCTOR_ROLES):
        return Membership.Role.INSTRUCTOR
    if any(r.startswith(prefix) for r in full for prefix in LEARNER_ROLES):
        return Membership.Role.LEARNER
    raise UnsupportedRole("This tool opens for a course's instructors and learners; your role in this "
                          f"course is {', '.join(roles or ['none'])}.")


def account_for(lti_user):
    """The site account of an LMS user (django-lti's LtiUser: one per registration and `sub`),
    made on first launch; it has no password: it signs in through its LMS only."""
    if lti_user.auth_user_id:
        return lti_user.auth_user
    reg = lti_user.registration
    digest = hashlib.sha256(f"{reg.issuer}\n{reg.client_id}\n{lti_user.sub}".encode()).hexdigest()[:20]
    user = get_user_model()(username=f"lti-{digest}", email=lti_user.email or "",
                            first_name=(lti_user.given_name or "")[:150], last_name=(lti_user.family_name or "")[:150])
    user.set_unusable_password()
    user.save()
    lti_user.auth_user = user
    lti_user.save(update_fields=["auth_user"])
    return user


def course_for(context) -> Course:
    """The classroom course of an LMS context (issuer + deployment + context id)."""
    deployment = context.deployment
    external_id = course_external_id(deployment.registration.issuer, deployment.deployment_id, context.id_on_platform)
    course, created = Course.objects.get_or_create(
        external_id=external_id, defaults={"title": (context.title or context.label or "LMS course")[:200]})
    if not created and context.title and course.title != context.title[:200]:
        course.title = context.title[:200]
        course.save(update_fields=["title"])
    LinkedCourse.objects.get_or_create(context=context, defaults={"course": course})
    return course


def enrol(course: Course, user, role: str) -> Membership:
    """The LMS is the source of a linked course's roles: a changed role there changes here."""
    membership, _ = Membership.objects.update_or_create(course=course, user=user, defaults={"role": role})
    return membership
