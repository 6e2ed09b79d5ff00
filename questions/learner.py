"""The learner's attempts: whose they are is accounts.identity's rule (account, or the anonymous
id before sign-in; attempts move to the account at sign-in with every learner-owned row)."""
from accounts.identity import owned_by_request
from questions.models import Attempt


def my_attempts(request):
    """The learner's attempts they may see now (see questions.answering.revealable)."""
    from questions.answering import revealable
    return revealable(owned_by_request(Attempt.objects.all(), request), request.user)
