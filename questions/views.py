"""Learner pages: server-rendered, complete without JavaScript."""
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.identity import new_row_anon_id
from questions import answering
from questions.forms import AnswerForm, seconds_since, sign_shown_at
from questions.learner import my_attempts
from questions.models import Question
from questions.views_scenarios import question_extras, simulation_context


@require_http_methods(["GET", "POST"])
def question_detail(request, external_id):
    question = get_object_or_404(Question.objects.with_choices(), external_id=external_id)
    if request.method == "POST":
        form = AnswerForm(question, request.POST)
        status = 400
        if form.is_valid():
            try:
                attempt = answering.answer(
                    question, form.labels(), user=request.user,
                    anon_id=new_row_anon_id(request),
                    seconds_on_question=seconds_since(form.cleaned_data.get("shown_at", "")),
                )
            except answering.REFUSALS as exc:
                status = form.refuse(exc)
            else:
                return redirect("questions:attempt", external_id=question.external_id, pk=attempt.pk)
    else:
        form = AnswerForm(question, initial={"shown_at": sign_shown_at()})
        status = 200
    context = {"question": question, "form": form, **question_extras(question)}
    return render(request, "questions/question.html", context, status=status)


def attempt_detail(request, external_id, pk):
    """Feedback on one of the learner's own attempts; anyone else's is a 404."""
    attempt = (
        my_attempts(request)
        .select_related("question")
        .prefetch_related(Prefetch("question__choices"))
        .filter(pk=pk, question__external_id=external_id)
        .first()
    )
    if attempt is None:
        raise Http404("No such attempt of yours")
    question = attempt.question
    options = [
        {"choice": c, "chosen": c.label in attempt.selected} for c in question.choices.all()
    ]
    return render(request, "questions/attempt.html", {
        "attempt": attempt, "question": question, "options": options,
        **question_extras(question, question.correct_labels), **simulation_context(),
    })
