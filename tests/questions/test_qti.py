"""The QTI 2.1 package, read back by a parser nobody here wrote (xmltodict, on expat; in the dev
lock through moto) and checked against the rules of IMS QTI 2.1 and IMS Content Packaging 1.1
that an importer relies on. The official XSDs cannot be fetched here (no schema package on PyPI
or npm ships them), so the checks below are the spec's rules written out, element by element.

IMS QTI 2.1: https://www.imsglobal.org/question/qtiv2p1/imsqti_infov2p1.html
"""
import io
import re
import zipfile

import xmltodict

from questions.content_format import OptionData, QuestionData
from questions.moodle_xml import general_feedback
from questions.qti import to_qti_package

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
# QTI 2.1's XHTML content elements (the info model's "Content Model", section 5: text, list,
# object, presentation, table, image and hypertext modules). Nothing else may stand in content.
XHTML = {"abbr", "acronym", "address", "blockquote", "br", "cite", "code", "dfn", "div", "em", "h1", "h2", "h3",
         "h4", "h5", "h6", "kbd", "p", "pre", "q", "samp", "span", "strong", "var", "dl", "dt", "dd", "ol", "ul",
         "li", "object", "param", "b", "big", "hr", "i", "small", "sub", "sup", "tt", "caption", "col",
         "colgroup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "img", "a"}
# bodyElement's attributes (id, class, xml:lang, label) and each element's own, per the spec.
COMMON = {"@id", "@class", "@xml:lang", "@label"}
OWN = {"a": {"@href", "@type"}, "td": {"@headers", "@scope", "@abbr", "@axis", "@rowspan", "@colspan"},
       "th": {"@headers", "@scope", "@abbr", "@axis", "@rowspan", "@colspan"}, "img": {"@src", "@alt", "@longdesc",
       "@height", "@width"}, "q": {"@cite"}, "blockquote": {"@cite"}, "ol": set(), "table": {"@summary"}}
# assessmentItem's children, in the order its schema requires.
ITEM_ORDER = ["responseDeclaration", "outcomeDeclaration", "templateDeclaration", "templateProcessing",
              "stylesheet", "itemBody", "responseProcessing", "modalFeedback"]


def read(package: bytes) -> tuple[dict, dict[str, dict]]:
    zf = zipfile.ZipFile(io.BytesIO(package))
    names = set(zf.namelist())
    manifest = xmltodict.parse(zf.read("imsmanifest.xml"), process_namespaces=True, namespaces={CP: None})["manifest"]
    docs = {name: xmltodict.parse(zf.read(name), process_namespaces=True, namespaces={QTI: None},
                                  force_list=("simpleChoice", "modalFeedback", "value", "outcomeDeclaration",
                                              "assessmentItemRef"))
            for name in names if name != "imsmanifest.xml"}
    return manifest, docs


def content_ok(node, where: str):
    """Every element in XHTML content is one QTI 2.1 has, with only the attributes it allows."""
    if isinstance(node, list):
        for n in node:
            content_ok(n, where)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key.startswith("@") or key == "#text":
            continue
        assert key in XHTML, f"{where}: <{key}> is not a QTI 2.1 content element"
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, dict):
                extra = {k for k in child if k.startswith("@")} - COMMON - OWN.get(key, set())
                assert not extra, f"{where}: <{key}> has {extra}, which QTI 2.1 does not allow"
                content_ok(child, where)


def text_of(node) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return " ".join(text_of(n) for n in node)
    if isinstance(node, dict):
        return " ".join(text_of(v) for k, v in node.items() if not k.startswith("@"))
    return ""


def check_item(doc: dict, data: QuestionData):
    item = doc["assessmentItem"]
    for required in ("@identifier", "@title", "@adaptive", "@timeDependent"):
        assert required in item
    assert item["@identifier"][0].isalpha()  # an xs:NCName
    children = [k for k in item if not k.startswith("@")]
    assert children == sorted(children, key=ITEM_ORDER.index)
    right = [o.label for o in data.options if o.correct]
    response = item["responseDeclaration"]
    assert response["@identifier"] == "RESPONSE" and response["@baseType"] == "identifier"
    assert response["@cardinality"] == ("single" if len(right) == 1 else "multiple")
    assert response["correctResponse"]["value"] == right
    outcomes = {o["@identifier"]: o for o in item["outcomeDeclaration"]}
    assert outcomes["SCORE"]["@baseType"] == "float" and outcomes["SCORE"]["defaultValue"]["value"] == ["0"]
    interaction = item["itemBody"]["choiceInteraction"]
    assert interaction["@responseIdentifier"] == "RESPONSE" and interaction["@maxChoices"] == str(len(right))
    choices = interaction["simpleChoice"]
    assert [c["@identifier"] for c in choices] == [o.label for o in data.options]
    # All or nothing: SCORE 1 only when the response matches the correct one (for a multiple
    # response, the same set), never a sum of per-option credit.
    condition = item["responseProcessing"]["responseCondition"]["responseIf"]
    assert set(condition["match"]) == {"variable", "correct"}
    assert condition["setOutcomeValue"]["@identifier"] == "SCORE"
    feedback = {f["@identifier"]: f for f in item["modalFeedback"]}
    assert all(f["@outcomeIdentifier"] == "FEEDBACK" and f["@showHide"] == "show" for f in feedback.values())
    assert set(feedback) == {o.label for o in data.options} | ({"GENERAL"} if general_feedback(data) else set())
    where = item["@identifier"]
    content_ok(item["itemBody"]["div"], where)
    for c in choices:
        content_ok({k: v for k, v in c.items() if k != "@identifier"}, where)
    for f in feedback.values():
        content_ok({k: v for k, v in f.items() if not k.startswith("@")}, where)
    return item, choices, feedback


def test_the_package_is_a_content_package_of_qti_21_items_and_a_test(content):
    manifest, docs = read(to_qti_package(content))
    assert manifest["metadata"]["schema"] == "QTIv2.1 Package"
    resources = manifest["resources"]["resource"]
    items = [r for r in resources if r["@type"] == "imsqti_item_xmlv2p1"]
    tests = [r for r in resources if r["@type"] == "imsqti_test_xmlv2p1"]
    assert len(items) == len(content) and len(tests) == 1
    for r in resources:  # every resource's files are in the package
        files = r["file"] if isinstance(r["file"], list) else [r["file"]]
        assert r["@href"] in docs and all(f["@href"] in docs for f in files)
    assert [d["@identifierref"] for d in tests[0]["dependency"]] == [r["@identifier"] for r in items]
    refs = docs[tests[0]["@href"]]["assessmentTest"]["testPart"]["assessmentSection"]["assessmentItemRef"]
    assert [r["@href"] for r in refs] == [r["@href"] for r in items]
    for data, resource in zip(content, items):
        item, choices, feedback = check_item(docs[resource["@href"]], data)
        assert item["@identifier"] == resource["@identifier"] and item["@title"] == data.title
        for choice, option in zip(choices, data.options):  # (xmltodict does not keep mixed content's order)
            assert set(re.findall(r"\w+", text_of(choice))) <= set(re.findall(r"\w+", option.text)) != set()
        right = next(o for o in data.options if o.correct)
        assert text_of(feedback[right.label]).startswith(f"{right.label} (right):")
        if data.key_points:
            assert "Key points" in text_of(feedback["GENERAL"])


def test_multiple_answer_questions_are_multiple_responses_scored_all_or_nothing():
    data = QuestionData(id="two", title="Two", stem="Choose **two**.", options=[
        OptionData(label, f"Option {label}", label in "AC", f"Why {label}") for label in "ABCD"])
    _, docs = read(to_qti_package([data]))
    item, _, _ = check_item(docs["items/q-two.xml"], data)
    assert item["itemBody"]["choiceInteraction"]["@maxChoices"] == "2"


def test_markup_qti_has_no_place_for_is_dropped_and_scripts_never_arrive():
    data = QuestionData(id="x", title="Markup", options=[
        OptionData("A", 'A [link](https://docs.aws.amazon.com/ "with a title")', True, "Because."),
        OptionData("B", "B <script>alert(1)</script> [bad](javascript:alert(1)) ~~<del>gone</del>~~", False,
                   "| a | b |\n|:--|--:|\n| 1 | 2 |")],
        stem='Stem <img src=x onerror="alert(1)"> and `code`\n\n```\nline 1\n  line 2\n```')
    package = zipfile.ZipFile(io.BytesIO(to_qti_package([data])))
    item_xml = package.read("items/q-x.xml")
    assert b"<script" not in item_xml.lower() and b"onerror" not in item_xml
    _, docs = read(to_qti_package([data]))
    item, choices, feedback = check_item(docs["items/q-x.xml"], data)
    assert choices[0]["p"]["a"] == {"@href": "https://docs.aws.amazon.com/", "#text": "link"}
    assert item["itemBody"]["div"]["pre"]["code"] == "line 1\n  line 2"  # a <pre>'s lines as written
    assert feedback["B"]["table"]["tbody"]["tr"]["td"] == ["1", "2"]
    assert b"javascript" not in item_xml and "bad" in text_of(choices[1])  # a link without a safe href: its text


def test_instructors_download_the_package_through_the_api(client, instructor, q1973):
    client.force_login(instructor)
    response = client.get("/api/v1/export/qti/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="questions-qti21.zip"' in response["Content-Disposition"]
    _, docs = read(response.content)
    assert docs["items/q-1973.xml"]["assessmentItem"]["responseDeclaration"]["correctResponse"]["value"] == ["D"]
