"""The progress page (accuracy by domain and tag over time, attempts, streak, what is due),
My history (/history/: single answers, practice quizzes, exams) and the learner's own data."""
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.identity import anon_id
from progress import my_data
from progress.history import history_context
from progress.stats import progress
from questions.learner import my_attempts
from review import scheduling


def progress_page(request):
    prefs = scheduling.settings_for(request.user, anon_id(request))
    tz = scheduling.zone(prefs)
    # A retry after the key was shown is practice; days are the learner's (4 a.m. local rollover).
    data = progress(my_attempts(request).counted(), day_of=lambda moment: scheduling.study_day(moment, tz))
    due = scheduling.due_items(request.user, anon_id(request)).count()
    chart = {"days": data.days, "series": data.series}
    return render(request, "progress/progress.html", {"p": data, "due": due, "chart": chart,
                                                      "time_zone": prefs.time_zone,
                                                      "forecast": scheduling.forecast(request.user, anon_id(request)),
                                                      "data_kinds": my_data.KINDS})


def history(request):
    return render(request, "progress/history.html", history_context(request))


@require_GET
def my_data_json(request):
    """The learner's own data (signed in or not: accounts.identity says whose), to download."""
    return my_data.json_response(request)


@require_GET
def my_data_csv(request, kind):
    if kind not in my_data.KINDS:
        raise Http404(f"no such kind; one of {', '.join(my_data.KINDS)}")
    return my_data.csv_response(request, kind)
