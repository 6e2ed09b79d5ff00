"""What the quiz pages add to questions.Quiz: questions flagged for review."""
from django.db import models

from questions.models import QuizItem


class Flag(models.Model):
    """A quiz question the learner flagged to come back to before submitting."""

    item = models.OneToOneField(QuizItem, on_delete=models.CASCADE, related_name="flag")
    created_at = models.DateTimeField(auto_now_add=True)
