"""Every validation error a question author can meet, and what it says."""
import textwrap

import pytest

from questions.content_format import ContentError, parse_question_file
from tests.support import question_file


def errors_of(text):
    with pytest.raises(ContentError) as info:
        parse_question_file(text, "q.md")
    return {(e.field, e.line): e.message for e in info.value.errors}


def messages(text):
    return [f"{e.field}: {e.message}" for e in pytest.raises(ContentError, parse_question_file, text).value.errors]


def test_a_valid_file_parses():
    data = parse_question_file(question_file())
    assert data.id == "q1" and data.stem == "What is it?"
    assert [o.correct for o in data.options] == [True, False]


@pytest.mark.parametrize("text, expected", [
    ("no front matter", "must start with a '---' line"),
    ("---\nid: x\n", "front matter is not closed"),
    ("---\nid: [unclosed\n---\n# Stem\nx\n", "invalid YAML"),
    ("---\n- a list\n---\n# Stem\nx\n", "must be a mapping of fields"),
])
def test_file_structure_errors(text, expected):
    assert any(expected in m for m in messages(text))


@pytest.mark.parametrize("extra, field, expected", [
    ("colour: blue\n", "colour", "unknown field; allowed:"),
    ("last_verified: 28/11/2026\n", "last_verified", "must be a date as YYYY-MM-DD"),
    ("tags: [Not A Slug]\n", "tags[0]", "lower-case letters"),
    ("references:\n  - {title: doc, url: 'javascript:alert(1)'}\n", "references[0].url", "http:// or https:// URL"),
    ("key_points: ['']\n", "key_points[0]", "required"),
])
def test_field_errors_name_the_field(extra, field, expected):
    found = messages(question_file(extra=extra))
    assert any(m.startswith(f"{field}: ") and expected in m for m in found), found


def test_missing_title_and_bad_id():
    found = messages(question_file(qid="has space", title="''"))
    assert any(m.startswith("id: ") for m in found)
    assert any(m.startswith("title: required") for m in found)


@pytest.mark.parametrize("options, expected", [
    ("options: []\n", "between 2 and 10 options; got 0"),
    ("options:\n  - {label: A, text: a, correct: false, why: w}\n  - {label: B, text: b, correct: false, why: w}\n",
     "at least one option must have correct: true"),
    ("options:\n  - {label: A, text: a, correct: true, why: w}\n  - {label: A, text: b, correct: false, why: w}\n",
     "duplicate label A"),
    ("options:\n  - {label: a, text: a, correct: true, why: w}\n  - {label: B, text: b, correct: false, why: w}\n",
     "one capital letter A-Z"),
    ("options:\n  - {label: A, text: a, correct: true, why: w}\n  - {label: B, text: b, correct: true, why: w}\n",
     "at least one option must be wrong"),
])
def test_option_errors(options, expected):
    assert any(expected in m for m in messages(question_file(options=options)))


def test_body_sections():
    assert parse_question_file(question_file(body="# Stem\nx\n# Setup\ny\n")).stem == "x\n# Setup\ny"
    assert any("'# Explanaton' looks like the section '# Explanation'" in m
               for m in messages(question_file(body="# Stem\nx\n# Explanaton\ny\n")))
    assert any("text before the first section" in m for m in messages(question_file(body="stray\n# Stem\nx\n")))
    assert any(m.startswith("stem: required") for m in messages(question_file(body="# Explanation\nonly\n")))


def test_line_numbers_point_at_the_field():
    text = question_file(extra="references:\n  - title: doc\n    url: ftp://example.com\n")
    errs = errors_of(text)
    line = text.splitlines().index("    url: ftp://example.com") + 1
    assert errs[("references[0].url", line)] == "required; an http:// or https:// URL"


def test_sections_and_explanations_are_read():
    data = parse_question_file(question_file(body=textwrap.dedent("""\
        # Stem
        The stem.
        # Explanation
        Why.
        # More precisely
        Precisely.
        """)))
    assert (data.stem, data.explanation, data.more_precisely) == ("The stem.", "Why.", "Precisely.")
