"""Moodle XML, both ways: the bank as multichoice questions Moodle imports as they are, and
Moodle XML multichoice questions read into the bank through the loader (questions.loader),
all or nothing like the Markdown files.

Format: https://docs.moodle.org/en/Moodle_XML_format; what Moodle's importer reads:
question/format/xml/format.php in moodle/moodle (import_headers, import_multichoice).

Texts are written with `format="markdown"`, which Moodle renders itself, so the question's
Markdown travels unchanged and reads back the same. General feedback holds the explanation,
then the parts Moodle has no field for, under headings of their own (FEEDBACK_SECTIONS): more
precisely, key points, references, and the domain, source and last-verified date.

Grading. Moodle gives a multiple-answer multichoice question part credit: the fractions of
the options picked add up. This app grades all or nothing. Core Moodle has no all-or-nothing
type, so the export makes the closest choice and says so: each right option 100/k, each wrong
one -100, so any wrong pick cancels the credit, and a learner who picks only some of the right
options gets part credit in Moodle where this app gives none; the combined feedback tells the
learner. On import, a single-answer question whose options carry partial credit cannot be held
and is refused; in a multiple-answer one, the options with a positive fraction are the right ones.
"""
import hashlib
import re
import xml.etree.ElementTree as ET
from typing import Any

from questions.content_format import CONTROL_RE, ContentError, FieldError, QuestionData, validate_question
from questions.field_limits import FIELDS, MAX_OPTIONS

CATEGORY = "Study app question bank"
# Moodle's allowed fractions for k right answers out of a multiple-answer question.
FRACTIONS = {1: "100", 2: "50", 3: "33.33333", 4: "25", 5: "20", 6: "16.66667", 7: "14.28571", 8: "12.5",
              9: "11.11111", 10: "10"}
# General feedback: the explanation, then these, each under its heading, in this order.
MORE, POINTS, REFERENCES, ABOUT = "More precisely", "Key points", "References", "About this question"
FEEDBACK_SECTIONS = (MORE, POINTS, REFERENCES, ABOUT)
ABOUT_FIELDS = {"Domain": "domain", "Source": "source", "Last verified": "last_verified"}
# The second reader's record (content_format.SECOND_READER_KEYS), in the same section.
SECOND_READER_LABELS = {"Second reader": "by", "Checked on": "date", "What was checked": "checked"}
MOODLE_TAG_MAX = 50  # Moodle's TAG_MAX_LENGTH (lib/classes/tag.php)
_REFERENCE_RE = re.compile(r"- \[(?P<title>.*)\]\((?P<url>\S+)\)", re.DOTALL)
_LABELS = "ABCDEFGHIJ"[:MAX_OPTIONS]


def xml_safe(value: str) -> str:
    """The text less what XML 1.0 cannot hold (ElementTree would write it, making a file no
    parser reads). The loader and the API refuse such characters; rows edited before that, or
    in the admin, may still have them."""
    return CONTROL_RE.sub("", value)


def _sub(parent, tag, value: str, attrib=None):
    ET.SubElement(parent, tag, attrib or {}).text = xml_safe(value)


def _text(parent, tag, value, fmt=None):
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    _sub(el, "text", value)
    return el


def _item(text: str) -> str:
    """A text as one Markdown list item or line: its further lines indented, so none starts an item."""
    return text.replace("\n", "\n  ")


def _unitem(text: str) -> str:
    return text.replace("\n  ", "\n")


def general_feedback(data: QuestionData) -> str:
    """The explanation and what Moodle has no field for, as Markdown (read back by split_feedback)."""
    parts = [data.explanation] if data.explanation else []
    if data.more_precisely:
        parts.append(f"# {MORE}\n\n{data.more_precisely}")
    if data.key_points:
        parts.append(f"# {POINTS}\n\n" + "\n".join("- " + _item(p) for p in data.key_points))
    if data.references:
        parts.append(f"# {REFERENCES}\n\n" + "\n".join(f"- [{_item(r['title'])}]({r['url']})" for r in data.references))
    about = [(label, getattr(data, name)) for label, name in ABOUT_FIELDS.items() if getattr(data, name)]
    if data.second_reader:
        about += [(label, data.second_reader[key]) for label, key in SECOND_READER_LABELS.items()]
    if about:
        parts.append(f"# {ABOUT}\n\n" + "\n\n".join(f"{label}: {_item(str(value))}" for label, value in about))
    return "\n\n".join(parts)


def to_moodle_xml(questions) -> bytes:
    """Questions (QuestionData) as a Moodle XML <quiz> document."""
    quiz = ET.Element("quiz")
    # Imported questions land in a category of their own in the course's question bank.
    category = ET.SubElement(quiz, "question", {"type": "category"})
    _text(category, "category", f"$course$/top/{CATEGORY}")
    for q in questions:
        right = [o for o in q.options if o.correct]
        answer = ", ".join(o.label for o in right)
        el = ET.SubElement(quiz, "question", {"type": "multichoice"})
        _text(el, "name", f"#{q.id} {q.title}")
        _text(el, "questiontext", q.stem, "markdown")
        _text(el, "generalfeedback", general_feedback(q), "markdown")
        ET.SubElement(el, "defaultgrade").text = "1"
        ET.SubElement(el, "penalty").text = "0.3333333"
        ET.SubElement(el, "hidden").text = "0"
        _sub(el, "idnumber", q.id)
        ET.SubElement(el, "single").text = "true" if len(right) == 1 else "false"
        ET.SubElement(el, "shuffleanswers").text = "false"  # explanations refer to options by letter
        ET.SubElement(el, "answernumbering").text = "ABCD"
        ET.SubElement(el, "showstandardinstruction").text = "1"
        _text(el, "correctfeedback", f"Right: {answer}.", "markdown")
        _text(el, "partiallycorrectfeedback", f"Partly right. The study app gives credit only for every right "
                                              f"option and no wrong one: {answer}.", "markdown")
        _text(el, "incorrectfeedback", f"Not right. The answer: {answer}.", "markdown")
        if len(right) > 1:
            ET.SubElement(el, "shownumcorrect")
        for o in q.options:
            fraction = FRACTIONS[len(right)] if o.correct else ("0" if len(right) == 1 else "-100")
            option = _text(el, "answer", o.text, "markdown")
            option.set("fraction", fraction)
            _text(option, "feedback", o.why, "markdown")
        tags = ET.SubElement(el, "tags")
        for tag in [*q.tags, *([f"domain: {q.domain}"[:MOODLE_TAG_MAX]] if q.domain else [])]:
            _sub(ET.SubElement(tags, "tag"), "text", tag)
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True)


# ---------------------------------------------------------------------------------------------
# Import


def _read(el, path: str) -> str:
    found = el.find(path)
    return (found.text or "").strip() if found is not None else ""


def split_feedback(text: str) -> dict:
    """General feedback back into the fields general_feedback() wrote; other text is the explanation."""
    fields: dict[str, Any] = {"explanation": text}
    heading = re.compile(r"^# (" + "|".join(map(re.escape, FEEDBACK_SECTIONS)) + r")\s*$", re.MULTILINE)
    marks = list(heading.finditer(text))
    # Only a run of the headings in their order, at the end, is ours; earlier ones are the explanation's.
    order = [m.group(1) for m in marks]
    while marks and order != sorted(order, key=FEEDBACK_SECTIONS.index):
        marks, order = marks[1:], order[1:]
    if len(set(order)) != len(order):
        return fields
    if marks:
        fields["explanation"] = text[:marks[0].start()].strip()
    for i, mark in enumerate(marks):
        body = text[mark.end():marks[i + 1].start() if i + 1 < len(marks) else len(text)].strip()
        if mark.group(1) == MORE:
            fields["more_precisely"] = body
        elif mark.group(1) == POINTS:
            fields["key_points"] = [_unitem(item[2:]) for item in re.split(r"\n(?=- )", body) if item]
        elif mark.group(1) == REFERENCES:
            fields["references"] = []
            for item in re.split(r"\n(?=- )", body):
                match = _REFERENCE_RE.fullmatch(item)
                fields["references"].append({"title": _unitem(match["title"]), "url": match["url"]} if match
                                            else {"title": "", "url": item})  # refused, naming the reference
        else:
            for line in re.split(r"\n\n(?! )", body):
                label, _, value = line.partition(": ")
                if label in ABOUT_FIELDS:
                    fields[ABOUT_FIELDS[label]] = _unitem(value)
                elif label in SECOND_READER_LABELS:
                    fields.setdefault("second_reader", {})[SECOND_READER_LABELS[label]] = _unitem(value)
    return fields


def tag_slug(tag: str) -> str:
    """A Moodle tag ("Auto Scaling") as this app's ("auto-scaling"); this app's own stay as they are."""
    if FIELDS["tags"].matches(tag):
        return tag
    return re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-")[:FIELDS["tags"].max_length].strip("-")


def _fraction(raw: str, path: str, errors: list) -> float:
    try:
        return float(raw or 0)
    except ValueError:
        errors.append(FieldError(path, f"fraction '{raw}' is not a number"))
        return 0.0


def _question(el) -> tuple[dict, list[FieldError]]:
    """A <question type="multichoice"> as the loader's raw fields, and what cannot be held."""
    errors: list[FieldError] = []
    name = _read(el, "name/text")
    idnumber = _read(el, "idnumber")
    qid = idnumber or "moodle-" + hashlib.sha256(name.encode()).hexdigest()[:12]  # stable: re-imports update
    title = name[len(f"#{idnumber} "):] if idnumber and name.startswith(f"#{idnumber} ") else name
    single = _read(el, "single").lower() not in ("false", "0", "")
    raw = {"id": qid, "title": title, "stem": _read(el, "questiontext/text"),
           **split_feedback(_read(el, "generalfeedback/text")), "options": []}
    answers = el.findall("answer")
    if len(answers) > len(_LABELS):
        errors.append(FieldError("options", f"{len(answers)} answers; this app holds at most {MAX_OPTIONS}"))
    for i, (label, answer) in enumerate(zip(_LABELS, answers)):
        fraction = _fraction(answer.get("fraction"), f"options[{i}].fraction", errors)
        if single and 0 < fraction < 100:
            errors.append(FieldError(f"options[{i}].fraction", f"{answer.get('fraction')}: part credit cannot be held; "
                                     "this app grades all or nothing (100 for the right answer, 0 for the others)"))
        why = _read(answer, "feedback/text")
        if not why:
            errors.append(FieldError(f"options[{i}].why", "Moodle's answer feedback is empty; this app needs a "
                                                          "reason for every option, right or wrong"))
        raw["options"].append({"label": label, "text": _read(answer, "text"), "correct": fraction > 0, "why": why or "-"})
    tags = []
    for tag in (t.text or "" for t in el.findall("tags/tag/text")):
        if tag.lower().startswith("domain: "):  # the export's; the About section's domain is whole
            raw.setdefault("domain", tag[len("domain: "):].strip())
        elif tag_slug(tag):
            tags.append(tag_slug(tag))
    raw["tags"] = tags
    return raw, errors


def parse_moodle_xml(text: str | bytes, source: str = "moodle.xml") -> tuple[list[QuestionData], dict[str, ContentError]]:
    """Every multichoice question of a Moodle XML file, and per question what is wrong with it
    (keyed "SOURCE: question N 'NAME'"); categories are skipped, other types refused."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        return [], {source: ContentError([FieldError("(file)", f"not well-formed XML: {exc}")], source)}
    if root.tag != "quiz":
        return [], {source: ContentError([FieldError("(file)", f"the root element is <{root.tag}>; Moodle XML's is <quiz>")], source)}
    parsed: list[QuestionData] = []
    problems: dict[str, ContentError] = {}
    for n, el in enumerate(root.findall("question"), 1):
        kind = el.get("type", "")
        if kind == "category":
            continue
        where = f"{source}: question {n} '{_read(el, 'name/text')[:60]}'"
        if kind != "multichoice":
            problems[where] = ContentError([FieldError("type", f"'{kind}' cannot be held: this app's questions "
                                                               "are multiple choice (type 'multichoice')")], where)
            continue
        raw, errors = _question(el)
        data, invalid = validate_question(raw)
        if errors or invalid or data is None:
            problems[where] = ContentError(errors + invalid, where)
        else:
            parsed.append(data)
    if not parsed and not problems:
        problems[source] = ContentError([FieldError("(file)", "no <question type=\"multichoice\"> in the file")], source)
    return parsed, problems
