"""Scores to the LMS gradebook (LTI Assignment and Grade Services 2.0), sent by the worker.

When a quiz engine attempt at a linked assignment is finished (submitted, or closed at its
deadline), the learner's best finished score on that assignment is queued as a `Score` row
(status "pending") and `send_score` runs on the worker (django-tasks: `manage.py db_worker`):
it posts the score to the link's line item through PyLTI1p3 (OAuth2 client-credentials token
signed with the tool's key, then POST {lineitem}/scores); a link the LMS gave no line item gets
one made through the line items service, where the LMS allows it. A failure is kept on the row with its
error and retried with a growing delay, up to MAX_TRIES; then the row is "failed", which the
instructor sees on the course's LTI scores page and can send again.
"""
import datetime as dt
import logging

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_tasks import task
from lti_tool.models import LtiUser
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from classroom.models import AssignedQuiz
from lti.models import LinkedResource, Score

log = logging.getLogger(__name__)

MAX_TRIES = 5
BACKOFF_S = (30, 120, 600, 1800)   # before tries 2, 3, 4, 5
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"


def best_score(assignment_id: int, user_id: int) -> tuple[int, int] | None:
    """(correct, total) of the learner's best finished attempt, as the gradebook counts it."""
    rows = (AssignedQuiz.objects.filter(assignment_id=assignment_id, quiz__user_id=user_id,
                                        quiz__finished_at__isnull=False)
            .values("quiz_id").annotate(total=Count("quiz__items"),
                                        correct=Count("quiz__items", filter=Q(quiz__items__attempt__correct=True))))
    best = None
    for row in rows:
        if row["total"] and (best is None or row["correct"] * best[1] > best[0] * row["total"]):
            best = (row["correct"], row["total"])
    return best


def quiz_saved(sender, instance, update_fields=None, **kwargs):
    """post_save of a quiz: once finished, queue its score for every LMS link of its assignment."""
    if instance.finished_at is None or (update_fields is not None and "finished_at" not in update_fields):
        return
    # A link with its own line item, or in a context where the tool may make one (a link added by
    # hand, not through deep linking, often comes without).
    links = (LinkedResource.objects.filter(assignment__assigned_quizzes__quiz=instance)
             .filter(~Q(lineitem_url="") | Q(resource_link__context__can_manage_lineitems=True))
             .select_related("resource_link__context__deployment"))
    for link in links:
        queue(link, instance)


def queue(link: LinkedResource, quiz) -> Score | None:
    registration_id = link.resource_link.context.deployment.registration_id
    lti_user = LtiUser.objects.filter(auth_user_id=quiz.user_id, registration_id=registration_id).first()
    best = best_score(link.assignment_id, quiz.user_id) if link.assignment_id else None
    if lti_user is None or best is None:
        return None
    sent = Score.objects.filter(link=link, quiz_id=quiz.pk, status=Score.Status.SENT).first()
    if sent is not None and (sent.score_given, sent.score_maximum) == best:
        return sent  # the LMS has it already
    score, _ = Score.objects.update_or_create(
        link=link, quiz_id=quiz.pk,
        defaults={"lti_user": lti_user, "user_id": quiz.user_id, "score_given": best[0], "score_maximum": best[1],
                  "status": Score.Status.PENDING, "tries": 0, "error": ""})
    transaction.on_commit(lambda: send_score.enqueue(score.pk))
    return score


def ensure_lineitem(link: LinkedResource, connector: ServiceConnector, maximum: float) -> str:
    """The link's line item; made on the platform (tagged with the assignment, so a second try
    finds it rather than making another) when the launch named none."""
    if link.lineitem_url:
        return link.lineitem_url
    context = link.resource_link.context
    ags = AssignmentsGradesService(connector, {"scope": [LINEITEM_SCOPE], "lineitems": context.lineitems_url})  # type: ignore[list-item]
    assert link.assignment is not None
    wanted = (LineItem().set_label(link.assignment.title).set_score_maximum(maximum)
              .set_tag(f"assignment-{link.assignment_id}").set_resource_id(f"assignment-{link.assignment_id}")
              .set_resource_link_id(link.resource_link.id_on_platform))
    item_url = ags.find_or_create_lineitem(wanted).get_id()
    if not item_url:
        raise LtiException("the platform made a line item without an id")
    LinkedResource.objects.filter(pk=link.pk).update(lineitem_url=item_url)
    link.lineitem_url = item_url
    return item_url


def deliver(score: Score) -> None:
    """POST the score to the line item; raises what the platform or the network said."""
    registration = score.link.resource_link.context.deployment.registration
    connector = ServiceConnector(registration.to_registration())
    lineitem_url = ensure_lineitem(score.link, connector, score.score_maximum)
    ags = AssignmentsGradesService(connector, {"scope": [SCORE_SCOPE], "lineitem": lineitem_url})  # type: ignore[list-item]
    grade = (Grade().set_score_given(score.score_given).set_score_maximum(score.score_maximum)
             .set_timestamp(timezone.now().isoformat()).set_activity_progress("Completed")
             .set_grading_progress("FullyGraded").set_user_id(score.lti_user.sub))
    ags.put_grade(grade)


def _reason(exc: Exception) -> str:
    response = getattr(exc, "response", None)  # PyLTI1p3's LtiServiceException keeps the platform's answer
    if response is not None and hasattr(response, "status_code"):
        return f"the platform answered HTTP {response.status_code}: {response.text[:500]}"
    return f"{type(exc).__name__}: {exc}"[:1000]


@task()
def send_score(score_id: int) -> dict:
    score = (Score.objects.select_related("lti_user", "link__assignment",
                                          "link__resource_link__context__deployment__registration")
             .filter(pk=score_id).first())
    if score is None or score.status == Score.Status.SENT:
        return {"status": "nothing to send"}
    score.tries += 1
    try:
        deliver(score)
    except Exception as exc:  # noqa: BLE001  any failure is the row's to show, and to retry
        log.warning("sending score %s failed (try %s): %r", score.pk, score.tries, exc)
        score.error = _reason(exc)
        again = score.tries < MAX_TRIES and send_score.get_backend().supports_defer
        score.status = Score.Status.PENDING if again else Score.Status.FAILED
        score.save(update_fields=["tries", "error", "status"])
        if again:
            delay = BACKOFF_S[min(score.tries - 1, len(BACKOFF_S) - 1)]
            send_score.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue(score.pk)
        return {"status": score.status, "error": score.error}
    score.status, score.error, score.sent_at = Score.Status.SENT, "", timezone.now()
    score.save(update_fields=["tries", "error", "status", "sent_at"])
    return {"status": score.status}


def resend(score: Score) -> None:
    """The instructor's "send again" on a failed score: a fresh round of tries."""
    Score.objects.filter(pk=score.pk).update(status=Score.Status.PENDING, tries=0, error="")
    transaction.on_commit(lambda: send_score.enqueue(score.pk))
