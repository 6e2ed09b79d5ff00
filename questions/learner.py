"""Who the learner is: an account, or an anonymous id kept in the session.

Anonymous learners can answer without signing up; when they sign up or log in, their attempts
move to the account (see `merge_anonymous_attempts`, connected to `user_logged_in`).
"""
import secrets

from questions.models import Attempt

SESSION_KEY = "anon_learner_id"


def anon_id(request, *, create: bool = False) -> str:
    value = request.session.get(SESSION_KEY, "")
    if not value and create:
        value = secrets.token_hex(16)
        request.session[SESSION_KEY] = value
    return value


def my_attempts(request):
    """The learner's attempts they may see now (see questions.answering.revealable)."""
    from questions.answering import revealable
    return revealable(Attempt.objects.owned_by(request.user, anon_id(request)), request.user)


def merge_anonymous_attempts(sender, request, user, **kwargs):
    """Move the session's anonymous attempts to the account that just logged in.

    Django keeps session data across the key rotation at login, so the anonymous id is still
    there when this signal fires.
    """
    if request is None or not hasattr(request, "session"):
        return
    value = request.session.pop(SESSION_KEY, "")
    request.merged_anon_id = value  # other merges at sign-in (review items) read it after this
    if value:
        Attempt.objects.filter(user__isnull=True, anon_id=value).update(user=user, anon_id="")
