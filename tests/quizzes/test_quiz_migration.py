"""Quizzes made while Quiz and QuizItem were the questions app's are found in the quizzes app
after the move, with their items, answers, flags and course links, and the move runs back."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The last state with the models in the questions app (classroom's link and Flag point there).
BEFORE = [("questions", "0005_attempt_retry"), ("quizzes", "0001_initial"), ("classroom", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def leaves(executor):
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_quizzes_made_before_the_move_are_found_in_the_quizzes_app():
    executor = migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="ada")
    instructor = old.get_model("auth", "User").objects.create(username="grace")
    question = old.get_model("questions", "Question").objects.create(external_id="q1", title="Q1", stem="?")
    other = old.get_model("questions", "Question").objects.create(external_id="q2", title="Q2", stem="?")
    attempt = old.get_model("questions", "Attempt").objects.create(question=question, user=user, selected=["A"], correct=True)
    quiz = old.get_model("questions", "Quiz").objects.create(user=user, mode="exam", time_limit_s=600)
    QuizItem = old.get_model("questions", "QuizItem")
    first = QuizItem.objects.create(quiz=quiz, question=question, position=0, attempt=attempt)
    QuizItem.objects.create(quiz=quiz, question=other, position=1)
    old.get_model("quizzes", "Flag").objects.create(item=first)
    course = old.get_model("classroom", "Course").objects.create(title="AWS", join_code="JOIN1234", created_by=instructor)
    assignment = old.get_model("classroom", "Assignment").objects.create(course=course, title="Exam 1", kind="exam")
    old.get_model("classroom", "AssignedQuiz").objects.create(assignment=assignment, quiz=quiz)

    executor = migrate(leaves(executor))
    new = executor.loader.project_state(leaves(executor)).apps
    Quiz = new.get_model("quizzes", "Quiz")
    moved = Quiz.objects.get()
    assert (moved.pk, moved.user.username, moved.mode, moved.time_limit_s) == (quiz.pk, "ada", "exam", 600)
    items = list(moved.items.order_by("position").values_list("question__external_id", "attempt__correct"))
    assert items == [("q1", True), ("q2", None)]
    assert new.get_model("quizzes", "Flag").objects.get().item.question.external_id == "q1"
    assert new.get_model("classroom", "AssignedQuiz").objects.get().quiz_id == quiz.pk
    assert new.get_model("contenttypes", "ContentType").objects.filter(app_label="quizzes", model="quiz").exists()
    # New rows go on from the old ones: the tables (and their id sequences) are the same.
    assert Quiz.objects.create(user=moved.user, mode="practice").pk > quiz.pk

    # And back: the rows are the questions app's again.
    executor = migrate(BEFORE)
    assert executor.loader.project_state(BEFORE).apps.get_model("questions", "QuizItem").objects.count() == 2
    migrate(leaves(executor))
