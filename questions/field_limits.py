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
}
MIN_OPTIONS, MAX_OPTIONS = 2, 10
