import io
import xml.etree.ElementTree as ET
import zipfile

import pytest

from questions.loader import load_questions, question_data
from questions.models import Question


@pytest.mark.parametrize("path", ["/api/v1/export/markdown/", "/api/v1/export/moodle/", "/api/v1/export/gift/",
                                  "/api/v1/export/qti/", "/api/v1/export/qti12/", "/api/v1/export/anki/",
                                  "/api/v1/export/csv/",
                                  "/api/v1/export/results/"])
@pytest.mark.parametrize("who, status", [("anonymous", 401), ("learner", 403), ("instructor", 200)])
def test_only_instructors_export(as_user, q1973, path, who, status, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    assert as_user(user).get(path).status_code == status


def test_markdown_export_loads_back_into_an_empty_database(as_user, instructor, q1973, tmp_path):
    before = {q.external_id: question_data(q) for q in Question.objects.with_choices()}
    response = as_user(instructor).get("/api/v1/export/markdown/")
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(tmp_path)
    Question.objects.all().delete()
    load_questions([tmp_path])
    assert {q.external_id: question_data(q) for q in Question.objects.with_choices()} == before


def test_moodle_xml_is_a_multichoice_quiz_with_feedback(as_user, instructor, q1973):
    response = as_user(instructor).get("/api/v1/export/moodle/")
    root = ET.fromstring(response.content)
    category, question = root.findall("question")
    assert category.get("type") == "category" and category.findtext("category/text").startswith("$course$/top/")
    assert root.tag == "quiz" and question.get("type") == "multichoice"
    assert question.findtext("idnumber") == "1973" and question.findtext("single") == "true"
    answers = question.findall("answer")
    assert [a.get("fraction") for a in answers] == ["0", "0", "0", "100"]
    assert all(a.find("feedback/text").text for a in answers)
    assert "bursts of thousands" in question.find("questiontext/text").text


def test_moodle_gives_each_right_option_an_equal_share_in_choose_two_questions(as_user, instructor, db, write):
    from tests.support import question_file
    opts = "options:\n" + "".join(f"  - {{label: {l}, text: '**{l}**', correct: {str(l in 'AC').lower()}, why: 'why {l}'}}\n"
                                  for l in "ABCD")
    load_questions([write("two.md", question_file(qid="two", options=opts))])
    question = ET.fromstring(as_user(instructor).get("/api/v1/export/moodle/").content).find("question[@type='multichoice']")
    assert question.findtext("single") == "false"
    answers = question.findall("answer")
    # Any wrong choice cancels the credit: all or nothing, as the exam grades it.
    assert [a.get("fraction") for a in answers] == ["50", "-100", "50", "-100"]
    # Markdown as it was written, which Moodle renders itself.
    assert answers[0].get("format") == "markdown" and answers[0].findtext("text") == "**A**"
    assert answers[1].findtext("feedback/text") == "why B"


@pytest.mark.parametrize("path, media", [("/api/v1/export/markdown/", "application/zip"), ("/api/v1/export/moodle/", "application/xml"),
                                         ("/api/v1/export/gift/", "text/plain"), ("/api/v1/export/csv/", "text/csv"),
                                         ("/api/v1/export/qti/", "application/zip"),
                                         ("/api/v1/export/qti12/", "application/zip"),
                                         ("/api/v1/export/anki/", "application/octet-stream"),
                                         ("/api/v1/export/results/", "text/csv")])
def test_asking_for_the_exports_own_media_type_gets_it_and_errors_stay_json(as_user, instructor, learner, bank, path, media):
    # What a client generated from the schema sends; DRF alone answered it 406.
    response = as_user(instructor).get(path, HTTP_ACCEPT=media)
    assert response.status_code == 200 and response["Content-Type"].split(";")[0] == media
    refused = as_user(learner).get(path, HTTP_ACCEPT=media)
    assert refused.status_code == 403 and refused["Content-Type"] == "application/json"
    assert refused.json()["detail"].startswith("Only instructors")
    assert as_user(instructor).get(path, HTTP_ACCEPT="image/png").status_code == 406
