"""The quizzes' side of the exam lock: which questions the learner's open exams hold, for
questions.answering, which states the rule (only the exam takes answers to its questions; no
key, explanation or outcome of them is shown anywhere while it is open) and sits below this app.
Registered by QuizzesConfig.ready()."""
import datetime as dt

from django.utils import timezone

from quizzes.models import Quiz, QuizItem


class OpenExams:
    def close_overdue(self, user) -> None:
        Quiz.objects.close_overdue(user)

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
