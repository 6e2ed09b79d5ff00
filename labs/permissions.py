from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from accounts.roles import is_instructor


def instructor_required(view):
    """Anonymous visitors go to the login page; logged-in learners get 403, on every labs URL."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_instructor(request.user):
            raise PermissionDenied("Labs are for instructors: they deploy real infrastructure that runs "
                                   "and can cost money, so only instructors' accounts can open them.")
        return view(request, *args, **kwargs)

    return wrapper
