"""Each question records who checked its claims against the documentation it cites (issue 22):
the file format's `second_reader`, stored with the question and written back on export."""
import pytest

from questions.content_format import ContentError, dump_question_file, parse_question_file
from questions.loader import load_questions, question_data
from questions.models import Question
from tests.support import question_file

CHECK = ('second_reader:\n  by: "a second reviewer acting as an AWS expert"\n  date: 2026-12-07\n'
         '  checked: "each option against the linked AWS pages; one limit corrected"\n')


def test_the_check_is_read_stored_and_exported_as_it_was_written(db, write):
    path = write("checked.md", question_file(qid="checked", extra=CHECK))
    load_questions([path])
    stored = Question.objects.get(external_id="checked")
    assert stored.second_reader == {"by": "a second reviewer acting as an AWS expert", "date": "2026-12-07",
                                    "checked": "each option against the linked AWS pages; one limit corrected"}
    again = parse_question_file(dump_question_file(question_data(stored)), "again.md")
    assert again.second_reader == stored.second_reader


def test_a_question_without_a_check_loads_with_none(db, write):
    load_questions([write("plain.md", question_file(qid="plain"))])
    assert Question.objects.get(external_id="plain").second_reader is None


@pytest.mark.parametrize("block, field, message", [
    ('second_reader:\n  by: x\n  on: 2026-12-07\n  checked: y\n', "second_reader", "by, date and checked"),
    ('second_reader:\n  by: x\n  date: 7 December\n  checked: y\n', "second_reader.date", "YYYY-MM-DD"),
    ('second_reader:\n  by: x\n  date: 2026-12-07\n', "second_reader.checked", "required"),
    ('second_reader:\n  by: x\n  date: 2026-12-07\n  checked: y\n  score: 9\n', "second_reader.score", ""),
    ('second_reader: yes\n', "second_reader", "mapping"),
])
def test_a_malformed_check_is_refused_naming_the_field(block, field, message):
    with pytest.raises(ContentError) as refused:
        parse_question_file(question_file(qid="bad", extra=block), "bad.md")
    errors = {e.field: e.message for e in refused.value.errors}
    assert field in errors and message in errors[field], errors


def test_editing_through_the_api_drops_the_check_of_the_old_text(api, instructor, db, write):
    load_questions([write("checked.md", question_file(qid="checked", extra=CHECK))])
    body = {"id": "checked", "title": "Edited", "stem": "What now?", "options": [
        {"label": "A", "text": "a", "correct": True, "why": "w"}, {"label": "B", "text": "b", "correct": False, "why": "w"}]}
    api.force_authenticate(instructor)
    assert api.put("/api/v1/questions/checked/", body, format="json").status_code == 200
    assert Question.objects.get(external_id="checked").second_reader is None


def test_moodle_xml_and_gift_carry_the_check_both_ways(db, write):
    from questions.gift import parse_gift, to_gift
    from questions.moodle_xml import parse_moodle_xml, to_moodle_xml

    load_questions([write("checked.md", question_file(qid="checked", extra=CHECK))])
    data = question_data(Question.objects.with_choices().get(external_id="checked"))
    for back, problems in (parse_moodle_xml(to_moodle_xml([data])), parse_gift(to_gift([data]))):
        assert problems == {} and [q.second_reader for q in back] == [data.second_reader]
