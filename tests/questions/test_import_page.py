"""Instructors import questions from the site, not only the API: a Moodle XML, GIFT or Markdown
file through the loader's all-or-nothing path, a check-only run writing nothing, a refused file
naming the question and the field."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from questions.gift import to_gift
from questions.loader import question_data
from questions.models import Question
from questions.moodle_xml import to_moodle_xml
from tests.support import question_file

pytestmark = pytest.mark.django_db
BAD_MOODLE = b"""<?xml version="1.0"?><quiz><question type="multichoice"><name><text>Bare</text></name>
<questiontext><text>Which?</text></questiontext><single>true</single>
<answer fraction="100"><text>Right</text></answer><answer fraction="0"><text>Wrong</text></answer></question></quiz>"""


def upload(client, name, content, fmt, dry_run=False):
    data = {"file": SimpleUploadedFile(name, content), "format": fmt}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("questions:import"), data)


def test_the_courses_page_links_the_import_and_only_instructors_reach_it(client, instructor, learner):
    client.force_login(instructor)
    assert 'data-import' in client.get(reverse("classroom:list")).content.decode()
    assert client.get(reverse("questions:import")).status_code == 200
    client.force_login(learner)
    assert client.get(reverse("questions:import")).status_code == 403
    assert upload(client, "x.md", question_file(qid="x").encode(), "markdown").status_code == 403
    assert not Question.objects.exists()
    client.logout()
    assert client.get(reverse("questions:import")).status_code == 302  # to the login page


def test_an_exported_bank_imports_back_unchanged_and_a_new_file_is_created(client, instructor, bank):
    client.force_login(instructor)
    exported = [question_data(q) for q in Question.objects.with_choices()]
    moodle = upload(client, "bank.xml", to_moodle_xml(exported), "moodle")
    assert moodle.status_code == 200 and f'data-unchanged>{len(exported)}<' in moodle.content.decode()
    gift = upload(client, "bank.gift", to_gift(exported).encode(), "gift")
    assert gift.status_code == 200 and f'data-unchanged>{len(exported)}<' in gift.content.decode()
    checked = upload(client, "new.md", question_file(qid="brand-new").encode(), "markdown", dry_run=True)
    assert 'data-import-report="dry-run"' in checked.content.decode() and not Question.objects.filter(external_id="brand-new")
    written = upload(client, "new.md", question_file(qid="brand-new").encode(), "markdown")
    assert 'data-import-report="written"' in written.content.decode() and Question.objects.filter(external_id="brand-new")


def test_a_refused_file_names_the_question_and_field_and_writes_nothing(client, instructor, q1973):
    client.force_login(instructor)
    before = Question.objects.count()
    response = upload(client, "bad.xml", BAD_MOODLE, "moodle")
    page = response.content.decode()
    assert response.status_code == 400 and "data-import-problems" in page
    assert "question 1 &#x27;Bare&#x27;" in page and "options[0].why" in page
    assert Question.objects.count() == before
    not_text = upload(client, "bad.gift", b"\xff\xfe\x00", "gift")
    assert not_text.status_code == 400 and "not UTF-8 text" in not_text.content.decode()
