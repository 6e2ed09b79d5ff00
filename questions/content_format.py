"""The question file format: Markdown with YAML front matter, parsed and validated.

    ---
    id: "1973"                 # external id: letters, digits, - and _
    title: ...
    domain: ...                # e.g. "Design for new solutions"
    tags: [sqs, ecs]
    source: ...                # attribution
    last_verified: 2026-11-28
    options:
      - {label: A, text: ..., correct: false, why: ...}
    key_points: [...]
    references:
      - {title: ..., url: https://...}
    second_reader:             # optional: who checked the claims against the cited pages
      {by: ..., date: 2026-12-07, checked: ...}
    ---
    # Stem
    ...Markdown...
    # Explanation              (optional)
    ...
    # More precisely           (optional)
    ...

Only those three level-1 headings divide the body; any other (`# Setup`) is Markdown inside
its section. Exporting and loading again is the identity: texts that a file could not hold
(control characters, a line in a section's text that reads as a section heading) are refused.

The same validation serves the file loader and the quiz API (`validate_question`), so a
question is accepted or refused for the same reasons whichever way it arrives. Errors carry the
field path and, for files, the line, so an author can go straight to the problem.
"""
import datetime as dt
import difflib
import functools
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

import yaml

from questions.content_files import SAFE_LOADER
from questions.field_limits import FIELDS, MAX_ITEMS, MAX_OPTIONS, MIN_OPTIONS
from questions.markdown_cost import too_costly

URL_RE = re.compile(r"^https?://[^\s\x00-\x1f\x7f-\x9f]+$")
# Characters no stored text may hold: C0 and C1 controls except tab and newline, the Unicode
# line and paragraph separators (line breaks to YAML and Python), and what XML 1.0 forbids.
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")

FRONT_MATTER_KEYS = {
    "id", "title", "domain", "tags", "source", "last_verified", "options", "key_points", "references",
    "second_reader",
}
OPTION_KEYS = {"label", "text", "correct", "why"}
REFERENCE_KEYS = {"title", "url"}
# Who checked a question's claims against the documentation it cites, on which date, and what
# they checked (issue 22: every new question is checked by a second reader before it lands).
SECOND_READER_KEYS = {"by", "date", "checked"}
# Body sections, by their level-1 heading, mapped to QuestionData fields. Only these headings
# divide the body: any other level-1 heading ("# Setup") is Markdown inside the section.
SECTIONS = {"stem": "stem", "explanation": "explanation", "more precisely": "more_precisely"}


@dataclass
class FieldError:
    field: str
    message: str
    line: int | None = None

    def __str__(self):
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.field}: {self.message}"


class ContentError(ValueError):
    """A question that cannot be accepted; `errors` lists every problem found, not just the first."""

    def __init__(self, errors: list[FieldError], source: str = ""):
        self.errors = errors
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__("; ".join(prefix + str(e) for e in errors))


@dataclass
class OptionData:
    label: str
    text: str
    correct: bool
    why: str


@dataclass
class QuestionData:
    id: str
    title: str
    stem: str
    options: list[OptionData]
    explanation: str = ""
    more_precisely: str = ""
    domain: str = ""
    tags: list[str] = field(default_factory=list)
    source: str = ""
    last_verified: dt.date | None = None
    key_points: list[str] = field(default_factory=list)
    references: list[dict] = field(default_factory=list)
    second_reader: dict | None = None  # {"by", "date" (YYYY-MM-DD), "checked"}

    def content_hash(self) -> str:
        """Hash of the content, not the file's bytes: a re-exported file with the same
        content reloads as unchanged."""
        data = asdict(self)
        data["last_verified"] = self.last_verified.isoformat() if self.last_verified else None
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Validation of the structured part (shared by files and the API)


def _text(raw, path, errors, *, required=True, max_len=None, section=False, markdown=False):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors.append(FieldError(path, "required; a non-empty text"))
        return ""
    if not isinstance(raw, str):
        # YAML reads yes/no/on/off as booleans and bare numbers as numbers: say how to fix it.
        errors.append(FieldError(path, f"must be text, not {type(raw).__name__}; put it in quotes"))
        return ""
    # Browsers send text areas with CRLF line ends; files are read with universal newlines.
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    control = CONTROL_RE.search(text)
    if control:
        # Not even a file can keep these (YAML escapes some, line splitting eats others), and
        # XML 1.0, which Moodle reads, forbids them.
        errors.append(FieldError(path, f"control character U+{ord(control.group()):04X} at position "
                                       f"{control.start() + 1}; only tabs and line breaks are allowed"))
    if max_len and len(text) > max_len:
        errors.append(FieldError(path, f"at most {max_len} characters; got {len(text)}"))
        return text  # nothing longer is read further: every check below is linear in what passed
    if section:
        _check_no_section_headings(text, path, errors)
    if (section or markdown) and (costly := too_costly(text)):
        errors.append(FieldError(path, costly))
    return text


def check_text(value: str, path: str, *, section: bool = False) -> tuple[str, list[FieldError]]:
    """One text field by the loader's rules, for forms that write the model directly (the
    admin): the text as the loader would store it, and what is wrong with it. Empty texts pass;
    whether one is required is the form's business. `path` names the field as files do
    ("stem", "options.why"), which gives its length limit and whether it is Markdown."""
    errors: list[FieldError] = []
    limit = FIELDS.get(path)
    text = _text(value, path, errors, required=False, section=section, markdown=path in MARKDOWN_FIELDS,
                 max_len=limit.max_length if limit else None)
    return text, errors


MARKDOWN_FIELDS = {"stem", "explanation", "more_precisely", "options.text", "options.why"}


def check_references(raw, errors: list) -> list[dict]:
    """References as [{title, url}] with http(s) URLs only (a page links them); problems go to
    ``errors``. Shared by the loader, the API and the admin (the model field's validator)."""
    references = []
    for i, ref in enumerate(_list(raw, "references", errors, MAX_ITEMS["references"])):
        path = f"references[{i}]"
        if not isinstance(ref, dict):
            errors.append(FieldError(path, "must be a mapping with title and url"))
            continue
        _unknown_keys(ref, REFERENCE_KEYS, f"{path}.", errors)
        url = ref.get("url")
        if isinstance(url, str) and len(url) > FIELDS["references.url"].max_length:
            errors.append(FieldError(f"{path}.url", f"at most {FIELDS['references.url'].max_length} characters; got {len(url)}"))
        elif not isinstance(url, str) or not URL_RE.match(url):
            errors.append(FieldError(f"{path}.url", "required; an http:// or https:// URL"))
        references.append({"title": _text(ref.get("title"), f"{path}.title", errors,
                                          max_len=FIELDS["references.title"].max_length), "url": url})
    return references


def check_second_reader(raw, errors: list) -> dict | None:
    """The second reader's record as {by, date, checked}, date as YYYY-MM-DD; or None if absent."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors.append(FieldError("second_reader", "must be a mapping with by, date and checked"))
        return None
    if True in raw or False in raw:  # YAML 1.1 reads a bare `on:`/`yes:` key as a boolean
        errors.append(FieldError("second_reader", "a key reads as true/false in YAML (on, yes, no?); "
                                                  "the keys are by, date and checked"))
        return None
    _unknown_keys(raw, SECOND_READER_KEYS, "second_reader.", errors)
    when = raw.get("date")
    if isinstance(when, str):
        try:
            when = dt.date.fromisoformat(when)
        except ValueError:
            when = None
    if not isinstance(when, dt.date):
        errors.append(FieldError("second_reader.date", "required; a date as YYYY-MM-DD"))
    return {
        "by": _text(raw.get("by"), "second_reader.by", errors, max_len=200),
        "date": when.isoformat() if isinstance(when, dt.date) else "",
        "checked": _text(raw.get("checked"), "second_reader.checked", errors, max_len=1000),
    }


def _list(raw, path, errors, max_items=None):
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.append(FieldError(path, f"must be a list, not {type(raw).__name__}"))
        return []
    if max_items is not None and len(raw) > max_items:
        errors.append(FieldError(path, f"at most {max_items} items; got {len(raw)}"))
        return raw[:max_items]
    return raw


def _unknown_keys(raw: dict, allowed: set, path: str, errors):
    for key in raw:
        if key not in allowed:
            errors.append(FieldError(f"{path}{key}", f"unknown field; allowed: {', '.join(sorted(allowed))}"))


def validate_question(raw: dict) -> tuple[QuestionData | None, list[FieldError]]:
    """Validate a question given as a dict (front matter plus stem/explanation/more_precisely).

    Returns the data and no errors, or None and every error found.
    """
    errors: list[FieldError] = []
    if not isinstance(raw, dict):
        return None, [FieldError("(question)", "must be a mapping of fields")]
    _unknown_keys(raw, FRONT_MATTER_KEYS | set(SECTIONS.values()), "", errors)

    raw_id = raw.get("id")
    raw_id = str(raw_id) if isinstance(raw_id, int) and not isinstance(raw_id, bool) else raw_id
    qid = raw_id if isinstance(raw_id, str) and FIELDS["id"].matches(raw_id) else ""
    if not qid:
        errors.append(FieldError("id", f"required; {FIELDS['id'].allowed}"))
    title = _text(raw.get("title"), "title", errors, max_len=FIELDS["title"].max_length)
    stem = _text(raw.get("stem"), "stem", errors, section=True, max_len=FIELDS["stem"].max_length)
    explanation = _text(raw.get("explanation"), "explanation", errors, required=False, section=True,
                        max_len=FIELDS["explanation"].max_length)
    more_precisely = _text(raw.get("more_precisely"), "more_precisely", errors, required=False, section=True,
                           max_len=FIELDS["more_precisely"].max_length)
    domain = _text(raw.get("domain"), "domain", errors, required=False, max_len=FIELDS["domain"].max_length)
    source = _text(raw.get("source"), "source", errors, required=False, max_len=FIELDS["source"].max_length)

    last_verified = raw.get("last_verified")
    if isinstance(last_verified, str):
        try:
            last_verified = dt.date.fromisoformat(last_verified)
        except ValueError:
            errors.append(FieldError("last_verified", "must be a date as YYYY-MM-DD"))
            last_verified = None
    elif last_verified is not None and not isinstance(last_verified, dt.date):
        errors.append(FieldError("last_verified", "must be a date as YYYY-MM-DD"))
        last_verified = None

    tags = []
    for i, tag in enumerate(_list(raw.get("tags"), "tags", errors, MAX_ITEMS["tags"])):
        if not FIELDS["tags"].matches(tag):
            errors.append(FieldError(f"tags[{i}]", FIELDS["tags"].allowed))
        else:
            tags.append(tag)

    options = []
    raw_options = _list(raw.get("options"), "options", errors)
    if not (MIN_OPTIONS <= len(raw_options) <= MAX_OPTIONS):
        errors.append(FieldError("options", f"between {MIN_OPTIONS} and {MAX_OPTIONS} options; got {len(raw_options)}"))
    seen = set()
    for i, opt in enumerate(raw_options):
        path = f"options[{i}]"
        if not isinstance(opt, dict):
            errors.append(FieldError(path, "must be a mapping with label, text, correct, why"))
            continue
        _unknown_keys(opt, OPTION_KEYS, f"{path}.", errors)
        label = opt.get("label")
        if not FIELDS["options.label"].matches(label):
            errors.append(FieldError(f"{path}.label", f"required; {FIELDS['options.label'].allowed}"))
        elif label in seen:
            errors.append(FieldError(f"{path}.label", f"duplicate label {label}; labels must be unique"))
        else:
            seen.add(label)
        correct = opt.get("correct")
        if not isinstance(correct, bool):
            errors.append(FieldError(f"{path}.correct", "required; true or false"))
        options.append(
            OptionData(
                label=label if isinstance(label, str) else "",
                text=_text(opt.get("text"), f"{path}.text", errors, markdown=True,
                           max_len=FIELDS["options.text"].max_length),
                correct=bool(correct),
                why=_text(opt.get("why"), f"{path}.why", errors, markdown=True,
                          max_len=FIELDS["options.why"].max_length),
            )
        )
    if raw_options and not any(o.correct for o in options):
        errors.append(FieldError("options", "at least one option must have correct: true"))
    if options and all(o.correct for o in options) and len(options) == len(raw_options):
        errors.append(FieldError("options", "at least one option must be wrong"))

    key_points = []
    for i, point in enumerate(_list(raw.get("key_points"), "key_points", errors, MAX_ITEMS["key_points"])):
        key_points.append(_text(point, f"key_points[{i}]", errors, max_len=FIELDS["key_points"].max_length))

    references = check_references(raw.get("references"), errors)
    second_reader = check_second_reader(raw.get("second_reader"), errors)

    if errors:
        return None, errors
    return (
        QuestionData(
            id=qid, title=title, stem=stem, options=options,
            explanation=explanation, more_precisely=more_precisely,
            domain=domain, tags=sorted(set(tags)), source=source, last_verified=last_verified,
            key_points=key_points, references=references, second_reader=second_reader,
        ),
        [],
    )


# ---------------------------------------------------------------------------------------------
# Files


def _line_of(node, path: str) -> int | None:
    """The 1-based line (within the YAML) where a field path such as options[2].why starts."""
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if node is None:
            return None
        if part.startswith("["):
            index = int(part[1:-1])
            if isinstance(node, yaml.SequenceNode) and index < len(node.value):
                node = node.value[index]
            else:
                return node.start_mark.line + 1
        elif isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            if match is None:
                return node.start_mark.line + 1
            node = match
        else:
            return node.start_mark.line + 1
    return node.start_mark.line + 1 if node is not None else None


def _split_front_matter(text: str) -> tuple[str, str, int]:
    """(front matter, body, line number where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError([FieldError("(file)", "must start with a '---' line opening the front matter", 1)])
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "---":  # unindented: a '---' inside a YAML block text is indented
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    raise ContentError([FieldError("(file)", "front matter is not closed by a '---' line", 1)])


def _section_heading(line: str) -> tuple[str | None, str | None]:
    """(section field, None) for a line that starts a section; (None, the section it resembles)
    for a level-1 heading one typo away from a section's ("# Explanaton"), which would otherwise
    silently join the section above; (None, None) for any other line."""
    # No regular expression: r"^# (.+?)\s*$" took quadratic time on a line with a long run of
    # spaces inside (20,000 of them: 3.4 s), and a question's text comes from the API too.
    if not line.startswith("# ") or len(line) == 2:
        return None, None
    name = line[2:].strip().lower()
    if name in SECTIONS:
        return SECTIONS[name], None
    close = difflib.get_close_matches(name, SECTIONS, n=1, cutoff=0.8)
    return None, (close[0] if close else None)


def _section_title(name: str) -> str:
    return f"'# {name.capitalize()}'"


def _check_no_section_headings(text: str, path: str, errors: list) -> None:
    """A section's text cannot hold a line the file would read as a section heading: exported
    and loaded again, the text would end there. Level-2 or underlined headings keep it."""
    for number, line in enumerate(text.split("\n"), 1):
        field_name, resembles = _section_heading(line)
        if field_name or resembles:
            errors.append(FieldError(path, f"line {number}, '{line.strip()}', would start a section of the "
                                           f"question file ({_section_title(resembles or line[2:].strip())}); "
                                           "write it as a '## ' heading, or underline it with '===' instead"))


def _split_sections(body: str, first_line: int) -> tuple[dict, list[FieldError]]:
    sections: dict[str, list[str]] = {}
    errors = []
    current = None
    for offset, line in enumerate(body.split("\n")):
        field_name, resembles = _section_heading(line)
        if resembles:
            errors.append(FieldError(
                "(body)", f"'{line.strip()}' looks like the section {_section_title(resembles)}; sections are "
                + ", ".join(map(_section_title, SECTIONS)) + "; write a heading inside a section as '## '",
                first_line + offset))
        elif field_name:
            if field_name in sections:
                errors.append(FieldError("(body)", f"section '{line.strip()}' appears twice", first_line + offset))
            current = field_name
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
        elif line.strip():
            errors.append(FieldError("(body)", "text before the first section; start with '# Stem'", first_line + offset))
    return {k: "\n".join(v).strip() for k, v in sections.items()}, errors


def parse_question_file(text: str, source: str = "") -> QuestionData:
    """Parse one question file; raises ContentError naming the source, lines and fields."""
    front, body, body_line = _split_front_matter(text)
    try:
        raw = yaml.load(front, Loader=SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 2 if exc.problem_mark else None
        raise ContentError([FieldError("(front matter)", f"invalid YAML: {exc.problem}", line)], source) from None
    if not isinstance(raw, dict):
        raise ContentError([FieldError("(front matter)", "must be a mapping of fields", 2)], source)

    # The YAML's nodes (where each field starts) only to say where an error is: composing them
    # was half of parsing a file, and a valid file needs none. The YAML above composed, so it does again.
    @functools.cache
    def node():
        return yaml.compose(front, Loader=SAFE_LOADER)

    sections, errors = _split_sections(body, body_line)
    for key in SECTIONS.values():
        if key in raw:
            errors.append(FieldError(key, "belongs in the body as a '# ' section, not in the front matter",
                                     (_line_of(node(), key) or 0) + 1))
    data, field_errors = validate_question({**raw, **sections})
    for err in field_errors:
        if err.field in SECTIONS.values():
            err.line = body_line
        elif not err.field.startswith("("):
            line = _line_of(node(), err.field)
            err.line = line + 1 if line else None  # +1: the opening '---' line
    errors += field_errors
    if errors or data is None:
        raise ContentError(errors, source)
    return data


def _literal_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(str, _literal_str)


def dump_question_file(data: QuestionData) -> str:
    """The file text for a question, in the format parse_question_file reads."""
    front = {
        "id": data.id,
        "title": data.title,
        "domain": data.domain,
        "tags": data.tags,
        "source": data.source,
        "last_verified": data.last_verified,
        "options": [asdict(o) for o in data.options],
        "key_points": data.key_points,
        "references": data.references,
        "second_reader": (None if data.second_reader is None else
                          {**data.second_reader, "date": dt.date.fromisoformat(data.second_reader["date"])}),
    }
    front = {k: v for k, v in front.items() if v not in (None, "", [])}
    yaml_text = yaml.dump(front, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    parts = ["---", yaml_text.rstrip(), "---", "# Stem", "", data.stem, ""]
    if data.explanation:
        parts += ["# Explanation", "", data.explanation, ""]
    if data.more_precisely:
        parts += ["# More precisely", "", data.more_precisely, ""]
    return "\n".join(parts)
