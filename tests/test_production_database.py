"""The database the suite was asked for is the one the tests use, and the schema it migrates to
holds the same constraints on SQLite and on PostgreSQL (`make test` runs this file on both)."""
import os
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from questions.loader import CONTENT_DIR, load_questions
from questions.models import Choice, Question
from quizzes.models import Quiz, QuizItem


def test_the_tests_run_on_the_database_they_were_asked_for(db):
    expected = {"sqlite": "sqlite", "postgres": "postgresql"}[os.environ.get("TEST_DATABASE", "sqlite")]
    assert connection.vendor == expected


def test_migrations_leave_nothing_to_make(db):
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits non-zero on drift


@pytest.fixture
def question(db):
    load_questions([CONTENT_DIR / "1973.md"])
    return Question.objects.get(external_id="1973")


def test_a_duplicate_question_id_is_refused_by_the_database(question):
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(external_id="1973", title="copy", stem="x")
    assert list(Question.objects.filter(external_id="1973")) == [question]


def test_a_second_option_with_the_same_label_is_refused_by_the_database(question):
    count = question.choices.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        Choice.objects.create(question=question, label="A", text="again", is_correct=False, why="")
    assert question.choices.count() == count


def test_a_question_is_in_a_quiz_only_once(question, learner):
    quiz = Quiz.objects.create(user=learner, mode=Quiz.Mode.EXAM)
    QuizItem.objects.create(quiz=quiz, question=question, position=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuizItem.objects.create(quiz=quiz, question=question, position=1)


def test_concurrent_answers_to_one_exam_question_all_succeed_and_one_is_kept(transactional_db, learner):
    """Several requests answering the same exam question at once (a double click, two tabs):
    each gets its answer recorded, none fails on a lock, and the question ends up with one answer
    that exists. Real threads, real connections: SQLite's and PostgreSQL's locking differ."""
    from django.db import connections
    from rest_framework.test import APIClient

    load_questions([CONTENT_DIR / "1973.md"])
    question = Question.objects.get(external_id="1973")
    quiz = Quiz.objects.create(user=learner, mode=Quiz.Mode.EXAM)
    item = QuizItem.objects.create(quiz=quiz, question=question, position=0)
    start = threading.Barrier(4)
    statuses = []

    def answer(label):
        client = APIClient()
        client.force_authenticate(learner)
        try:
            start.wait(timeout=30)
            response = client.post(f"/api/v1/quizzes/{quiz.pk}/answers/", {"question": "1973", "selected": [label]},
                                   format="json")
            statuses.append((response.status_code, response.content[:300]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(label,)) for label in "ABCD"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _ in statuses] == [200] * 4, statuses
    item.refresh_from_db()
    assert item.attempt is not None and item.attempt.selected[0] in "ABCD"
