"""Quizzes: a set of the bank's questions answered in practice mode (feedback after each answer)
or exam mode (nothing revealed until finished; no answers after the time limit), and the
questions a learner flagged in one.

`Quiz` and `QuizItem` were the questions app's: their tables keep that app's names
(`questions_quiz`, `questions_quizitem`) so the move (quizzes migration 0002) changed no row.
"""
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from questions import answering


def tally_counts(items: str = "items", hidden=()) -> dict[str, Count]:
    """The one tally of quiz items: `total`, `answered` and `correct` as Count annotations over
    the relation `items` (e.g. "quiz__items" from a model linking to a quiz). Questions in
    `hidden` (question ids, answering.keys_hidden) count nowhere: while another open exam holds
    them, whether they were answered right is not to be shown, nor told by a total. A reason
    that leaves its question in scores (an exam assignment before its due time) keeps it counted."""
    unscored = answering.unscored(hidden)
    shown = ~Q(**{f"{items}__question_id__in": unscored}) if unscored else Q()
    return {
        "total": Count(items, filter=shown),
        "answered": Count(items, filter=Q(**{f"{items}__attempt__isnull": False}) & shown),
        "correct": Count(items, filter=Q(**{f"{items}__attempt__correct": True}) & shown),
    }


class QuizQuerySet(models.QuerySet["Quiz"]):
    def with_tallies(self, hidden=()):
        """Each quiz with `total`, `answered` and `correct` (see tally_counts): one query."""
        return self.annotate(**tally_counts("items", hidden))

    def close_overdue(self, user, now=None) -> int:
        """Finish `user`'s quizzes whose time limit has passed; how many were closed.

        Exams close "on read", with no scheduler: every route that asks whether an exam holds a
        question calls this first (questions.answering), so a learner on the API, whom no page
        middleware sees, finds an expired exam closed and scored like one on the pages does."""
        if user is None or not getattr(user, "is_authenticated", False):
            return 0
        now = now or timezone.now()
        return sum(quiz.close_if_overdue(now) for quiz in
                   self.filter(user=user, finished_at__isnull=True, time_limit_s__isnull=False))


class Quiz(models.Model):
    class Mode(models.TextChoices):
        PRACTICE = "practice"  # feedback after each answer
        EXAM = "exam"          # nothing revealed until finished; answers refused after the limit

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quizzes")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.PRACTICE)
    time_limit_s = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = QuizQuerySet.as_manager()

    class Meta:
        db_table = "questions_quiz"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.mode} quiz {self.pk}"

    @property
    def reveals_outcomes(self) -> bool:
        """Whether this quiz's own outcomes (right or wrong, the score) may be shown: always in
        practice, once finished for an exam. Another open exam may still hide some questions
        (answering.keys_hidden)."""
        return self.mode == self.Mode.PRACTICE or self.finished_at is not None

    def deadline(self):
        if self.time_limit_s is None:
            return None
        return self.created_at + dt.timedelta(seconds=self.time_limit_s)

    def is_over_time(self, now=None) -> bool:
        deadline = self.deadline()
        return deadline is not None and (now or timezone.now()) > deadline

    def finish(self, now=None) -> bool:
        """Finish the quiz (pages' submit, the API's finish, the deadline); False when it already
        was. A quiz finished after its deadline finishes at the deadline, scored on what was
        answered by then (later answers were refused), whoever notices first. Saved, not updated
        in bulk: post_save lets review schedule an exam's answers."""
        if self.finished_at is not None:
            return False
        now = now or timezone.now()
        deadline = self.deadline()
        self.finished_at = min(now, deadline) if deadline is not None else now
        self.save(update_fields=["finished_at"])
        return True

    def close_if_overdue(self, now=None) -> bool:
        """Finish the quiz at its deadline if that has passed; no query unless it closes it."""
        if self.finished_at is not None or not self.is_over_time(now):
            return False
        return self.finish(now)

    def answer_slot(self, question) -> "QuizItem":
        """The item an answer to `question` goes to (questions.answering.answer calls this);
        answering.QuizClosed once finished or past the time limit, NotInQuiz for another question."""
        if self.finished_at:
            raise answering.QuizClosed("this quiz is finished")
        if self.is_over_time():
            raise answering.QuizClosed(f"the time limit of {self.time_limit_s} s has passed")
        item = QuizItem.objects.filter(quiz=self, question=question).first()
        if item is None:
            raise answering.NotInQuiz()
        return item


class QuizItemQuerySet(models.QuerySet):
    def open_exams_of(self, user):
        """Items of the user's exam-mode quizzes not finished yet: their outcomes are shown nowhere."""
        return self.filter(quiz__user=user, quiz__mode=Quiz.Mode.EXAM, quiz__finished_at__isnull=True)


class QuizItem(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey("questions.Question", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    attempt = models.OneToOneField("questions.Attempt", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="quiz_item")

    objects = QuizItemQuerySet.as_manager()

    def replace_answer(self, attempt) -> None:
        """Make `attempt` this item's answer, deleting the one it replaces (inside the caller's
        transaction). Read again under a row lock: of two answers racing for one item, one stays."""
        previous = (QuizItem.objects.select_for_update().filter(pk=self.pk)
                    .values_list("attempt_id", flat=True).first())
        QuizItem.objects.filter(pk=self.pk).update(attempt=attempt)
        if previous:
            type(attempt).objects.filter(pk=previous).delete()

    class Meta:
        db_table = "questions_quizitem"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["quiz", "question"], name="unique_quiz_question")]


class Flag(models.Model):
    """A quiz question the learner flagged to come back to before submitting."""

    item = models.OneToOneField(QuizItem, on_delete=models.CASCADE, related_name="flag")
    created_at = models.DateTimeField(auto_now_add=True)
