"""Questions loaded from files: the admin says so and warns that edits made there are overwritten
by the next load, and `loadquestions --dry-run` lists the database edits a load would overwrite."""
import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from questions.models import Question
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password=PASSWORD))
    return client


def admin_form(question, **changes):
    """The admin change form's POST data for `question`, with `changes` applied."""
    data = {
        "external_id": question.external_id, "title": question.title, "domain": question.domain,
        "source": question.source, "last_verified": str(question.last_verified or ""), "stem": question.stem,
        "explanation": question.explanation, "more_precisely": question.more_precisely,
        "key_points": json.dumps(question.key_points), "references": json.dumps(question.references), "tags": [t.pk for t in question.tags.all()],
        "choices-TOTAL_FORMS": str(question.choices.count()), "choices-INITIAL_FORMS": str(question.choices.count()),
        "choices-MIN_NUM_FORMS": "0", "choices-MAX_NUM_FORMS": "1000",
    }
    for i, c in enumerate(question.choices.all()):
        data.update({f"choices-{i}-id": c.pk, f"choices-{i}-question": question.pk, f"choices-{i}-order": c.order,
                     f"choices-{i}-label": c.label, f"choices-{i}-text": c.text, f"choices-{i}-why": c.why,
                     **({f"choices-{i}-is_correct": "on"} if c.is_correct else {})})
    return {**data, **changes}


def change_url(question):
    return f"/admin/questions/question/{question.pk}/change/"


def test_the_admin_marks_file_backed_questions_and_warns_before_an_edit(admin_client, q1973):
    listing = admin_client.get("/admin/questions/question/").content.decode()
    assert 'alt="True"' in listing  # the "From a file" column
    page = admin_client.get(change_url(q1973)).content.decode()
    assert "is loaded from questions/content/1973.md" in page and "replaces edits made here" in page


def test_a_question_only_in_the_database_says_so(admin_client, q1973):
    Question.objects.filter(pk=q1973.pk).update(external_id="only-here")
    page = admin_client.get(change_url(q1973)).content.decode()
    assert "No file: the question lives only in the database" in page and "replaces edits made here" not in page


def test_an_admin_edit_warns_and_the_dry_run_lists_what_the_load_would_overwrite(admin_client, q1973, capsys):
    response = admin_client.post(change_url(q1973), admin_form(q1973, title="Edited in the admin",
                                                              **{"choices-3-why": "Edited why."}), follow=True)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "replaces edits made here with the file" in response.content.decode()
    call_command("loadquestions", "--dry-run")
    out = capsys.readouterr().out
    assert "would overwrite edits made in the database" in out and "  1973: title, options[3].why\n" in out
    assert Question.objects.get(pk=q1973.pk).title == "Edited in the admin"  # a dry run changes nothing
    call_command("loadquestions")
    assert "overwrote edits" in capsys.readouterr().out
    assert Question.objects.get(pk=q1973.pk).title != "Edited in the admin"
    call_command("loadquestions", "--dry-run")
    assert "overwrite" not in capsys.readouterr().out  # as loaded again: nothing to lose


def test_an_api_edit_is_listed_too(q1973, instructor, capsys):
    api = APIClient()
    api.force_authenticate(instructor)
    body = api.get("/api/v1/questions/1973/?include=answers").json()
    body.update(title="Edited through the API", options=[
        {"label": o["label"], "text": o["text"], "correct": o["correct"], "why": o["why"]} for o in body["options"]])
    for key in ("tags", "stem_html", "answers_required", "correct_labels"):
        body.pop(key)
    assert api.put("/api/v1/questions/1973/", body, format="json").status_code == 200
    call_command("loadquestions", "--dry-run")
    assert "1973: title" in capsys.readouterr().out


def test_the_admin_refuses_text_that_would_not_load_back(admin_client, q1973):
    response = admin_client.post(change_url(q1973), admin_form(q1973, stem="Intro\r\n# Explanation\r\nmore",
                                                              title="Bell\x07"))
    page = response.content.decode()
    assert response.status_code == 200 and "would start a section of the question file" in page
    assert "control character U+0007" in page
    assert Question.objects.get(pk=q1973.pk).stem == q1973.stem
