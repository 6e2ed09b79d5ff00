"""Learners' reports of errors in a question or its explanation, and instructors' triage."""
from django.conf import settings
from django.db import models


class ErrorReport(models.Model):
    class Part(models.TextChoices):
        STEM = "stem", "The question itself"
        OPTIONS = "options", "An option or its explanation"
        EXPLANATION = "explanation", "The overall explanation or key points"
        DIAGRAMS = "diagrams", "A diagram or the simulator"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open"
        ACCEPTED = "accepted"  # agreed, not fixed yet
        FIXED = "fixed"
        REJECTED = "rejected"

    question = models.ForeignKey("questions.Question", on_delete=models.CASCADE, related_name="error_reports")
    part = models.CharField(max_length=12, choices=Part.choices, default=Part.OTHER)
    note = models.TextField(max_length=2000)
    # The reporter: an account, or the anonymous learner id of their session (as for attempts).
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="error_reports")
    anon_id = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    response = models.TextField(max_length=2000, blank=True, help_text="What the instructor tells the reporter")
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"#{self.question.external_id} {self.part}: {self.note[:50]} ({self.status})"
