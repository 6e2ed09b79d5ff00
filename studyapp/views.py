"""Site pages that belong to no single app: the home page (the bank, each question's last
answer, what review has due), the favicon and the 404."""
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from accounts.identity import anon_id
from questions.learner import my_attempts
from questions.models import Question
from review.scheduling import due_items


def home(request):
    questions = list(Question.objects.prefetch_related("tags"))
    latest = {}
    for attempt in my_attempts(request).counted().only("question_id", "correct", "created_at"):  # retries never count
        latest.setdefault(attempt.question_id, attempt)  # newest first by the model's ordering
    rows = [{"question": q, "last": latest.get(q.id)} for q in questions]
    due = due_items(request.user, anon_id(request)).count()  # the next steps include due reviews
    return render(request, "studyapp/home.html", {"rows": rows, "due": due})


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page links to. Resolved per request, because
    # the hashed static name only exists after collectstatic.
    return redirect(static("favicon.svg"), permanent=True)


def not_found(request, exception=None):
    # API clients get the API's error shape even for URLs no API view matched.
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "errors": {}}, status=404)
    return render(request, "404.html", status=404)
