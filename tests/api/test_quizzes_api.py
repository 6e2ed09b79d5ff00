import datetime as dt

import pytest
from django.utils import timezone

from quizzes.models import Quiz


def start(client, **body):
    return client.post("/api/v1/quizzes/", body, format="json")


def test_a_practice_quiz_gives_feedback_on_each_answer(as_user, learner, three):
    client = as_user(learner)
    quiz = start(client, count=2, tags=["quiz"], mode="practice").json()
    assert len(quiz["questions"]) == 2 and all(q.startswith("t") for q in quiz["questions"])
    answer = client.post(f"/api/v1/quizzes/{quiz['id']}/answers/", {"question": quiz["questions"][0], "selected": ["A"]}, format="json")
    assert answer.status_code == 200 and answer.json()["result"]["correct"] is True
    report = client.post(f"/api/v1/quizzes/{quiz['id']}/finish/").json()
    assert report["score"] == {"correct": 1, "answered": 1, "total": 2} and report["finished_at"]


def test_an_exam_reveals_nothing_until_finished(as_user, learner, three):
    client = as_user(learner)
    quiz = start(client, count=3, tags=["quiz"], mode="exam").json()
    answer = client.post(f"/api/v1/quizzes/{quiz['id']}/answers/", {"question": quiz["questions"][0], "selected": ["B"]}, format="json").json()
    assert answer == {"recorded": True, "result": None}
    during = client.get(f"/api/v1/quizzes/{quiz['id']}/").json()
    assert during["score"] is None and during["items"][0]["correct"] is None and during["items"][0]["answered"] is True
    report = client.post(f"/api/v1/quizzes/{quiz['id']}/finish/").json()
    assert report["score"] == {"correct": 0, "answered": 1, "total": 3} and report["items"][0]["correct"] is False
    late = client.post(f"/api/v1/quizzes/{quiz['id']}/answers/", {"question": quiz["questions"][1], "selected": ["A"]}, format="json")
    assert late.status_code == 409 and "finished" in " ".join(late.json()["errors"]["quiz"])


def test_an_exam_refuses_answers_after_its_time_limit(as_user, learner, three):
    client = as_user(learner)
    quiz = start(client, count=1, tags=["quiz"], mode="exam", time_limit_s=60).json()
    Quiz.objects.filter(pk=quiz["id"]).update(created_at=timezone.now() - dt.timedelta(seconds=61))
    late = client.post(f"/api/v1/quizzes/{quiz['id']}/answers/", {"question": quiz["questions"][0], "selected": ["A"]}, format="json")
    assert late.status_code == 409 and "time limit of 60 s has passed" in " ".join(late.json()["errors"]["quiz"])


def test_an_expired_exam_stops_holding_its_questions_for_an_api_learner(as_user, learner, three):
    """API learners pass no page middleware: the answering service closes the expired exam itself,
    so its questions can be answered elsewhere and the exam is scored on what it had."""
    client = as_user(learner)
    quiz = start(client, count=1, tags=["quiz"], mode="exam", time_limit_s=60).json()
    question = quiz["questions"][0]
    held = client.post(f"/api/v1/questions/{question}/attempts/", {"selected": ["A"]}, format="json")
    assert held.status_code == 409  # the running exam holds it
    Quiz.objects.filter(pk=quiz["id"]).update(created_at=timezone.now() - dt.timedelta(seconds=61))
    free = client.post(f"/api/v1/questions/{question}/attempts/", {"selected": ["A"]}, format="json")
    assert free.status_code == 201, free.content
    closed = Quiz.objects.get(pk=quiz["id"])
    assert closed.finished_at == closed.deadline()


def test_quizzes_are_private(as_user, learner, other_learner, instructor, three):
    quiz = start(as_user(learner), count=1).json()
    for user in (other_learner, instructor):
        assert as_user(user).get(f"/api/v1/quizzes/{quiz['id']}/").status_code == 404
        assert as_user(user).post(f"/api/v1/quizzes/{quiz['id']}/finish/").status_code == 404
    assert as_user(None).post("/api/v1/quizzes/", {"count": 1}, format="json").status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"count": 0}, "count"), ({"count": 51}, "count"), ({"mode": "hard"}, "mode"),
    ({"tags": ["nothing-has-this"]}, "tags"), ({"time_limit_s": 5}, "time_limit_s"),
])
def test_bad_quiz_requests_name_the_field(as_user, learner, three, body, field):
    response = start(as_user(learner), **body)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_answering_a_question_outside_the_quiz_is_refused(as_user, learner, three):
    client = as_user(learner)
    quiz = start(client, count=1, tags=["quiz"]).json()
    response = client.post(f"/api/v1/quizzes/{quiz['id']}/answers/", {"question": "1973", "selected": ["D"]}, format="json")
    assert response.status_code == 400 and "not a question of this quiz" in response.json()["errors"]["question"][0]


def test_an_exam_in_progress_leaks_nothing_through_attempts_progress_or_direct_answers(as_user, learner, three):
    client = as_user(learner)
    quiz = start(client, count=3, tags=["quiz"], mode="exam").json()
    first = quiz["questions"][0]
    client.post(f"/api/v1/quizzes/{quiz['id']}/answers/", {"question": first, "selected": ["A"]}, format="json")
    assert client.get("/api/v1/attempts/").json()["count"] == 0
    assert client.get("/api/v1/progress/").json()["attempts"] == 0
    direct = client.post(f"/api/v1/questions/{first}/attempts/", {"selected": ["A"]}, format="json")
    assert direct.status_code == 409 and f"exam quiz {quiz['id']}" in direct.json()["errors"]["question"][0]
    client.post(f"/api/v1/quizzes/{quiz['id']}/finish/")
    assert client.get("/api/v1/attempts/").json()["results"][0]["correct"] is True
    assert client.get("/api/v1/progress/").json()["correct"] == 1
    assert client.post(f"/api/v1/questions/{first}/attempts/", {"selected": ["A"]}, format="json").status_code == 201


def test_an_exam_in_progress_leaks_nothing_through_a_practice_quiz_or_the_question_page(
        as_user, learner, three, client):
    api = as_user(learner)
    exam = start(api, count=3, tags=["quiz"], mode="exam").json()
    first = exam["questions"][0]
    practice = start(api, count=3, tags=["quiz"], mode="practice").json()
    answer = api.post(f"/api/v1/quizzes/{practice['id']}/answers/", {"question": first, "selected": ["A"]},
                      format="json")
    assert answer.status_code == 409 and f"exam quiz {exam['id']}" in answer.json()["errors"]["question"][0]
    assert answer.json()["detail"] != "Invalid input."
    browser = client  # the learner's own pages, signed in with a session
    browser.force_login(learner)
    page = browser.post(f"/questions/{first}/", {"selected": "A"})
    assert page.status_code == 409 and f"exam quiz {exam['id']}" in page.content.decode()
    assert "data-outcome" not in page.content.decode()
    api.post(f"/api/v1/quizzes/{exam['id']}/finish/")
    assert browser.post(f"/questions/{first}/", {"selected": "A"}).status_code == 302


def test_practice_quizzes_do_not_block_answers_elsewhere(as_user, learner, three):
    client = as_user(learner)
    quiz = start(client, count=3, tags=["quiz"], mode="practice").json()
    assert client.post(f"/api/v1/questions/{quiz['questions'][0]}/attempts/", {"selected": ["A"]},
                       format="json").status_code == 201


@pytest.mark.parametrize("pk", ["abc", "1.5", "99999999999999999999999", "-1"])
def test_malformed_quiz_ids_are_json_404s(as_user, learner, three, pk):
    response = as_user(learner).get(f"/api/v1/quizzes/{pk}/")
    assert response.status_code == 404 and response.json()["detail"]


@pytest.mark.parametrize("quizzes", [1, 4])
def test_listing_quizzes_takes_four_queries_however_many(as_user, learner, three, assert_num_queries_besides_cache, quizzes):
    client = as_user(learner)
    for _ in range(quizzes):
        quiz = start(client, count=3, tags=["quiz"]).json()
        client.post(f"/api/v1/quizzes/{quiz['id']}/answers/", {"question": quiz["questions"][0], "selected": ["A"]}, format="json")
    # quizzes; their items with questions and attempts; open exams' questions; the questions of
    # course exams whose answers show after their due time (classroom/after_due.py)
    with assert_num_queries_besides_cache(4):
        assert len(client.get("/api/v1/quizzes/").json()) == quizzes


def test_the_api_and_the_pages_take_the_same_time_limits_and_the_schema_states_them(as_user, learner, client, three, schema):
    """One limits table: the pages ask for whole minutes, so a minute is the shortest limit for
    both; the API used to take 30 s."""
    api = as_user(learner)
    short = start(api, count=1, mode="exam", time_limit_s=59)
    assert short.status_code == 400 and "60" in short.json()["errors"]["time_limit_s"][0]
    assert start(api, count=1, mode="exam", time_limit_s=60).status_code == 201
    client.force_login(learner)
    page = client.post("/quizzes/", {"mode": "exam", "count": 1, "minutes": 0})
    assert page.status_code == 400 and "greater than or equal to 1" in page.content.decode()
    fields = schema["components"]["schemas"]["QuizCreateRequest"]["properties"]
    assert (fields["time_limit_s"]["minimum"], fields["time_limit_s"]["maximum"]) == (60, 86_400)
    assert (fields["count"]["minimum"], fields["count"]["maximum"]) == (1, 50)


def test_an_exam_finished_after_its_deadline_is_scored_at_the_deadline(as_user, learner, three):
    client = as_user(learner)
    quiz = start(client, count=1, tags=["quiz"], mode="exam", time_limit_s=60).json()
    Quiz.objects.filter(pk=quiz["id"]).update(created_at=timezone.now() - dt.timedelta(seconds=600))
    report = client.post(f"/api/v1/quizzes/{quiz['id']}/finish/").json()
    finished = Quiz.objects.get(pk=quiz["id"])
    assert finished.finished_at == finished.deadline()
    assert dt.datetime.fromisoformat(report["finished_at"].replace("Z", "+00:00")) == finished.deadline()


def test_a_question_an_open_exam_holds_counts_in_no_tally_on_the_pages_or_the_api(as_user, learner, client, three):
    """The pages' quiz list and history and the API score one tally: a question held by an open
    exam is out of the total as well as out of the right answers (the pages used to count it in
    the total, as if it was answered wrong)."""
    from questions.models import Question
    from quizzes import lifecycle

    api = as_user(learner)
    ids = list(Question.objects.filter(tags__slug="quiz").order_by("external_id").values_list("id", flat=True))
    practice = lifecycle.start(learner, mode="practice", question_ids=ids[:2])
    for item in practice.items.all():
        api.post(f"/api/v1/quizzes/{practice.pk}/answers/", {"question": item.question.external_id, "selected": ["A"]}, format="json")
    lifecycle.start(learner, mode="exam", question_ids=ids[:1], time_limit_s=600)
    assert api.get(f"/api/v1/quizzes/{practice.pk}/").json()["score"] == {"correct": 1, "answered": 1, "total": 1}
    client.force_login(learner)
    row = client.get("/quizzes/").content.decode().split(f'data-quiz="{practice.pk}"')[1].split("</tr>")[0]
    assert "1 of 1 answered" in row and "1 / 1" in row
    history = client.get("/history/").content.decode()
    assert "1 of 1" in history and "1 / 1" in history
