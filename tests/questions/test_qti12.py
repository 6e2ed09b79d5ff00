"""The Canvas QTI 1.2 package, checked with what others wrote (all dev requirements):

- qti2latex (PyPI, 0BSD), a reader of Canvas QTI 1.2 quizzes (Canvas's exports and text2qti's),
  reads every question back: Canvas's question type, points, stem and options. Its LaTeX step
  needs pandoc, so its reading functions are called, not its command line. Its answer-key reading
  takes every <varequal> of every condition as a right answer, so on any package with per-answer
  feedback (Canvas's own, text2qti's, this one) it names every option; the keys are checked
  against text2qti's scoring structure instead, below.
- text2qti (PyPI, BSD), the QTI 1.2 writer for Canvas this export follows, writes the same
  questions; the two packages must have the same files, elements, attributes, Canvas metadata
  and scoring conditions, identifiers and HTML texts aside.
- lxml parses everything (not the ElementTree that wrote it).

No other reader of QTI 1.2 is on PyPI (hektor pins lxml 4.1, qti-package-maker writes Canvas QTI
but reads only other formats), and no Canvas runs here: whether Canvas imports it is inferred
from text2qti's structure, which Canvas users import every day, not observed.
"""
import io
import re
import zipfile
import xml.etree.ElementTree as ET

import qti2latex
from lxml import etree
from text2qti.config import Config
from text2qti.qti import QTI as Text2Qti
from text2qti.quiz import Quiz

from questions.content_format import OptionData, QuestionData
from questions.moodle_xml import general_feedback
from questions.qti12 import ASSESSMENT, MULTIPLE, SINGLE, to_qti12_package
from questions.rendering import render_markdown

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


def files(package: bytes) -> dict[str, bytes]:
    zf = zipfile.ZipFile(io.BytesIO(package))
    return {name: zf.read(name) for name in zf.namelist()}


def items(package: bytes, ident: str) -> list:
    return etree.fromstring(files(package)[f"{ident}/{ident}.xml"]).findall(f"{QTI}assessment/{QTI}section/{QTI}item")


def words(html: str) -> set[str]:
    return set(re.findall(r"\w+", re.sub(r"<[^>]+>", " ", html)))


def test_qti2latex_reads_every_question_with_its_canvas_type_points_stem_and_options(content, tmp_path):
    zipfile.ZipFile(io.BytesIO(to_qti12_package(content))).extractall(tmp_path)
    read = []
    for path in qti2latex.read_qti_dir(tmp_path):  # the reader's own walk of the package
        assessment = qti2latex.child_anyns(ET.parse(path).getroot(), "assessment")
        if assessment is not None:
            read += [n for n in qti2latex.child_anyns(assessment, "section") if qti2latex.extract_tag(n) == "item"]
    assert len(read) == len(content) > 1
    for item, data in zip(read, content):
        meta = qti2latex.get_qti_metadata(item)
        right = [o.label for o in data.options if o.correct]
        assert qti2latex.guess_type(meta, item) == (SINGLE if len(right) == 1 else MULTIPLE)
        assert int(meta["points_possible"]) == 1
        assert words(qti2latex.get_item_stem(item)) == words(str(render_markdown(data.stem)))
        choices = qti2latex.get_choices(item)
        assert [ident.rsplit("-", 1)[1] for ident, _ in choices] == [o.label for o in data.options]
        for (_, html), option in zip(choices, data.options):
            assert words(html) == words(str(render_markdown(option.text))) | {option.label}
    assert {len([o for o in d.options if o.correct]) > 1 for d in content} == {True, False}


def test_scoring_is_all_or_nothing_and_each_answer_keeps_its_reason(content):
    for item, data in zip(items(to_qti12_package(content), ASSESSMENT), content):
        answer = {r.get("ident"): r for r in item.iter(f"{QTI}response_label")}
        ident = {o.label: next(a for a in answer if a.endswith(f"-{o.label}")) for o in data.options}
        conditions = item.findall(f"{QTI}resprocessing/{QTI}respcondition")
        *showing, scoring = conditions
        assert all(c.get("continue") == "Yes" and c.find(f"{QTI}setvar") is None for c in showing)
        assert scoring.get("continue") == "No" and scoring.findtext(f"{QTI}setvar") == "100"
        (test,) = scoring.find(f"{QTI}conditionvar")
        right = [ident[o.label] for o in data.options if o.correct]
        wrong = [ident[o.label] for o in data.options if not o.correct]
        if len(right) == 1:  # the right option, nothing else
            assert test.tag == f"{QTI}varequal" and test.text == right[0]
        else:  # every right option and none of the wrong ones
            assert test.tag == f"{QTI}and"
            assert [v.text for v in test.findall(f"{QTI}varequal")] == right
            assert [v.text for v in test.findall(f"{QTI}not/{QTI}varequal")] == wrong
        feedback = {f.get("ident"): f.findtext(f"{QTI}flow_mat/{QTI}material/{QTI}mattext")
                    for f in item.findall(f"{QTI}itemfeedback")}
        for o in data.options:  # the reason shows when that option is picked
            assert feedback[f"{ident[o.label]}_fb"] == str(render_markdown(o.why))
            assert any(c.findtext(f"{QTI}conditionvar/{QTI}varequal") == ident[o.label]
                       and c.find(f"{QTI}displayfeedback").get("linkrefid") == f"{ident[o.label]}_fb" for c in showing)
        assert feedback["general_fb"] == str(render_markdown(general_feedback(data)))
        assert data.key_points[0].split()[0] in feedback["general_fb"]


# The same two questions, as text2qti's plain-text format and as the app's questions.
TEXT2QTI = """Quiz title: Study app question bank
Quiz description: Reference.

Title: One
1.  Pick one.
... General one.
a)  Option A
... Why A
*b) Option B
... Why B
c)  Option C
... Why C

Title: Two
2.  Choose two.
... General two.
[*] Option A
... Why A
[ ] Option B
... Why B
[*] Option C
... Why C
[ ] Option D
... Why D
"""
SAME = [QuestionData(id="one", title="One", stem="Pick one.", explanation="General one.",
                     options=[OptionData(l, f"Option {l}", l == "B", f"Why {l}") for l in "ABC"]),
        QuestionData(id="two", title="Two", stem="Choose two.", explanation="General two.",
                     options=[OptionData(l, f"Option {l}", l in "AC", f"Why {l}") for l in "ABCD"])]


def shape(element, names: dict[str, str]):
    """An element tree with identifiers replaced by what they stand for and HTML texts by a mark."""
    def norm(value):
        value = (value or "").strip()
        for ident, role in sorted(names.items(), key=lambda kv: -len(kv[0])):
            value = value.replace(ident, role)
        return value
    text = "HTML" if element.tag == f"{QTI}mattext" else norm(element.text)
    attributes = {k: "TITLE" if k == "title" else norm(v) for k, v in element.attrib.items()}
    return element.tag, attributes, text, [shape(child, names) for child in element]


def roles(item) -> dict[str, str]:
    names = {item.get("ident"): "ITEM"}
    for i, label in enumerate(item.iter(f"{QTI}response_label")):
        names[label.get("ident")] = f"ANSWER{i}"
    fields = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry") for f in item.iter(f"{QTI}qtimetadatafield")}
    names[fields["assessment_question_identifierref"]] = "REF"
    return names


def test_the_package_is_laid_out_as_text2qti_writes_the_same_questions_for_canvas():
    reference = Text2Qti(Quiz(TEXT2QTI, config=Config(), source_name="same.txt"))
    theirs, ours = files(reference.zip_bytes()), files(to_qti12_package(SAME))
    their_id = reference.assessment_identifier
    assert {n.replace(their_id, "A") for n in theirs} == {n.replace(ASSESSMENT, "A") for n in ours}

    # The manifest: the same resources, types, files and dependency (text2qti adds LOM metadata, a
    # title and today's date, which Canvas does not need, and the LOM schemas' locations).
    def manifest(xml, names):
        root = etree.fromstring(xml)
        for lom in root.iter("{http://www.imsglobal.org/xsd/imsmd_v1p2}lom"):
            lom.getparent().remove(lom)
        location = root.attrib.pop("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
        assert location.startswith("http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1 http://www.imsglobal.org/xsd/imscp_v1p1.xsd")
        return shape(root, names)
    assert manifest(theirs["imsmanifest.xml"], {reference.manifest_identifier: "M", reference.dependency_identifier: "D",
                                                their_id: "A"}) \
        == manifest(ours["imsmanifest.xml"], {f"{ASSESSMENT}_manifest": "M", f"{ASSESSMENT}_meta": "D", ASSESSMENT: "A"})

    # Canvas's quiz settings: the same elements in the same order.
    def settings(xml):
        return [(el.tag, [c.tag for c in el]) for el in etree.fromstring(xml).iter()]
    assert settings(theirs[f"{their_id}/assessment_meta.xml"]) == settings(ours[f"{ASSESSMENT}/assessment_meta.xml"])

    # The questions: element for element, attribute for attribute, Canvas metadata and scoring alike.
    their_items, our_items = items(reference.zip_bytes(), their_id), items(to_qti12_package(SAME), ASSESSMENT)
    assert len(their_items) == len(our_items) == 2
    for theirs_item, ours_item, data in zip(their_items, our_items, SAME):
        assert shape(theirs_item, roles(theirs_item)) == shape(ours_item, roles(ours_item))
        # The same texts; ours lead each option with its letter (the explanations name options by letter).
        their_texts = [m.text for m in theirs_item.iter(f"{QTI}mattext")]
        our_texts = [re.sub(r"^<p><strong>[A-J]\.</strong> ", "<p>", m.text) for m in ours_item.iter(f"{QTI}mattext")]
        assert [words(t) for t in our_texts] == [words(t) for t in their_texts]


def test_instructors_download_the_canvas_package_through_the_api(client, instructor, q1973):
    client.force_login(instructor)
    response = client.get("/api/v1/export/qti12/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="questions-qti12-canvas.zip"' in response["Content-Disposition"]
    (item,) = items(response.content, ASSESSMENT)
    scoring = item.findall(f"{QTI}resprocessing/{QTI}respcondition")[-1]
    assert scoring.findtext(f"{QTI}conditionvar/{QTI}varequal") == "q-1973-D"
