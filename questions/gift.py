"""GIFT, both ways: Moodle's plain-text question format, for the multiple-choice questions this
app holds. Read back through the loader like the other formats (questions.loader).

Format: https://docs.moodle.org/en/GIFT_format; Moodle's reader is question/format/gift/format.php
in moodle/moodle. What is written, per question:

    // [id:1973]                       the question's id (Moodle reads it as the idnumber)
    // [tag:sqs]                       one line per tag
    ::Title::[markdown]Stem{
    ~Wrong option#Why it is wrong      single answer: = the right option, ~ the others
    =Right option#Why it is right
    ####General feedback               the explanation and the rest (questions.moodle_xml.general_feedback)
    }

A multiple-answer question gives each right option ~%100/k% and each wrong one ~%-100%, as the
Moodle XML export does (see there for what Moodle then grades). Every line break in a text is
written `\\n` and the characters ~ = # { } : and \\ are escaped with a backslash, so a blank line
only ever separates questions and every text reads back as it was.
"""
import hashlib
import re
from typing import Any

from questions.content_format import ContentError, FieldError, QuestionData, validate_question
from questions.field_limits import MAX_OPTIONS
from questions.moodle_xml import CATEGORY, FRACTIONS, general_feedback, split_feedback, tag_slug, xml_safe

_SPECIAL = "\\~=#{}:"
_LABELS = "ABCDEFGHIJ"[:MAX_OPTIONS]
_COMMENT_RE = re.compile(r"\[(id|tag):([^\]]*)\]")
_FORMAT_RE = re.compile(r"^\[(markdown|html|plain|moodle)\]")


def escape(text: str) -> str:
    for char in _SPECIAL:  # the backslash first, so the escapes added after it stay single
        text = text.replace(char, "\\" + char)
    return xml_safe(text).replace("\n", "\\n")


def to_gift(questions) -> str:
    blocks = [f"$CATEGORY: $course$/top/{CATEGORY}"]
    for q in questions:
        right = [o for o in q.options if o.correct]
        lines = [f"// [id:{q.id}]", *(f"// [tag:{t}]" for t in q.tags),
                 f"::{escape(q.title)}::[markdown]{escape(q.stem)}{{"]
        for o in q.options:
            if len(right) == 1:
                mark = "=" if o.correct else "~"
            else:
                mark = f"~%{FRACTIONS[len(right)] if o.correct else '-100'}%"
            lines.append(f"{mark}{escape(o.text)}#{escape(o.why)}")
        feedback = general_feedback(q)
        if feedback:
            lines.append(f"####{escape(feedback)}")
        lines.append("}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


# ---------------------------------------------------------------------------------------------
# Import

_MASK = {char: chr(0xE000 + i) for i, char in enumerate(_SPECIAL + "n")}  # private-use stand-ins


def _mask(text: str) -> str:
    """Escaped characters as stand-ins, so splitting on the unescaped ones is plain string work."""
    return re.sub(r"\\(.)", lambda m: _MASK.get(m.group(1), m.group(0)), text, flags=re.DOTALL)


def _unmask(text: str) -> str:
    for char, stand_in in _MASK.items():
        text = text.replace(stand_in, "\n" if char == "n" else char)
    return text.strip()


def _split_answers(block: str) -> tuple[list[tuple[str, str]], str]:
    """[(mark, text)] for each answer of a masked answer block, and its general feedback."""
    feedback = ""
    if "####" in block:
        block, feedback = block.split("####", 1)
    parts = re.split(r"([=~])", block)
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)], feedback


def _question(block: str, meta: dict) -> tuple[dict, list[FieldError]]:
    errors: list[FieldError] = []
    masked = _mask(block)
    start, end = masked.find("{"), masked.rfind("}")
    if start < 0 or end < start:
        return {}, [FieldError("(question)", "no answers: a GIFT question's answers go between { and }")]
    head, answers_text, tail = masked[:start], masked[start + 1:end], masked[end + 1:]
    if tail.strip():
        errors.append(FieldError("(question)", "text after the answers (a missing-word question) cannot be held"))
    title = ""
    head = head.strip()
    if head.startswith("::") and "::" in head[2:]:
        title, head = head[2:].split("::", 1)
    head = _FORMAT_RE.sub("", head.strip())
    stem = _unmask(head)
    answers, feedback = _split_answers(answers_text)
    raw = {"id": meta.get("id") or "", "title": _unmask(title) or stem[:80], "stem": stem,
           **split_feedback(_unmask(feedback)), "options": [], "tags": meta["tags"]}
    if not answers:
        errors.append(FieldError("type", "not a multiple-choice question (true/false, short answer, essay, "
                                         "matching and numerical questions cannot be held)"))
    # Moodle's reader (readquestion in question/format/gift/format.php) types a question by its
    # unescaped answer text: any ~ makes it multiple choice, whatever else the texts hold; only
    # without one do = and -> together make it matching. So "->" inside an option or a reason of
    # a multiple-choice question is text, as it is for Moodle.
    if answers and "~" not in answers_text and "=" in answers_text and "->" in answers_text:
        errors.append(FieldError("type", "a matching question cannot be held"))
    single = any(mark == "=" for mark, _ in answers)
    if len(answers) > len(_LABELS):
        errors.append(FieldError("options", f"{len(answers)} answers; this app holds at most {MAX_OPTIONS}"))
    for i, (label, (mark, text)) in enumerate(zip(_LABELS, answers)):
        weight = re.match(r"\s*%(-?[0-9.]+)%", text)
        fraction = 100.0 if mark == "=" else float(weight.group(1)) if weight else 0.0
        text = text[weight.end():] if weight else text
        if single and 0 < fraction < 100:
            errors.append(FieldError(f"options[{i}].fraction", f"{fraction:g}: part credit cannot be held; this app "
                                                               "grades all or nothing (= the right answer, ~ the others)"))
        text, _, why = text.partition("#")
        if not _unmask(why):
            errors.append(FieldError(f"options[{i}].why", "no #feedback; this app needs a reason for every option"))
        raw["options"].append({"label": label, "text": _unmask(text), "correct": fraction > 0, "why": _unmask(why) or "-"})
    return raw, errors


def _blocks(text: str):
    """(first line number, comment lines, question text) per question; $CATEGORY blocks skipped."""
    comments: list[str] = []
    lines: list[str] = []
    first = None
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n") + [""], 1):
        if not line.strip():
            if lines:
                yield first, comments, "\n".join(lines)
            comments, lines, first = [], [], None
        elif line.lstrip().startswith("//") and not lines:
            comments.append(line)
            first = first or number
        elif line.startswith("$CATEGORY:") and not lines:
            comments = []
        else:
            lines.append(line)
            first = first or number


def parse_gift(text: str, source: str = "questions.gift") -> tuple[list[QuestionData], dict[str, ContentError]]:
    """Every question of a GIFT file, and per question (keyed "SOURCE: line N 'TITLE'") what is wrong."""
    parsed: list[QuestionData] = []
    problems: dict[str, ContentError] = {}
    for line, comments, block in _blocks(text):
        meta: dict[str, Any] = {"id": "", "tags": []}
        for kind, value in _COMMENT_RE.findall("\n".join(comments)):
            if kind == "id":
                meta["id"] = value.strip()
            elif tag_slug(value.strip()):
                meta["tags"].append(tag_slug(value.strip()))
        raw, errors = _question(block, meta)
        where = f"{source}: line {line} '{(raw.get('title') or block)[:60]}'"
        if raw and not raw["id"]:  # stable, so importing the file again updates
            raw["id"] = "gift-" + hashlib.sha256((raw["title"] + raw["stem"]).encode()).hexdigest()[:12]
        data, invalid = validate_question(raw) if raw else (None, [])
        if errors or invalid or data is None:
            problems[where] = ContentError(errors + invalid, where)
        else:
            parsed.append(data)
    if not parsed and not problems:
        problems[source] = ContentError([FieldError("(file)", "no question in the file")], source)
    return parsed, problems
