"""IMS QTI 1.2 for Canvas: the bank as the zip that Canvas's quiz importer (Classic Quizzes) reads.

Canvas imports "QTI .zip file" packages through Settings > Import Course Content
(https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-quizzes-from-QTI-packages/ta-p/1046):
an IMS content package whose assessment is QTI 1.2 (IMS QTI ASI 1.2,
https://www.imsglobal.org/question/qtiv1p2/imsqti_asi_infov1p2.html) with Canvas's own metadata.
The layout and the metadata Canvas reads are those of text2qti (PyPI, BSD; widely used to make
Canvas quizzes; its xml_*.py), which the tests compare this export with:

    imsmanifest.xml                          resource imsqti_xmlv1p2 -> the assessment, depending on
                                             the quiz settings (an associatedcontent resource)
    non_cc_assessments/                      (an empty folder Canvas's exports have too)
    ASSESSMENT/ASSESSMENT.xml                <questestinterop><assessment><section> one <item> a question
    ASSESSMENT/assessment_meta.xml           Canvas's quiz settings (namespace cccv1p0)

Each item carries Canvas's `question_type` (multiple_choice_question for one right option,
multiple_answers_question otherwise) and `points_possible` 1. Scoring is this app's all or
nothing, in QTI 1.2 terms: one respcondition sets SCORE to 100 when the response is the right
option, or, for several, every right option AND NOT any wrong one; the conditions before it
only show feedback (continue="Yes"): the general feedback (`<other/>`, any response) and each
picked option's reason, as itemfeedback `ANSWER_fb`, which Canvas shows as that answer's comment.
How Canvas itself then grades a multiple-answers question is Canvas's rule, not this file's.

Canvas shows options without letters while the explanations name them ("B is wrong..."), so each
option's text starts with its letter; answers are never shuffled (shuffle_answers false).
Texts are the app's sanitized HTML (questions.rendering) as `text/html` mattext, as Canvas writes
them. Written only.
"""
import io
import xml.etree.ElementTree as ET
import zipfile

from questions.moodle_xml import general_feedback, xml_safe
from questions.rendering import render_markdown

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI_XSD = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
CANVAS_XSD = "https://canvas.instructure.com/xsd/cccv1p0.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ASSESSMENT = "study_app_bank"
TITLE = "Study app question bank"
SINGLE, MULTIPLE = "multiple_choice_question", "multiple_answers_question"
RESPONSE = "response1"
GENERAL = "general_fb"


def item_ident(question_id: str) -> str:
    return f"q-{question_id}"


def answer_ident(question_id: str, label: str) -> str:
    return f"q-{question_id}-{label}"


def _html(markdown: str) -> str:
    return xml_safe(str(render_markdown(markdown)))


def option_html(label: str, markdown: str) -> str:
    """The option's HTML led by its letter (inside its first paragraph when it starts with one)."""
    html, lead = _html(markdown), f"<strong>{label}.</strong> "
    return html.replace("<p>", "<p>" + lead, 1) if html.startswith("<p>") else f"<p>{lead}</p>{html}"


def _mattext(parent: ET.Element, html: str) -> None:
    ET.SubElement(ET.SubElement(parent, "material"), "mattext", {"texttype": "text/html"}).text = html


def _field(parent: ET.Element, label: str, entry: str) -> None:
    field = ET.SubElement(parent, "qtimetadatafield")
    ET.SubElement(field, "fieldlabel").text = label
    ET.SubElement(field, "fieldentry").text = entry


def _condition(processing: ET.Element, go_on: bool) -> tuple[ET.Element, ET.Element]:
    condition = ET.SubElement(processing, "respcondition", {"continue": "Yes" if go_on else "No"})
    return condition, ET.SubElement(condition, "conditionvar")


def _varequal(parent: ET.Element, ident: str) -> None:
    ET.SubElement(parent, "varequal", {"respident": RESPONSE}).text = ident


def _feedback_link(condition: ET.Element, ident: str) -> None:
    ET.SubElement(condition, "displayfeedback", {"feedbacktype": "Response", "linkrefid": ident})


def item(data) -> ET.Element:
    right = [o for o in data.options if o.correct]
    answers = {o.label: answer_ident(data.id, o.label) for o in data.options}
    element = ET.Element("item", {"ident": item_ident(data.id), "title": xml_safe(data.title)})
    metadata = ET.SubElement(ET.SubElement(element, "itemmetadata"), "qtimetadata")
    _field(metadata, "question_type", SINGLE if len(right) == 1 else MULTIPLE)
    _field(metadata, "points_possible", "1")
    _field(metadata, "original_answer_ids", ",".join(answers.values()))
    _field(metadata, "assessment_question_identifierref", f"ref-{item_ident(data.id)}")

    presentation = ET.SubElement(element, "presentation")
    _mattext(presentation, _html(data.stem))
    response = ET.SubElement(presentation, "response_lid", {
        "ident": RESPONSE, "rcardinality": "Single" if len(right) == 1 else "Multiple"})
    choices = ET.SubElement(response, "render_choice")
    for o in data.options:
        _mattext(ET.SubElement(choices, "response_label", {"ident": answers[o.label]}), option_html(o.label, o.text))

    processing = ET.SubElement(element, "resprocessing")
    ET.SubElement(ET.SubElement(processing, "outcomes"), "decvar", {
        "maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"})
    general = general_feedback(data)
    if general:
        condition, var = _condition(processing, go_on=True)
        ET.SubElement(var, "other")
        _feedback_link(condition, GENERAL)
    for o in data.options:
        condition, var = _condition(processing, go_on=True)
        _varequal(var, answers[o.label])
        _feedback_link(condition, f"{answers[o.label]}_fb")
    condition, var = _condition(processing, go_on=False)
    if len(right) == 1:
        _varequal(var, answers[right[0].label])
    else:  # all or nothing: every right option and none of the others
        both = ET.SubElement(var, "and")
        for o in data.options:
            _varequal(both if o.correct else ET.SubElement(both, "not"), answers[o.label])
    ET.SubElement(condition, "setvar", {"action": "Set", "varname": "SCORE"}).text = "100"

    feedbacks = ([(GENERAL, general)] if general else []) + [(f"{answers[o.label]}_fb", o.why) for o in data.options]
    for ident, markdown in feedbacks:
        _mattext(ET.SubElement(ET.SubElement(element, "itemfeedback", {"ident": ident}), "flow_mat"), _html(markdown))
    return element


def assessment(questions) -> ET.Element:
    root = ET.Element("questestinterop", {f"{{{XSI_NS}}}schemaLocation": f"{QTI_NS} {QTI_XSD}"})
    test = ET.SubElement(root, "assessment", {"ident": ASSESSMENT, "title": TITLE})
    _field(ET.SubElement(test, "qtimetadata"), "cc_maxattempts", "1")
    section = ET.SubElement(test, "section", {"ident": "root_section"})
    section.extend(item(data) for data in questions)
    return root


# Canvas's quiz settings, the elements and order text2qti writes: an unpublished graded quiz of the
# bank, answers in the written order (the explanations name them by letter), right answers shown.
_QUIZ_SETTINGS = [("shuffle_answers", "false"), ("scoring_policy", "keep_highest"), ("hide_results", ""),
                  ("quiz_type", "assignment"), ("points_possible", None), ("require_lockdown_browser", "false"),
                  ("require_lockdown_browser_for_results", "false"), ("require_lockdown_browser_monitor", "false"),
                  ("lockdown_browser_monitor_data", ""), ("show_correct_answers", "true"),
                  ("anonymous_submissions", "false"), ("could_be_locked", "false"), ("allowed_attempts", "1"),
                  ("one_question_at_a_time", "false"), ("cant_go_back", "false"), ("available", "false"),
                  ("one_time_results", "false"), ("show_correct_answers_last_attempt", "false"),
                  ("only_visible_to_overrides", "false"), ("module_locked", "false")]
_ASSIGNMENT = [("due_at", ""), ("lock_at", ""), ("unlock_at", ""), ("module_locked", "false"),
               ("workflow_state", "unpublished"), ("assignment_overrides", ""), ("quiz_identifierref", ASSESSMENT),
               ("allowed_extensions", ""), ("has_group_category", "false"), ("points_possible", None),
               ("grading_type", "points"), ("all_day", "false"), ("submission_types", "online_quiz"),
               ("position", "1"), ("turnitin_enabled", "false"), ("vericite_enabled", "false"),
               ("peer_review_count", "0"), ("peer_reviews", "false"), ("automatic_peer_reviews", "false"),
               ("anonymous_peer_reviews", "false"), ("grade_group_students_individually", "false"),
               ("freeze_on_copy", "false"), ("omit_from_final_grade", "false"),
               ("intra_group_peer_reviews", "false"), ("only_visible_to_overrides", "false"),
               ("post_to_sis", "false"), ("moderated_grading", "false"), ("grader_count", "0"),
               ("grader_comments_visible_to_graders", "true"), ("anonymous_grading", "false"),
               ("graders_anonymous_to_graders", "false"), ("grader_names_visible_to_final_grader", "true"),
               ("anonymous_instructor_annotations", "false")]


def _settings(parent: ET.Element, settings, points: str) -> None:
    for tag, value in settings:
        ET.SubElement(parent, tag).text = (points if value is None else value) or None


def quiz_settings(questions) -> ET.Element:
    points = f"{len(questions):.1f}"
    root = ET.Element("quiz", {"identifier": ASSESSMENT, f"{{{XSI_NS}}}schemaLocation": f"{CANVAS_NS} {CANVAS_XSD}"})
    ET.SubElement(root, "title").text = TITLE
    ET.SubElement(root, "description").text = "The study app's question bank; each question scores all or nothing."
    _settings(root, _QUIZ_SETTINGS, points)
    assignment = ET.SubElement(root, "assignment", {"identifier": f"{ASSESSMENT}_assignment"})
    ET.SubElement(assignment, "title").text = TITLE
    _settings(assignment, _ASSIGNMENT, points)
    ET.SubElement(ET.SubElement(assignment, "post_policy"), "post_manually").text = "false"
    ET.SubElement(root, "assignment_group_identifierref").text = f"{ASSESSMENT}_assignment_group"
    ET.SubElement(root, "assignment_overrides")
    return root


def manifest() -> ET.Element:
    root = ET.Element("manifest", {"identifier": f"{ASSESSMENT}_manifest",
                                   f"{{{XSI_NS}}}schemaLocation": f"{CP_NS} {CP_XSD}"})
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    test = ET.SubElement(resources, "resource", {"identifier": ASSESSMENT, "type": "imsqti_xmlv1p2"})
    ET.SubElement(test, "file", {"href": f"{ASSESSMENT}/{ASSESSMENT}.xml"})
    ET.SubElement(test, "dependency", {"identifierref": f"{ASSESSMENT}_meta"})
    meta = ET.SubElement(resources, "resource", {
        "identifier": f"{ASSESSMENT}_meta", "type": "associatedcontent/imscc_xmlv1p1/learning-application-resource",
        "href": f"{ASSESSMENT}/assessment_meta.xml"})
    ET.SubElement(meta, "file", {"href": f"{ASSESSMENT}/assessment_meta.xml"})
    return root


def _xml(root: ET.Element, namespace: str) -> bytes:
    root.set("xmlns", namespace)  # unqualified tags in the root's default namespace (see questions.qti.q)
    ET.indent(root)  # safe: every text here is escaped HTML in a mattext, never mixed content
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def to_qti12_package(questions) -> bytes:
    """Questions (QuestionData) as a Canvas QTI 1.2 package (zip bytes)."""
    questions = list(questions)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", _xml(manifest(), CP_NS))
        zf.writestr(zipfile.ZipInfo("non_cc_assessments/"), b"")
        zf.writestr(f"{ASSESSMENT}/assessment_meta.xml", _xml(quiz_settings(questions), CANVAS_NS))
        zf.writestr(f"{ASSESSMENT}/{ASSESSMENT}.xml", _xml(assessment(questions), QTI_NS))
    return buffer.getvalue()
