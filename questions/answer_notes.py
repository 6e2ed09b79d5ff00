"""Notes shown only after an answer: the verdict first, and "Beyond the exam".

`questions/content/<id>.notes.yaml` holds two Markdown fields, `verdict` and `beyond`, beside the
question file (like its diagrams). They name the right answer, so only the feedback page of an
attempt shows them; a question without the file simply has no such sections.
"""
from pathlib import Path

from questions.content_files import read_yaml
from questions.loader import CONTENT_DIR

FIELDS = ("verdict", "beyond")


class NotesError(ValueError):
    """A notes file an author must fix; the message names the file and the field."""


def _load(path: str, mtime: float) -> dict[str, str]:
    try:
        raw = read_yaml(path, mtime)
    except ValueError as exc:
        raise NotesError(str(exc)) from None
    if not isinstance(raw, dict):
        raise NotesError(f"{path}: expected fields {', '.join(FIELDS)}")
    unknown = set(raw) - set(FIELDS)
    if unknown:
        raise NotesError(f"{path}: unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(FIELDS)}")
    for name, text in raw.items():
        if not isinstance(text, str) or not text.strip():
            raise NotesError(f"{path}: {name} must be non-empty Markdown text")
    return {name: raw.get(name, "") for name in FIELDS}


def notes_for(external_id: str, content_dir: Path = CONTENT_DIR) -> dict[str, str]:
    """{"verdict": ..., "beyond": ...} (Markdown, empty strings if absent). Re-read when the file changes."""
    path = Path(content_dir) / f"{external_id}.notes.yaml"
    if not path.exists():
        return {name: "" for name in FIELDS}
    return _load(str(path), path.stat().st_mtime)
