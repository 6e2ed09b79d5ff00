"""Who may see what in a course: every view looks its course up through here.

Someone outside a course gets a 404 for anything in it (a course's existence is not told to
strangers); a learner of the course asking for an instructor's page gets a 403. Being a site
instructor (accounts.roles) lets one create courses, and nothing more: only a course's own
instructors see its learners, gradebook and item analysis.
"""
from django.core.exceptions import PermissionDenied
from django.http import Http404

from classroom.models import Course, Membership


def membership(user, course_id: int) -> Membership:
    found = (Membership.objects.select_related("course")
             .filter(course_id=course_id, user=user).first() if user.is_authenticated else None)
    if found is None:
        raise Http404("No such course")
    return found


def course_as_member(user, course_id: int) -> tuple[Course, Membership]:
    m = membership(user, course_id)
    return m.course, m


def course_as_instructor(user, course_id: int) -> Course:
    m = membership(user, course_id)
    if m.role != Membership.Role.INSTRUCTOR:
        raise PermissionDenied("Only this course's instructors may open this page.")
    return m.course


def course_as_learner(user, course_id: int) -> Course:
    m = membership(user, course_id)
    if m.role != Membership.Role.LEARNER:
        raise PermissionDenied("This page is for the course's learners.")
    return m.course
