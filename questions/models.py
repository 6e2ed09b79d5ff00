"""The question bank and learners' attempts.

Questions are authored as files in questions/content/ and loaded by `manage.py loadquestions`;
the database is a loaded copy, so `content_hash` lets a reload skip unchanged files.
"""
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from questions.field_limits import FIELDS


class Tag(models.Model):
    slug = models.SlugField(max_length=FIELDS["tags"].max_length, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.slug


class QuestionQuerySet(models.QuerySet):
    def with_choices(self):
        """Everything a question page or API response needs, in a fixed number of queries."""
        return self.prefetch_related("choices", "tags")


def validate_references(value):
    """The admin edits references as raw JSON: the loader's rules apply there too, so no link on
    a learner's page can be anything but http(s)."""
    from questions.content_format import check_references
    errors = []
    check_references(value, errors)
    if errors:
        raise ValidationError([str(e) for e in errors])


class Question(models.Model):
    external_id = models.SlugField(max_length=FIELDS["id"].max_length, unique=True)
    title = models.CharField(max_length=FIELDS["title"].max_length)
    stem = models.TextField(help_text="Markdown")
    explanation = models.TextField(blank=True, help_text="Markdown: the overall explanation")
    more_precisely = models.TextField(
        blank=True, help_text="Markdown: where the usual explanation is imprecise, and the precise account"
    )
    key_points = models.JSONField(default=list, blank=True)
    references = models.JSONField(default=list, blank=True, validators=[validate_references],
                                  help_text='[{"title": ..., "url": "https://..."}]')
    domain = models.CharField(max_length=FIELDS["domain"].max_length, blank=True, db_index=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")
    source = models.CharField(max_length=FIELDS["source"].max_length, blank=True, help_text="Where the question comes from")
    last_verified = models.DateField(null=True, blank=True)
    # sha256 of the file it was loaded from: a reload with the same file changes nothing.
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["external_id"]

    def __str__(self):
        return f"#{self.external_id} {self.title}"

    @property
    def correct_labels(self) -> list[str]:
        # Reads the prefetched choices when present, so lists stay at a fixed query count.
        return [c.label for c in self.choices.all() if c.is_correct]

    @property
    def answers_required(self) -> int:
        return len(self.correct_labels)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(max_length=FIELDS["options.label"].max_length)
    text = models.TextField(help_text="Markdown")
    is_correct = models.BooleanField(default=False)
    why = models.TextField(help_text="Markdown: why this option is right or wrong")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "label"]
        constraints = [
            models.UniqueConstraint(fields=["question", "label"], name="unique_choice_label"),
        ]

    def __str__(self):
        return f"{self.label}. {self.text[:60]}"


class LearnerOwnedQuerySet(models.QuerySet):
    """Rows that belong to a learner through `user`, or through `anon_id` before they sign in."""

    def owned_by(self, user=None, anon_id: str = ""):
        """A learner's own rows: by account when logged in, else by the anonymous id."""
        if user is not None and user.is_authenticated:
            return self.filter(user=user)
        if anon_id:
            return self.filter(user__isnull=True, anon_id=anon_id)
        return self.none()


class AttemptQuerySet(LearnerOwnedQuerySet):

    def outside_open_exams(self, user):
        """Less every attempt on a question of one of the user's exams still in progress, older
        ones included: listing or counting them would tell the learner whether an exam answer was
        right, and an older attempt's feedback shows the key (see questions.answering)."""
        return self.exclude(question__in=QuizItem.objects.open_exams_of(user).values("question_id"))

    def counted(self):
        """Less retries (see Attempt.retry): what scores, progress and "Last answer" read."""
        return self.filter(retry=False)

    def accuracy_by_domain(self):
        return (
            self.values("question__domain")
            .annotate(attempts=Count("id"), correct=Count("id", filter=Q(correct=True)))
            .order_by("question__domain")
        )


class Attempt(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts"
    )
    # Anonymous learners are identified by a random id kept in their session; it survives
    # Django's session-key rotation at login, which is when attempts move to the account.
    anon_id = models.CharField(max_length=64, blank=True, db_index=True)
    selected = models.JSONField(help_text="Labels the learner chose, sorted")
    correct = models.BooleanField()
    seconds_on_question = models.PositiveIntegerField(null=True, blank=True)
    # A retry: answered again before the question was due for review, so after its key was shown.
    # Kept (history shows it), counted nowhere: scores, progress and scheduling skip it (set by
    # review.scheduling, which owns "due").
    retry = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # "my attempts" lists and progress totals filter by user and sort by time.
            models.Index(fields=["user", "-created_at"], name="attempt_user_recent"),
        ]

    def __str__(self):
        who = self.user or f"anon:{self.anon_id[:8]}"
        return f"{who} on #{self.question.external_id}: {'correct' if self.correct else 'incorrect'}"


class QuizQuerySet(models.QuerySet):
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
        ordering = ["-created_at", "-id"]

    def deadline(self):
        if self.time_limit_s is None:
            return None
        return self.created_at + dt.timedelta(seconds=self.time_limit_s)

    def is_over_time(self, now=None) -> bool:
        deadline = self.deadline()
        return deadline is not None and (now or timezone.now()) > deadline

    def close_if_overdue(self, now=None) -> bool:
        """Finish the quiz at its deadline if that has passed; no query unless it closes it.
        Scored on what was answered by then: later answers were refused."""
        if self.finished_at is not None or not self.is_over_time(now):
            return False
        # Saved (not updated in bulk): post_save lets review schedule the exam's answers.
        self.finished_at = self.deadline()
        self.save(update_fields=["finished_at"])
        return True


class QuizItemQuerySet(models.QuerySet):
    def open_exams_of(self, user):
        """Items of the user's exam-mode quizzes not finished yet: their outcomes are shown nowhere."""
        return self.filter(quiz__user=user, quiz__mode=Quiz.Mode.EXAM, quiz__finished_at__isnull=True)


def exam_lock_message(quiz_id: int) -> str:
    return f"part of your exam quiz {quiz_id}, which is not finished; answer it there, or finish the quiz first"


class QuizItem(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    attempt = models.OneToOneField(Attempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="quiz_item")

    objects = QuizItemQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["quiz", "question"], name="unique_quiz_question")]
