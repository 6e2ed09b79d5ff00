"""CSV: the bank (one row a question) and learners' results (one row an answer), for
spreadsheets (and, through write_csv, a learner's own data: progress.my_data). Written only: the
Markdown files, Moodle XML and GIFT are the formats read back.

RFC 4180 CSV in UTF-8 with a byte-order mark (so spreadsheet programs read it as UTF-8) and
CRLF line ends. A cell that starts with = + - @ or a tab would be read as a formula by
spreadsheet programs (CSV injection, https://owasp.org/www-community/attacks/CSV_Injection):
such cells are written with a leading apostrophe, which those programs hide.
"""
import csv
import io

from questions.field_limits import MAX_OPTIONS

LABELS = "ABCDEFGHIJ"[:MAX_OPTIONS]
QUESTION_COLUMNS = ["id", "title", "domain", "tags", "source", "last_verified", "answers_required", "correct",
                    "stem", *(f"{kind}_{label}" for label in LABELS for kind in ("option", "why")),
                    "explanation", "more_precisely", "key_points", "references"]
RESULT_COLUMNS = ["attempt", "user", "question", "selected", "correct", "seconds_on_question", "answered_at"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(columns, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def questions_csv(questions) -> bytes:
    """Questions (QuestionData) as CSV: QUESTION_COLUMNS; lists joined by line breaks."""
    rows = []
    for q in questions:
        options = {o.label: o for o in q.options}
        right = [o.label for o in q.options if o.correct]
        rows.append([q.id, q.title, q.domain, " ".join(q.tags), q.source, q.last_verified or "", len(right),
                     " ".join(right), q.stem,
                     *(getattr(options.get(label), kind, "") for label in LABELS for kind in ("text", "why")),
                     q.explanation, q.more_precisely, "\n".join(q.key_points),
                     "\n".join(f"{r['title']} <{r['url']}>" for r in q.references)])
    return write_csv(QUESTION_COLUMNS, rows)


def results_csv(attempts) -> bytes:
    """Attempts (with user and question selected) as CSV: RESULT_COLUMNS, oldest first as given."""
    return write_csv(RESULT_COLUMNS, ([a.pk, a.user.get_username(), a.question.external_id, " ".join(a.selected),
                                    "true" if a.correct else "false", a.seconds_on_question, a.created_at.isoformat()]
                                   for a in attempts))
