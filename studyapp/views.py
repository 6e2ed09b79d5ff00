"""Site pages that belong to no single app: home and accounts."""
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_http_methods



@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Logging in fires user_logged_in, which moves this session's anonymous attempts over.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(request.GET.get("next") or "home")
    return render(request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200)


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page links to. Resolved per request, because
    # the hashed static name only exists after collectstatic.
    return redirect(static("favicon.svg"), permanent=True)


def not_found(request, exception=None):
    # API clients get the API's error shape even for URLs no API view matched.
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "errors": {}}, status=404)
    return render(request, "404.html", status=404)
