"""Courses, who is in them and in what role, and what is assigned to them.

The classroom sits above the learner features and writes none of their rows: an assignment's
quiz or exam is a `quizzes.Quiz` started by `quizzes.lifecycle`, linked here by
`AssignedQuiz`; answers are `questions.Attempt`s stored by `questions.answering`. Drills keep no
answers of their own, so a drill set's answers are the one thing this app stores (`DrillAnswer`).
"""
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# No 0/O or 1/I/L: a code read aloud or copied from a projector must not be mistyped.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class CourseQuerySet(models.QuerySet):
    def of(self, user, role: str | None = None):
        """Courses `user` belongs to (in `role`, if given): the only courses any page looks up."""
        if user is None or not user.is_authenticated:
            return self.none()
        members = Membership.objects.filter(user=user)
        if role:
            members = members.filter(role=role)
        return self.filter(pk__in=members.values("course_id"))


class Course(models.Model):
    title = models.CharField(max_length=200)
    join_code = models.CharField(max_length=JOIN_CODE_LENGTH, unique=True, default=new_join_code)
    # An LMS context (LTI 1.3: the platform's issuer and the context id) maps to a course through
    # this, once the LTI tool exists; null for courses made here.
    external_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]

    def __str__(self):
        return self.title

    def learners(self):
        from django.contrib.auth import get_user_model
        return (get_user_model().objects.filter(course_memberships__course=self,
                                                course_memberships__role=Membership.Role.LEARNER)
                .order_by("username"))


class Membership(models.Model):
    class Role(models.TextChoices):
        INSTRUCTOR = "instructor"
        LEARNER = "learner"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="one_membership_per_course")]

    def __str__(self):
        return f"{self.user} in {self.course} as {self.role}"


class AssignmentQuerySet(models.QuerySet):
    def open_for_learners(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))


class Assignment(models.Model):
    class Kind(models.TextChoices):
        PRACTICE = "practice", "Practice quiz (feedback after each answer)"
        EXAM = "exam", "Timed exam (score at the end)"
        QUESTION = "question", "A single question"
        DRILLS = "drills", "Drill set (backlog-per-task arithmetic)"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    questions = models.ManyToManyField("questions.Question", through="AssignmentQuestion", related_name="+")
    # A drill set: the seeds of its drills (drills.engine makes and grades each from its seed).
    drill_seeds = models.JSONField(default=list, blank=True)
    time_limit_s = models.PositiveIntegerField(null=True, blank=True, help_text="exams only")
    opens_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    attempts_allowed = models.PositiveSmallIntegerField(default=1)
    show_answers_after_due = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]

    def __str__(self):
        return f"{self.title} ({self.course})"

    @property
    def runs_as_quiz(self) -> bool:
        return self.kind != self.Kind.DRILLS

    @property
    def quiz_mode(self) -> str:
        return "exam" if self.kind == self.Kind.EXAM else "practice"

    def is_open(self, now=None) -> bool:
        return self.opens_at is None or self.opens_at <= (now or timezone.now())

    def is_past_due(self, now=None) -> bool:
        return self.due_at is not None and (now or timezone.now()) > self.due_at

    def question_ids(self) -> list[int]:
        return list(self.assignment_questions.order_by("position").values_list("question_id", flat=True))

    def answers_visible(self, now=None) -> bool:
        """Whether learners may see the key on this assignment's review: only after the due time,
        and only if the instructor said so."""
        return self.show_answers_after_due and (self.due_at is None or self.is_past_due(now))


class AssignmentQuestion(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="assignment_questions")
    question = models.ForeignKey("questions.Question", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["assignment", "question"], name="unique_assignment_question")]


class AssignedQuiz(models.Model):
    """One learner's attempt at an assignment: the quiz the quiz engine runs, and nothing else
    (learner, answers, start and finish times are the quiz's own)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="assigned_quizzes")
    quiz = models.OneToOneField("quizzes.Quiz", on_delete=models.CASCADE, related_name="assignment_link")

    def __str__(self):
        return f"quiz {self.quiz_id} for {self.assignment}"


class DrillAnswer(models.Model):
    """A learner's answer to one drill of a drill set, graded by drills.engine when given."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="drill_answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seed = models.BigIntegerField()
    answer = models.PositiveIntegerField()
    correct = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "user", "seed"], name="one_answer_per_drill")]
