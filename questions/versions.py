"""What the API's cached question copies are keyed by: versions read from the database.

A cached copy is looked up under the version the database gives now, so no process ever serves
an edit stale, with nothing to invalidate. A question's version is its `content_hash` and
`updated_at` (any save moves it); the bank's is how many questions there are and the latest
`updated_at` (an addition, an edit or a deletion changes one of the two). Tags are shown by
slug inside questions, so renaming or deleting a tag moves its questions' `updated_at` too.
"""
import functools
import threading
from collections import OrderedDict
from collections.abc import Hashable

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field
from django.db.models.signals import post_save, pre_delete
from django.utils import timezone

from questions.models import Question, Tag


def _column(name: str) -> str:
    field = Question._meta.get_field(name)
    assert isinstance(field, Field) and field.column  # concrete fields, not relations
    return field.column


@functools.cache
def _version_sql(vendor: str) -> tuple[str, str]:
    """The two version queries, in this database's quoting: built once, not on every request
    (quoting the names cost as much as running the query). The names come from the model."""
    q = connection.ops.quote_name
    table = q(Question._meta.db_table)
    pk, content_hash, updated_at, external = (q(_column(n)) for n in ("id", "content_hash", "updated_at", "external_id"))
    question = f"SELECT {pk}, {content_hash}, {updated_at} FROM {table} WHERE {external} = %s"  # noqa: S608 (names)
    bank = f"SELECT COUNT(*), MAX({updated_at}) FROM {table}"  # noqa: S608 (names, not input)
    return question, bank


def question_version(external_id: str):
    """(pk, content_hash, updated_at as the database gives it) or None.

    Plain SQL because it runs on every detail request, and building the same query through the
    ORM costs more than the rest of the view.
    """
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the `connection` proxy looks it up again
    with db.cursor() as cursor:
        cursor.execute(_version_sql(db.vendor)[0], [external_id])
        return cursor.fetchone()


def bank_version() -> str:
    """How many questions there are and when the latest changed, as one string."""
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(_version_sql(db.vendor)[1])
        count, latest = cursor.fetchone()
    return f"{count}:{latest}"


def touch_questions_of(sender, instance: Tag, **kwargs) -> None:
    instance.questions.update(updated_at=timezone.now())


post_save.connect(touch_questions_of, sender=Tag, dispatch_uid="questions.versions.tag_saved")
pre_delete.connect(touch_questions_of, sender=Tag, dispatch_uid="questions.versions.tag_deleted")


class RecentlyServed:
    """What this process built lately, by version key: a bounded map, oldest out first.

    In front of the shared cache: a hit costs no query. Keys name a version, so an entry is never
    stale, only unused; the bound keeps unused ones from piling up.
    """

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()  # gunicorn's threaded workers share it

    def get(self, key: Hashable):
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
