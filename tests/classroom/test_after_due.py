"""An exam assignment whose answers show after its due time (issue 21): once a learner has
started it, its questions' keys, explanations and per-question outcomes are hidden from them on
every route until the due time (classroom/after_due.py, through questions.answering's rule); they
see their score. Before the due time the questions take answers only in the assignment's own
quizzes: elsewhere the feedback would show the key. Practice assignments and instructors are
not affected."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from classroom.models import Assignment
from questions import answering
from questions.models import Attempt
from quizzes import lifecycle
from quizzes.models import Quiz
from review.models import ReviewItem
from tests.classroom.support import as_user, make_assignment

pytestmark = pytest.mark.django_db
DUE = dt.datetime(2030, 1, 10, 9, 0, tzinfo=dt.timezone.utc)
SAYS = "answers to the course assignment “Midterm” are shown after its due time, 2030-01-10 09:00 UTC"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def take(client, assignment, answers: dict) -> Quiz:
    """Start the assignment as the client's learner, answer through the answering service, submit."""
    client.post(reverse("classroom:assignment_start", args=[assignment.course_id, assignment.pk]))
    quiz = assignment.assigned_quizzes.latest("pk").quiz
    for external_id, labels in answers.items():
        answering.answer(quiz.items.get(question__external_id=external_id).question, labels, user=quiz.user, quiz=quiz)
    assert client.post(reverse("quizzes:submit", args=[quiz.pk]), {"confirm": "yes"}).status_code == 302
    return quiz


@pytest.fixture
def midterm(course_a, classroom_bank):
    return make_assignment(course_a, classroom_bank, kind=Assignment.Kind.EXAM, title="Midterm", time_limit_s=600,
                           due_at=DUE, attempts_allowed=2, show_answers_after_due=True)


@pytest.fixture
def submitted(client, learner, midterm):
    """The learner took the midterm before its due time: q1 right, q2 wrong, q3 unanswered."""
    return take(as_user(client, learner), midterm, {"q1": ["A"], "q2": ["B"]})


def due_passes(assignment):
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))


def test_the_results_page_shows_the_score_but_no_key_until_due(client, submitted, midterm):
    page = client.get(reverse("quizzes:results", args=[submitted.pk])).content.decode()
    assert '<span data-score>1 / 3</span>' in page
    assert "right: " not in page and 'class="why prose"' not in page
    assert page.count(f'data-key-hidden="{SAYS}"') == 3 and SAYS in page
    due_passes(midterm)
    page = client.get(reverse("quizzes:results", args=[submitted.pk])).content.decode()
    assert "data-key-hidden" not in page and page.count('class="why prose"') == 3 * 4


def test_the_quiz_api_gives_the_score_but_no_outcomes_until_due(learner, submitted, midterm):
    data = api(learner).get(f"/api/v1/quizzes/{submitted.pk}/").json()
    assert data["score"] == {"correct": 1, "answered": 2, "total": 3}
    assert [i["correct"] for i in data["items"]] == [None, None, None]
    assert api(learner).get("/api/v1/quizzes/").json()[0]["score"]["correct"] == 1
    due_passes(midterm)
    data = api(learner).get(f"/api/v1/quizzes/{submitted.pk}/").json()
    assert [i["correct"] for i in data["items"]] == [True, False, None]


def test_the_question_page_refuses_an_answer_until_due(client, submitted, midterm, learner):
    response = client.post("/questions/q2/", {"selected": "A"})
    assert response.status_code == 409
    assert SAYS[:1].upper() + SAYS[1:] + "; until then it is answered only in that assignment." in response.content.decode()
    assert Attempt.objects.filter(user=learner).count() == 2  # the exam's two answers, nothing more
    due_passes(midterm)
    assert client.post("/questions/q2/", {"selected": "A"}).status_code == 302


def test_the_attempts_api_refuses_with_a_409_naming_the_reason_and_lists_none_until_due(learner, submitted, midterm):
    refused = api(learner).post("/api/v1/questions/q1/attempts/", {"selected": ["A"]}, format="json")
    assert refused.status_code == 409
    assert refused.json()["errors"] == {"question": [SAYS + "; until then it is answered only in that assignment"]}
    assert api(learner).get("/api/v1/attempts/").json()["count"] == 0
    due_passes(midterm)
    assert api(learner).get("/api/v1/attempts/").json()["count"] == 2
    assert api(learner).post("/api/v1/questions/q1/attempts/", {"selected": ["A"]}, format="json").status_code == 201


def test_a_practice_quiz_over_the_same_questions_takes_no_answer_and_shows_no_key(client, learner, submitted, midterm):
    practice = lifecycle.start(learner, mode="practice", question_ids=[submitted.items.first().question_id])
    refused = api(learner).post(f"/api/v1/quizzes/{practice.pk}/answers/", {"question": "q1", "selected": ["A"]},
                                format="json")
    assert refused.status_code == 409 and refused.json()["errors"]["question"][0].startswith(SAYS)
    assert not practice.items.filter(attempt__isnull=False).exists()
    page = client.get(reverse("quizzes:question", args=[practice.pk, 1]))
    assert page.status_code == 200
    refused_page = client.post(reverse("quizzes:question", args=[practice.pk, 1]), {"selected": "A"})
    assert refused_page.status_code == 409 and "only in that assignment" in refused_page.content.decode()
    practice.finish()
    results = client.get(reverse("quizzes:results", args=[practice.pk])).content.decode()
    assert 'class="why prose"' not in results and "right: " not in results and SAYS in results


def test_a_second_attempt_at_the_assignment_still_takes_answers(client, learner, submitted, midterm):
    client.post(reverse("classroom:assignment_start", args=[midterm.course_id, midterm.pk]))
    second = Quiz.objects.filter(user=learner).latest("pk")
    assert second != submitted
    answer = api(learner).post(f"/api/v1/quizzes/{second.pk}/answers/", {"question": "q2", "selected": ["A"]},
                               format="json")
    assert answer.status_code == 200 and answer.json() == {"recorded": True, "result": None}


def test_my_data_leaves_out_the_attempts_until_due(client, learner, submitted, midterm):
    data = api(learner).get("/api/v1/me/data/").json()
    assert data["attempts"] == [] and data["quizzes"][0]["correct"] == 1
    page = client.get("/progress/my-data/attempts.csv").content.decode("utf-8-sig")
    assert page.strip().splitlines() == ["id,question,selected,correct,retry,seconds_on_question,quiz,answered_at"]
    due_passes(midterm)
    assert [a["question"] for a in api(learner).get("/api/v1/me/data/").json()["attempts"]] == ["q1", "q2"]


def test_review_cards_of_its_questions_wait_for_the_due_time(client, learner, midterm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        take(as_user(client, learner), midterm, {"q1": ["A"]})
    items = ReviewItem.objects.filter(user=learner)
    assert items.exists()  # the finished exam's answers were scheduled
    card = items.first()
    assert client.get(reverse("review:grade", args=[card.pk]), {"show": "1"}).status_code == 404
    due_passes(midterm)
    assert client.get(reverse("review:grade", args=[card.pk]), {"show": "1"}).status_code == 200


def test_the_instructor_sees_the_learners_attempt_and_the_key(client, instructor, submitted, course_a):
    api_answers = api(instructor).get("/api/v1/questions/q1/", {"include": "answers"})
    assert api_answers.status_code == 200
    page = as_user(client, instructor).get(reverse("classroom:attempt", args=[course_a.pk, submitted.pk]))
    assert page.status_code == 200 and 'data-key-hidden' not in page.content.decode()
    assert answering.keys_hidden(instructor) == {}


def test_a_learner_who_is_an_instructor_elsewhere_cannot_read_the_key_through_the_api(client, django_user_model,
                                                                                       course_a, midterm):
    from classroom.models import Membership
    from tests.classroom.support import make_site_instructor
    teacher = make_site_instructor(django_user_model, "teacher-learner")
    Membership.objects.create(course=course_a, user=teacher, role=Membership.Role.LEARNER)
    take(as_user(client, teacher), midterm, {"q1": ["A"]})
    refused = api(teacher).get("/api/v1/questions/q1/", {"include": "answers"})
    assert refused.status_code == 409
    assert refused.json()["errors"] == {"include": [SAYS + "; the key is hidden until then"]}


def test_an_instructor_elsewhere_who_took_it_gets_no_export_or_key_page_until_due(
        client, other_instructor, course_a, course_b, midterm, classroom_bank):
    from classroom.models import Membership
    Membership.objects.create(course=course_a, user=other_instructor, role=Membership.Role.LEARNER)
    theirs = make_assignment(course_b, classroom_bank, kind=Assignment.Kind.EXAM, title="B's exam")
    take(as_user(client, other_instructor), midterm, {"q1": ["A"]})
    refused = api(other_instructor).get("/api/v1/export/moodle/")
    assert refused.status_code == 409
    assert refused.json()["errors"] == {"exam": [SAYS + "; exports show every answer key, so they open then"]}
    page = client.get(reverse("classroom:assignment_analysis", args=[course_b.pk, theirs.pk]))
    assert page.status_code == 409 and f'data-key-hidden="{SAYS}"' in page.content.decode()
    due_passes(midterm)
    assert api(other_instructor).get("/api/v1/export/moodle/").status_code == 200
    assert client.get(reverse("classroom:assignment_analysis", args=[course_b.pk, theirs.pk])).status_code == 200


def test_practice_assignments_and_answers_never_shown_keep_the_feedback(client, learner, course_a, classroom_bank):
    practice = make_assignment(course_a, classroom_bank, title="Drill", due_at=DUE)
    quiz = take(as_user(client, learner), practice, {"q1": ["A"]})
    assert answering.keys_hidden(learner) == {}
    assert 'class="why prose"' in client.get(reverse("quizzes:results", args=[quiz.pk])).content.decode()
    assert api(learner).post("/api/v1/questions/q1/attempts/", {"selected": ["B"]}, format="json").status_code == 201
