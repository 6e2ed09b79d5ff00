"""Instructors' demo deployments of the reference system, and who did what to them.

A lab runs either on this machine (the local runtime: LocalStack plus worker processes) or in a
sandbox AWS account (the CloudFormation stack). Either way it has a deadline: the runtime or the
stack enforces it on its own, and the web app tears down anything it finds past it.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone


class LabQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status__in=[Lab.Status.ENDED, Lab.Status.FAILED])

    def expired(self, now=None):
        # A stack that failed to delete waits for an instructor's retry: reaping it again every
        # poll would only start one failing deletion after another.
        return self.active().exclude(status=Lab.Status.DELETE_FAILED).filter(expires_at__lte=now or timezone.now())


class Lab(models.Model):
    class Target(models.TextChoices):
        LOCAL = "local", "This machine"
        AWS = "aws", "AWS sandbox account"

    class Status(models.TextChoices):
        DEPLOYING = "deploying"
        RUNNING = "running"
        TEARING_DOWN = "tearing_down", "tearing down"
        # CloudFormation could not delete the stack: it may still bill. Shown with its reason
        # and a retry until an instructor gets it deleted.
        DELETE_FAILED = "delete_failed", "deletion failed"
        ENDED = "ended"
        FAILED = "failed"

    name = models.CharField(max_length=60)
    target = models.CharField(max_length=10, choices=Target.choices, default=Target.LOCAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DEPLOYING, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="labs")
    model_name = models.CharField(max_length=40, default="digits")
    max_tasks = models.PositiveSmallIntegerField(default=4)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Where the lab runs: a runtime folder and process group locally, a stack in AWS.
    # Never credentials: AWS access comes from boto3's standard chain at call time.
    runtime_dir = models.CharField(max_length=300, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    aws_region = models.CharField(max_length=30, blank=True)
    stack_name = models.CharField(max_length=128, blank=True)
    error = models.TextField(blank=True)
    # The newest figures the background poll read (labs/tasks.py): the dashboard shows these, so
    # no page request waits on AWS or LocalStack, and an ended lab keeps its final figures.
    live = models.JSONField(default=dict, blank=True)
    live_at = models.DateTimeField(null=True, blank=True)

    objects = LabQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.get_target_display()}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status not in (self.Status.ENDED, self.Status.FAILED)

    def seconds_left(self, now=None) -> int:
        return max(0, int((self.expires_at - (now or timezone.now())).total_seconds()))

    def time_left(self, now=None) -> str:
        """mm:ss, as the dashboard shows it (a time limit is at most a few hours)."""
        minutes, seconds = divmod(self.seconds_left(now), 60)
        return f"{minutes:02d}:{seconds:02d}"


class LabSample(models.Model):
    """One background poll's figures: the dashboard's chart is these, so a reload or a second
    viewer sees the whole rise and fall, not only what one page happened to watch."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="samples")
    at = models.DateTimeField()
    visible = models.PositiveIntegerField(null=True)
    in_flight = models.PositiveIntegerField(null=True)
    running = models.PositiveSmallIntegerField(null=True)
    desired = models.PositiveSmallIntegerField(null=True)

    class Meta:
        ordering = ["at", "id"]
        # The status endpoint reads one lab's samples after a time.
        indexes = [models.Index(fields=["lab", "at"], name="labsample_lab_at")]

    def to_dict(self) -> dict:
        return {"t": self.at.timestamp(), "visible": self.visible, "in_flight": self.in_flight,
                "running": self.running, "desired": self.desired}


class Burst(models.Model):
    """A burst of jobs, sent by a background task in chunks (labs/tasks.py). The request that
    asks for it only creates this row; the dashboard shows its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENDING = "sending"
        DONE = "done"
        FAILED = "failed"

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="bursts")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    count = models.PositiveIntegerField()
    batch_size = models.PositiveSmallIntegerField()
    sent = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # each step saves: an open burst without news lost its worker
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.SENDING)

    def to_dict(self) -> dict:
        return {"id": self.pk, "status": self.status, "sent": self.sent, "total": self.count,
                "errors": 1 if self.error else 0, "error": self.error}


class LabEvent(models.Model):
    """The audit log: every instructor action and every state change, with who and when."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lab", "-created_at"], name="labevent_lab_recent")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor or 'system'} {self.action}"
