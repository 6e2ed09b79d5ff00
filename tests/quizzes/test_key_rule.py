"""One rule for whether a key may be shown (questions.answering.keys_hidden): while an exam of a
learner is open, nothing shows its questions' keys, explanations or outcomes, whichever other
quiz or route they appear through; and a learner has one open exam at a time.

The scenario of issue 26: start exam E1, start exam E2 with the same request, finish E2
unanswered; its results showed every explanation while E1 was open, and E1 then took the right
answer."""
import pytest
from rest_framework.test import APIClient

from questions.models import Question
from quizzes.models import Quiz, QuizItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bank")]
TAG = "companion-1973"
EXAM = {"mode": "exam", "count": 50, "tag": TAG, "domain": "", "minutes": "30"}


@pytest.fixture
def learner_api(learner):
    client = APIClient()
    client.force_authenticate(learner)
    return client


def explanations(page: str) -> int:
    return page.count('class="why prose"')


def test_a_second_exam_is_refused_while_one_is_open(signed_in, learner):
    assert signed_in.post("/quizzes/", EXAM).status_code == 302
    e1 = Quiz.objects.get(user=learner)
    refused = signed_in.post("/quizzes/", EXAM)
    assert refused.status_code == 400
    assert f"Your exam quiz {e1.pk} is not finished; finish it before starting another exam" in refused.content.decode()
    assert Quiz.objects.filter(user=learner).count() == 1
    signed_in.post(f"/quizzes/{e1.pk}/submit/", {"confirm": "yes"})
    assert signed_in.post("/quizzes/", EXAM).status_code == 302  # once finished, another may start


def test_the_api_refuses_a_second_exam_with_a_409_naming_the_open_one(learner_api, learner):
    e1 = learner_api.post("/api/v1/quizzes/", {"count": 50, "tags": [TAG], "mode": "exam", "time_limit_s": 600}, format="json")
    assert e1.status_code == 201
    e2 = learner_api.post("/api/v1/quizzes/", {"count": 50, "tags": [TAG], "mode": "exam", "time_limit_s": 600}, format="json")
    assert e2.status_code == 409
    assert e2.json()["errors"] == {"mode": [f"your exam quiz {e1.json()['id']} is not finished; "
                                            "finish it before starting another exam"]}
    assert learner_api.post("/api/v1/quizzes/", {"count": 50, "tags": [TAG]}, format="json").status_code == 201  # practice is fine


def test_another_quiz_over_an_open_exams_questions_shows_none_of_their_keys(signed_in, learner):
    signed_in.post("/quizzes/", EXAM)
    e1 = Quiz.objects.get(user=learner)
    # The same questions in a practice quiz, finished unanswered: its results would show every key.
    signed_in.post("/quizzes/", {**EXAM, "mode": "practice", "minutes": ""})
    practice = Quiz.objects.filter(user=learner, mode=Quiz.Mode.PRACTICE).get()
    signed_in.post(f"/quizzes/{practice.pk}/submit/", {"confirm": "yes"})
    page = signed_in.get(f"/quizzes/{practice.pk}/results/").content.decode()
    held = practice.items.count()
    assert explanations(page) == 0 and "right: " not in page
    assert page.count(f'data-key-hidden="{e1.pk}"') == held
    # The exam still holds: the right answer is refused nowhere else and taken there.
    first = e1.items.first().question
    labels = first.correct_labels
    assert signed_in.post(f"/questions/{first.external_id}/", {"selected": labels}).status_code == 409
    assert signed_in.post(f"/quizzes/{e1.pk}/q/1/", {"selected": labels}).status_code == 302
    # Once the exam is finished, the practice quiz's results show everything again.
    signed_in.post(f"/quizzes/{e1.pk}/submit/", {"confirm": "yes"})
    page = signed_in.get(f"/quizzes/{practice.pk}/results/").content.decode()
    assert "data-key-hidden" not in page and explanations(page) == sum(
        i.question.choices.count() for i in practice.items.all())


def test_the_quiz_api_leaves_an_open_exams_questions_out_of_other_quizzes_outcomes(learner_api, learner):
    practice = learner_api.post("/api/v1/quizzes/", {"count": 1, "tags": [TAG]}, format="json").json()
    qid = practice["questions"][0]
    question = Question.objects.get(external_id=qid)
    learner_api.post(f"/api/v1/quizzes/{practice['id']}/answers/", {"question": qid, "selected": question.correct_labels},
             format="json")
    exam = Quiz.objects.create(user=learner, mode=Quiz.Mode.EXAM, time_limit_s=600)
    QuizItem.objects.create(quiz=exam, question=question, position=0)  # the exam now holds it
    shown = learner_api.get(f"/api/v1/quizzes/{practice['id']}/").json()
    assert shown["items"][0]["correct"] is None and shown["score"] == {"correct": 0, "answered": 0, "total": 0}
    assert learner_api.get("/api/v1/attempts/").json()["results"] == []  # the practice answer is withheld too


def test_the_rule_holds_across_several_open_exams(signed_in, learner):
    """Exams left open from before the one-at-a-time limit: each still hides its keys from the other."""
    question = Question.objects.filter(tags__slug=TAG).first()
    e1, e2 = (Quiz.objects.create(user=learner, mode=Quiz.Mode.EXAM, time_limit_s=600) for _ in range(2))
    for exam in (e1, e2):
        QuizItem.objects.create(quiz=exam, question=question, position=0)
    # E2 may not take an answer to E1's question (nor E1 to E2's): each would be the other's way around.
    refused = signed_in.post(f"/quizzes/{e2.pk}/q/1/", {"selected": question.correct_labels})
    assert refused.status_code == 409 and f"Part of your exam quiz {e1.pk}" in refused.content.decode()
    signed_in.post(f"/quizzes/{e2.pk}/submit/", {"confirm": "yes"})
    page = signed_in.get(f"/quizzes/{e2.pk}/results/").content.decode()
    assert f'data-key-hidden="{e1.pk}"' in page and explanations(page) == 0
