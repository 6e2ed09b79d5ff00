"""Quiz and exam pages: start, one question at a time with flags and a navigator, a countdown
the server keeps, submit, results. Answers go through questions.answering; while an exam is open
its pages show no key and no explanation (the results page exists only once it is finished)."""
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from questions import answering
from questions.forms import AnswerForm, seconds_since, sign_shown_at
from questions.models import Question, Tag
from quizzes import lifecycle, limits
from quizzes.models import Flag, Quiz, QuizItem


class StartForm(forms.Form):
    mode = forms.ChoiceField(choices=[("practice", "Practice: feedback after each answer"),
                                      ("exam", "Timed exam: score at the end")], initial="practice",
                             widget=forms.RadioSelect)
    count = forms.IntegerField(min_value=limits.MIN_COUNT, max_value=limits.MAX_COUNT, initial=limits.DEFAULT_COUNT,
                               label="Questions")
    tag = forms.ChoiceField(required=False, label="Tag")
    domain = forms.ChoiceField(required=False, label="Domain")
    minutes = forms.IntegerField(min_value=limits.MIN_TIME_LIMIT_MINUTES, max_value=limits.MAX_TIME_LIMIT_MINUTES,
                                 required=False, initial=20,
                                 label="Time limit (minutes, exams only)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", "Any tag")] + [(t, t) for t in Tag.objects.values_list("slug", flat=True)]
        domains = Question.objects.exclude(domain="").values_list("domain", flat=True).distinct().order_by("domain")
        self.fields["domain"].choices = [("", "Any domain")] + [(d, d) for d in domains]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == "exam" and not cleaned.get("minutes"):
            self.add_error("minutes", f"An exam needs a time limit: {limits.MIN_TIME_LIMIT_MINUTES} to "
                                      f"{limits.MAX_TIME_LIMIT_MINUTES:,} minutes.")
        return cleaned


def _own(request, pk) -> Quiz:
    return get_object_or_404(Quiz.objects.prefetch_related(lifecycle.with_items()), pk=pk, user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def quiz_list(request):
    form = StartForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                quiz = lifecycle.start(request.user, mode=data["mode"], count=data["count"], tag=data["tag"],
                                       domain=data["domain"],
                                       time_limit_s=data["minutes"] * 60 if data["mode"] == "exam" else None)
            except lifecycle.NoQuestions as exc:
                form.add_error(None, f"{str(exc).capitalize()}; choose another tag or domain.")
            except answering.ExamOpen as exc:
                form.add_error(None, exc.message.capitalize() + ".")
            else:
                return redirect("quizzes:question", pk=quiz.pk, n=1)
    quizzes = lifecycle.own_quizzes(request.user, answering.keys_hidden(request.user))
    return render(request, "quizzes/list.html", {"form": form, "quizzes": quizzes}, status=status)


def _navigator(quiz, current: int) -> list[dict]:
    return [{"n": i, "answered": bool(item.attempt_id), "flagged": hasattr(item, "flag"), "current": i == current}
            for i, item in enumerate(quiz.items.all(), start=1)]


def _destination(value: str, count: int):
    """Where the page's buttons lead after keeping the pick: a question's position, "review"
    (the screen before submitting), or None (stay: a practice answer then shows its feedback)."""
    if not value:
        return None
    if value == "review":
        return value
    if value.isdigit() and 1 <= int(value) <= count:
        return int(value)
    raise ValueError(f"go must be a question number from 1 to {count}, or review")


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _keep_pick(request, quiz, item, n):
    """Store the pick sent with any of the page's buttons (save, flag, Previous, Next, a
    navigator cell, submit) or by the page's script as soon as it is made, through the one
    answering service. Returns (form, attempt or None, status) where status is None on success.
    No pick sent: nothing stored. The same pick as the stored answer: nothing rewritten."""
    q = item.question
    form = AnswerForm(q, request.POST)
    if not request.POST.getlist("selected"):
        return form, None, None
    if not form.is_valid():
        return form, None, 400
    labels = sorted(form.labels())
    if item.attempt_id and sorted(item.attempt.selected) == labels:
        return form, item.attempt, None
    try:
        attempt = answering.answer(q, labels, user=request.user, quiz=quiz,
                                   seconds_on_question=seconds_since(form.cleaned_data.get("shown_at", "")))
    except answering.REFUSALS as exc:
        return form, None, form.refuse(exc)
    return form, attempt, None


@login_required
@require_http_methods(["GET", "POST"])
def question(request, pk, n):
    quiz = _own(request, pk)
    if quiz.finished_at:
        if request.method == "POST" and _wants_json(request):
            return _refuse_json("quiz", "this quiz is finished", 409)
        return redirect("quizzes:results", pk=quiz.pk)
    items = list(quiz.items.all())
    if not 1 <= n <= len(items):
        raise Http404("No such question in this quiz")
    item = items[n - 1]
    q = item.question
    form = AnswerForm(q, initial={"shown_at": sign_shown_at()})
    status = 200
    if request.method == "POST":
        try:
            go = _destination(request.POST.get("go", ""), len(items))
        except ValueError as exc:
            return _refuse_json("go", str(exc), 400) if _wants_json(request) else HttpResponseBadRequest(str(exc))
        form, attempt, status = _keep_pick(request, quiz, item, n)
        if status is None and request.POST.get("flag") in ("on", "off"):
            if request.POST["flag"] == "on":
                Flag.objects.get_or_create(item=item)
            else:
                Flag.objects.filter(item=item).delete()
        quiz.refresh_from_db(fields=["finished_at"])
        if quiz.finished_at or quiz.is_over_time():
            Quiz.objects.close_overdue(request.user)
            if _wants_json(request):
                return _refuse_json("quiz", "this quiz is finished: the time limit has passed", 409)
            return redirect("quizzes:results", pk=quiz.pk)
        if _wants_json(request):
            if status is not None:
                return _refuse_json("selected", " ".join(form.errors.get("selected", [])), status)
            answered = QuizItem.objects.filter(quiz=quiz, attempt__isnull=False).count()
            return JsonResponse({"saved": attempt is not None, "selected": attempt.selected if attempt else [],
                                 "answered": answered, "total": len(items)})
        if status is None:
            if go == "review":
                return redirect("quizzes:submit", pk=quiz.pk)
            if go is not None:
                return redirect("quizzes:question", pk=quiz.pk, n=go)
            if "flag" in request.POST or quiz.mode == Quiz.Mode.PRACTICE:
                return redirect("quizzes:question", pk=quiz.pk, n=n)  # a practice answer shows its feedback
            return redirect("quizzes:question", pk=quiz.pk, n=min(n + 1, len(items)))
    item.refresh_from_db(fields=["attempt"])
    attempt = item.attempt
    hidden_by = answering.key_hidden_by_exam(request.user, q) if quiz.mode == Quiz.Mode.PRACTICE else None
    feedback = attempt if (attempt is not None and quiz.mode == Quiz.Mode.PRACTICE and hidden_by is None) else None
    return render(request, "quizzes/question.html", {
        "quiz": quiz, "item": item, "question": q, "n": n, "count": len(items), "form": form,
        "attempt": attempt, "feedback": feedback, "navigator": _navigator(quiz, n),
        "flagged": Flag.objects.filter(item=item).exists(), "seconds_left": lifecycle.seconds_left(quiz),
        "deadline": quiz.deadline(),
    }, status=status)


def _refuse_json(field_name: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"saved": False, "field": field_name, "message": message}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk):
    """GET: the screen before submitting (what is unanswered, what is flagged). POST with
    `confirm`: finish the quiz; without it, back to that screen (a submit is never one click)."""
    quiz = _own(request, pk)
    if quiz.finished_at:
        return redirect("quizzes:results", pk=quiz.pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        quiz.finish()
        return redirect("quizzes:results", pk=quiz.pk)
    if request.method == "POST":
        return redirect("quizzes:submit", pk=quiz.pk)
    cells = _navigator(quiz, 0)
    return render(request, "quizzes/submit.html", {
        "quiz": quiz, "cells": cells, "unanswered": [c for c in cells if not c["answered"]],
        "flagged": [c for c in cells if c["flagged"]], "seconds_left": lifecycle.seconds_left(quiz),
        "deadline": quiz.deadline(),
    })


RESULT_FILTERS = ("all", "incorrect")


@login_required
def results(request, pk):
    """A finished quiz's score and breakdowns, and its questions one by one with the time spent
    on each; `?only=incorrect` keeps the ones answered wrong or not answered, to review those."""
    quiz = _own(request, pk)
    if quiz.finished_at is None:
        return redirect("quizzes:question", pk=quiz.pk, n=1)
    only = request.GET.get("only", "all")
    if only not in RESULT_FILTERS:
        return HttpResponseBadRequest(f"only must be one of: {', '.join(RESULT_FILTERS)}")
    hidden = answering.keys_hidden(request.user)  # another exam still open may hold some of these
    rows = []
    for n, item in enumerate(quiz.items.all(), start=1):
        attempt = item.attempt if item.attempt_id else None
        # A hidden outcome stays listed either way: leaving it out would tell it was right.
        if only == "incorrect" and attempt is not None and attempt.correct and item.question_id not in hidden:
            continue
        chosen = set(attempt.selected) if attempt else set()
        rows.append({"n": n, "item": item, "question": item.question, "attempt": attempt,
                     "seconds": attempt.seconds_on_question if attempt else None,
                     "options": [{"choice": c, "chosen": c.label in chosen} for c in item.question.choices.all()],
                     "flagged": hasattr(item, "flag"), "hidden_by": hidden.get(item.question_id)})
    return render(request, "quizzes/results.html", {"quiz": quiz, "results": lifecycle.results(quiz, hidden), "rows": rows,
                                                     "only": only,
                                                     "timed_out": quiz.time_limit_s is not None
                                                     and quiz.finished_at >= quiz.deadline()})
