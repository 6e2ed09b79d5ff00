"""Review pages: "Due today" (the fronts of what is due now), one card at a time (front, then
its back with the four grades and the interval each gives), the learner's settings (time zone,
desired retention) and the review log as CSV.

Grading needs the card's back to have been shown: the back carries a signed token naming the
item, and a grade without it is refused (a 400), so no card is graded unseen."""
import zoneinfo

from django import forms
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.identity import anon_id
from review import revlog, scheduling
from review.models import Review, ReviewSettings
from review.reveal import token as reveal_token
from review.reveal import was_revealed


class GradeForm(forms.Form):
    rating = forms.ChoiceField(choices=[(k, k.capitalize()) for k in scheduling.RATINGS],
                               error_messages={"invalid_choice": "Choose Again, Hard, Good or Easy."})
    shown = forms.CharField(required=False, widget=forms.HiddenInput)


class SettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=[(z, z) for z in sorted(zoneinfo.available_timezones())],
                                  error_messages={"invalid_choice": "Choose an IANA time zone, e.g. Europe/Paris."})
    desired_retention = forms.FloatField(min_value=scheduling.RETENTION_RANGE[0], max_value=scheduling.RETENTION_RANGE[1],
                                         label="Desired retention (0.70 to 0.99)")

    class Meta:
        model = ReviewSettings
        fields = ["time_zone", "desired_retention"]


def _who(request):
    return request.user, anon_id(request)


def _interval(delta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h"
    days = seconds / 86400
    return f"{round(days)} d" if days < 60 else f"{days / 30.44:.1f} mo"


def _due_context(request, now=None):
    now = now or timezone.now()
    user, anon = _who(request)
    prefs = scheduling.settings_for(user, anon)
    items = list(scheduling.due_items(user, anon, now)[:100])
    later = scheduling.later_today(user, anon, now)
    upcoming = (scheduling.reviewable_items(user, anon).filter(due__gt=now).order_by("due").first())
    recalled, reviewed = scheduling.retention(user, anon)
    return {"items": items, "later_today": later.count(), "upcoming": upcoming, "settings": prefs,
            "zone_stored": prefs.pk is not None, "forecast": scheduling.forecast(user, anon, now),
            "retention": {"recalled": recalled, "reviewed": reviewed,
                          "percent": round(100 * recalled / reviewed) if reviewed else None}}


@require_http_methods(["GET"])
def due_today(request):
    return render(request, "review/due.html", _due_context(request))


@require_http_methods(["GET", "POST"])
def card(request, pk):
    """GET: the card's front and "Show answer"; `?show=1`: its back too, with the grades.
    POST: grade it (only once shown, and only while it is due)."""
    user, anon = _who(request)
    item = scheduling.reviewable_items(user, anon).filter(pk=pk).first()
    if item is None:
        return render(request, "review/due.html", {**_due_context(request), "error": "No such review item of yours."},
                      status=404)
    now = timezone.now()
    prefs = scheduling.settings_for(user, anon)
    error, status = "", 200
    if request.method == "POST":
        form = GradeForm(request.POST)
        if not form.is_valid():
            error, status = form.errors["rating"][0], 400
        elif not was_revealed(form.cleaned_data["shown"], item):
            error, status = "Show the answer before grading it.", 400
        elif not scheduling.is_due(item, now):
            error, status = f"Not due until {timezone.localtime(item.due, scheduling.zone(prefs)):%-d %b %H:%M}: it was reviewed already.", 409
        else:
            rating = form.cleaned_data["rating"]
            done = scheduling.review(item, scheduling.RATINGS[rating], source=Review.Source.SELF, now=now,
                                     desired_retention=prefs.desired_retention)
            messages.success(request, f"{rating.capitalize()}: next review in {_interval(done.due_after - now)}.")
            return redirect("review:due")
    shown = request.GET.get("show") == "1" or status != 200
    outcomes = scheduling.preview(item, now, prefs.desired_retention) if shown else {}
    return render(request, "review/card.html", {
        "item": item, "shown": shown, "token": reveal_token(item) if shown else "", "error": error,
        "buttons": [{"rating": r, "interval": _interval(due - now)} for r, due in outcomes.items()],
        "reference": (item.question.references or [None])[0], "due": scheduling.is_due(item, now),
    }, status=status)


@require_http_methods(["GET", "POST"])
def review_settings(request):
    """The learner's time zone and desired retention. The page's script posts the browser's
    zone (`time_zone` alone, as JSON is not needed) the first time, when none is stored."""
    user, anon = _who(request)
    if not (user.is_authenticated or anon):
        anon = anon_id(request, create=True)
    prefs = scheduling.settings_for(user, anon)
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and "desired_retention" not in data:
        data["desired_retention"] = str(prefs.desired_retention)
    form = SettingsForm(data, instance=prefs)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            if "application/json" in request.headers.get("Accept", ""):
                return JsonResponse({"time_zone": prefs.time_zone, "desired_retention": prefs.desired_retention})
            messages.success(request, f"Saved: days in {prefs.time_zone} start at 4 a.m.; "
                                      f"desired retention {prefs.desired_retention:.0%}.")
            return redirect("review:settings")
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400)
        return render(request, "review/settings.html", {"form": form}, status=400)
    return render(request, "review/settings.html", {"form": form})


@require_http_methods(["GET"])
def log_csv(request):
    user, anon = _who(request)
    return revlog.csv_response(revlog.reviews_of(user, anon))
