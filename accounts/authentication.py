"""Token authentication with hashed tokens: `Authorization: Bearer <key>` or `Token <key>`.

`Bearer` (RFC 6750) is what generated API clients send; `Token` is DRF's word, kept for the
tools already written against it.

DRF's own TokenAuthentication stores keys in clear; these are stored as SHA-256 only.
"""
import hashlib
import secrets

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.models import ApiToken


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def credentials_of(user) -> str:
    """What a token remembers of its account's password: a digest of the stored hash, which
    changes with the password (a new salt every time) and when it is made unusable."""
    return hashlib.sha256(user.password.encode()).hexdigest()


def issue_token(user) -> tuple[ApiToken, str]:
    """A new token for the user; returns the row and the raw key (shown once, never stored)."""
    key = secrets.token_urlsafe(32)
    return ApiToken.objects.create(user=user, key_hash=hash_key(key), prefix=key[:8],
                                   credentials=credentials_of(user)), key


class HashedTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"  # the challenge 401s name (WWW-Authenticate)
    KEYWORDS = (b"bearer", b"token")  # either is accepted, in any case

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in self.KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer <key>' or 'Token <key>'.")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token contains invalid characters.") from None
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        if not token.user.is_active or token.credentials != credentials_of(token.user):
            # The password changed or the account was deactivated by a path no signal saw
            # (QuerySet.update, SQL): the token dies now, and stays dead if that is undone.
            ApiToken.objects.filter(user=token.user).exclude(credentials=credentials_of(token.user)).delete()
            token.delete()
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        # Written at most once a minute: a busy tool should not turn every read into a write.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class HashedTokenScheme(OpenApiAuthenticationExtension):
    """Two schemes for one header, either will do: generators build a bearer client from the
    first, and `tokenAuth` documents the `Token <key>` form."""

    target_class = "accounts.authentication.HashedTokenAuthentication"
    name = ["bearerAuth", "tokenAuth"]

    def get_security_requirement(self, auto_schema):
        return [{name: []} for name in self.name]  # OR, not AND

    def get_security_definition(self, auto_schema):
        where = "get a key from POST /api/v1/auth/token/"
        return [{"type": "http", "scheme": "bearer", "description": f"`Authorization: Bearer <key>`; {where}"},
                {"type": "apiKey", "in": "header", "name": "Authorization",
                 "description": f"`Authorization: Token <key>`, the same key; {where}"}]
