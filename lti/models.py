"""What the LTI tool adds to django-lti's own rows (lti_tool: registrations, deployments, LMS
users, contexts, resource links; keys): which assignment a resource link opens, where a course's
scores go, and each score's delivery status.

An LMS user's account is django-lti's `LtiUser.auth_user` (one per registration and `sub`); an
LMS context's course is the classroom `Course` whose `external_id` is `course_external_id(...)`.
"""
import hashlib
import json

from django.conf import settings
from django.db import models


def course_external_id(issuer: str, deployment_id: str, context_id: str) -> str:
    """The classroom Course.external_id of an LMS context: the triple that makes a context
    unique (LTI 1.3 core, "context claim": the id is unique within a deployment), hashed to fit
    the column whatever the platform's ids' lengths."""
    digest = hashlib.sha256(json.dumps([issuer, deployment_id, context_id]).encode()).hexdigest()
    return f"lti:{digest}"


class LinkedCourse(models.Model):
    """An LMS context and its classroom course (whose external_id is the context's
    course_external_id): the way back from a context to its course without rehashing."""

    context = models.OneToOneField("lti_tool.LtiContext", on_delete=models.CASCADE, related_name="linked_course")
    course = models.ForeignKey("classroom.Course", on_delete=models.CASCADE, related_name="lti_contexts")


class PlatformFraming(models.Model):
    """The origins a registered platform shows the tool's pages from (its iframe's parent):
    only these may frame the LTI pages (CSP frame-ancestors)."""

    registration = models.OneToOneField("lti_tool.LtiRegistration", on_delete=models.CASCADE,
                                        related_name="framing")
    origins = models.TextField(blank=True, help_text="One origin a line, e.g. https://moodle.school.example")

    def origin_list(self) -> list[str]:
        return [line.strip().rstrip("/") for line in self.origins.splitlines() if line.strip()]


class LinkedResource(models.Model):
    """An LMS resource link (a placement of the tool in a course) and the assignment it opens;
    `lineitem_url` is the AGS line item its scores go to, when the platform gave one."""

    resource_link = models.OneToOneField("lti_tool.LtiResourceLink", on_delete=models.CASCADE,
                                         related_name="linked")
    assignment = models.ForeignKey("classroom.Assignment", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="lti_links")
    lineitem_url = models.URLField(max_length=500, blank=True)

    def __str__(self):
        return f"{self.resource_link} -> {self.assignment}"


class Score(models.Model):
    """One learner's score for one attempt, on its way to the LMS gradebook (AGS)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"

    link = models.ForeignKey(LinkedResource, on_delete=models.CASCADE, related_name="scores")
    lti_user = models.ForeignKey("lti_tool.LtiUser", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    quiz_id = models.PositiveIntegerField(help_text="the attempt (quiz engine) this score is of")
    score_given = models.FloatField()
    score_maximum = models.FloatField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    tries = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["link", "quiz_id"], name="one_score_per_attempt_and_link")]

    def __str__(self):
        return f"{self.score_given}/{self.score_maximum} for {self.user} ({self.status})"
