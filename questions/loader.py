"""Loading question files into the database, and exporting the database back to files.

Loading is all or nothing: every file is parsed and validated first, and only if all are good
are they written, inside one transaction. A bad file leaves the database as it was.

Files are read by their suffix: `.md` the question files (questions.content_format), `.xml`
Moodle XML (questions.moodle_xml), `.gift` (or `.txt`) GIFT (questions.gift); the last two hold
many questions each. Imports through the API
take the same path (`import_text`).
"""
import functools
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from questions.content_format import (
    ContentError, FieldError, OptionData, QuestionData, dump_question_file, parse_question_file,
)
from questions.gift import parse_gift
from questions.models import Choice, Question, Tag
from questions.moodle_xml import parse_moodle_xml

CONTENT_DIR = Path(__file__).resolve().parent / "content"


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Questions edited in the database (admin or API) since they were last loaded, whose edits
    # the load replaces with the file's content: id -> the fields that differ.
    overwritten: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


class LoadError(Exception):
    """One or more files are invalid; nothing was written. `problems` maps file -> ContentError."""

    def __init__(self, problems: dict[str, ContentError]):
        self.problems = problems
        lines = []
        for source, err in problems.items():
            lines += [f"{source}: {e}" for e in err.errors]
        super().__init__("\n".join(lines))


def question_files(paths=None) -> list[Path]:
    """The files named (.md, .xml, .gift), or the .md files in named folders; by default questions/content/."""
    found = []
    for p in map(Path, paths or [CONTENT_DIR]):
        found += sorted(p.glob("*.md")) if p.is_dir() else [p]
    return found


def parse_text(text: str, source: str) -> tuple[list[QuestionData], dict[str, ContentError]]:
    """The questions of one file's text, by its suffix, and what is wrong, keyed by where."""
    if source.lower().endswith(".xml"):
        return parse_moodle_xml(text, source)
    if source.lower().endswith((".gift", ".txt")):
        return parse_gift(text, source)
    try:
        return [parse_question_file(text, source)], {}
    except ContentError as exc:
        return [], {source: exc}


def parse_files(paths) -> list[QuestionData]:
    """Parse every file; raise LoadError listing every problem in every file."""
    texts = []
    problems: dict[str, ContentError] = {}
    for path in paths:
        try:
            texts.append((Path(path).read_text(encoding="utf-8"), str(path)))
        except (OSError, UnicodeDecodeError) as exc:
            problems[str(path)] = ContentError([FieldError("(file)", f"cannot be read: {exc}")], str(path))
    return parse_texts(texts, problems)


def parse_texts(texts, problems=None) -> list[QuestionData]:
    """Parse (text, source) pairs; raise LoadError listing every problem, ids used twice included."""
    problems, parsed = dict(problems or {}), []
    origin: dict[str, str] = {}
    for text, source in texts:
        found, wrong = parse_text(text, source)
        problems.update(wrong)
        for data in found:
            if data.id in origin:
                problems[f"{source}: {data.id}"] = ContentError(
                    [FieldError("id", f"'{data.id}' is already used by {origin[data.id]}")], source)
                continue
            origin[data.id] = source
            parsed.append(data)
    if problems:
        raise LoadError(problems)
    return parsed


def save_question(data: QuestionData, question: Question | None = None, *, from_file: bool = True) -> tuple[Question, str]:
    """Create or update one question from validated data; returns it and what happened.

    Used by the loader and by the quiz API, so both write questions the same way. The stored
    `content_hash` is the hash of the file content last loaded, and empty once the question is
    edited any other way (`from_file=False`; the admin clears it too): the next load then
    writes the file back, and can tell that it overwrites an edit.
    """
    digest = data.content_hash()
    if question is None:
        question = Question.objects.filter(external_id=data.id).first()
    if from_file and question is not None and question.content_hash == digest:
        return question, "unchanged"
    outcome = "created" if question is None else "updated"
    question = question or Question(external_id=data.id)
    question.external_id = data.id
    for attr in ("title", "stem", "explanation", "more_precisely", "domain", "source",
                 "last_verified", "key_points", "references", "second_reader"):
        setattr(question, attr, getattr(data, attr))
    question.content_hash = digest if from_file else ""
    question.save()
    question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, label=o.label, text=o.text, is_correct=o.correct, why=o.why, order=i)
        for i, o in enumerate(data.options)
    )
    tags = [Tag.objects.get_or_create(slug=slug)[0] for slug in data.tags]
    question.tags.set(tags)
    return question, outcome


def load_questions(paths=None, *, dry_run: bool = False) -> LoadReport:
    """Load question files. Raises LoadError (and writes nothing) if any file is invalid."""
    return save_all(parse_files(question_files(paths)), dry_run=dry_run)


def import_text(text: str, source: str, *, dry_run: bool = False) -> LoadReport:
    """Load one uploaded file's questions (by `source`'s suffix), as a load of files would:
    all or nothing. Stored as edits (not file-backed): the next load of questions/content/
    reports it if it overwrites one."""
    return save_all(parse_texts([(text, source)]), dry_run=dry_run, from_file=False)


def save_all(parsed: list[QuestionData], *, dry_run: bool = False, from_file: bool = True) -> LoadReport:
    """Write parsed questions in one transaction (none on a dry run); what happened to each."""
    report = LoadReport()
    with transaction.atomic():
        for data in parsed:
            existing = Question.objects.with_choices().filter(external_id=data.id).first()
            if existing is not None and existing.content_hash != data.content_hash():
                edits = database_edits(existing, data)
                if edits:
                    report.overwritten[data.id] = edits
            if not from_file and existing is not None and question_data(existing) == data:
                report.unchanged.append(data.id)
                continue
            _, outcome = save_question(data, existing, from_file=from_file)
            getattr(report, outcome).append(data.id)
        if dry_run:
            transaction.set_rollback(True)
    return report


def question_data(question: Question) -> QuestionData:
    """The content of a stored question, as the file format holds it."""
    return QuestionData(
        id=question.external_id, title=question.title, stem=question.stem,
        options=[OptionData(c.label, c.text, c.is_correct, c.why) for c in question.choices.all()],
        explanation=question.explanation, more_precisely=question.more_precisely,
        domain=question.domain, tags=[t.slug for t in question.tags.all()], source=question.source,
        last_verified=question.last_verified, key_points=list(question.key_points),
        references=list(question.references), second_reader=question.second_reader,
    )


def changed_fields(old: QuestionData, new: QuestionData) -> list[str]:
    """The fields (options[i].why for an option's) whose values differ between two versions."""
    changed = []
    for name in QuestionData.__dataclass_fields__:
        before, after = getattr(old, name), getattr(new, name)
        if name == "options" and len(before) == len(after):
            changed += [f"options[{i}].{attr}" for i, (a, b) in enumerate(zip(before, after))
                        for attr in OptionData.__dataclass_fields__ if getattr(a, attr) != getattr(b, attr)]
        elif before != after:
            changed.append(name)
    return changed


def database_edits(question: Question, data: QuestionData) -> list[str]:
    """The fields of `question` edited in the database since it was loaded that loading `data`
    would replace; empty when the row is as last loaded (its content hash still matches)."""
    stored = question_data(question)
    if question.content_hash and question.content_hash == stored.content_hash():
        return []
    return changed_fields(stored, data)


def file_backed() -> dict[str, Path]:
    """Question id -> the file in questions/content/ that every start (`make run`) loads over it.
    Files that do not parse are left out (the load itself reports them). Parsed again only
    when a file changes: the admin asks for every row it lists."""
    files = question_files()
    return dict(_ids_of(tuple((path, path.stat().st_mtime_ns) for path in files)))


@functools.lru_cache(maxsize=8)
def _ids_of(files: tuple) -> tuple:
    ids = []
    for path, _ in files:
        try:
            ids.append((parse_question_file(path.read_text(encoding="utf-8")).id, path))
        except (ContentError, OSError, UnicodeDecodeError):
            continue
    return tuple(ids)


def export_questions(out_dir) -> list[Path]:
    """Write every question as a file the loader reads back to the same content."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for question in Question.objects.with_choices():
        path = out / f"{question.external_id}.md"
        path.write_text(dump_question_file(question_data(question)), encoding="utf-8")
        written.append(path)
    return written
