"""What each learner did on each assignment: scores, time taken, late or missing.

Read from the quiz engine's own rows (a quiz's items and their attempts; its start and finish
times) with database aggregates, one query per kind of row for a whole course. A learner's grade
for an assignment is their best finished attempt (the highest score, the earliest of equals), as
Moodle's default "highest grade"; a drill set's is its answered drills.
"""
import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Max, Q
from django.utils import timezone

from classroom.models import AssignedQuiz, Assignment, Course, DrillAnswer
from quizzes.models import Quiz, tally_counts


@dataclass
class Cell:
    """One learner's standing on one assignment."""

    assignment: Assignment
    correct: int = 0
    total: int = 0
    seconds: int | None = None
    finished_at: dt.datetime | None = None
    quiz_id: int | None = None   # the attempt the cell opens
    attempts: int = 0            # finished or not
    in_progress: bool = False

    @property
    def submitted(self) -> bool:
        return self.finished_at is not None

    @property
    def percent(self) -> int | None:
        return round(100 * self.correct / self.total) if self.submitted and self.total else None

    @property
    def late(self) -> bool:
        due = self.assignment.due_at
        return self.finished_at is not None and due is not None and self.finished_at > due

    def missing(self, now=None) -> bool:
        return not self.submitted and self.assignment.is_past_due(now)

    @property
    def status(self) -> str:
        if self.submitted:
            return "late" if self.late else "on time"
        if self.missing():
            return "missing"
        return "in progress" if self.in_progress else "not started"


@dataclass
class Row:
    learner: AbstractBaseUser
    cells: list[Cell] = field(default_factory=list)


def _better(a: dict, b: dict | None) -> bool:
    if b is None:
        return True
    return (a["correct"] * b["total"], -a["quiz_id"]) > (b["correct"] * a["total"], -b["quiz_id"])


def quiz_rows(assignments):
    """Per assigned quiz: its learner, score and times (one grouped query)."""
    return (AssignedQuiz.objects.filter(assignment__in=assignments)
            .values("assignment_id", "quiz_id", "quiz__user_id", "quiz__created_at", "quiz__finished_at")
            .annotate(**tally_counts("quiz__items")))


def close_overdue_attempts(assignments) -> int:
    """Close the assignments' exams whose time limit has passed, as the quiz engine closes them
    when their learner next reads a page (at the deadline, scored on what was answered by then):
    a learner who walked away from an exam must not stay "in progress" in the gradebook. One
    query when none is open."""
    open_timed = Quiz.objects.filter(assignment_link__assignment__in=assignments, finished_at__isnull=True,
                                     time_limit_s__isnull=False)
    now = timezone.now()
    return sum(quiz.close_if_overdue(now) for quiz in open_timed)


def cells_for(course: Course, learners=None, assignments=None) -> dict[tuple[int, int], Cell]:
    """(learner id, assignment id) -> Cell, for every learner and assignment given (default: the
    course's)."""
    assignments = list(assignments if assignments is not None else course.assignments.all())
    close_overdue_attempts(assignments)
    learners = list(learners if learners is not None else course.learners())
    by_id = {a.pk: a for a in assignments}
    cells = {(u.pk, a.pk): Cell(a) for u in learners for a in assignments}
    best: dict[tuple[int, int], dict] = {}
    for row in quiz_rows(assignments):
        key = (row["quiz__user_id"], row["assignment_id"])
        cell = cells.get(key)
        if cell is None:
            continue  # someone who left the course
        cell.attempts += 1
        if row["quiz__finished_at"] is None:
            cell.in_progress = True
            cell.quiz_id = cell.quiz_id or row["quiz_id"]
            continue
        if _better(row, best.get(key)):
            best[key] = row
    for key, row in best.items():
        cell = cells[key]
        cell.correct, cell.total, cell.quiz_id = row["correct"], row["total"], row["quiz_id"]
        cell.finished_at = row["quiz__finished_at"]
        cell.seconds = max(0, int((row["quiz__finished_at"] - row["quiz__created_at"]).total_seconds()))
    drill_sets = [a for a in assignments if a.kind == Assignment.Kind.DRILLS]
    if drill_sets:
        for row in (DrillAnswer.objects.filter(assignment__in=drill_sets).values("assignment_id", "user_id")
                    .annotate(answered=Count("id"), correct=Count("id", filter=Q(correct=True)), last=Max("created_at"))):
            cell = cells.get((row["user_id"], row["assignment_id"]))
            if cell is None:
                continue
            assignment = by_id[row["assignment_id"]]
            cell.correct, cell.total, cell.attempts = row["correct"], len(assignment.drill_seeds), 1
            if row["answered"] >= len(assignment.drill_seeds):
                cell.finished_at = row["last"]
            else:
                cell.in_progress = True
    return cells


def gradebook(course: Course) -> tuple[list[Assignment], list[Row]]:
    assignments = list(course.assignments.all())
    learners = list(course.learners())
    cells = cells_for(course, learners, assignments)
    return assignments, [Row(u, [cells[(u.pk, a.pk)] for a in assignments]) for u in learners]


CSV_COLUMNS = ["Username", "Course", "Assignment", "Kind", "Due (UTC)", "Status", "Score", "Out of",
               "Percent", "Time taken (s)", "Submitted (UTC)", "Late", "Attempts"]


# A spreadsheet runs a cell that starts with one of these as a formula; usernames and titles come
# from users, so such text is prefixed with an apostrophe (OWASP, "CSV Injection":
# https://owasp.org/www-community/attacks/CSV_Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _utc(value) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def as_csv(course: Course) -> str:
    """One row per learner per assignment; times in UTC as a spreadsheet parses them, empty
    cells for what does not exist yet (never a zero that would lower an average)."""
    assignments, rows = gradebook(course)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        for cell in row.cells:
            a = cell.assignment
            writer.writerow([
                _text(row.learner.get_username()), _text(course.title), _text(a.title), a.get_kind_display(),
                _utc(a.due_at), cell.status,
                cell.correct if cell.submitted else "", cell.total if cell.submitted else "",
                "" if cell.percent is None else cell.percent, "" if cell.seconds is None else cell.seconds,
                _utc(cell.finished_at), ("yes" if cell.late else "no") if cell.submitted else "", cell.attempts,
            ])
    return out.getvalue()
