"""Who owns a learner's row: their account, or before they sign in the anonymous id in their session.

Learners answer, review and report errors without an account. Each such row names its owner in
one of two ways: an account (a foreign key to the user) or, with that key empty, the anonymous id
kept in the session. When they sign up or log in, `move_to_account` (connected to
`user_logged_in` by AccountsConfig) moves every row of every registered model from the
anonymous id to the account, in one transaction, so nothing a learner made is left behind.

A model with learner-owned rows registers here in its app's `ready()`:

    identity.register(ErrorReport, account_field="reporter")
    identity.register(ReviewItem, move=scheduling.merge_anonymous)  # its own conflict rule

tests/accounts/test_learner_identity.py fails for a model that has an anonymous-id field and is
not registered. This module imports no other app: the apps above it register themselves.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

SESSION_KEY = "anon_learner_id"
# The anonymous owner's column on every learner-owned model (a random hex id, see `anon_id`).
ANON_FIELD = "anon_id"

# move(anon_id, user) -> how many rows moved
Move = Callable[[str, Any], int]


@dataclass(frozen=True)
class LearnerOwned:
    model: type[models.Model]
    account_field: str
    move: Move | None  # None: every anonymous row simply takes the account

    def move_rows(self, anon_id: str, user) -> int:
        if self.move is not None:
            return self.move(anon_id, user)
        return self.model._default_manager.filter(
            **{f"{self.account_field}__isnull": True, ANON_FIELD: anon_id}
        ).update(**{self.account_field: user, ANON_FIELD: ""})


_REGISTRY: dict[type[models.Model], LearnerOwned] = {}


def register(model: type[models.Model], *, account_field: str = "user", move: Move | None = None) -> None:
    """Declare `model`'s rows learner-owned: by `account_field`, or by `anon_id` when it is empty."""
    model._meta.get_field(account_field)  # a typo fails at start-up, not at someone's sign-in
    model._meta.get_field(ANON_FIELD)
    _REGISTRY[model] = LearnerOwned(model, account_field, move)


def registered() -> list[LearnerOwned]:
    return list(_REGISTRY.values())


def entry(model: type[models.Model]) -> LearnerOwned:
    try:
        return _REGISTRY[model]
    except KeyError:
        raise LookupError(f"{model._meta.label} is not registered in accounts.identity") from None


def anon_id(request, *, create: bool = False) -> str:
    """The session's anonymous learner id ("" if none), made on first need when `create`."""
    value = request.session.get(SESSION_KEY, "")
    if not value and create:
        value = secrets.token_hex(16)
        request.session[SESSION_KEY] = value
    return value


def new_row_anon_id(request) -> str:
    """The anonymous id a row made now by this request's learner carries: none when signed in,
    else the session's (made on the first row)."""
    return "" if request.user.is_authenticated else anon_id(request, create=True)


def owned_by(queryset: models.QuerySet, user=None, anon_id: str = "") -> models.QuerySet:
    """The learner's own rows of a registered model: by account when signed in, else by the
    anonymous id; nobody's when neither is known."""
    account_field = entry(queryset.model).account_field
    if user is not None and user.is_authenticated:
        return queryset.filter(**{account_field: user})
    if anon_id:
        return queryset.filter(**{f"{account_field}__isnull": True, ANON_FIELD: anon_id})
    return queryset.none()


def owned_by_request(queryset: models.QuerySet, request) -> models.QuerySet:
    return owned_by(queryset, request.user, anon_id(request))


class LearnerOwnedQuerySet(models.QuerySet):
    """A queryset for a registered learner-owned model."""

    def owned_by(self, user=None, anon_id: str = ""):
        return owned_by(self, user, anon_id)


def owner_fields(model: type[models.Model], user=None, anon_id: str = "") -> dict:
    """The owner columns of a new row of `model` for this learner: the account when signed in,
    else the anonymous id."""
    account_field = entry(model).account_field
    if user is not None and getattr(user, "is_authenticated", False):
        return {account_field: user, ANON_FIELD: ""}
    return {account_field: None, ANON_FIELD: anon_id}


def move_to_account(anon_id: str, user) -> dict[str, int]:
    """Move every registered model's rows of `anon_id` to `user`; rows moved, by model label."""
    if not anon_id:
        return {}
    with transaction.atomic():
        return {item.model._meta.label: item.move_rows(anon_id, user) for item in registered()}


def at_sign_in(sender, request, user, **kwargs) -> None:
    """user_logged_in: the session's anonymous rows become the account's.

    Django keeps session data across the key rotation at login, so the anonymous id is still
    there when this signal fires; it is dropped afterwards (the learner is the account now)."""
    if request is None or not hasattr(request, "session"):
        return
    move_to_account(request.session.pop(SESSION_KEY, ""), user)
