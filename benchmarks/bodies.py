"""What a hostile body costs the API's parser and the question validator, against a plain one of
the same size. Prints milliseconds per body; asserts nothing (the bounds are tested in
tests/api/test_body_cost.py by CPU budget, not by time).

    .venv/bin/python benchmarks/bodies.py [--kib 2048]

For comparison it also times the regular expression the parser ran before (issue 26) on small
bodies of escaped quotes: quadratic, so it stops at 64 KiB.
"""
import argparse
import io
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

OLD_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)  # what studyapp/api/parsers.py ran before


def ms(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kib", type=int, default=2048)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")
    import django

    django.setup()
    from rest_framework.exceptions import ParseError

    from questions.content_format import check_text
    from studyapp.api.parsers import JSONParser

    n = args.kib * 1024
    bodies = {
        "plain object": '{"username": "' + "a" * (n - 32) + '", "password": "x"}',
        "unterminated escaped quotes": '"' + '\\"' * ((n - 1) // 2),
        "deep nesting": "[" * n,
        "huge integer": "9" * n,
        "flat array": "[" + "0," * ((n - 2) // 2) + "0]",
    }

    def parse(body):
        try:
            JSONParser().parse(io.BytesIO(body.encode()), "application/json", {"encoding": "utf-8"})
        except ParseError:
            pass

    print(f"JSON parser, {args.kib} KiB bodies:")
    for name, body in bodies.items():
        print(f"  {name:<30} {ms(lambda: parse(body)):8.1f} ms")
    print("question text check (Markdown cost, headings), 20,000 characters:")
    for name, text in {"plain prose": "a b " * 5000, "open brackets": "[" * 20_000,
                       "heading with a run of spaces": "# a" + " " * 19_996 + "b"}.items():
        print(f"  {name:<30} {ms(lambda: check_text(text, 'stem', section=True)):8.1f} ms")
    print("the regular expression used before, unterminated escaped quotes:")
    for kib in (16, 32, 64):
        body = '"' + '\\"' * (kib * 512)
        print(f"  {kib:>3} KiB {ms(lambda: OLD_STRING.sub('', body)):10.1f} ms")


if __name__ == "__main__":
    main()
