"""The progress page: accuracy by domain and tag over time, attempts, streak, what is due."""
from django.shortcuts import render

from accounts.identity import anon_id
from progress.stats import progress
from questions.learner import my_attempts
from review import scheduling


def progress_page(request):
    data = progress(my_attempts(request))
    due = scheduling.due_items(request.user, anon_id(request)).count()
    chart = {"days": data.days, "series": data.series}
    return render(request, "progress/progress.html", {"p": data, "due": due, "chart": chart})
