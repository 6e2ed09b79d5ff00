"""`CACHE_URL`: which cache every process shares (throttles, login lockouts, cached simulations).

The default is the database cache: whatever database the app uses, every process (gunicorn
workers, several machines) sees the same counters, with no extra server. Redis is the choice when
it is there. A per-process memory cache (`locmem://`) is for special cases only: with it, each
process keeps its own budgets, so limits multiply with workers.
"""
from urllib.parse import urlsplit

from django.core.cache.backends import db
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction

DATABASE_CACHE_TABLE = "django_cache"
# Django's default of 300 entries is too few once throttles count every caller: culling would
# drop live counters and let a guesser start again. Not far more either: the database cache
# counts its rows on every write, and clears expired ones only once over the limit.
MAX_ENTRIES = 20_000

SCHEMES = ("db://[TABLE]", "redis://HOST[:PORT][/DB]", "rediss://…", "unix://PATH", "locmem://[NAME]")


def cache_from_url(url: str) -> dict:
    """One entry of Django's CACHES from a URL; empty means the database cache."""
    url = url.strip() or "db://"
    scheme = urlsplit(url).scheme
    name = url.split("://", 1)[1].strip("/") if "://" in url else ""
    if scheme == "db":
        return {"BACKEND": "studyapp.caches.DatabaseCache",
                "LOCATION": name or DATABASE_CACHE_TABLE, "OPTIONS": {"MAX_ENTRIES": MAX_ENTRIES}}
    if scheme in ("redis", "rediss", "unix"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": name, "OPTIONS": {"MAX_ENTRIES": MAX_ENTRIES}}
    raise ImproperlyConfigured(f"CACHE_URL={url!r}: expected one of {', '.join(SCHEMES)}")


class DatabaseCache(db.DatabaseCache):
    """Django's database cache, with an `incr` that loses no counts between processes.

    Django's own is a read and then a write; two processes counting the same login failure at
    once both read 3 and both write 4 (measured: 4 processes x 30 increments left 50, not 120).
    Here the read and the write share one transaction that holds the row: PostgreSQL locks it
    (SELECT ... FOR UPDATE); SQLite's transactions here take the write lock when they begin
    (`transaction_mode` IMMEDIATE in settings), which serialises them.
    """

    def incr(self, key, delta=1, version=None):
        using = router.db_for_write(self.cache_model_class)
        connection = connections[using]
        with transaction.atomic(using=using):
            if connection.features.has_select_for_update:
                quote = connection.ops.quote_name
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {quote('cache_key')} FROM {quote(self._table)} WHERE {quote('cache_key')} = %s FOR UPDATE",
                        [self.make_and_validate_key(key, version=version)])
            return super().incr(key, delta, version)
