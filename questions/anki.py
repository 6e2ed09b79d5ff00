"""Anki: the bank as an `.apkg` deck, written with genanki (https://github.com/kerrickstaley/genanki).

One note a question, of a note type of its own ("Study app question"): the front is the stem
and the lettered options; the back the right answer, each option's reason, the explanation,
key points, and the source with the references. Tags are the question's tags and its domain
(as `domain::slug`, Anki's hierarchical tag). Every field is the app's sanitized HTML
(questions.rendering), so nothing a question file holds runs in Anki.

Stable ids, so importing a newer export updates the notes instead of adding copies: the note's
guid comes from the question's id (Anki matches notes by guid on import), and the note type's
and deck's ids are fixed here (Anki matches them by id). Changing MODEL_ID or DECK_ID makes every
learner's next import a second deck.
"""
import html
import io
import itertools
import re
import sqlite3
import time
import zipfile

import genanki

from questions.rendering import render_markdown

MODEL_ID = 1_730_419_733  # fixed once (see above); genanki's ids are any 31-bit-safe integers
DECK_ID = 1_730_419_797
DECK_NAME = "Study app question bank"
FIELDS = ["Question", "Options", "Answer", "Reasons", "Explanation", "Source", "Id"]
CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; }
.options li, .reasons li { margin-bottom: .5em; }
.answer { font-weight: bold; }"""
MODEL = genanki.Model(
    MODEL_ID, "Study app question", fields=[{"name": name} for name in FIELDS],
    templates=[{"name": "Question and answer",
                "qfmt": "{{Question}}\n{{Options}}",
                "afmt": "{{FrontSide}}\n<hr id=answer>\n<p class=answer>{{Answer}}</p>\n{{Reasons}}\n"
                        "{{Explanation}}\n{{Source}}"}],
    css=CSS, sort_field_index=FIELDS.index("Question"))


def _tag(text: str) -> str:
    """An Anki tag: no spaces (Anki splits tags on them)."""
    return re.sub(r"[^A-Za-z0-9_:-]+", "-", text.strip()).strip("-")


def _list(items, css_class: str) -> str:
    return f'<ol class="{css_class}" type="A">' + "".join(f"<li>{item}</li>" for item in items) + "</ol>"


def note(data) -> genanki.Note:
    right = [o for o in data.options if o.correct]
    answer = ", ".join(o.label for o in right)
    reasons = _list((f"<b>{o.label}{' (right)' if o.correct else ''}</b> {render_markdown(o.why)}" for o in data.options),
                    "reasons")
    extra = []
    if data.key_points:
        extra.append("<h4>Key points</h4><ul>" + "".join(f"<li>{render_markdown(p)}</li>" for p in data.key_points) + "</ul>")
    if data.more_precisely:
        extra.append("<h4>More precisely</h4>" + render_markdown(data.more_precisely))
    source = []
    if data.source:
        source.append("<p>Source: " + html.escape(data.source) + "</p>")
    if data.references:
        links = (render_markdown("[{title}]({url})".format(**r)) for r in data.references)
        source.append("<ul>" + "".join(f"<li>{link}</li>" for link in links) + "</ul>")
    fields = [render_markdown(data.stem), _list((render_markdown(o.text) for o in data.options), "options"),
              f"Answer: {answer}", reasons, render_markdown(data.explanation) + "".join(extra), "".join(source),
              html.escape(data.id)]
    tags = [_tag(t) for t in data.tags] + ([f"domain::{_tag(data.domain)}"] if data.domain else [])
    return genanki.Note(model=MODEL, fields=[str(f) for f in fields], tags=[t for t in tags if t],
                        guid=genanki.guid_for("study-app", data.id))


def to_apkg(questions) -> bytes:
    """Questions (QuestionData) as an Anki package (zip bytes)."""
    deck = genanki.Deck(DECK_ID, DECK_NAME)
    for data in questions:
        deck.add_note(note(data))
    package = genanki.Package(deck)
    # genanki's write_to_file builds the collection in a temporary file (and leaves it behind);
    # this is its body with the collection in memory: a file only to be zipped and deleted
    # made an export wait for the disk (GET /api/v1/export/anki/ of the bank: 360 ms, now 30 ms
    # on this machine). serialize() gives the bytes the file would hold.
    conn = sqlite3.connect(":memory:")
    try:
        timestamp = time.time()
        package.write_to_db(conn.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        conn.commit()
        collection = conn.serialize()
    finally:
        conn.close()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("collection.anki2", collection)
        zf.writestr("media", "{}")
    return buffer.getvalue()
