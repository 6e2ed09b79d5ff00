"""The question bank and learners' attempts.

Questions are authored as files in questions/content/ and loaded by `manage.py loadquestions`;
the database is a loaded copy, so `content_hash` lets a reload skip unchanged files.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q

from accounts.identity import LearnerOwnedQuerySet
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
    # Who checked the claims against the cited documentation, when, and what (the file's
    # `second_reader`). Not in the admin; an edit through the API stores what the request gives
    # (none), since the check was of the text it replaces.
    second_reader = models.JSONField(null=True, blank=True, editable=False)
    # sha256 of the file it was loaded from: a reload with the same file changes nothing.
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["external_id"]
        # For the bank's version (questions/versions.py: COUNT(*) and MAX(updated_at), read on every
        # question list): this index covers both, where the table's wide rows took a full scan, a
        # cost that grew with the bank (on SQLite, 22 µs -> 10 µs for 51 questions).
        indexes = [models.Index(fields=["updated_at"], name="question_updated_at")]

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


class AttemptQuerySet(LearnerOwnedQuerySet):

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
