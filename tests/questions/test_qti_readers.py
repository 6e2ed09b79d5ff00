"""The QTI 2.1 package as downloaded from the API, read by two QTI 2.1 readers nobody here wrote
(both dev requirements, on lxml):

- `onyx2moodle` (PyPI, MIT): an importer of ONYX QTI 2.1 items into Moodle. Its command line
  wants OPAL's export layout (an outer zip of one zip per item), which is OPAL's own convention,
  not IMS Content Packaging: a QTI 2.1 content package is one zip whose imsmanifest.xml lists
  each item as a resource (QTI 2.1 Integration Guide, "Packaging",
  https://www.imsglobal.org/question/qtiv2p1/imsqti_intgv2p1.html), which is what the export
  writes and what QTI 2.1 importers (TAO, Blackboard) take. So our package stays as it is, and the test
  calls the importer's own item parser, classifier and multichoice translator
  (onyx2moodle.parser.parse_item and friends) on each item the manifest names, without
  re-wrapping anything.
- `citolab-qti-convert` (PyPI, GPL-3.0, run here as a separate program, not linked into the app):
  Citolab's QTI 2.x -> 3.0 converter, run as its command line on the whole package zip.
"""
import io
import subprocess
import sys
import zipfile

from lxml import etree
from moodle_xml_parser import parser as moodle_parser
from onyx2moodle.classifier import classify
from onyx2moodle.parser import parse_item
from onyx2moodle.translate import multichoice

from questions.loader import question_data
from questions.models import Question

CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
QTI3 = {"q": "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"}
CP3 = "{http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1}"


def downloaded(client, instructor) -> bytes:
    client.force_login(instructor)
    response = client.get("/api/v1/export/qti/")
    assert response.status_code == 200
    return response.content


def expected():
    """What each item must say, from the bank the export was made of: id -> (right labels, labels)."""
    return {f"q-{d.id}": ([o.label for o in d.options if o.correct], [o.label for o in d.options], d.title)
            for d in (question_data(q) for q in Question.objects.with_choices())}


def item_files(package: bytes) -> list[str]:
    manifest = etree.fromstring(zipfile.ZipFile(io.BytesIO(package)).read("imsmanifest.xml"))
    return [r.get("href") for r in manifest.iter(f"{CP}resource") if r.get("type") == "imsqti_item_xmlv2p1"]


def test_onyx2moodle_reads_every_item_as_the_multiple_choice_question_it_is(client, instructor, bank, tmp_path):
    package = downloaded(client, instructor)
    zipfile.ZipFile(io.BytesIO(package)).extractall(tmp_path)
    want = expected()
    files = item_files(package)
    assert len(files) == len(want) == Question.objects.count() > 1
    fragments, seen = [], {}
    for href in files:
        item = parse_item(tmp_path / href)
        right, labels, title = want[item.identifier]
        assert item.title == title
        assert classify(item).target == "multichoice" and classify(item).convertible
        (interaction,) = item.interactions
        assert interaction.kind == "choice" and [c.identifier for c in interaction.choices] == labels
        assert interaction.max_choices == len(right) and not interaction.shuffle  # reasons name options by letter
        declaration = item.response_decls[interaction.response_identifier]
        assert declaration.cardinality == ("single" if len(right) == 1 else "multiple")
        assert declaration.correct_values == right and declaration.mapping == {}  # no per-option credit
        assert {f.identifier for f in item.feedback} >= set(labels)  # every option's reason
        fragments.append(multichoice.translate(item))
        seen[item.title] = right
    assert len(seen) == len(want)
    assert any(len(r) > 1 for r in seen.values()) and any(len(r) == 1 for r in seen.values())
    # What the importer hands Moodle, read by a third parser: single or multiple, the right options' fractions.
    moodle = moodle_parser.parse_bytes(f"<quiz>{''.join(fragments)}</quiz>".encode())
    assert len(moodle["multichoice"]) == len(want)
    for question in moodle["multichoice"]:
        right = seen[question.name]
        assert question.single is (len(right) == 1)
        assert [chr(ord("A") + i) for i, o in enumerate(question.options) if o.score_fraction > 0] == right


def test_citolab_qti_convert_upgrades_the_package_to_qti_3_with_the_same_keys(client, instructor, bank, tmp_path):
    source, target = tmp_path / "questions-qti21.zip", tmp_path / "qti3.zip"
    source.write_bytes(downloaded(client, instructor))
    run = subprocess.run([sys.executable, "-m", "qti_convert.cli", "upgrade", str(source), str(target)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    converted = zipfile.ZipFile(target)
    manifest = etree.fromstring(converted.read("imsmanifest.xml"))
    types = [r.get("type") for r in manifest.iter(f"{CP3}resource")]
    want = expected()
    assert types.count("imsqti_item_xmlv3p0") == len(want) and types.count("imsqti_test_xmlv3p0") == 1
    for resource in manifest.iter(f"{CP3}resource"):
        if resource.get("type") != "imsqti_item_xmlv3p0":
            continue
        item = etree.fromstring(converted.read(resource.get("href")))
        right, labels, title = want[item.get("identifier")]
        assert item.get("title") == title
        (declaration,) = item.xpath("q:qti-response-declaration", namespaces=QTI3)
        assert declaration.get("cardinality") == ("single" if len(right) == 1 else "multiple")
        assert declaration.xpath("q:qti-correct-response/q:qti-value/text()", namespaces=QTI3) == right
        (interaction,) = item.xpath("q:qti-item-body/q:qti-choice-interaction", namespaces=QTI3)
        assert interaction.get("max-choices") == str(len(right))
        assert interaction.xpath("q:qti-simple-choice/@identifier", namespaces=QTI3) == labels
        # All or nothing survives: SCORE set only when the response matches the correct response.
        assert item.xpath("q:qti-response-processing/q:qti-response-condition/q:qti-response-if/q:qti-match"
                          "/q:qti-correct/@identifier", namespaces=QTI3) == ["RESPONSE"]
        feedback = item.xpath("q:qti-modal-feedback/@identifier", namespaces=QTI3)
        assert set(labels) <= set(feedback)
