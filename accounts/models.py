from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A token for other tools. Only its SHA-256 is stored: a leaked database leaks no tokens.

    The raw key is shown once, when it is created; revoking deletes the row. Changing the password
    or deactivating the account revokes every token of the account: the signals of
    accounts/signals.py delete them when the change is saved, and `credentials` (a fingerprint of
    the password hash the token was issued under) is compared at every use, so a change made
    without signals (QuerySet.update, raw SQL, another program) revokes them too.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="first characters, to tell tokens apart")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    credentials = models.CharField(max_length=64, default="", editable=False,
                                   help_text="SHA-256 of the account's password hash when the token was issued")

    def __str__(self):
        return f"{self.user} {self.prefix}…"


class LoginFailureCount(models.Model):
    """Failed logins of one account or from one client address (accounts/lockout_counts.py).

    A table of their own, not the cache: a cache evicts when full (the database cache culls a
    third of its rows past MAX_ENTRIES, Redis by its maxmemory-policy), and a flood of refused
    logins under new usernames once filled it until the victim's lock was culled. Rows here go
    only when they expire or a login succeeds.
    """

    key = models.CharField(max_length=80, unique=True, help_text="lockout:account|address:<sha256>")
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key[:24]}… {self.count}"
