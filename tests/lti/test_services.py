"""Deep linking, grades (AGS) and rosters (NRPS) with the test platform: the platform checks the
tool's signed deep-linking response, keeps the score the tool posts, and serves the roster."""
import re

import requests
from lti_tool.models import LtiUser

from classroom.models import AssignedQuiz, Assignment, Course, Membership
from lti.models import Score
from tests.classroom.support import make_assignment, make_question
from tests.lti import platform
from tests.lti.support import form_fields, instructor_spec, learner_spec


def _deep_link(lms, teacher, **choice):
    r = lms.launch(teacher, **instructor_spec(deep_link=True))
    assert r.status_code == 200 and "data-deep-link" in r.text, r.text
    fields = form_fields(r.text)
    r = teacher.post(r.url, data={"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"], **choice})
    assert r.status_code == 200 and "data-lti-return" in r.text, r.text
    back = form_fields(r.text, "data-lti-return")
    assert back["_action"] == f"{lms.base}/platform/deep-link-return/"
    return teacher.post(back["_action"], data={"JWT": back["JWT"]})


def _take(session, base, assignment_page, right: bool):
    page = session.get(assignment_page)
    start = re.search(r'<form[^>]*action="([^"]*/start/)"', page.text).group(1)
    token = form_fields(page.text)["csrfmiddlewaretoken"]
    q = session.post(base + start, data={"csrfmiddlewaretoken": token})
    fields = form_fields(q.text)
    session.post(q.url, data={"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"], "shown_at": fields["shown_at"],
                              "selected": "A" if right else "B"})
    submit = q.url.split("/q/")[0] + "/submit/"
    return session.post(submit, data={"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"], "confirm": "yes"})


def test_deep_linked_question_is_graded_and_the_platform_reads_the_score_back(lms):
    make_question("sqs-backlog-1")
    teacher = requests.Session()
    added = _deep_link(lms, teacher, kind="question", question="sqs-backlog-1")
    assert added.status_code == 200 and "1 added" in added.text
    item = platform.STATE.deep_link_items[0]
    assignment = Assignment.objects.get(kind="question")
    assert item["type"] == "ltiResourceLink" and item["custom"] == {"assignment_id": str(assignment.pk)}
    assert item["lineItem"]["scoreMaximum"] == 1

    learner = requests.Session()
    r = lms.launch(learner, **learner_spec(resource_link_id=item["resource_link_id"]))
    assert r.url.endswith(f"/classroom/{assignment.course_id}/assignments/{assignment.pk}/"), r.url
    _take(learner, lms.base, r.url, right=True)

    score = Score.objects.get()
    assert score.status == "sent", score.error
    line_item = next(iter(platform.STATE.lineitems))
    results = platform.PlatformAgs(None, platform.conf(), lineitems_url="x").get_results(line_item)["content"]
    assert [(r["userId"], r["resultScore"], r["resultMaximum"]) for r in results] == [("learner-1", 1, 1)]
    # The quiz saved again (another app's signal, an admin edit): the LMS has this score, nothing is resent.
    AssignedQuiz.objects.get().quiz.save()
    score.refresh_from_db()
    assert score.status == "sent" and score.tries == 1


def test_a_refused_score_is_kept_as_failed_with_the_platforms_answer(lms):
    make_question("sqs-backlog-1")
    teacher = requests.Session()
    _deep_link(lms, teacher, kind="question", question="sqs-backlog-1")
    item = platform.STATE.deep_link_items[0]
    platform.STATE.fail_scores_with = 503
    learner = requests.Session()
    r = lms.launch(learner, **learner_spec(resource_link_id=item["resource_link_id"]))
    _take(learner, lms.base, r.url, right=False)
    score = Score.objects.get()
    # ImmediateBackend cannot wait between tries: the one try is the last, and it says why.
    assert score.status == "failed" and "HTTP 503" in score.error and "gradebook is closed" in score.error
    course = Course.objects.get()
    page = teacher.get(f"{lms.base}/lti/courses/{course.pk}/")
    assert 'data-status="failed"' in page.text and "HTTP 503" in page.text
    # Sent again once the platform takes scores.
    platform.STATE.fail_scores_with = None
    token = form_fields(page.text)["csrfmiddlewaretoken"]
    teacher.post(f"{lms.base}/lti/courses/{course.pk}/scores/{score.pk}/resend/", data={"csrfmiddlewaretoken": token})
    score.refresh_from_db()
    assert score.status == "sent" and score.score_given == 0


def test_deep_linking_is_for_instructors_and_answers_are_signed_by_the_tool(lms):
    learner = requests.Session()
    r = lms.launch(learner, **learner_spec(deep_link=True))
    assert r.status_code == 403 and "instructors" in r.text
    teacher = requests.Session()
    added = _deep_link(lms, teacher, kind="labs")
    assert "1 added" in added.text
    assert platform.STATE.deep_link_items[0]["custom"] == {"page": "labs"}


def test_roster_sync_pulls_members_through_nrps(lms):
    teacher = requests.Session()
    lms.launch(teacher, **instructor_spec())
    course = Course.objects.get()
    platform.STATE.members = [
        {"user_id": "teacher-1", "roles": [platform.INSTRUCTOR], "name": "Tess Teacher"},
        {"user_id": "amy", "roles": [platform.LEARNER], "name": "Amy", "given_name": "Amy"},
        {"user_id": "bob", "roles": ["Learner"], "name": "Bob"},
        {"user_id": "gone", "roles": [platform.LEARNER], "status": "Deleted"},
        {"user_id": "mentor", "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]},
    ]
    page = teacher.get(f"{lms.base}/lti/courses/{course.pk}/")
    assert "data-roster-sync" in page.text
    r = teacher.post(f"{lms.base}/lti/courses/{course.pk}/roster/",
                     data={"csrfmiddlewaretoken": form_fields(page.text)["csrfmiddlewaretoken"]})
    assert "Roster synced: 2 members, 0 removed, 1 skipped" in r.text
    learners = {m.user.lti_users.get().sub for m in Membership.objects.filter(course=course, role="learner")}
    assert learners == {"amy", "bob"}
    assert LtiUser.objects.get(sub="amy").auth_user.first_name == "Amy"


def test_the_worker_retries_a_refused_score_later(lms, settings):
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from lti import grades

    make_question("sqs-backlog-1")
    _deep_link(lms, requests.Session(), kind="question", question="sqs-backlog-1")
    item = platform.STATE.deep_link_items[0]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # a worker's queue, which can wait
    platform.STATE.fail_scores_with = 500
    learner = requests.Session()
    r = lms.launch(learner, **learner_spec(resource_link_id=item["resource_link_id"]))
    _take(learner, lms.base, r.url, right=True)
    score = Score.objects.get()
    assert score.status == "pending" and score.tries == 0  # queued, not run: the worker runs it
    grades.send_score.call(score.pk)                        # the worker's first try
    score.refresh_from_db()
    assert score.status == "pending" and score.tries == 1 and "HTTP 500" in score.error
    later = DBTaskResult.objects.filter(task_path=grades.send_score.module_path,
                                        run_after__gte=timezone.now() + dt.timedelta(seconds=20),
                                        run_after__lte=timezone.now() + dt.timedelta(seconds=40))
    assert later.count() == 1
    platform.STATE.fail_scores_with = None
    grades.send_score.call(score.pk)                        # the retry, once due
    score.refresh_from_db()
    assert score.status == "sent" and score.tries == 2


def test_a_link_added_by_hand_gets_a_line_item_made_for_its_scores(lms):
    teacher = requests.Session()
    lms.launch(teacher, **instructor_spec())  # "link-0": no line item from the LMS
    course = Course.objects.get()
    assignment = make_assignment(course, [make_question("q-hand")], title="By hand")
    r = lms.launch(teacher, **instructor_spec())
    fields = form_fields(r.text)
    teacher.post(r.url, data={"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"], "assignment": assignment.pk})
    learner = requests.Session()
    r = lms.launch(learner, **learner_spec())
    _take(learner, lms.base, r.url, right=True)
    score = Score.objects.get()
    assert score.status == "sent", score.error
    [(item_id, item)] = platform.STATE.lineitems.items()
    assert item["tag"] == f"assignment-{assignment.pk}" and item["resourceLinkId"] == "link-0"
    assert item["scoreMaximum"] == 1 and item["label"] == "By hand"
    assert platform.STATE.scores[item_id]["learner-1"]["scoreGiven"] == 1
