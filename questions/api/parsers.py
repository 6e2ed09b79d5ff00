"""JSON bodies with a nesting limit.

Python's json module recurses once per level, so a body of a few kilobytes nested a thousand
levels deep raises RecursionError, which DRF's parser does not catch: a 500 for anyone,
anonymous included. No operation of this API takes more than a few levels, so bodies deeper
than MAX_DEPTH are refused before they are parsed.
"""
import io
import re
from itertools import accumulate

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)  # brackets inside strings do not nest
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def nesting_depth(text: str) -> int:
    """The deepest level of arrays and objects in a JSON text (0 for a scalar).

    Linear in the text's length; for a text that is not JSON the figure is only an estimate,
    but such a text is refused by the parser anyway.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read()
        try:
            depth = nesting_depth(raw.decode(encoding))
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - the body is not {encoding}: {exc}") from None
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested {depth} levels deep; at most {MAX_DEPTH} are allowed")
        return super().parse(io.BytesIO(raw), media_type, parser_context)
