from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(using, **kwargs):
    """The database cache's table, made wherever `migrate` runs (and in the test database).

    Throttles live in the cache; a missing table would make every API request a 500.
    `createcachetable` does nothing when the table exists or no database cache is configured, so
    switching CACHE_URL to the database later only needs another `migrate`.
    """
    call_command("createcachetable", database=using, verbosity=0)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_save, pre_save

        from accounts.signals import note_token_revocation, revoke_tokens

        # Sent only for apps with a models module, which this app has (its API tokens).
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="accounts_create_cache_table")
        pre_save.connect(note_token_revocation, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_note_revocation")
        post_save.connect(revoke_tokens, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_revoke_tokens")
