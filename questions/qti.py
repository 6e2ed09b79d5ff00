"""IMS QTI 2.1: the bank as a content package (a zip) that LMS question-bank importers read.

What is written (IMS QTI 2.1 Final, https://www.imsglobal.org/question/qtiv2p1/imsqti_infov2p1.html;
packaging: the IMS Content Packaging 1.1 manifest the QTI 2.1 spec's "Integration" part describes):

    imsmanifest.xml              one resource per item (type imsqti_item_xmlv2p1) and one for the test
    items/q-ID.xml               one assessmentItem a question
    assessment.xml               an assessmentTest holding every item, in the bank's order

Each item is a choiceInteraction: `cardinality="single"` for one right option, `"multiple"` with
`maxChoices` the number of right ones otherwise. Scoring is this app's all or nothing: SCORE is 1
when the response *matches* the correct response (for a multiple response, the same set of options)
and 0 otherwise, which is what the spec's match_correct template does; the response processing is
written out rather than referred to by the template's URL so that it can also set FEEDBACK, which
shows each picked option's reason and the general feedback (the explanation, key points,
references and the rest, as in the Moodle XML export: questions.moodle_xml.general_feedback).

Texts are the app's sanitized HTML (questions.rendering), rebuilt as elements of the QTI
namespace keeping only the XHTML elements and attributes QTI 2.1's content model allows (its
`a` has no `title` or `rel`, its table cells no `align`, and it has no `del`). Written only.
"""
import io
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser

from questions.moodle_xml import general_feedback, xml_safe
from questions.rendering import render_markdown

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ITEM_TYPE, TEST_TYPE = "imsqti_item_xmlv2p1", "imsqti_test_xmlv2p1"
GENERAL = "GENERAL"  # the FEEDBACK identifier of the general feedback, shown after any response
# The XHTML elements the app's renderer keeps that QTI 2.1 also has, and the attributes kept on them.
QTI_ATTRIBUTES = {"a": {"href"}, "abbr": set(), "b": set(), "blockquote": set(), "br": set(), "code": set(),
                  "dd": set(), "dl": set(), "dt": set(), "em": set(), "h2": set(), "h3": set(), "h4": set(),
                  "hr": set(), "i": set(), "kbd": set(), "li": set(), "ol": set(), "p": set(), "pre": set(),
                  "strong": set(), "sub": set(), "sup": set(), "table": set(), "tbody": set(), "td": set(),
                  "th": set(), "thead": set(), "tr": set(), "ul": set(), "span": {"class"}}
_VOID = {"br", "hr"}


def q(tag: str) -> str:
    """A QTI element's tag: unqualified, the root's `xmlns` putting it in the QTI namespace (ElementTree
    cannot write a default namespace with unqualified attributes, and a global prefix map is shared state)."""
    return tag


class _QtiHtml(HTMLParser):
    """Sanitized HTML appended to an element as QTI-namespace XHTML (what a reader can validate)."""

    def __init__(self, parent: ET.Element):
        super().__init__(convert_charrefs=True)
        self.stack = [parent]
        self.names = [""]  # the HTML tag each open element came from (a <del> is a QTI <span>)
        self.last: ET.Element | None = None  # the element whose tail takes the text that follows

    def handle_starttag(self, tag, attrs):
        html_tag = tag
        if tag == "del":  # struck-out text has no QTI element: kept, marked by its class
            tag, attrs = "span", [("class", "del")]
        elif tag == "a" and not dict(attrs).get("href"):  # QTI's <a> requires href (the sanitizer drops unsafe ones)
            tag, attrs = "span", []
        if tag not in QTI_ATTRIBUTES:
            return
        el = ET.SubElement(self.stack[-1], q(tag), {k: xml_safe(v or "") for k, v in attrs if k in QTI_ATTRIBUTES[tag]})
        self.last = None
        if tag in _VOID:
            self.last = el
        else:
            self.stack.append(el)
            self.names.append(html_tag)

    def handle_endtag(self, tag):
        if len(self.stack) > 1 and self.names[-1] == tag:
            self.names.pop()
            self.last = self.stack.pop()

    def handle_data(self, data):
        data = xml_safe(data)
        if self.last is not None:
            self.last.tail = (self.last.tail or "") + data
        elif len(self.stack[-1]):
            child = self.stack[-1][-1]
            child.tail = (child.tail or "") + data
        else:
            self.stack[-1].text = (self.stack[-1].text or "") + data


def _content(parent: ET.Element, markdown: str) -> ET.Element:
    reader = _QtiHtml(parent)
    reader.feed(str(render_markdown(markdown)))
    reader.close()
    return parent


def item_identifier(question_id: str) -> str:
    """An xs:NCName (QTI identifiers may not start with a digit, as "1973" does)."""
    return f"q-{question_id}"


def _value(parent, base_type: str, value: str, tag: str = "baseValue"):
    ET.SubElement(parent, q(tag), {"baseType": base_type} if tag == "baseValue" else {}).text = value


def assessment_item(data) -> ET.Element:
    right = [o.label for o in data.options if o.correct]
    cardinality = "single" if len(right) == 1 else "multiple"
    item = ET.Element(q("assessmentItem"), {
        f"{{{XSI_NS}}}schemaLocation": f"{QTI_NS} {QTI_XSD}", "identifier": item_identifier(data.id),
        "title": xml_safe(data.title), "adaptive": "false", "timeDependent": "false"})
    response = ET.SubElement(item, q("responseDeclaration"),
                             {"identifier": "RESPONSE", "cardinality": cardinality, "baseType": "identifier"})
    correct = ET.SubElement(response, q("correctResponse"))
    for label in right:
        _value(correct, "", label, "value")
    score = ET.SubElement(item, q("outcomeDeclaration"), {"identifier": "SCORE", "cardinality": "single", "baseType": "float"})
    _value(ET.SubElement(score, q("defaultValue")), "", "0", "value")
    maxscore = ET.SubElement(item, q("outcomeDeclaration"), {"identifier": "MAXSCORE", "cardinality": "single", "baseType": "float"})
    _value(ET.SubElement(maxscore, q("defaultValue")), "", "1", "value")
    ET.SubElement(item, q("outcomeDeclaration"), {"identifier": "FEEDBACK", "cardinality": "multiple", "baseType": "identifier"})

    body = ET.SubElement(item, q("itemBody"))
    _content(ET.SubElement(body, q("div"), {"class": "stem"}), data.stem)
    interaction = ET.SubElement(body, q("choiceInteraction"), {
        "responseIdentifier": "RESPONSE", "shuffle": "false",  # explanations refer to options by letter
        "maxChoices": str(len(right)), **({"minChoices": "0"} if cardinality == "multiple" else {})})
    for o in data.options:
        _content(ET.SubElement(interaction, q("simpleChoice"), {"identifier": o.label}), o.text)

    processing = ET.SubElement(item, q("responseProcessing"))
    condition = ET.SubElement(ET.SubElement(processing, q("responseCondition")), q("responseIf"))
    match = ET.SubElement(condition, q("match"))
    ET.SubElement(match, q("variable"), {"identifier": "RESPONSE"})
    ET.SubElement(match, q("correct"), {"identifier": "RESPONSE"})
    _value(ET.SubElement(condition, q("setOutcomeValue"), {"identifier": "SCORE"}), "float", "1")
    # FEEDBACK: the picked options (a response of none adds nothing) and the general feedback.
    feedback = ET.SubElement(ET.SubElement(processing, q("setOutcomeValue"), {"identifier": "FEEDBACK"}), q("multiple"))
    ET.SubElement(feedback, q("variable"), {"identifier": "RESPONSE"})
    _value(feedback, "identifier", GENERAL)

    for o in data.options:
        shown = ET.SubElement(item, q("modalFeedback"), {"outcomeIdentifier": "FEEDBACK", "identifier": o.label,
                                                          "showHide": "show", "title": f"Option {o.label}"})
        _content(shown, f"**{o.label}{' (right)' if o.correct else ''}:**\n\n{o.why}")
    general = general_feedback(data)
    if general:
        _content(ET.SubElement(item, q("modalFeedback"), {"outcomeIdentifier": "FEEDBACK", "identifier": GENERAL,
                                                           "showHide": "show", "title": "Explanation"}), general)
    return item


def assessment_test(questions) -> ET.Element:
    test = ET.Element(q("assessmentTest"), {f"{{{XSI_NS}}}schemaLocation": f"{QTI_NS} {QTI_XSD}",
                                            "identifier": "study-app-bank", "title": "Study app question bank"})
    part = ET.SubElement(test, q("testPart"), {"identifier": "part-1", "navigationMode": "nonlinear",
                                              "submissionMode": "simultaneous"})
    section = ET.SubElement(part, q("assessmentSection"), {"identifier": "section-1", "title": "Questions",
                                                           "visible": "true"})
    for data in questions:
        ET.SubElement(section, q("assessmentItemRef"), {"identifier": item_identifier(data.id),
                                                        "href": f"items/{item_identifier(data.id)}.xml"})
    return test


def manifest(questions) -> ET.Element:
    def cp(tag):
        return tag
    root = ET.Element(cp("manifest"), {"identifier": "study-app-qti-package",
                                      f"{{{XSI_NS}}}schemaLocation": f"{CP_NS} {CP_XSD}"})
    metadata = ET.SubElement(root, cp("metadata"))
    ET.SubElement(metadata, cp("schema")).text = "QTIv2.1 Package"
    ET.SubElement(metadata, cp("schemaversion")).text = "1.0.0"
    ET.SubElement(root, cp("organizations"))
    resources = ET.SubElement(root, cp("resources"))
    test = ET.SubElement(resources, cp("resource"), {"identifier": "study-app-bank", "type": TEST_TYPE,
                                                     "href": "assessment.xml"})
    ET.SubElement(test, cp("file"), {"href": "assessment.xml"})
    for data in questions:
        ET.SubElement(test, cp("dependency"), {"identifierref": item_identifier(data.id)})
    for data in questions:
        href = f"items/{item_identifier(data.id)}.xml"
        resource = ET.SubElement(resources, cp("resource"), {"identifier": item_identifier(data.id),
                                                             "type": ITEM_TYPE, "href": href})
        ET.SubElement(resource, cp("file"), {"href": href})
    return root


def _xml(root: ET.Element, namespace: str, indent: bool = True) -> bytes:
    root.set("xmlns", namespace)
    if indent:  # never an item's: indenting mixed content would change its text (a <pre>'s lines)
        ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def to_qti_package(questions) -> bytes:
    """Questions (QuestionData) as a QTI 2.1 content package (zip bytes)."""
    questions = list(questions)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", _xml(manifest(questions), CP_NS))
        zf.writestr("assessment.xml", _xml(assessment_test(questions), QTI_NS))
        for data in questions:
            zf.writestr(f"items/{item_identifier(data.id)}.xml", _xml(assessment_item(data), QTI_NS, indent=False))
    return buffer.getvalue()
