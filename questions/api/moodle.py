"""Moodle XML export: the bank as multichoice questions Moodle imports as they are.

Format: https://docs.moodle.org/en/Moodle_XML_format. Moodle accepts only certain grade
fractions, so a "choose k" question gives each right option 100/k from that list.
"""
import xml.etree.ElementTree as ET

from questions.content_format import CONTROL_RE
from questions.rendering import render_markdown

# Moodle's allowed fractions for k right answers out of a multiple-answer question.
_FRACTIONS = {1: "100", 2: "50", 3: "33.33333", 4: "25", 5: "20", 6: "16.66667", 7: "14.28571", 8: "12.5",
              9: "11.11111", 10: "10"}
CATEGORY = "Study app question bank"


def xml_safe(value: str) -> str:
    """The text less what XML 1.0 cannot hold (ElementTree would write it, making a file no
    parser reads). The loader and the API refuse such characters; rows edited before that, or
    in the admin, may still have them."""
    return CONTROL_RE.sub("", value)


def _sub(parent, tag, value: str, attrib=None):
    ET.SubElement(parent, tag, attrib or {}).text = xml_safe(value)


def _text(parent, tag, value, html=False):
    el = ET.SubElement(parent, tag, {"format": "html"} if html else {})
    _sub(el, "text", value)


def to_moodle_xml(questions) -> bytes:
    quiz = ET.Element("quiz")
    # Imported questions land in a category of their own in the course's question bank.
    category = ET.SubElement(quiz, "question", {"type": "category"})
    _text(category, "category", f"$course$/top/{CATEGORY}")
    for q in questions:
        choices = list(q.choices.all())
        right = [c for c in choices if c.is_correct]
        el = ET.SubElement(quiz, "question", {"type": "multichoice"})
        _text(el, "name", f"#{q.external_id} {q.title}")
        _text(el, "questiontext", str(render_markdown(q.stem)), html=True)
        general = "".join(str(render_markdown(part)) for part in (q.explanation, q.more_precisely) if part)
        _text(el, "generalfeedback", general, html=True)
        ET.SubElement(el, "defaultgrade").text = "1"
        ET.SubElement(el, "penalty").text = "0.3333333"
        ET.SubElement(el, "hidden").text = "0"
        _sub(el, "idnumber", q.external_id)
        ET.SubElement(el, "single").text = "true" if len(right) == 1 else "false"
        ET.SubElement(el, "shuffleanswers").text = "false"
        ET.SubElement(el, "answernumbering").text = "ABCD"
        for c in choices:
            fraction = _FRACTIONS.get(len(right), "0") if c.is_correct else ("0" if len(right) == 1 else "-100")
            answer = ET.SubElement(el, "answer", {"fraction": fraction, "format": "html"})
            _sub(answer, "text", str(render_markdown(c.text)))
            _text(answer, "feedback", str(render_markdown(c.why)), html=True)
        tags = ET.SubElement(el, "tags")
        for t in q.tags.all():
            _sub(ET.SubElement(tags, "tag"), "text", t.slug)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True)
