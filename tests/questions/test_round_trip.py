"""Content round trips: whatever the bank accepts (from a file, the API or the admin) exports to a
file, to Moodle XML and to GIFT that each load back as the same question, and to Moodle XML that
a strict parser reads.
What cannot round-trip is refused, naming the field."""
import xml.dom.minidom

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questions.gift import parse_gift, to_gift
from questions.moodle_xml import parse_moodle_xml, to_moodle_xml
from questions.content_format import dump_question_file, parse_question_file, validate_question
from questions.loader import question_data, save_question
from questions.models import Question
from tests.questions.strategies import CONTROLS, questions

FIELDS = ("id", "title", "stem", "explanation", "more_precisely", "domain", "source", "tags", "last_verified",
          "options", "key_points", "references")


# One test for every format the bank writes, not one per format: drawing an example is most of
# what an example costs (a question is a few hundred Hypothesis draws), so each format is read
# back from the same 300 examples at a third of the cost of drawing 300 for each.
@settings(max_examples=300, derandomize=True, deadline=None)
@given(questions())
def test_what_is_accepted_exports_to_every_format_and_reads_back_the_same(raw):
    data, errors = validate_question(raw)
    if errors:
        # Refused: every error names a field of the question and says what is allowed.
        for error in errors:
            assert error.field.split(".")[0].split("[")[0] in FIELDS and error.message
        return
    text = dump_question_file(data)
    assert parse_question_file(text, "exported.md") == data, "the question file"
    assert parse_question_file(text).content_hash() == data.content_hash()
    assert parse_moodle_xml(to_moodle_xml([data])) == ([data], {}), "Moodle XML"
    assert parse_gift(to_gift([data])) == ([data], {}), "GIFT"


TEXT_FIELDS = ["title", "stem", "explanation", "more_precisely", "domain", "source"]


@settings(max_examples=100, derandomize=True, deadline=None)
@given(questions(), st.sampled_from(TEXT_FIELDS + ["option", "key_point", "reference"]), st.sampled_from(CONTROLS))
def test_control_characters_are_refused_wherever_they_are(raw, where, control):
    def insert(text):
        return f"{text}a{control}b"  # inside the text: at its ends, whitespace is trimmed like any other
    if where == "option":
        raw["options"][0]["why"], path = insert(raw["options"][0]["why"]), "options[0].why"
    elif where == "key_point":
        raw["key_points"], path = [insert("point")], "key_points[0]"
    elif where == "reference":
        raw["references"], path = [{"title": insert("doc"), "url": "https://example.com"}], "references[0].title"
    else:
        raw[where], path = insert(raw[where]), where
    data, errors = validate_question(raw)
    assert data is None and any(e.field == path and "control character" in e.message for e in errors)


@pytest.mark.parametrize("field, value, expected", [
    ("stem", "Intro\n# Explanation\nmore", "line 2, '# Explanation', would start a section"),
    ("explanation", "x\n# stem", "line 2, '# stem', would start a section"),
    ("more_precisely", "# Explanaton", "would start a section of the question file ('# Explanation')"),
    ("title", "Bell\x07", "control character U+0007 at position 5"),
    ("stem", "a\u2028b", "control character U+2028"),
])
def test_what_cannot_round_trip_is_refused_naming_the_field(field, value, expected):
    raw = {"id": "q", "title": "t", "stem": "s",
           "options": [{"label": "A", "text": "a", "correct": True, "why": "w"},
                       {"label": "B", "text": "b", "correct": False, "why": "w"}], field: value}
    data, errors = validate_question(raw)
    assert data is None and any(e.field == field and expected in e.message for e in errors), errors


def test_crlf_line_ends_are_read_as_newlines():
    raw = {"id": "q", "title": "t", "stem": "one\r\ntwo\rthree",
           "options": [{"label": "A", "text": "a", "correct": True, "why": "w"},
                       {"label": "B", "text": "b", "correct": False, "why": "w"}]}
    assert validate_question(raw)[0].stem == "one\ntwo\nthree"


@pytest.mark.django_db
@settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(questions())
def test_a_stored_question_exports_as_it_was_accepted_and_as_well_formed_moodle_xml(raw):
    data, errors = validate_question(raw)
    if errors:
        return
    with transaction.atomic():
        question, _ = save_question(data)
        stored = Question.objects.with_choices().get(pk=question.pk)
        assert question_data(stored) == data
        document = xml.dom.minidom.parseString(to_moodle_xml([question_data(stored)]))  # expat: strict XML 1.0
        names = [n.getElementsByTagName("text")[0].firstChild.data
                 for n in document.getElementsByTagName("name")]
        assert names == [f"#{data.id} {data.title}"]
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_moodle_xml_drops_control_characters_that_older_rows_may_hold(q1973):
    Question.objects.filter(pk=q1973.pk).update(title="Bell\x07 and escape\x1b[0m", stem="SOH\x01 here")  # not NUL: PostgreSQL refuses it in text
    document = xml.dom.minidom.parseString(to_moodle_xml(map(question_data, Question.objects.with_choices())))
    name = document.getElementsByTagName("name")[0].getElementsByTagName("text")[0].firstChild.data
    assert name == "#1973 Bell and escape[0m"
