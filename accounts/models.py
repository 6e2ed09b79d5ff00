from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A token for other tools. Only its SHA-256 is stored: a leaked database leaks no tokens.

    The raw key is shown once, when it is created; revoking deletes the row. Changing the password
    or deactivating the account revokes every token of the account (accounts/signals.py).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="first characters, to tell tokens apart")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user} {self.prefix}…"
