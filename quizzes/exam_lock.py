"""The quizzes' side of the exam lock: which questions the learner's open exams hold, for
questions.answering, which states the rule (only the exam takes answers to its questions; no
key, explanation or outcome of them is shown anywhere while it is open) and sits below this app.
Registered by QuizzesConfig.ready()."""
import datetime as dt

from django.db.models import Q
from django.utils import timezone

from quizzes.models import Quiz, QuizItem


class OpenExams:
    def close_overdue(self, user) -> list[tuple[int, int]]:
        """Quiz.objects.close_overdue(user) and then held(user, close=False), from one query:
        the user's unfinished quizzes that are timed or exams, with the exams' questions (a
        timed practice quiz's rows are only read for its deadline). A write per quiz closed,
        only then, in close_overdue's order."""
        if user is None or not getattr(user, "is_authenticated", False):
            return []
        rows = list(Quiz.objects.filter(user=user, finished_at__isnull=True)
                    .filter(Q(time_limit_s__isnull=False) | Q(mode=Quiz.Mode.EXAM))
                    .order_by("items__position")  # held()'s order
                    .values_list("id", "mode", "created_at", "time_limit_s", "items__question_id"))
        now = timezone.now()
        over = {quiz_id for quiz_id, _, started, limit, _ in rows
                if limit is not None and now > started + dt.timedelta(seconds=limit)}
        for quiz in Quiz.objects.filter(pk__in=over):  # no query when none is over
            quiz.close_if_overdue(now)
        return [(question_id, quiz_id) for quiz_id, mode, _, _, question_id in rows
                if mode == Quiz.Mode.EXAM and question_id is not None and quiz_id not in over]

    def held(self, user, *, close: bool) -> list[tuple[int, int]]:
        """One query; with `close`, exams past their deadline are closed (a write each, only
        then) and hold nothing."""
        rows = list(QuizItem.objects.open_exams_of(user)
                    .values_list("question_id", "quiz_id", "quiz__created_at", "quiz__time_limit_s"))
        now = timezone.now()
        over = {quiz_id for _, quiz_id, started, limit in rows
                if close and limit is not None and now > started + dt.timedelta(seconds=limit)}
        for quiz in Quiz.objects.filter(pk__in=over):  # no query when none is over
            quiz.close_if_overdue(now)
        return [(question_id, quiz_id) for question_id, quiz_id, _, _ in rows if quiz_id not in over]

    def held_questions(self, user):
        return QuizItem.objects.open_exams_of(user).values("question_id")
