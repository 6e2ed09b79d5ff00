"""Answering a question: the one path from a learner's choice to a stored, graded Attempt.

The question page, the API's attempts endpoint and quiz answers (API and pages) all call
`answer()`, so the rules below are stated once:

- While one of the learner's exams is open, a question it holds is answered only inside that
  exam (`ExamLocked` elsewhere): feedback anywhere else would reveal the exam's key.
- A quiz takes answers until it is finished or its time limit has passed (`QuizClosed`), and only
  for its own questions (`NotInQuiz`); a changed answer replaces the previous one.
- Grading is `questions.grading.grade`: all or nothing, `GradingError` for a selection that
  cannot be graded (unknown or repeated labels, the wrong number of them).

Nothing is written when an error is raised. Each error carries `field` and `message` for form
and API error reporting, and `conflict`: True when the input is fine but the state of an exam or
quiz forbids the answer (an API 409), False when the input itself is wrong (a 400).

The reveal rule that goes with the lock, the one rule of whether a key may be shown: while an
exam is open, no page or API response shows the key, the explanations or an outcome of any of
its questions, wherever they appear: older attempts, another quiz's results or feedback (a
practice quiz holding the same question), exports. `keys_hidden()` is the rule itself (which
questions, hidden by which exam); `revealable()` filters a queryset of attempts by it,
`key_hidden_by_exam()` asks it about one question and `exam_in_progress()` about the whole bank.

A learner has at most one open exam (`ExamOpen` refuses a second, pages and API alike): two
exams over the same questions would each be the other's way around the lock, since finishing
one would score answers the other still takes. The rule is stated for any number of open exams
all the same, so exams left open from before this limit (or two started at the same instant)
hide their keys too.
"""
from typing import NamedTuple, Protocol

from django.db import transaction

from accounts.identity import owner_fields
from questions.grading import GradingError, grade
from questions.models import Attempt

__all__ = [
    "REFUSALS", "AnswerRefused", "AnsweredWhere", "ExamLocked", "ExamOpen", "GradingError", "NotInQuiz", "QuizClosed",
    "answer", "ensure_no_open_exam", "exam_in_progress", "exam_lock_message", "key_hidden_by_exam", "keys_hidden",
    "register_exams", "revealable",
]


class Exams(Protocol):
    """What an exam engine (quizzes, which registers itself: quizzes/exam_lock.py) tells this
    service, which sits below it: the rules here are stated once, the exams' rows are its own."""

    def close_overdue(self, user) -> list[tuple[int, int]] | None:
        """Finish the user's exams (and other timed quizzes) whose time limit has passed; then
        what held(user, close=False) gives, when read with the deadlines (one query), or None."""

    def held(self, user, *, close: bool) -> list[tuple[int, int]]:
        """(question id, exam id) for every question one of the user's open exams holds; with
        `close`, exams past their deadline are closed first and hold nothing."""
        ...

    def held_questions(self, user):
        """The same questions as a queryset of `question_id` values, for a subquery."""


class AnsweredIn(Protocol):
    """A quiz an answer is given in (quizzes.Quiz): it refuses answers once closed (QuizClosed)
    or for a question it does not hold (NotInQuiz), and keeps one answer per question."""

    pk: int | None

    def answer_slot(self, question): ...


class AnsweredWhere(NamedTuple):
    """Where answer() took an attempt, set on it as `answered_in` before it is saved."""

    quiz: bool       # in a quiz (practice or exam), whose item now points at it
    open_exam: bool  # in one of the learner's open exams (its outcome waits for the exam's end)


EXAMS: list[Exams] = []


def register_exams(exams: Exams) -> None:
    """Called once by the exam engine's AppConfig.ready()."""
    if not any(type(e) is type(exams) for e in EXAMS):
        EXAMS.append(exams)


def exam_lock_message(quiz_id: int) -> str:
    return f"part of your exam quiz {quiz_id}, which is not finished; answer it there, or finish the quiz first"


def _held(user, *, close: bool) -> list[tuple[int, int]]:
    return [pair for exams in EXAMS for pair in exams.held(user, close=close)]


def _close_overdue(user) -> list[tuple[int, int]]:
    """Every engine's close_overdue(), then what held(close=False) gives: read with it, or
    asked apart from an engine whose close_overdue() returns None (anonymous learners: none)."""
    pairs: list[tuple[int, int]] = []
    for exams in EXAMS:
        held = exams.close_overdue(user)
        if held is None and user is not None and user.is_authenticated:
            held = exams.held(user, close=False)
        pairs += held or []
    return pairs


class AnswerRefused(Exception):
    """The answer was not recorded."""

    conflict = True

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


class ExamLocked(AnswerRefused):
    """The question belongs to the learner's unfinished exam `quiz_id` and was answered elsewhere."""

    def __init__(self, quiz_id: int):
        super().__init__(exam_lock_message(quiz_id), "question")
        self.quiz_id = quiz_id


class ExamOpen(AnswerRefused):
    """A second exam was asked for while `quiz_id`, an exam of the learner's, is still open."""

    def __init__(self, quiz_id: int):
        super().__init__(f"your exam quiz {quiz_id} is not finished; finish it before starting another exam", "mode")
        self.quiz_id = quiz_id


class QuizClosed(AnswerRefused):
    """The quiz is finished or past its time limit."""

    def __init__(self, message: str):
        super().__init__(message, "quiz")


class NotInQuiz(AnswerRefused):
    conflict = False

    def __init__(self):
        super().__init__("not a question of this quiz", "question")


# GradingError (from questions.grading) is raised as is; it has the same reporting attributes.
# Everything answer() refuses with: `except answering.REFUSALS as exc`, then exc.field, exc.message.
REFUSALS = (AnswerRefused, GradingError)


def answer(question, selected, *, user=None, anon_id: str = "", quiz: AnsweredIn | None = None,
           seconds_on_question: int | None = None) -> Attempt:
    """Grade `selected` (option labels) for `question` and store the attempt.

    The learner is `user` when signed in, else the anonymous id `anon_id` (pages only; the API
    always has a user). With `quiz`, the answer is to that quiz's item for `question` (the quiz
    must be the learner's own: callers look it up by owner, so others' quizzes are a 404) and
    replaces the item's previous answer. `seconds_on_question` is stored as given (None when
    unknown). Raises ExamLocked, QuizClosed, NotInQuiz or GradingError, and then writes nothing.
    The returned attempt keeps `question` as passed, so prefetched choices serve the response.
    """
    signed_in = user is not None and user.is_authenticated
    held_now = _close_overdue(user)  # an expired exam holds nothing (and takes no more answers)
    item = quiz.answer_slot(question) if quiz is not None else None  # QuizClosed, NotInQuiz
    here = getattr(quiz, "pk", None)
    holding: list[int] = []  # the learner's open exams holding the question
    if signed_in:
        # Only the exam itself takes answers to its questions: not the question page, not a
        # practice quiz, not another exam (which, finished first, would show the key).
        holding = [exam for held, exam in held_now if held == question.pk]
        exam = next((exam for exam in holding if exam != here), None)
        if exam is not None:
            raise ExamLocked(exam)
    result = grade(question, selected)
    with transaction.atomic():  # the attempt and its quiz item change together or not at all
        attempt = Attempt(
            question=question, **owner_fields(Attempt, user, anon_id),
            selected=result.selected, correct=result.correct, seconds_on_question=seconds_on_question,
        )
        # Known here, so the hooks on saving an attempt (review/signals.py) need not ask again.
        attempt.answered_in = AnsweredWhere(  # type: ignore[attr-defined]  # an instance's note, no column
            quiz=item is not None, open_exam=here is not None and here in holding)
        attempt.save(force_insert=True)
        if item is not None:
            item.replace_answer(attempt)  # a changed answer replaces the old one
    attempt.question = question
    return attempt


def keys_hidden(user, *, close: bool = True) -> dict[int, int]:
    """The rule: {question id: id of the open exam hiding it} for every question whose key,
    explanations and outcomes `user` may not be shown now (empty for anonymous learners, who
    have no exams). Every view that shows a key, an explanation or whether an answer was right
    asks this (or one of the helpers below, which ask the same queryset)."""
    if user is None or not user.is_authenticated:
        return {}
    return dict(_held(user, close=close))


def ensure_no_open_exam(user) -> None:
    """Raise ExamOpen when `user` already has an open exam (before starting another)."""
    exam = exam_in_progress(user)
    if exam is not None:
        raise ExamOpen(exam)


def revealable(attempts, user):
    """`attempts` less those whose outcome or key the learner may not see now: any attempt on a
    question of one of `user`'s unfinished exams, older ones included (their feedback shows the
    key). Use it for every list, count, page or response that shows attempts or explanations."""
    if user is None or not user.is_authenticated:
        return attempts  # exams need an account
    for exams in EXAMS:
        attempts = attempts.exclude(question__in=exams.held_questions(user))
    return attempts


def key_hidden_by_exam(user, question) -> int | None:
    """The id of `user`'s unfinished exam holding `question`, whose key and explanations must
    then not be shown to them (even to an instructor); None when nothing hides it."""
    return keys_hidden(user).get(question.pk)


def exam_in_progress(user) -> int | None:
    """The id of one of `user`'s unfinished exams, if any: while it runs, whatever shows the
    whole bank's keys (the instructors' exports) is withheld from them."""
    if user is None or not user.is_authenticated:
        return None
    return next((exam for _, exam in _held(user, close=True)), None)
