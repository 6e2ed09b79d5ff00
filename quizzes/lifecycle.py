"""Starting, closing and scoring quizzes: the one set of quiz rules, for the pages, the API
(quizzes/api.py) and course assignments (classroom); answers go through questions.answering.
The limits (count, time limit) are quizzes/limits.py's.

Exams close at their deadline "on read": whenever the learner's quizzes are looked at (any page
for a signed-in learner, through `CloseOverdueExams`, and the quiz API), an exam past its deadline
is finished with `finished_at` = the deadline, and scored on what was answered by then (answers
after the deadline were refused). No scheduler is needed.
"""
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone

from questions import answering
from questions.models import Question
from quizzes import limits
from quizzes.models import Quiz, QuizItem


class CloseOverdueExams:
    """Middleware: a signed-in learner's overdue exams are closed before any view reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        Quiz.objects.close_overdue(getattr(request, "user", None))
        return self.get_response(request)


class NoQuestions(ValueError):
    pass


def choose_questions(*, tag: str = "", domain: str = "", count: int, tags: Sequence[str] = ()) -> list[int]:
    """`count` question ids drawn at random among those with `tag` and every one of `tags` (the
    pages offer one tag, the API a list), in `domain` when given; NoQuestions when none has them."""
    qs = Question.objects.all()
    wanted = {*tags, tag} - {""}
    if wanted:
        # One grouped subquery: the questions tagged with as many of the wanted slugs as there
        # are (slugs are unique). A filter per tag joined two tables per tag, and for the API's
        # twenty PostgreSQL's planner spent 2 s on a query over a bank of fifty questions.
        having_all = (Question.objects.filter(tags__slug__in=wanted).values("id")
                      .annotate(found=Count("tags", distinct=True)).filter(found=len(wanted)).values("id"))
        qs = qs.filter(id__in=having_all)
    if domain:
        qs = qs.filter(domain=domain)
    ids = list(qs.values_list("id", flat=True).distinct())
    if not ids:
        raise NoQuestions("no question matches this tag and domain")
    return random.sample(ids, min(count, len(ids)))


def start(user, *, mode: str, count: int = 0, tag: str = "", domain: str = "", time_limit_s: int | None = None,
          question_ids: list[int] | None = None, tags: Sequence[str] = ()) -> Quiz:
    """A new quiz of the user's: `count` questions drawn by tag (or all of `tags`) and domain, or
    exactly `question_ids` in that order (a course assignment gives every learner the same
    questions); answering.ExamOpen for a second open exam, NoQuestions when none matches, and
    ValueError for a count or time limit outside quizzes.limits (forms and serializers refuse
    those first, with the field)."""
    limits.check(count=None if question_ids else count, time_limit_s=time_limit_s)
    if mode == Quiz.Mode.EXAM:
        answering.ensure_no_open_exam(user)
    chosen = list(question_ids) if question_ids else choose_questions(tag=tag, domain=domain, count=count, tags=tags)
    with transaction.atomic():
        quiz = Quiz.objects.create(user=user, mode=mode, time_limit_s=time_limit_s)
        QuizItem.objects.bulk_create(QuizItem(quiz=quiz, question_id=qid, position=i) for i, qid in enumerate(chosen))
    return quiz


def with_items():
    """A quiz's items with everything the pages show of them, in a fixed number of queries."""
    return Prefetch("items", queryset=QuizItem.objects.select_related("question", "attempt", "flag")
                    .prefetch_related("question__tags", "question__choices"))


def own_quizzes(user, hidden=(), limit: int = limits.LIST_CAP):
    """`user`'s quizzes, newest first, with their tallies (Quiz.objects.with_tallies): at most
    the `limit` newest; what the quiz pages and the history list."""
    return Quiz.objects.filter(user=user).with_tallies(hidden)[:limit]


def seconds_left(quiz: Quiz, now=None) -> int | None:
    deadline = quiz.deadline()
    if deadline is None or quiz.finished_at:
        return None
    return max(0, int((deadline - (now or timezone.now())).total_seconds()))


@dataclass
class Tally:
    correct: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0


@dataclass
class Results:
    score: Tally
    answered: int
    seconds: int
    by_domain: dict = field(default_factory=dict)
    by_tag: dict = field(default_factory=dict)


def results(quiz: Quiz, hidden=()) -> Results:
    """Score, time and breakdowns of a finished quiz (items prefetched with `with_items()`).
    Questions in `hidden` (question ids, from answering.keys_hidden) count in no tally: whether
    they were answered right is not to be shown yet; those a reason keeps `scored` still count."""
    unscored = set(answering.unscored(hidden))
    items = [item for item in quiz.items.all() if item.question_id not in unscored]
    score, by_domain, by_tag = Tally(), defaultdict[str, Tally](Tally), defaultdict[str, Tally](Tally)
    for item in items:
        right = item.attempt is not None and item.attempt.correct
        buckets = [score, by_domain[item.question.domain or "(no domain)"]]
        buckets += [by_tag[t.slug] for t in item.question.tags.all()]
        for tally in buckets:
            tally.total += 1
            tally.correct += right
    end = quiz.finished_at or timezone.now()
    return Results(score=score, answered=sum(1 for i in items if i.attempt_id),
                   seconds=max(0, int((end - quiz.created_at).total_seconds())),
                   by_domain=dict(sorted(by_domain.items())), by_tag=dict(sorted(by_tag.items())))
