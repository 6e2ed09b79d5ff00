"""Moodle XML both ways: what the export writes reads back as the same questions (into an empty
bank, through the API and `loadquestions`), the parts Moodle has no field for travel in general
feedback, and Moodle files are imported all or nothing with the question and field named."""
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from questions.loader import CONTENT_DIR, load_questions, question_data
from questions.models import Question
from questions.moodle_xml import general_feedback, parse_moodle_xml, to_moodle_xml


# Whatever the bank accepts reads back the same from this format too: the round trip of every
# format from the same examples, tests/questions/test_round_trip.py.


def bank():
    return {q.external_id: question_data(q) for q in Question.objects.with_choices()}


def instructor_client(instructor):
    client = APIClient()
    client.force_authenticate(instructor)
    return client


def post_xml(client, body: bytes, query=""):
    return client.post(f"/api/v1/import/moodle/{query}", body, content_type="application/xml")


@pytest.mark.django_db
def test_the_whole_bank_goes_out_and_back_in_through_the_api(instructor):
    load_questions()
    before = bank()
    client = instructor_client(instructor)
    exported = client.get("/api/v1/export/moodle/", HTTP_ACCEPT="application/xml")
    assert exported.status_code == 200 and exported["Content-Type"] == "application/xml"
    Question.objects.all().delete()
    response = post_xml(client, exported.content)
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["created"]) == sorted(before) and bank() == before
    assert post_xml(client, exported.content).json()["unchanged"] == sorted(before, key=list(before).index)


@pytest.mark.django_db
def test_loadquestions_reads_a_moodle_file_like_any_other(tmp_path):
    load_questions([CONTENT_DIR / "1973.md"])
    before = bank()
    path = tmp_path / "bank.xml"
    path.write_bytes(to_moodle_xml(before.values()))
    Question.objects.all().delete()
    call_command("loadquestions", str(path))
    assert bank() == before


@pytest.mark.django_db
def test_general_feedback_carries_key_points_references_and_provenance():
    load_questions([CONTENT_DIR / "1973.md"])
    data = question_data(Question.objects.with_choices().get())
    question = ET.fromstring(to_moodle_xml([data])).find("question[@type='multichoice']")
    feedback = question.find("generalfeedback")
    assert feedback.get("format") == "markdown" and feedback.findtext("text") == general_feedback(data)
    text = feedback.findtext("text")
    assert text.startswith(data.explanation[:40])
    assert "# Key points\n\n- " + data.key_points[0] in text
    assert f"- [{data.references[0]['title']}]({data.references[0]['url']})" in text
    assert f"Source: {data.source}" in text and f"Last verified: {data.last_verified}" in text
    tags = [t.text for t in question.findall("tags/tag/text")]
    assert tags == [*data.tags, f"domain: {data.domain}"]
    assert question.findtext("correctfeedback/text") == "Right: D."
    assert [a.get("fraction") for a in question.findall("answer")] == ["0", "0", "0", "100"]


MOODLE_FILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Imported</text></category></question>
  <question type="multichoice">
    <name><text>Queues that scale</text></name>
    <questiontext format="html"><text><![CDATA[<p>Which <b>two</b> scale on backlog?</p>]]></text></questiontext>
    <generalfeedback format="html"><text>Backlog per task is the metric.</text></generalfeedback>
    <single>false</single>
    <answer fraction="50" format="html"><text>SQS + ECS</text><feedback><text>Scales on backlog.</text></feedback></answer>
    <answer fraction="-100" format="html"><text>A fixed fleet</text><feedback><text>Never scales.</text></feedback></answer>
    <answer fraction="50" format="html"><text>Lambda</text><feedback><text>Scales per message.</text></feedback></answer>
    <tags><tag><text>Auto Scaling</text></tag><tag><text>domain: Design for new solutions</text></tag></tags>
  </question>
  <question type="multichoice">
    <name><text>One right</text></name>
    <questiontext format="moodle_auto_format"><text>Pick one.</text></questiontext>
    <idnumber>one-right</idnumber>
    <single>true</single>
    <answer fraction="100"><text>Yes</text><feedback><text>Right.</text></feedback></answer>
    <answer fraction="0"><text>No</text><feedback><text>Wrong.</text></feedback></answer>
  </question>
</quiz>"""


@pytest.mark.django_db
def test_a_moodle_file_with_single_and_multiple_answer_questions_is_imported(instructor):
    client = instructor_client(instructor)
    assert post_xml(client, MOODLE_FILE, "?dry_run=true").json()["dry_run"] is True and not Question.objects.exists()
    created = post_xml(client, MOODLE_FILE).json()["created"]
    assert len(created) == 2 and created[1] == "one-right" and created[0].startswith("moodle-")
    two = question_data(Question.objects.with_choices().get(external_id=created[0]))
    assert [(o.label, o.correct) for o in two.options] == [("A", True), ("B", False), ("C", True)]
    assert two.title == "Queues that scale" and two.stem == "<p>Which <b>two</b> scale on backlog?</p>"
    assert two.tags == ["auto-scaling"] and two.domain == "Design for new solutions"
    assert two.explanation == "Backlog per task is the metric."
    # The id comes from the name, so importing the file again changes nothing.
    assert post_xml(client, MOODLE_FILE).json() == {"dry_run": False, "created": [], "updated": [],
                                                    "unchanged": created}


def with_question(xml: str) -> bytes:
    return MOODLE_FILE.replace(b"</quiz>", xml.encode() + b"</quiz>")


@pytest.mark.django_db
@pytest.mark.parametrize("question, field, message", [
    ('<question type="truefalse"><name><text>TF</text></name></question>', "question 4 'TF': type", "'truefalse' cannot be held"),
    ('<question type="multichoice"><name><text>Part</text></name><questiontext><text>s</text></questiontext><single>true</single>'
     '<answer fraction="100"><text>a</text><feedback><text>w</text></feedback></answer>'
     '<answer fraction="50"><text>b</text><feedback><text>w</text></feedback></answer></question>',
     "question 4 'Part': options[1].fraction", "part credit cannot be held"),
    ('<question type="multichoice"><name><text>Bare</text></name><questiontext><text>s</text></questiontext>'
     '<answer fraction="100"><text>a</text></answer><answer fraction="0"><text>b</text><feedback><text>w</text></feedback></answer></question>',
     "question 4 'Bare': options[0].why", "needs a reason for every option"),
    ('<question type="multichoice"><name><text>None right</text></name><questiontext><text>s</text></questiontext>'
     '<answer fraction="0"><text>a</text><feedback><text>w</text></feedback></answer>'
     '<answer fraction="0"><text>b</text><feedback><text>w</text></feedback></answer></question>',
     "question 4 'None right': options", "at least one option must have correct: true"),
])
def test_what_cannot_be_held_is_refused_naming_the_question_and_nothing_is_written(instructor, question, field, message):
    response = post_xml(instructor_client(instructor), with_question(question))
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert any(message in m for m in errors[f"upload.xml: {field}"]), errors
    assert not Question.objects.exists()  # the two good questions of the file are not written either


@pytest.mark.django_db
@pytest.mark.parametrize("body, message", [(b"<quiz><question", "not well-formed XML"),
                                           (b"<questions/>", "Moodle XML's is <quiz>"),
                                           (b"<quiz/>", "no <question type=\"multichoice\">")])
def test_a_file_that_is_not_moodle_xml_is_refused(instructor, body, message):
    response = post_xml(instructor_client(instructor), body)
    assert response.status_code == 400 and message in response.json()["errors"]["(file)"][0]


@pytest.mark.django_db
def test_only_instructors_import(learner, instructor):
    client = APIClient()
    assert post_xml(client, MOODLE_FILE).status_code == 401
    client.force_authenticate(learner)
    assert post_xml(client, MOODLE_FILE).status_code == 403
    assert post_xml(instructor_client(instructor), MOODLE_FILE, "?dry_run=maybe").status_code == 400
    assert instructor_client(instructor).post("/api/v1/import/moodle/", {"a": 1}, format="json").status_code == 415
