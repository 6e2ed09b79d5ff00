"""The classroom's side of the key rule: an exam assignment whose instructor said "answers after
the due time" hides its questions' keys, explanations and outcomes from each learner who has
started it, everywhere (the quiz's results and API, older attempts, another quiz, the question
page, exports, review cards), until its due time. questions.answering states the rule and sits
below this app; ClassroomConfig.ready() registers this with it.

What the learner sees meanwhile: their score (counts keep these questions: `scored`), not which
answers were right. Until the due time the questions take answers only in that assignment's own
quizzes (a later attempt); anywhere else the feedback would show the key, so answering.answer()
refuses them (a 409 on the API, as the exam lock). Practice assignments keep their per-answer
feedback, and instructors are never hidden from: only a learner's own attempts start the rule.
"""
import datetime as dt

from django.utils import timezone

from classroom.models import Assignment, AssignmentQuestion
from questions.answering import Reason


def message(title: str, due_at) -> str:
    return (f"answers to the course assignment “{title}” are shown after its due time, "
            f"{due_at.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M} UTC")


class AnswersAfterDue:
    """Hides the questions of each exam assignment `user` has started whose due time is ahead."""

    @staticmethod
    def _rows(user, now=None):
        return AssignmentQuestion.objects.filter(
            assignment__kind=Assignment.Kind.EXAM, assignment__show_answers_after_due=True,
            assignment__due_at__gt=now or timezone.now(), assignment__assigned_quizzes__quiz__user=user).order_by()

    def hidden(self, user) -> dict[int, Reason]:
        """One query: each question of such an assignment, with the latest due time of those
        holding it, and the assignments' quizzes (which keep taking answers to it)."""
        rows = self._rows(user).values_list("question_id", "assignment__title", "assignment__due_at",
                                            "assignment__assigned_quizzes__quiz_id")
        latest: dict[int, tuple] = {}
        quizzes: dict[int, set[int]] = {}
        for question, title, due_at, quiz in rows:
            quizzes.setdefault(question, set()).add(quiz)
            if question not in latest or due_at > latest[question][1]:
                latest[question] = (title, due_at)
        reasons = {}
        for question, (title, due_at) in latest.items():
            why = message(title, due_at)
            reasons[question] = Reason(why, why + "; until then it is answered only in that assignment",
                                       frozenset(quizzes[question]), scored=True)
        return reasons

    def hidden_questions(self, user):
        return self._rows(user).values("question_id")
