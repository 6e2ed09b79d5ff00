"""Item analysis: for each question, the figures of Moodle's quiz statistics report.

- How often each option is chosen (a selection of several options counts for each of them),
  overall and in the top and bottom 27% of attempts by total score.
- Facility: the share of attempts that answered the question correctly.
- Discrimination, two ways: the point-biserial correlation between getting this question right
  and the attempt's total score (the share of its questions right), and the upper-minus-lower
  27% index (facility in the top group less facility in the bottom group). Kelley's 27%:
  https://en.wikipedia.org/wiki/Item_discrimination ; Moodle's definitions:
  https://docs.moodle.org/en/Quiz_statistics_calculations
- Median time on the question, flags learners set on it in these attempts, error reports on it.

Computed in the database with grouped aggregates (per attempt, per question, per selection; the
point-biserial's sums in one SQL statement that joins each attempt's score once); only the times
on the question come back as one number per answer, for the median, which SQLite cannot
aggregate. The attempts analysed are finished quizzes of course assignments: every
attempt counts (Moodle's "all attempts").
"""
import math
import statistics
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q

from questions.models import Attempt, Question
from quizzes.models import QuizItem
from reports.models import ErrorReport

GROUP_SHARE = 0.27
# Below these the hints say so rather than read meaning into noise.
FEW_ATTEMPTS = 5
HARD, EASY = 0.3, 0.9
WEAK_DISCRIMINATION = 0.2
ATTRACTIVE_DISTRACTOR = 0.3


@dataclass
class OptionStats:
    label: str
    is_correct: bool
    chosen: int = 0
    upper: int = 0
    lower: int = 0
    share: float = 0.0
    upper_share: float | None = None
    lower_share: float | None = None


@dataclass
class ItemStats:
    question: Question
    attempts: int = 0
    answered: int = 0
    correct: int = 0
    facility: float | None = None
    point_biserial: float | None = None
    upper_lower: float | None = None
    median_seconds: float | None = None
    flags: int = 0
    open_reports: int = 0
    reports: int = 0
    options: list[OptionStats] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)


def finished_items(**filters):
    """Items of finished quizzes run for course assignments, filtered by `filters`."""
    return QuizItem.objects.filter(quiz__finished_at__isnull=False, quiz__assignment_link__isnull=False, **filters)


def _score_sums(items) -> dict[int, tuple[float, float, float]]:
    """Per question in `items`: the sum of its attempts' total scores (each the share of the
    attempt's questions right), of their squares, and of the scores of the attempts that got it
    right: what the point-biserial needs. One statement: each quiz's score is computed once and
    joined (a correlated subquery per item was 15 times slower on SQLite for 500 x 50)."""
    scope_sql, params = items.values_list("quiz_id", "question_id", "attempt_id").query.sql_with_params()
    qi, att = connection.ops.quote_name(QuizItem._meta.db_table), connection.ops.quote_name(Attempt._meta.db_table)
    sql = f"""
        WITH scope (quiz_id, question_id, attempt_id) AS ({scope_sql}),
        scores (quiz_id, s) AS (
            SELECT qi.quiz_id, AVG(CASE WHEN a.correct THEN 1.0 ELSE 0.0 END)
            FROM {qi} qi LEFT JOIN {att} a ON a.id = qi.attempt_id
            WHERE qi.quiz_id IN (SELECT quiz_id FROM scope)
            GROUP BY qi.quiz_id)
        SELECT scope.question_id, SUM(scores.s), SUM(scores.s * scores.s),
               SUM(CASE WHEN a.correct THEN scores.s ELSE 0.0 END)
        FROM scope JOIN scores ON scores.quiz_id = scope.quiz_id LEFT JOIN {att} a ON a.id = scope.attempt_id
        GROUP BY scope.question_id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {qid: (float(s), float(s2), float(s_right)) for qid, s, s2, s_right in cursor.fetchall()}


def groups(items) -> tuple[list[int], list[int]]:
    """The top and bottom 27% of the attempts (quizzes) in `items` by total score, at least one
    attempt each when there are two or more; ties broken by quiz id so a page is repeatable."""
    scores = (QuizItem.objects.filter(quiz_id__in=items.values("quiz_id")).values("quiz_id")
              .annotate(right=Count("id", filter=Q(attempt__correct=True)), total=Count("id")))
    ranked = sorted(scores, key=lambda r: (r["right"] / r["total"], -r["quiz_id"]), reverse=True)
    if len(ranked) < 2:
        return [], []
    size = max(1, round(GROUP_SHARE * len(ranked)))
    return [r["quiz_id"] for r in ranked[:size]], [r["quiz_id"] for r in ranked[-size:]]


def analyse(items) -> list[ItemStats]:
    """ItemStats per question in `items` (a QuizItem queryset, e.g. from `finished_items`)."""
    upper, lower = groups(items)
    right = Q(attempt__correct=True)
    sums = _score_sums(items)
    per_question = (items.values("question_id").annotate(
        n=Count("id"), answered=Count("attempt"), k=Count("id", filter=right), flags=Count("flag"),
        upper_n=Count("id", filter=Q(quiz_id__in=upper)), upper_k=Count("id", filter=right & Q(quiz_id__in=upper)),
        lower_n=Count("id", filter=Q(quiz_id__in=lower)), lower_k=Count("id", filter=right & Q(quiz_id__in=lower)),
    ))
    questions = Question.objects.prefetch_related("choices").in_bulk([r["question_id"] for r in per_question])
    stats = {}
    for r in per_question:
        question = questions[r["question_id"]]
        item = ItemStats(question, attempts=r["n"], answered=r["answered"], correct=r["k"], flags=r["flags"])
        n, k = r["n"], r["k"]
        item.facility = k / n
        if r["upper_n"] and r["lower_n"]:
            item.upper_lower = r["upper_k"] / r["upper_n"] - r["lower_k"] / r["lower_n"]
        item.point_biserial = point_biserial(n, k, *sums[question.pk])
        item.options = [OptionStats(c.label, c.is_correct) for c in question.choices.all()]
        stats[question.pk] = item
    _count_options(items, stats, upper, lower)
    _median_times(items, stats)
    _reports(stats)
    for item in stats.values():
        item.hints = hints(item)
    return sorted(stats.values(), key=lambda s: s.question.external_id)


def point_biserial(n: int, k: int, s: float, s2: float, s_right: float) -> float | None:
    """r_pb = (M1 - M0) / sd * sqrt(p q) from sums over the n attempts: k right, scores summing to
    s (squares to s2), s_right over the right ones; sd is the population standard deviation.
    None when everyone, or no one, got it right, or every total is the same."""
    if n < 2 or k in (0, n):
        return None
    variance = s2 / n - (s / n) ** 2
    if variance <= 1e-12:
        return None
    m1, m0 = s_right / k, (s - s_right) / (n - k)
    p = k / n
    # Rounded: sums from the database differ in their last bits between engines, and a true zero
    # must not read as a (negative) -1e-17.
    return round((m1 - m0) / math.sqrt(variance) * math.sqrt(p * (1 - p)), 9)


def _count_options(items, stats, upper, lower):
    rows = (items.filter(attempt__isnull=False).values("question_id", "attempt__selected")
            .annotate(n=Count("id"), upper=Count("id", filter=Q(quiz_id__in=upper)),
                      lower=Count("id", filter=Q(quiz_id__in=lower))))
    for r in rows:
        item = stats[r["question_id"]]
        by_label = {o.label: o for o in item.options}
        for label in r["attempt__selected"] or []:
            option = by_label.get(label)
            if option is not None:
                option.chosen += r["n"]
                option.upper += r["upper"]
                option.lower += r["lower"]
    upper_size, lower_size = len(upper), len(lower)
    for item in stats.values():
        for option in item.options:
            option.share = option.chosen / item.attempts
            option.upper_share = option.upper / upper_size if upper_size else None
            option.lower_share = option.lower / lower_size if lower_size else None


def _median_times(items, stats):
    times: dict[int, list[int]] = {}
    for qid, seconds in (items.filter(attempt__seconds_on_question__isnull=False)
                         .values_list("question_id", "attempt__seconds_on_question")):
        times.setdefault(qid, []).append(seconds)
    for qid, values in times.items():
        stats[qid].median_seconds = statistics.median(values)


def _reports(stats):
    for r in (ErrorReport.objects.filter(question_id__in=stats).values("question_id")
              .annotate(total=Count("id"), open=Count("id", filter=Q(status=ErrorReport.Status.OPEN)))):
        stats[r["question_id"]].reports, stats[r["question_id"]].open_reports = r["total"], r["open"]


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def hints(item: ItemStats) -> list[str]:
    """What an instructor might do about the figures, in plain words."""
    out = []
    if item.attempts < FEW_ATTEMPTS:
        out.append(f"Only {item.attempts} attempt(s) so far: too few to read much into these figures.")
    if item.facility is not None and item.facility < HARD:
        out.append(f"Only {_pct(item.facility)} answered correctly: check the key, or teach this before the next try.")
    elif item.facility is not None and item.facility > EASY:
        out.append(f"{_pct(item.facility)} answered correctly: an easy question, which tells stronger from "
                   "weaker learners little.")
    if item.point_biserial is not None and item.point_biserial < 0:
        out.append("Learners with lower totals did better on this question than those with higher totals: "
                   "is the key right, or the wording misleading?")
    elif item.point_biserial is not None and item.point_biserial < WEAK_DISCRIMINATION:
        out.append("It barely separates stronger from weaker learners (discrimination below 0.2).")
    for option in item.options:
        if option.is_correct:
            continue
        if option.upper_share is not None and option.upper_share >= ATTRACTIVE_DISTRACTOR:
            out.append(f"Distractor {option.label} attracts {_pct(option.upper_share)} of your top learners: "
                       "is it ambiguous?")
        if option.chosen == 0 and item.attempts >= FEW_ATTEMPTS:
            out.append(f"Nobody chose {option.label}: as a distractor it does no work.")
    if item.flags:
        out.append(f"Flagged {item.flags} time(s) by learners unsure of it.")
    if item.open_reports:
        out.append(f"{item.open_reports} error report(s) on it are open: see the triage page.")
    return out
