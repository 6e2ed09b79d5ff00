"""The limits of a question's fields, stated once.

The model's columns, the API's serializers and the file loader's validation (content_format)
all read them here, so a value one of them accepts is never refused by another nor cut short by
the database. Keyed by the field's name in question files and the API.
"""
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    max_length: int
    pattern: str = ""  # a regular expression the whole value must match; empty: any text
    allowed: str = ""  # what the pattern allows, in words, for error messages

    def matches(self, value) -> bool:
        return (isinstance(value, str) and 0 < len(value) <= self.max_length
                and (not self.pattern or re.fullmatch(self.pattern, value) is not None))


FIELDS = {
    "id": Text(32, r"[A-Za-z0-9_-]+", "1-32 letters, digits, '-' or '_' (e.g. \"1973\")"),
    "title": Text(200),
    "domain": Text(100),
    "source": Text(300),
    "tags": Text(50, r"[a-z0-9][a-z0-9-]*", "lower-case letters, digits and '-', up to 50 characters"),
    "options.label": Text(1, r"[A-Z]", "one capital letter A-Z"),
    # Markdown texts: bounded so that rendering one (linear once questions.markdown_cost has
    # passed it) stays in milliseconds. The bank's longest are 5,000 and 1,200 characters.
    "stem": Text(20_000),
    "explanation": Text(20_000),
    "more_precisely": Text(20_000),
    "options.text": Text(2_000),
    "options.why": Text(5_000),
    "key_points": Text(1_000),
    "references.title": Text(300),
    "references.url": Text(2_000),
}
MIN_OPTIONS, MAX_OPTIONS = 2, 10
# How many items a list may hold, in files, in the API's bodies and in its schema. A quiz's tag
# filter joins once per tag, and SQLite allows at most 64 tables in a join.
MAX_ITEMS = {"tags": 20, "key_points": 20, "references": 30}
