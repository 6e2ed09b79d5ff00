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

Other rules may hide keys too, registered as "Hiders" (`register_hider`; the classroom's: an
exam assignment's answers show only after its due time, classroom/after_due.py). Each hidden
question then has a `Reason` with its own message; `keys_hidden`, `revealable` and `answer()`
consult them all, and `answer()` refuses a hidden question outside the quizzes its reason names
(`KeyHidden`), as the exam lock does. A reason may leave the question in scores (`scored`):
counts then include it, while its outcome, key and explanations stay hidden.
"""
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from django.db import transaction

from accounts.identity import owner_fields
from questions.grading import GradingError, grade
from questions.models import Attempt

__all__ = [
    "REFUSALS", "AnswerRefused", "AnsweredWhere", "ExamLocked", "ExamOpen", "GradingError", "KeyHidden", "NotInQuiz",
    "QuizClosed", "Reason", "answer", "ensure_no_open_exam", "exam_in_progress", "exam_lock_message",
    "key_hidden_by_exam", "keys_hidden", "register_exams", "register_hider", "revealable", "unscored",
]


@dataclass(frozen=True)
class Reason:
    """Why a question's key, explanations and outcomes are not shown to a learner now."""

    message: str                  # for a page or an API error: "part of your exam quiz 12, ..."
    refusal: str                  # why an answer to it is refused outside `answered_in`
    answered_in: frozenset = frozenset()  # the quizzes that still take answers to it
    exam: int | None = None       # the open exam holding it (pages link to it), else None
    scored: bool = False          # counts (a quiz's score, tallies) still include it

    def __str__(self) -> str:
        """The value pages put in data-key-hidden: the exam's id, else the message."""
        return str(self.exam) if self.exam is not None else self.message


def exam_reason(quiz_id: int) -> Reason:
    return Reason(exam_lock_message(quiz_id), exam_lock_message(quiz_id), frozenset({quiz_id}), exam=quiz_id)


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


class Hider(Protocol):
    """A rule above this service that hides keys (the classroom's due times: classroom/after_due.py)."""

    def hidden(self, user) -> dict[int, Reason]:
        """{question id: why} for every question whose key `user` may not be shown now."""
        ...

    def hidden_questions(self, user):
        """The same questions as a queryset of `question_id` values, for a subquery."""


EXAMS: list[Exams] = []
HIDERS: list[Hider] = []


def register_exams(exams: Exams) -> None:
    """Called once by the exam engine's AppConfig.ready()."""
    if not any(type(e) is type(exams) for e in EXAMS):
        EXAMS.append(exams)


def register_hider(hider: Hider) -> None:
    """Called once by the hiding app's AppConfig.ready()."""
    if not any(type(h) is type(hider) for h in HIDERS):
        HIDERS.append(hider)


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


class KeyHidden(AnswerRefused):
    """The question's key is hidden from the learner for `reason` (not an open exam), and feedback
    here would show it: it is answered only in the quizzes the reason names."""

    def __init__(self, reason: Reason):
        super().__init__(reason.refusal, "question")
        self.reason = reason


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
        for hider in HIDERS:  # one query each, only for a signed-in learner
            reason = hider.hidden(user).get(question.pk)
            if reason is not None and here not in reason.answered_in:
                raise KeyHidden(reason)
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


def keys_hidden(user, *, close: bool = True) -> dict[int, Reason]:
    """The rule: {question id: why it is hidden} for every question whose key, explanations and
    outcomes `user` may not be shown now (empty for anonymous learners, who have no exams or
    courses). An open exam's reason comes first. Every view that shows a key, an explanation or
    whether an answer was right asks this (or one of the helpers below, which ask the same
    querysets)."""
    if user is None or not user.is_authenticated:
        return {}
    hidden = {question: exam_reason(exam) for question, exam in _held(user, close=close)}
    for hider in HIDERS:
        for question, reason in hider.hidden(user).items():
            hidden.setdefault(question, reason)
    return hidden


def unscored(hidden) -> list[int]:
    """Of `hidden` (keys_hidden's answer, or question ids), the questions no count may include."""
    if not isinstance(hidden, dict):
        return list(hidden)
    return [question for question, reason in hidden.items() if not getattr(reason, "scored", False)]


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
    for hider in HIDERS:
        attempts = attempts.exclude(question__in=hider.hidden_questions(user))
    return attempts


def key_hidden_by_exam(user, question) -> Reason | None:
    """Why `question`'s key and explanations must not be shown to `user` now (even to an
    instructor: an exam of their own holds it, or a hider's rule); None when nothing hides it."""
    return keys_hidden(user).get(question.pk)


def exam_in_progress(user) -> int | None:
    """The id of one of `user`'s unfinished exams, if any: while it runs, whatever shows the
    whole bank's keys (the instructors' exports) is withheld from them."""
    if user is None or not user.is_authenticated:
        return None
    return next((exam for _, exam in _held(user, close=True)), None)
