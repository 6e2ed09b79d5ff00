"""What a locked-out login is told, by django-axes (AXES_LOCKOUT_CALLABLE in settings).

One policy for the site's login, the admin's and the API's token login (settings, "Logins"):
the API answers in its error shape, a page of the site answers everything else. Both say when to
come back (Retry-After) and neither says whether the password was right.
"""
from axes.helpers import get_cool_off
from django.http import JsonResponse
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    cool_off_s = int(get_cool_off(request).total_seconds())
    minutes = max(1, round(cool_off_s / 60))
    message = (f"Too many failed logins for this account or from this address. "
               f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "errors": {}}, status=429)
    else:
        response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(cool_off_s)
    return response
