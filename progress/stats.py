"""A learner's progress from their attempts: totals, accuracy by domain and tag, per day, streak.

Reads only the attempts the learner may see now (questions.learner.my_attempts), so an open
exam's answers count nowhere until it is finished.
"""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass
class Tally:
    attempts: int = 0
    correct: int = 0

    def add(self, right: bool):
        self.attempts += 1
        self.correct += right

    @property
    def accuracy(self) -> float | None:
        return round(self.correct / self.attempts, 4) if self.attempts else None


@dataclass
class Progress:
    total: Tally
    by_domain: dict
    by_tag: dict
    days: list = field(default_factory=list)        # ISO dates with attempts, ascending
    series: dict = field(default_factory=dict)      # {"overall"|"domain:X"|"tag:Y": [accuracy or None per day]}
    streak_days: int = 0
    questions_answered: int = 0


def streak(days_with_attempts: set, today: dt.date) -> int:
    """Consecutive days with an attempt, ending today (or yesterday, so today's is still to come)."""
    day = today if today in days_with_attempts else today - dt.timedelta(days=1)
    count = 0
    while day in days_with_attempts:
        count += 1
        day -= dt.timedelta(days=1)
    return count


def progress(attempts, today: dt.date | None = None, day_of=None) -> Progress:
    """`attempts`: a queryset of the learner's visible attempts. `day_of(moment)` names the day a
    moment belongs to (the learner's study day, see review.scheduling.study_day); UTC dates
    when not given."""
    day_of = day_of or (lambda moment: moment.astimezone(dt.timezone.utc).date())
    today = today or day_of(timezone.now())
    total, by_domain, by_tag = Tally(), defaultdict[str, Tally](Tally), defaultdict[str, Tally](Tally)
    daily: defaultdict[dt.date, defaultdict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    questions = set()
    rows = attempts.select_related("question").prefetch_related("question__tags").order_by("created_at")
    for a in rows:
        day = day_of(a.created_at)
        keys = ["overall", f"domain:{a.question.domain or '(no domain)'}"] + [f"tag:{t.slug}" for t in a.question.tags.all()]
        total.add(a.correct)
        by_domain[a.question.domain or "(no domain)"].add(a.correct)
        for t in a.question.tags.all():
            by_tag[t.slug].add(a.correct)
        for key in keys:
            daily[day][key].add(a.correct)
        questions.add(a.question_id)
    days = sorted(daily)
    names = sorted({k for d in daily.values() for k in d}, key=lambda k: (k != "overall", k))
    series = {k: [daily[d][k].accuracy if k in daily[d] else None for d in days] for k in names}
    return Progress(total=total, by_domain=dict(sorted(by_domain.items())), by_tag=dict(sorted(by_tag.items())),
                    days=[d.isoformat() for d in days], series=series, streak_days=streak(set(days), today),
                    questions_answered=len(questions))
