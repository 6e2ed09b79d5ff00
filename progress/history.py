"""My history, split the way learners study: single answers, practice quizzes, exams.

Durations are measured, not guessed: a single answer's time on the question (signed timestamp of
when the page was shown), a quiz's time from start to submission or deadline.
"""
from questions.answering import keys_hidden
from questions.learner import my_attempts
from quizzes import lifecycle
from quizzes.models import Quiz


def history_context(request, limit: int = 200) -> dict:
    singles = my_attempts(request).filter(quiz_item__isnull=True).select_related("question")[:limit]
    quizzes: list = []  # annotated quizzes, with their seconds and reveal set below for the template
    if request.user.is_authenticated:
        # An open exam's questions count in no other quiz's tally until it is finished.
        quizzes = list(lifecycle.own_quizzes(request.user, keys_hidden(request.user), limit=limit))
    for quiz in quizzes:
        quiz.seconds = int((quiz.finished_at - quiz.created_at).total_seconds()) if quiz.finished_at else None
    return {
        "attempts": singles,
        "practice": [q for q in quizzes if q.mode == Quiz.Mode.PRACTICE],
        "exams": [q for q in quizzes if q.mode == Quiz.Mode.EXAM],
    }
