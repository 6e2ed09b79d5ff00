"""Deep linking (LTI Deep Linking 2.0): the teacher picks, from inside the LMS, what a new link
opens: one of the course's assignments, a single question or a drill set (made an assignment of
the course on the spot, so scores come back), or the labs page. The answer to the LMS is a
signed LtiDeepLinkingResponse JWT, built and signed by PyLTI1p3 with the tool's key, in the
auto-posting form the spec describes.
"""
from django.urls import reverse
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from classroom.models import Assignment, AssignmentQuestion
from drills import engine as drills

DRILL_COUNT_MAX = 20


def assignment_for_question(course, question) -> Assignment:
    assignment = Assignment.objects.create(course=course, title=question.title[:200], kind=Assignment.Kind.QUESTION)
    AssignmentQuestion.objects.create(assignment=assignment, question=question, position=0)
    return assignment


def assignment_for_drills(course, count: int) -> Assignment:
    return Assignment.objects.create(course=course, title=f"Drill set ({count} drills)", kind=Assignment.Kind.DRILLS,
                                     drill_seeds=[drills.random_seed() for _ in range(count)])


def resource_for_assignment(request, assignment: Assignment) -> DeepLinkResource:
    resource = (DeepLinkResource().set_url(request.build_absolute_uri(reverse("lti:launch")))
                .set_title(assignment.title).set_custom_params({"assignment_id": str(assignment.pk)}))
    if assignment.runs_as_quiz:
        # A line item with the link: the LMS makes a gradebook column, and the launch's AGS claim
        # then names it (lineitem), where grades.send_score posts.
        total = max(1, assignment.assignment_questions.count())
        resource.set_lineitem(LineItem().set_score_maximum(total).set_label(assignment.title)
                              .set_resource_id(f"assignment-{assignment.pk}"))
    return resource


def resource_for_labs(request) -> DeepLinkResource:
    return (DeepLinkResource().set_url(request.build_absolute_uri(reverse("lti:launch")))
            .set_title("Instructor labs").set_custom_params({"page": "labs"}))
