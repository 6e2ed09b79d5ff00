"""Scheduling review items with FSRS (the `fsrs` package): the one place ratings become due dates.

- Answering a question reviews its item: correct is Good, wrong is Again. The question's key
  points become items of their own the first time, due at once, for self-grading.
- Self-grading (Again, Hard, Good, Easy) reviews any item.
- An exam's answers are scheduled only when the exam is finished: a due date that moved during
  the exam would tell whether an answer was right.
- One review per due showing: an item is reviewed only when it is due. An answer to a question
  whose item is not due yet (a "Try again" right after the key was shown) changes nothing in the
  schedule and, outside quizzes, is marked a retry (Attempt.retry): practice, counted nowhere.
  py-fsrs itself handles reviews of a due card on the same day (learning steps, and the short-term
  stability of a review card seen again within a day): https://github.com/open-spaced-repetition/py-fsrs
- The queue holds what is due now, so a card graded Good (due in 10 minutes) leaves it until
  then; "today" is the learner's own day, in their time zone, rolling over at 4 a.m. as Anki's
  does (https://docs.ankiweb.net/preferences.html, "Next day starts at").
- Each learner's desired retention sets their scheduler. Fuzzing is off, so the interval each
  button shows is exactly the one that grading applies.
"""
import datetime as dt
import zoneinfo
from functools import lru_cache
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from fsrs import Card, Rating, Scheduler

from accounts.identity import owner_fields
from questions import answering
from questions.models import Attempt
from quizzes.models import QuizItem
from review.models import Review, ReviewItem, ReviewSettings

DAY_STARTS_AT = dt.time(4)  # local time; Anki's default "next day starts at"
RETENTION_RANGE = (0.70, 0.99)
DEFAULT_RETENTION = 0.9


@lru_cache(maxsize=64)
def scheduler(desired_retention: float = DEFAULT_RETENTION) -> Scheduler:
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=False)


RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


def _new_card(now) -> Card:
    # fsrs makes a card id from the clock and then sleeps 1 ms so the next one differs; the id
    # is never read here (an item is its own row), so it is given, and nothing waits.
    return Card(card_id=int(now.timestamp() * 1000), due=now)


def _wanted(question) -> list[tuple[str, int]]:
    """(kind, point) of every item a question has: one per key point, and the question's own."""
    wanted: list[tuple[str, int]] = [(ReviewItem.Kind.KEY_POINT, point) for point in range(len(question.key_points or []))]
    wanted.append((ReviewItem.Kind.QUESTION, 0))
    return wanted


def items_for(question, *, user=None, anon_id: str = "", now=None) -> ReviewItem:
    """The question's item for this learner, creating it and its key points' items if missing.

    One read of the learner's items for the question; only the missing ones are inserted, and
    an insert that loses a race with another request for the same learner is skipped (the
    unique constraints decide), so both requests end with the same rows."""
    now = now or timezone.now()
    owner = owner_fields(ReviewItem, user, anon_id)
    wanted = _wanted(question)
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


def settings_for(user=None, anon_id: str = "") -> ReviewSettings:
    """The learner's stored settings, or unsaved defaults (UTC, 90 %)."""
    owner = owner_fields(ReviewSettings, user, anon_id)
    found = ReviewSettings.objects.filter(**owner).first() if (owner["user"] or anon_id) else None
    return found or ReviewSettings(**owner)


def zone(settings: ReviewSettings) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(settings.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.timezone.utc


def day_bounds(now, tz) -> tuple[dt.datetime, dt.datetime]:
    """The learner's study day holding `now`: from 4 a.m. local to the next 4 a.m."""
    local = now.astimezone(tz)
    start = dt.datetime.combine(local.date(), DAY_STARTS_AT, tzinfo=tz)
    if local < start:
        start = dt.datetime.combine(local.date() - dt.timedelta(days=1), DAY_STARTS_AT, tzinfo=tz)
    end = dt.datetime.combine(start.date() + dt.timedelta(days=1), DAY_STARTS_AT, tzinfo=tz)
    return start, end


def study_day(moment, tz) -> dt.date:
    """The study day a moment belongs to (before 4 a.m. counts as the day before)."""
    return day_bounds(moment, tz)[0].date()


def is_due(item: ReviewItem, now) -> bool:
    return item.due <= now


def preview(item: ReviewItem, now=None, desired_retention: float = DEFAULT_RETENTION) -> dict:
    """{rating name: when the item would be due next}, from the scheduler itself."""
    now = now or timezone.now()
    sched = scheduler(desired_retention)
    return {name: sched.review_card(Card.from_dict(item.card), rating, review_datetime=now)[0].due
            for name, rating in RATINGS.items()}


def review(item: ReviewItem, rating: Rating, *, source: str, attempt=None, now=None,
           desired_retention: float | None = None) -> Review:
    now = now or timezone.now()
    if desired_retention is None:
        desired_retention = settings_for(item.user, item.anon_id).desired_retention
    with transaction.atomic():
        locked = ReviewItem.objects.select_for_update().get(pk=item.pk)
        before = Card.from_dict(locked.card)
        card, _ = scheduler(desired_retention).review_card(before, rating, review_datetime=now)
        locked.card, locked.due, locked.state, locked.last_review = card.to_dict(), card.due, int(card.state), now
        locked.save(update_fields=["card", "due", "state", "last_review"])
        item.card, item.due, item.state, item.last_review = locked.card, locked.due, locked.state, now
        return Review.objects.create(item=locked, rating=int(rating), source=source, attempt=attempt,
                                     reviewed_at=now, due_after=card.due, state_before=int(before.state),
                                     difficulty_after=card.difficulty)


def in_open_exam(attempt: Attempt) -> bool:
    # An anonymous attempt (no user) is in no exam: exams need an account.
    return QuizItem.objects.open_exams_of(attempt.user_id).filter(attempt=attempt).exists()


class Plan(NamedTuple):
    """What plan_answer() read before an answer's insert."""

    item: ReviewItem | None  # the question's item, None when some of its items are still missing


def plan_answer(attempt: Attempt, *, in_quiz: bool) -> None:
    """Before the insert of a new answer that no open exam holds (review/signals.py, for answers
    of questions.answering, which says whether it is in a quiz): settle what schedule_attempt
    would do after commit when that needs no write. One read of the learner's items; when they
    all exist and the question's item is not due, nothing is scheduled, and outside a quiz the
    attempt is a retry, stored with its row instead of updated after it (settled_at_insert then
    checks the insert's own time)."""
    owner = owner_fields(ReviewItem, attempt.user, attempt.anon_id)
    have = {(item.kind, item.point): item for item in ReviewItem.objects.filter(question=attempt.question, **owner).order_by()}
    complete = all(key in have for key in _wanted(attempt.question))
    item = have[(ReviewItem.Kind.QUESTION, 0)] if complete else None
    attempt._review_plan = Plan(item)  # type: ignore[attr-defined]  # an instance's note, no column
    if item is not None and not in_quiz and not is_due(item, timezone.now()):
        attempt.retry = True


def settled_at_insert(attempt: Attempt) -> bool:
    """After the insert: True when plan_answer() left nothing to schedule after commit. The
    insert's time (created_at, which decides) is a moment after the plan's: an item falling due
    in between is scheduled after commit as usual, and the attempt is no retry after all."""
    plan = getattr(attempt, "_review_plan", None)
    if plan is None or plan.item is None:
        return False
    if is_due(plan.item, attempt.created_at):
        if attempt.retry:
            Attempt.objects.filter(pk=attempt.pk).update(retry=False)
            attempt.retry = False
        return False
    return True


def schedule_attempt(attempt: Attempt, *, fresh: bool = False) -> Review | None:
    """Review the question's item with this attempt's outcome (once per attempt).

    One transaction that first locks the attempt's row: a changed quiz answer replaces (deletes)
    the attempt it supersedes, and a review written for a deleted attempt would break its foreign
    key at commit. Locked, the attempt either still exists until we commit or is already gone.
    `fresh`: just committed by an answer that no open exam holds (plan_answer() was asked), so
    neither an exam nor an earlier review of it need be looked for.
    """
    with transaction.atomic():
        if not Attempt.objects.select_for_update().filter(pk=attempt.pk).exists():
            return None
        if not fresh and (in_open_exam(attempt) or Review.objects.filter(attempt=attempt).exists()):
            return None
        item = items_for(attempt.question, user=attempt.user, anon_id=attempt.anon_id, now=attempt.created_at)
        if not is_due(item, attempt.created_at):
            # Not due: the key was shown since it was last scheduled. Nothing moves; outside a
            # quiz (a quiz or exam is a showing of its own, scored there) it is a retry.
            if not QuizItem.objects.filter(attempt=attempt).exists():
                Attempt.objects.filter(pk=attempt.pk).update(retry=True)
                attempt.retry = True
            return None
        rating = Rating.Good if attempt.correct else Rating.Again
        return review(item, rating, source=Review.Source.ANSWER, attempt=attempt, now=attempt.created_at)


def reviewable_items(user=None, anon_id: str = ""):
    """The learner's items less those of questions an unfinished exam of theirs holds, or whose
    key another rule hides (questions.answering.HIDERS: an exam assignment before its due time)."""
    items = ReviewItem.objects.owned_by(user, anon_id).select_related("question")
    if user is not None and user.is_authenticated:
        items = items.exclude(question__in=QuizItem.objects.open_exams_of(user).values("question"))
        for hider in answering.HIDERS:
            items = items.exclude(question__in=hider.hidden_questions(user))
    return items


def due_items(user=None, anon_id: str = "", now=None):
    """The queue: reviewable items due now, earliest first (a learning step hides a card until
    it is due again)."""
    return reviewable_items(user, anon_id).due_by(now or timezone.now())


def later_today(user=None, anon_id: str = "", now=None):
    """Items that fall due later in the learner's study day (before the next 4 a.m. local)."""
    now = now or timezone.now()
    _, end = day_bounds(now, zone(settings_for(user, anon_id)))
    return reviewable_items(user, anon_id).filter(due__gt=now, due__lt=end)


def forecast(user=None, anon_id: str = "", now=None, days: int = 7) -> list[tuple[dt.date, int]]:
    """How many items fall due on each of the learner's next `days` study days (overdue ones
    count today)."""
    now = now or timezone.now()
    tz = zone(settings_for(user, anon_id))
    start, _ = day_bounds(now, tz)
    counts = [0] * days
    for due in reviewable_items(user, anon_id).filter(due__lt=start + dt.timedelta(days=days)).values_list("due", flat=True):
        index = max(0, (study_day(due, tz) - start.date()).days)
        if index < days:
            counts[index] += 1
    return [(start.date() + dt.timedelta(days=i), n) for i, n in enumerate(counts)]


def retention(user=None, anon_id: str = "") -> tuple[int, int]:
    """(recalled, reviewed) over reviews of cards already in Review state: the retention achieved."""
    reviews = Review.objects.filter(item__in=ReviewItem.objects.owned_by(user, anon_id), state_before=2)
    return reviews.exclude(rating=int(Rating.Again)).count(), reviews.count()


def merge_anonymous(anon_id: str, user) -> int:
    """Move an anonymous learner's items to the account; where both have an item, keep the one
    reviewed last. Returns how many items moved."""
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


def merge_anonymous_settings(anon_id: str, user) -> int:
    """The anonymous learner's settings (their browser's zone, at least) become the account's,
    unless the account has its own. Returns how many rows moved."""
    anonymous = ReviewSettings.objects.filter(user__isnull=True, anon_id=anon_id)
    if ReviewSettings.objects.filter(user=user).exists():
        anonymous.delete()
        return 0
    return anonymous.update(user=user, anon_id="")
