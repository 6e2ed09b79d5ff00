"""No request body costs more than linear time: pathological bodies of a megabyte or two are
refused as fast as plain ones of the same size.

The regular expression this replaced held the GIL for hours on 2.5 MB of escaped quotes, so no
timer inside the process could even interrupt it: the bound is a CPU-time limit on a child
process (RLIMIT_CPU counts work done, not time waited on a busy machine), far above what a
linear parse needs and far below what a quadratic one does.
"""
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
SIZE = 2 * 1024 * 1024  # under DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): the parser reads them all
CPU_SECONDS = 20  # Django's start and all the bodies below take about 2 s of CPU

PATHOLOGICAL = {
    "unterminated escaped quotes": lambda n: '"' + '\\"' * ((n - 1) // 2),
    "unterminated string of backslashes": lambda n: '"' + "\\\\" * ((n - 1) // 2),
    "a huge integer": lambda n: "9" * n,
    "a huge float": lambda n: "1." + "1" * (n - 2),
    "deep nesting": lambda n: "[" * n,
    "deep objects": lambda n: '{"a":' * (n // 5),
    "a flat array of a million members": lambda n: "[" + "0," * ((n - 2) // 2) + "0]",
    "quotes and brackets": lambda n: '["' + '[{\\"' * ((n - 2) // 4),
}
PLAIN = lambda n: '{"username": "' + "a" * (n - 32) + '", "password": "x"}'  # noqa: E731

CHILD = """
import io, json, sys
import django
django.setup()
from rest_framework.exceptions import ParseError
from studyapp.api.parsers import JSONParser
results = {}
for name, body in json.loads(sys.stdin.read()).items():
    try:
        JSONParser().parse(io.BytesIO(body.encode()), "application/json", {"encoding": "utf-8"})
        results[name] = "parsed"
    except ParseError as exc:
        results[name] = "refused: " + str(exc.detail)[:120]
print(json.dumps(results))
"""


def _limit_cpu():
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def test_megabyte_pathological_bodies_are_parsed_or_refused_within_a_linear_budget():
    import json
    bodies = {name: make(SIZE) for name, make in PATHOLOGICAL.items()} | {"plain": PLAIN(SIZE)}
    done = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(bodies), text=True, capture_output=True,
                          cwd=ROOT, env={"DJANGO_SETTINGS_MODULE": "studyapp.settings", "PATH": "/usr/bin:/bin"},
                          preexec_fn=_limit_cpu, timeout=600)
    assert done.returncode == 0, f"killed by CPU limit or crashed ({done.returncode}): {done.stderr[-2000:]}"
    results = json.loads(done.stdout)
    assert results.pop("plain") == "parsed"
    assert results.pop("a flat array of a million members") == "parsed"
    assert results.pop("a huge float") == "parsed"  # a float reads in linear time
    assert all(r.startswith("refused: JSON parse error") for r in results.values()), results
    assert "at most 32" in results["deep nesting"] and "at most 32" in results["deep objects"]


@pytest.fixture
def production_client(db, settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("name", ["unterminated escaped quotes", "deep nesting", "a huge integer"])
def test_a_pathological_body_and_a_plain_one_of_the_same_size_are_both_400s(production_client, name):
    pathological = production_client.post("/api/v1/auth/token/", PATHOLOGICAL[name](SIZE), content_type="application/json")
    plain = production_client.post("/api/v1/auth/token/", PLAIN(SIZE), content_type="application/json")
    assert pathological.status_code == 400, pathological.content[:300]
    assert pathological.json()["detail"].startswith("JSON parse error")
    assert plain.status_code == 400, plain.content[:300]  # parsed, then the serializer names the field
    assert "username" in plain.json()["errors"]


MARKDOWN_CHILD = """
import json
import django
django.setup()
from questions.content_format import validate_question
from questions.field_limits import FIELDS
from questions.rendering import _render
limit = FIELDS["stem"].max_length
def stem(text):
    options = [{"label": l, "text": "t", "correct": l == "A", "why": "w"} for l in "AB"]
    errors = validate_question({"id": "q", "title": "t", "stem": text, "options": options})[1]
    return [e.message[:60] for e in errors]
out = {
    "open brackets": stem("[" * limit),
    "open links": stem("[a](" * (limit // 4)),
    "nested brackets": stem("[" * (limit // 2) + "]" * (limit // 2)),
    "a heading line of spaces": stem("# a" + " " * (limit - 4) + "b"),
    "too long": stem("[" * 2_000_000),
}
# The costliest texts the check lets through, rendered: linear by construction.
allowed = {"open brackets, just allowed": "[" * 9 + "a " * (limit // 2 - 5),
           "links closed at once": "[a](b) " * (limit // 7)}
for name, text in allowed.items():
    out[name] = stem(text)
    _render(text)
print(json.dumps(out))
"""


def test_markdown_that_would_render_in_quadratic_time_is_refused_within_a_linear_budget():
    import json
    done = subprocess.run([sys.executable, "-c", MARKDOWN_CHILD], text=True, capture_output=True, cwd=ROOT,
                          env={"DJANGO_SETTINGS_MODULE": "studyapp.settings", "PATH": "/usr/bin:/bin"},
                          preexec_fn=_limit_cpu, timeout=600)
    assert done.returncode == 0, f"killed by CPU limit or crashed ({done.returncode}): {done.stderr[-2000:]}"
    out = json.loads(done.stdout)
    for name in ("open brackets", "open links", "nested brackets"):
        assert out[name] == ["brackets '[' or '(' left open or closed far from where they "], (name, out[name])
    assert out["a heading line of spaces"] == []  # a level-1 heading of another name: Markdown, accepted
    assert out["too long"] == ["at most 20000 characters; got 2000000"]
    assert out["open brackets, just allowed"] == [] and out["links closed at once"] == []
