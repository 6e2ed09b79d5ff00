from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for web logins only.

    Every web login passes its request (the site's, the admin's and the API's token login; their
    lockout tests prove it). A call without one (Django's test client `login()`, a shell) has no
    client address to count and no one guessing, so it is left to the next backend instead of
    failing as django-axes would.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
