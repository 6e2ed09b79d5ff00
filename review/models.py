"""Review items (a question, or one key point of a question) and their FSRS schedule.

The FSRS card state is kept whole as `card` (fsrs.Card.to_dict()), so the scheduler's own
serialization is the source of truth; `due` and `state` are copied out of it for queries.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.identity import LearnerOwnedQuerySet
from questions.models import Question


class ReviewItemQuerySet(LearnerOwnedQuerySet):
    def due_by(self, moment):
        return self.filter(due__lte=moment)


class ReviewItem(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question"
        KEY_POINT = "key_point"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="review_items")
    anon_id = models.CharField(max_length=64, blank=True, db_index=True)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="review_items")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    point = models.PositiveSmallIntegerField(default=0, help_text="index into the question's key points")
    card = models.JSONField(help_text="fsrs.Card.to_dict()")
    due = models.DateTimeField()
    state = models.PositiveSmallIntegerField(help_text="fsrs.State: 1 learning, 2 review, 3 relearning")
    last_review = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewItemQuerySet.as_manager()

    class Meta:
        ordering = ["due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "question", "kind", "point"], condition=Q(user__isnull=False),
                                    name="review_item_unique_per_user"),
            models.UniqueConstraint(fields=["anon_id", "question", "kind", "point"], condition=Q(user__isnull=True),
                                    name="review_item_unique_per_anon"),
        ]
        indexes = [
            # "Due today" lists a learner's items by due time.
            models.Index(fields=["user", "due"], name="review_item_user_due"),
        ]

    def __str__(self):
        return f"{self.kind} {self.question.external_id}#{self.point} due {self.due:%Y-%m-%d %H:%M}"

    @property
    def prompt(self) -> str:
        """The back of the card: the key point's text, or the question's title."""
        if self.kind == self.Kind.KEY_POINT:
            points = self.question.key_points or []
            return points[self.point] if self.point < len(points) else ""
        return self.question.title

    @property
    def front(self) -> str:
        """What to recall, without giving it away: a key point's opening words (up to its first
        comma, colon, semicolon or "=" after at least three words, else its first five words)
        to complete; for a question, its title (the card sends the learner to answer it)."""
        if self.kind != self.Kind.KEY_POINT:
            return self.question.title
        return cue(self.prompt)


def cue(point: str) -> str:
    words = point.split()
    for i, word in enumerate(words[:-1]):
        if i >= 2 and (word.endswith((",", ";", ":")) or words[i + 1] == "="):
            return " ".join(words[: i + 1]).rstrip(",;:") + " …"
    return " ".join(words[:5]) + " …"


class ReviewSettings(models.Model):
    """A learner's review preferences: the time zone their day is counted in (it rolls over at
    4 a.m. there, as Anki's does) and the retention FSRS aims for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="review_settings")
    anon_id = models.CharField(max_length=64, blank=True, db_index=True)
    time_zone = models.CharField(max_length=64, default="UTC", help_text="an IANA zone, e.g. Europe/Paris")
    desired_retention = models.FloatField(default=0.9, help_text="0.70 to 0.99: the chance of recall when a card falls due")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["anon_id"], condition=Q(user__isnull=True), name="review_settings_one_per_anon"),
        ]


class Review(models.Model):
    class Source(models.TextChoices):
        ANSWER = "answer"  # graded by answering the question
        SELF = "self"      # the learner's own Again/Hard/Good/Easy

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(help_text="fsrs.Rating: 1 again, 2 hard, 3 good, 4 easy")
    source = models.CharField(max_length=10, choices=Source.choices)
    attempt = models.ForeignKey("questions.Attempt", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    reviewed_at = models.DateTimeField()
    state_before = models.PositiveSmallIntegerField(null=True, blank=True,
                                                    help_text="fsrs.State before this review (the revlog's type)")
    due_after = models.DateTimeField(help_text="when the item is due next, after this review")
    difficulty_after = models.FloatField(null=True, blank=True,
                                         help_text="FSRS difficulty (1-10) after this review (the revlog's factor)")

    class Meta:
        ordering = ["-reviewed_at", "-id"]
