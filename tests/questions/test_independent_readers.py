"""Each written format read back by a parser nobody here wrote.

Moodle XML: `moodle-xml-parser` (PyPI, MIT, no dependencies), which reads a <quiz> into
multichoice questions with their options, fractions and feedback. It is a dev requirement
(requirements-dev.txt); without it this module cannot be imported.
"""
import pytest
from moodle_xml_parser import parser as moodle_parser

from questions.moodle_xml import general_feedback, to_moodle_xml


def test_moodle_xml_is_read_by_an_independent_parser_as_written(content):
    read = moodle_parser.parse_bytes(to_moodle_xml(content))
    assert read["cloze"] == [] and len(read["multichoice"]) == len(content)
    for question, data in zip(read["multichoice"], content):
        right = [o.correct for o in data.options]
        assert question.name == f"#{data.id} {data.title}" and question.text_pre_parse == data.stem
        assert question.single is (sum(right) == 1)
        assert [o.answer for o in question.options] == [o.text for o in data.options]
        assert [o.feedback for o in question.options] == [o.why for o in data.options]
        # All or nothing as far as Moodle allows: the right options' fractions make 100, a wrong one cancels it.
        assert sum(o.score_fraction for o in question.options if o.score_fraction > 0) == pytest.approx(100, abs=0.01)
        assert all((o.score_fraction > 0) == r for o, r in zip(question.options, right))
        assert question.general_feedback == general_feedback(data) and data.key_points[0] in question.general_feedback
        assert question.correct_feedback.startswith("Right: ")
