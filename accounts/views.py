"""Signing up, in and out. Every `next` goes through accounts.redirects.checked_next."""
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import ApiToken
from accounts.redirects import checked_next
from studyapp.api.throttling import FixedWindowThrottle


class SignupThrottle(FixedWindowThrottle):
    """New accounts per client address (the `signup` rate, SIGNUP_THROTTLE): without it one
    address made 20 accounts in 6 s, each a fresh budget for the per-account limits."""

    scope = "signup"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST" and not (throttle := SignupThrottle()).allow_request(request, None):
        # Refused before the form is validated: checking a password costs a hash.
        wait = int(throttle.wait()) + 1
        response = render(request, "registration/signup.html", {
            "form": UserCreationForm(initial={"username": request.POST.get("username", "")[:150]}),
            "next": checked_next(request),
            "refused": f"Too many new accounts from your address: try again in {wait // 60 + 1} minutes.",
        }, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Logging in fires user_logged_in, which moves this session's anonymous attempts over.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(checked_next(request) or "home")
    return render(request, "registration/signup.html", {"form": form, "next": checked_next(request)},
                  status=400 if form.errors else 200)


class LoginView(auth_views.LoginView):
    def get_redirect_url(self):
        # Django's own check lets a bare `foo` through (a relative URL); only paths count here.
        return checked_next(self.request)


class LogoutView(auth_views.LogoutView):
    """Logging out ends the session. With `?all=1` (or a form field all=1) it also revokes every
    API token of the account, for a learner who logged in on a shared machine or lost a token."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated and "1" in (request.GET.get("all"), request.POST.get("all")):
            ApiToken.objects.filter(user=request.user).delete()
        return super().post(request, *args, **kwargs)

    def get_redirect_url(self):
        return checked_next(self.request)
