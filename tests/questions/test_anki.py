"""The Anki package, read back as Anki reads one: an .apkg is a zip holding `collection.anki2`, a
SQLite collection (opened here with sqlite3, not with genanki, which wrote it). Its `notes` table
holds each note's guid, note type (`mid`), space-separated tags and fields joined by 0x1f; `cards`
one card per note for this one-template note type; `col.models` the note types as JSON.
Schema: https://github.com/ankitects/anki/blob/main/rslib/src/storage/schema11.sql
"""
import io
import json
import sqlite3
import zipfile

from questions.anki import to_apkg
from questions.content_format import OptionData, QuestionData


def collection(package: bytes, tmp_path, name: str = "collection.anki2") -> sqlite3.Connection:
    zf = zipfile.ZipFile(io.BytesIO(package))
    assert set(zf.namelist()) == {"collection.anki2", "media"} and json.loads(zf.read("media")) == {}
    path = tmp_path / name
    path.write_bytes(zf.read("collection.anki2"))
    return sqlite3.connect(path)


def notes(db) -> list[dict]:
    models = json.loads(db.execute("select models from col").fetchone()[0])
    out = []
    for guid, mid, tags, flds in db.execute("select guid, mid, tags, flds from notes order by id"):
        names = [f["name"] for f in sorted(models[str(mid)]["flds"], key=lambda f: f["ord"])]
        out.append({"guid": guid, "mid": mid, "tags": tags.split(), **dict(zip(names, flds.split("\x1f")))})
    return out


def test_one_note_and_card_a_question_front_and_back_as_anki_reads_them(content, tmp_path):
    db = collection(to_apkg(content), tmp_path)
    read = notes(db)
    assert len(read) == len(content) == db.execute("select count(*) from cards").fetchone()[0]
    models = json.loads(db.execute("select models from col").fetchone()[0])
    model = models[str(read[0]["mid"])]
    template = model["tmpls"][0]
    assert "{{Question}}" in template["qfmt"] and "{{Options}}" in template["qfmt"]
    assert all(f"{{{{{name}}}}}" in template["afmt"] for name in ("Answer", "Reasons", "Explanation", "Source"))
    for note, data in zip(read, content):
        right = ", ".join(o.label for o in data.options if o.correct)
        assert note["Id"] == data.id and note["Answer"] == f"Answer: {right}"
        assert data.stem.split()[0] in note["Question"] and note["Options"].count("<li>") == len(data.options)
        assert note["Reasons"].count("<li>") == len(data.options)
        assert all(t in note["tags"] for t in data.tags)
        if data.domain:
            assert f"domain::{data.domain.replace(' ', '-')}" in note["tags"]
        if data.references:
            assert data.references[0]["url"] in note["Source"]
    decks = json.loads(db.execute("select decks from col").fetchone()[0])
    assert "Study app question bank" in {d["name"] for d in decks.values()}


def test_a_newer_export_keeps_each_notes_guid_note_type_and_deck_so_anki_updates(content, tmp_path):
    first = notes(collection(to_apkg(content), tmp_path, "first.anki2"))
    changed = [QuestionData(**{**vars(d), "title": d.title + " (edited)"}) for d in reversed(content)]
    second = notes(collection(to_apkg(changed), tmp_path, "second.anki2"))
    assert {n["Id"]: (n["guid"], n["mid"]) for n in first} == {n["Id"]: (n["guid"], n["mid"]) for n in second}
    assert len({n["guid"] for n in first}) == len(first)


def test_fields_are_sanitized_html(tmp_path):
    data = QuestionData(id="x", title="Unsafe", stem='Stem <script>alert(1)</script> <img src=x onerror="alert(1)">',
                        options=[OptionData("A", "[A](javascript:alert(1))", True, "<b onclick=alert(1)>Why</b>"),
                                 OptionData("B", "B", False, "Why not")])
    (note,) = notes(collection(to_apkg([data]), tmp_path))
    fields = "".join(v for k, v in note.items() if k not in ("guid", "mid", "tags"))
    assert "<script" not in fields and "onerror" not in fields and "onclick" not in fields
    assert "javascript:" not in fields and "<b>Why</b>" in note["Reasons"]


def test_instructors_download_the_deck_through_the_api(client, instructor, learner, q1973, tmp_path):
    client.force_login(learner)
    assert client.get("/api/v1/export/anki/").status_code == 403
    client.force_login(instructor)
    response = client.get("/api/v1/export/anki/")
    assert response.status_code == 200 and 'filename="questions.apkg"' in response["Content-Disposition"]
    (note,) = notes(collection(response.content, tmp_path))
    assert note["Id"] == "1973" and note["Answer"] == "Answer: D"
