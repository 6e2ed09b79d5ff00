"""The /drills/ page: the API's drills as a server-rendered form (works without JavaScript)."""
from django import forms
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from drills import engine


class SeedForm(forms.Form):
    seed = forms.IntegerField(min_value=engine.SEED_MIN, max_value=engine.SEED_MAX)


class AnswerForm(SeedForm):
    seed = forms.IntegerField(min_value=engine.SEED_MIN, max_value=engine.SEED_MAX, widget=forms.HiddenInput)
    answer = forms.IntegerField(min_value=0, max_value=1_000_000, label="Your answer",
                                error_messages={"required": "Enter a whole number.",
                                                "invalid": "Enter a whole number, such as 12."})


@require_http_methods(["GET", "POST"])
def drill_page(request):
    if request.method == "GET":
        if "seed" not in request.GET:
            # A fresh drill gets its seed in the address, so it can be shared and replayed.
            return redirect(f"{reverse('drills:page')}?seed={engine.random_seed()}")
        seed_form = SeedForm(request.GET)
        if not seed_form.is_valid():
            return render(request, "drills/drill.html", {"seed_form": seed_form}, status=400)
        drill = engine.make_drill(seed_form.cleaned_data["seed"])
        form = AnswerForm(initial={"seed": drill.seed})
        return render(request, "drills/drill.html", {"drill": drill, "form": form})
    form = AnswerForm(request.POST)
    seed_form = SeedForm(request.POST)
    if not seed_form.is_valid():
        return render(request, "drills/drill.html", {"seed_form": seed_form}, status=400)
    drill = engine.make_drill(seed_form.cleaned_data["seed"])
    if not form.is_valid():
        return render(request, "drills/drill.html", {"drill": drill, "form": form}, status=400)
    result = engine.grade(drill.seed, form.cleaned_data["answer"])
    return render(request, "drills/drill.html", {
        "drill": drill, "form": form, "result": result, "answer": form.cleaned_data["answer"],
        "next_seed": engine.random_seed(),
    })
