"""My history, split the way learners study: single answers, practice quizzes, exams.

Durations are measured, not guessed: a single answer's time on the question (signed timestamp of
when the page was shown), a quiz's time from start to submission or deadline.
"""
from django.db.models import Count, Q

from questions.answering import keys_hidden
from questions.learner import my_attempts
from questions.models import Quiz


def history_context(request, limit: int = 200) -> dict:
    singles = my_attempts(request).filter(quiz_item__isnull=True).select_related("question")[:limit]
    quizzes = []
    if request.user.is_authenticated:
        # An open exam's questions count as right in no other quiz's tally until it is finished.
        shown = ~Q(items__question_id__in=list(keys_hidden(request.user)))
        quizzes = list(Quiz.objects.filter(user=request.user)
                       .annotate(total=Count("items"), answered=Count("items", filter=Q(items__attempt__isnull=False)),
                                 correct=Count("items", filter=Q(items__attempt__correct=True) & shown))[:limit])
    for quiz in quizzes:
        quiz.seconds = int((quiz.finished_at - quiz.created_at).total_seconds()) if quiz.finished_at else None
        quiz.reveal = quiz.mode == Quiz.Mode.PRACTICE or quiz.finished_at is not None
    return {
        "attempts": singles,
        "practice": [q for q in quizzes if q.mode == Quiz.Mode.PRACTICE],
        "exams": [q for q in quizzes if q.mode == Quiz.Mode.EXAM],
    }
