"""JSON bodies with a nesting limit, parsed in time linear in their size.

The body is parsed once by the json module's C scanner, which is linear in the text whatever it
holds (an unterminated string, a million escapes, digits past Python's 4,300-digit integer
limit: each is a ValueError found in one pass). Its own recursion guard turns a body nested
about a thousand levels deep into RecursionError, which DRF's parser does not catch (a 500 for
anyone, anonymous included): that is a 400 here. Then the parsed value's depth is counted
without recursion, one step per array or object member, and a value deeper than MAX_DEPTH (no
operation of this API takes more than a few levels) is refused.

No regular expression reads the raw body: the check this replaces ran one over it, and an
unterminated string of escaped quotes made that quadratic (a 128 KB body held a worker, and its
GIL, for half a minute).
"""
import re
from itertools import accumulate

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_DEPTH = 32


_NOT_BRACKET = re.compile(r"[^\[\]{}]+")  # one pass, no backtracking: linear
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}.__getitem__


def nesting_depth(text: str) -> int:
    """The deepest level of arrays and objects in `text`, which must be valid JSON (the parser
    has read it): 0 for a scalar.

    Only C-level passes over the text, each linear, none per member in Python (a walk over the
    parsed value took 1.7 s for a flat array of a million numbers): escapes go first (in valid
    JSON they pair up left to right), then strings (no quote is left inside one, so splitting at
    quotes puts every string's content at an odd position), then all but the brackets, whose
    running sum is the depth."""
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    outside_strings = "".join(unescaped.split('"')[::2])
    brackets = _NOT_BRACKET.sub("", outside_strings)
    return max(accumulate(map(_STEP, brackets)), default=0)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - the body is not {encoding}: {exc}") from None
        try:
            data = json.loads(text)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested too deep to parse; at most {MAX_DEPTH} levels are allowed") from None
        except ValueError as exc:  # JSONDecodeError, NaN or Infinity, an integer of over 4,300 digits
            raise ParseError(f"JSON parse error - {exc}") from None
        depth = nesting_depth(text)
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested {depth} levels deep; at most {MAX_DEPTH} are allowed")
        return data
