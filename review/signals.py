"""Hooks: answers schedule reviews, finished exams release theirs (sign-in moves items: accounts.identity)."""
from django.db import transaction

from review import scheduling


def attempt_saving(sender, instance, **kwargs):
    # An answer from questions.answering says where it was given: outside an open exam, the
    # schedule is settled before the insert when it needs no write (a retry, the usual case).
    where = getattr(instance, "answered_in", None)
    if where is not None and instance._state.adding and not where.open_exam:
        scheduling.plan_answer(instance, in_quiz=where.quiz)


def attempt_saved(sender, instance, created, **kwargs):
    if not created or scheduling.settled_at_insert(instance):
        return
    # After commit, and robust: the answer is saved whatever happens to its review (an error is
    # logged). By then a quiz answer's QuizItem points at the attempt, so an exam's answer
    # is recognised and held back until the exam is finished.
    if getattr(instance, "_review_plan", None) is not None:  # a new answer outside open exams, as it was saved
        transaction.on_commit(lambda: scheduling.schedule_attempt(instance, fresh=True), robust=True)
        return
    pk = instance.pk
    transaction.on_commit(lambda: _schedule(pk), robust=True)


def _schedule(attempt_pk):
    from questions.models import Attempt

    attempt = Attempt.objects.select_related("question", "user").filter(pk=attempt_pk).first()
    if attempt is not None:  # a changed quiz answer may already have replaced it
        scheduling.schedule_attempt(attempt)


def quiz_saved(sender, instance, **kwargs):
    if instance.mode != instance.Mode.EXAM or instance.finished_at is None:
        return
    attempt_ids = list(instance.items.filter(attempt__isnull=False).values_list("attempt_id", flat=True))
    transaction.on_commit(lambda: [_schedule(pk) for pk in attempt_ids], robust=True)

