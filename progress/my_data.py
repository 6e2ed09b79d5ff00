"""A learner's own data, to take away: their attempts, finished quizzes, review log and error
reports, as one JSON document or one CSV a kind. Read for the learner the request names (their
account, or before sign-in their anonymous id: accounts.identity), and only what they may see now:
attempts less those an unfinished exam holds (questions.learner.my_attempts), quizzes once finished.

CSV as the bank's exports write it (questions.csv_export: UTF-8 with a byte-order mark, formula
cells kept as text). The review log here is readable (question, card, rating by name); the
Anki-shaped log is review.revlog's.
"""
import json

from django.http import HttpResponse

from accounts.identity import anon_id, owned_by_request
from questions.csv_export import write_csv
from questions.learner import my_attempts
from reports.models import ErrorReport
from review import revlog


def _iso(moment) -> str:
    """ISO 8601 in UTC, to the microsecond: the same in the JSON, the CSV and the API."""
    return moment.isoformat()


RATINGS = {1: "again", 2: "hard", 3: "good", 4: "easy"}  # fsrs.Rating
STATES = {None: "new", 0: "new", 1: "learning", 2: "review", 3: "relearning"}  # fsrs.State before the review
COLUMNS = {
    "attempts": ["id", "question", "selected", "correct", "retry", "seconds_on_question", "quiz", "answered_at"],
    "quizzes": ["id", "mode", "time_limit_s", "started_at", "finished_at", "questions", "answered", "correct"],
    "reviews": ["id", "question", "card", "key_point", "rating", "source", "state_before", "reviewed_at", "due_after"],
    "reports": ["id", "question", "part", "note", "status", "response", "created_at", "updated_at"],
}
KINDS = tuple(COLUMNS)


def _attempts(request):
    for a in my_attempts(request).select_related("question", "quiz_item").order_by("created_at", "id"):
        quiz_item = getattr(a, "quiz_item", None)
        yield {"id": a.pk, "question": a.question.external_id, "selected": list(a.selected), "correct": a.correct,
               "retry": a.retry, "seconds_on_question": a.seconds_on_question,
               "quiz": quiz_item.quiz_id if quiz_item else None, "answered_at": _iso(a.created_at)}


def _quizzes(request):
    if not request.user.is_authenticated:  # quizzes need an account
        return
    # Unfinished quizzes are left out: an exam's answers are not to be told before it ends.
    for quiz in request.user.quizzes.filter(finished_at__isnull=False).order_by("created_at", "id") \
            .prefetch_related("items__attempt"):
        attempts = [item.attempt for item in quiz.items.all() if item.attempt is not None]
        yield {"id": quiz.pk, "mode": quiz.mode, "time_limit_s": quiz.time_limit_s, "started_at": _iso(quiz.created_at),
               "finished_at": _iso(quiz.finished_at), "questions": len(quiz.items.all()), "answered": len(attempts),
               "correct": sum(a.correct for a in attempts)}


def _reviews(request):
    user = request.user if request.user.is_authenticated else None
    for r in revlog.reviews_of(user, anon_id(request)).select_related("item__question").order_by("reviewed_at", "id"):
        yield {"id": r.pk, "question": r.item.question.external_id, "card": r.item.kind,
               "key_point": r.item.point if r.item.kind == "key_point" else None, "rating": RATINGS[r.rating],
               "source": r.source, "state_before": STATES.get(r.state_before, "new"),
               "reviewed_at": _iso(r.reviewed_at), "due_after": _iso(r.due_after)}


def _reports(request):
    for r in owned_by_request(ErrorReport.objects.all(), request).select_related("question").order_by("created_at", "id"):
        yield {"id": r.pk, "question": r.question.external_id, "part": r.part, "note": r.note, "status": r.status,
               "response": r.response, "created_at": _iso(r.created_at), "updated_at": _iso(r.updated_at)}


READERS = {"attempts": _attempts, "quizzes": _quizzes, "reviews": _reviews, "reports": _reports}


def my_data(request) -> dict:
    """Every kind, as lists of rows (dicts of COLUMNS)."""
    return {kind: list(READERS[kind](request)) for kind in KINDS}


def _cell(value):
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _attachment(content: bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_response(request) -> HttpResponse:
    body = json.dumps(my_data(request), indent=1).encode()
    return _attachment(body, "application/json", "my-study-data.json")


def csv_response(request, kind: str) -> HttpResponse:
    rows = ([_cell(row[c]) for c in COLUMNS[kind]] for row in READERS[kind](request))
    return _attachment(write_csv(COLUMNS[kind], rows), "text/csv; charset=utf-8", f"my-{kind}.csv")
