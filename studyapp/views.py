"""Site pages that belong to no single app."""
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page links to. Resolved per request, because
    # the hashed static name only exists after collectstatic.
    return redirect(static("favicon.svg"), permanent=True)


def not_found(request, exception=None):
    # API clients get the API's error shape even for URLs no API view matched.
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "errors": {}}, status=404)
    return render(request, "404.html", status=404)
