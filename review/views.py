"""The "Due today" page: review items due, self-graded with Again, Hard, Good or Easy."""
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.identity import anon_id
from review import scheduling
from review.models import Review


class GradeForm(forms.Form):
    rating = forms.ChoiceField(choices=[(k, k.capitalize()) for k in scheduling.RATINGS],
                               error_messages={"invalid_choice": "Choose Again, Hard, Good or Easy."})


@require_http_methods(["GET"])
def due_today(request):
    items = list(scheduling.due_items(request.user, anon_id(request))[:100])
    upcoming = (scheduling.reviewable_items(request.user, anon_id(request))
                .filter(due__gt=timezone.now()).exclude(pk__in=[i.pk for i in items]).order_by("due").first())
    return render(request, "review/due.html", {"items": items, "upcoming": upcoming,
                                               "ratings": list(scheduling.RATINGS)})


@require_POST
def grade(request, pk):
    form = GradeForm(request.POST)
    item = scheduling.reviewable_items(request.user, anon_id(request)).filter(pk=pk).first()
    if item is None:
        return render(request, "review/due.html", {"items": [], "error": "No such review item of yours."}, status=404)
    if not form.is_valid():
        items = list(scheduling.due_items(request.user, anon_id(request))[:100])
        return render(request, "review/due.html", {"items": items, "ratings": list(scheduling.RATINGS),
                                                   "error": form.errors["rating"][0]}, status=400)
    done = scheduling.review(item, scheduling.RATINGS[form.cleaned_data["rating"]], source=Review.Source.SELF)
    messages.success(request, f"{form.cleaned_data['rating'].capitalize()}: next review "
                              f"{done.due_after:%-d %b %Y %H:%M} UTC.")
    return redirect("review:due")
