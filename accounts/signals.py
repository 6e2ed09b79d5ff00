"""API tokens end with the password they were issued under, and with the account.

A token is a second way in: it must not outlive a password change (the usual answer to a leaked
password) or a deactivated account (reactivating does not bring old tokens back). These signals
delete the tokens when such a change is saved; changes saved without signals are caught when the
token is next used (accounts.authentication compares the password fingerprint and is_active).
"""
from accounts.models import ApiToken


def note_token_revocation(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save: decide, from what is about to be saved, whether the account's tokens go."""
    instance._revoke_api_tokens = False
    instance._rehashed_from = None
    if raw or instance._state.adding:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every login: no extra query
    # set_password() was called since the user was loaded. A hash upgraded at login (same password,
    # stronger hasher) goes through set_password too but clears this first, so it revokes nothing:
    # its tokens are moved to the new hash's fingerprint instead (post_save), if they had the old one.
    if getattr(instance, "_password", None) is not None:
        instance._revoke_api_tokens = True
        return
    if update_fields is not None and set(update_fields) == {"password"} and instance.is_active:
        before = type(instance)._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
        instance._rehashed_from = before if before and before != instance.password else None
    if instance.is_active and instance.has_usable_password():
        return
    before = type(instance)._default_manager.filter(pk=instance.pk).values("is_active", "password").first()
    if before is None:
        return
    deactivated = before["is_active"] and not instance.is_active
    password_disabled = before["password"] != instance.password and not instance.has_usable_password()
    instance._revoke_api_tokens = deactivated or password_disabled


def revoke_tokens(sender, instance, raw=False, **kwargs):
    """post_save: the row is saved; its tokens follow."""
    from accounts.authentication import credentials_of

    if getattr(instance, "_revoke_api_tokens", False):
        ApiToken.objects.filter(user=instance).delete()
        instance._revoke_api_tokens = False
    old = getattr(instance, "_rehashed_from", None)
    if old is not None:
        instance._rehashed_from = None
        fingerprint = credentials_of(type(instance)(password=old))
        ApiToken.objects.filter(user=instance, credentials=fingerprint).update(credentials=credentials_of(instance))
