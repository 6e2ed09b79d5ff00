"""Scheduling review items with FSRS (the `fsrs` package): the one place ratings become due dates.

- Answering a question reviews its item: correct is Good, wrong is Again. The question's key
  points become items of their own the first time, due at once, for self-grading.
- Self-grading (Again, Hard, Good, Easy) reviews any item.
- An exam's answers are scheduled only when the exam is finished: a due date that moved during
  the exam would tell whether an answer was right.
"""
import datetime as dt

from django.db import transaction
from django.utils import timezone
from fsrs import Card, Rating, Scheduler

from accounts.identity import owner_fields
from questions.models import Attempt, Quiz, QuizItem
from review.models import Review, ReviewItem

SCHEDULER = Scheduler()
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


def _new_card(now) -> Card:
    # fsrs makes a card id from the clock and then sleeps 1 ms so the next one differs; the id
    # is never read here (an item is its own row), so it is given, and nothing waits.
    return Card(card_id=int(now.timestamp() * 1000), due=now)


def items_for(question, *, user=None, anon_id: str = "", now=None) -> ReviewItem:
    """The question's item for this learner, creating it and its key points' items if missing.

    One read of the learner's items for the question; only the missing ones are inserted, and
    an insert that loses a race with another request for the same learner is skipped (the
    unique constraints decide), so both requests end with the same rows."""
    now = now or timezone.now()
    owner = owner_fields(ReviewItem, user, anon_id)
    wanted = [(ReviewItem.Kind.KEY_POINT, point) for point in range(len(question.key_points or []))]
    wanted.append((ReviewItem.Kind.QUESTION, 0))
    mine = ReviewItem.objects.filter(question=question, **owner)
    have = {(item.kind, item.point): item for item in mine}
    missing = [key for key in wanted if key not in have]
    if missing:
        card = _new_card(now)
        ReviewItem.objects.bulk_create(
            [ReviewItem(question=question, kind=kind, point=point, card=card.to_dict(), due=card.due,
                        state=int(card.state), **owner) for kind, point in missing],
            ignore_conflicts=True)
        have = {(item.kind, item.point): item for item in mine.all()}
    return have[(ReviewItem.Kind.QUESTION, 0)]


def review(item: ReviewItem, rating: Rating, *, source: str, attempt=None, now=None) -> Review:
    now = now or timezone.now()
    with transaction.atomic():
        locked = ReviewItem.objects.select_for_update().get(pk=item.pk)
        card, _ = SCHEDULER.review_card(Card.from_dict(locked.card), rating, review_datetime=now)
        locked.card, locked.due, locked.state, locked.last_review = card.to_dict(), card.due, int(card.state), now
        locked.save(update_fields=["card", "due", "state", "last_review"])
        item.card, item.due, item.state, item.last_review = locked.card, locked.due, locked.state, now
        return Review.objects.create(item=locked, rating=int(rating), source=source, attempt=attempt,
                                     reviewed_at=now, due_after=card.due)


def in_open_exam(attempt: Attempt) -> bool:
    return QuizItem.objects.filter(attempt=attempt, quiz__mode=Quiz.Mode.EXAM, quiz__finished_at__isnull=True).exists()


def schedule_attempt(attempt: Attempt) -> Review | None:
    """Review the question's item with this attempt's outcome (once per attempt).

    One transaction that first locks the attempt's row: a changed quiz answer replaces (deletes)
    the attempt it supersedes, and a review written for a deleted attempt would break its foreign
    key at commit. Locked, the attempt either still exists until we commit or is already gone.
    """
    with transaction.atomic():
        if not Attempt.objects.select_for_update().filter(pk=attempt.pk).exists():
            return None
        if in_open_exam(attempt) or Review.objects.filter(attempt=attempt).exists():
            return None
        item = items_for(attempt.question, user=attempt.user, anon_id=attempt.anon_id, now=attempt.created_at)
        rating = Rating.Good if attempt.correct else Rating.Again
        return review(item, rating, source=Review.Source.ANSWER, attempt=attempt, now=timezone.now())


def reviewable_items(user=None, anon_id: str = ""):
    """The learner's items less those of questions an unfinished exam of theirs holds."""
    items = ReviewItem.objects.owned_by(user, anon_id).select_related("question")
    if user is not None and user.is_authenticated:
        items = items.exclude(question__in=QuizItem.objects.open_exams_of(user).values("question"))
    return items


def due_items(user=None, anon_id: str = "", now=None):
    """Reviewable items due by the end of today (UTC), earliest first."""
    now = now or timezone.now()
    end_of_day = dt.datetime.combine(now.astimezone(dt.timezone.utc).date(), dt.time.max, tzinfo=dt.timezone.utc)
    return reviewable_items(user, anon_id).due_by(end_of_day)


def merge_anonymous(anon_id: str, user) -> int:
    """Move an anonymous learner's items to the account; where both have an item, keep the one
    reviewed last. Returns how many moved."""
    moved = 0
    with transaction.atomic():
        for item in ReviewItem.objects.filter(user__isnull=True, anon_id=anon_id):
            mine = ReviewItem.objects.filter(user=user, question=item.question_id, kind=item.kind, point=item.point).first()
            if mine is not None:
                newer_is_anonymous = (item.last_review or item.created_at) > (mine.last_review or mine.created_at)
                if not newer_is_anonymous:
                    item.delete()
                    continue
                mine.delete()
            item.user, item.anon_id = user, ""
            item.save(update_fields=["user", "anon_id"])
            moved += 1
    return moved
