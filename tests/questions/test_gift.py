"""GIFT both ways: what the export writes reads back as the same questions, into an empty bank
through the API and `loadquestions`; GIFT files from elsewhere are imported all or nothing."""
import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from questions.content_format import validate_question
from questions.gift import parse_gift, to_gift
from questions.loader import CONTENT_DIR, load_questions, question_data
from questions.models import Question


# Whatever the bank accepts reads back the same from this format too: the round trip of every
# format from the same examples, tests/questions/test_round_trip.py.


def test_an_arrow_in_a_multiple_choice_question_is_text_as_moodle_reads_it():
    """Moodle types a question with any ~ answer as multiple choice, so an option or a reason
    saying "->" is text there, not a matching pair; the export reads back the same here too."""
    raw = {"id": "arrows", "title": "Pipes -> targets", "stem": "Which path is asynchronous?",
           "options": [{"label": "A", "text": "API Gateway -> SQS -> ECS", "correct": True, "why": "Queued -> decoupled."},
                       {"label": "B", "text": "API Gateway -> Lambda", "correct": False, "why": "Waits -> synchronous."}],
           "explanation": "", "tags": []}
    data, errors = validate_question(raw)
    assert errors == [] and data is not None
    assert parse_gift(to_gift([data])) == ([data], {})


def bank():
    return {q.external_id: question_data(q) for q in Question.objects.with_choices()}


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_the_whole_bank_goes_out_and_back_in_through_the_api(instructor):
    load_questions()
    before = bank()
    client = client_for(instructor)
    exported = client.get("/api/v1/export/gift/", HTTP_ACCEPT="text/plain")
    assert exported.status_code == 200 and exported["Content-Type"] == "text/plain; charset=utf-8"
    text = exported.content.decode()
    assert text.startswith("$CATEGORY: $course$/top/") and "// [id:1973]" in text
    Question.objects.all().delete()
    response = client.post("/api/v1/import/gift/", exported.content, content_type="text/plain")
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["created"]) == sorted(before) and bank() == before


@pytest.mark.django_db
def test_loadquestions_reads_a_gift_file(tmp_path):
    load_questions([CONTENT_DIR / "1973.md"])
    before = bank()
    (tmp_path / "bank.gift").write_text(to_gift(before.values()), encoding="utf-8")
    Question.objects.all().delete()
    call_command("loadquestions", str(tmp_path / "bank.gift"))
    assert bank() == before


GIFT_FILE = """// From a Moodle course
::Scaling::Which service scales tasks on a metric? {
=Application Auto Scaling#It sets the desired count.
~Amazon SQS#It holds the messages.
~AWS Lambda#It runs functions.
####Target tracking on backlog per task.
}

// [tag:Auto Scaling]
Which two hold messages? {
~%50%Amazon SQS#A queue.
~%50%Amazon MQ#A broker.
~%-100%Amazon ECS#Runs containers.
}
"""


@pytest.mark.django_db
def test_a_gift_file_from_elsewhere_is_imported_single_and_multiple(instructor):
    response = client_for(instructor).post("/api/v1/import/gift/", GIFT_FILE.encode(), content_type="text/plain")
    assert response.status_code == 200, response.json()
    one, two = (question_data(Question.objects.with_choices().get(external_id=i)) for i in response.json()["created"])
    assert one.title == "Scaling" and [o.correct for o in one.options] == [True, False, False]
    assert one.explanation == "Target tracking on backlog per task."
    assert two.title == "Which two hold messages?" and [o.correct for o in two.options] == [True, True, False]
    assert two.tags == ["auto-scaling"]


@pytest.mark.django_db
@pytest.mark.parametrize("question, message", [
    ("::TF:: The sky is blue. {T}", "not a multiple-choice question"),
    ("::Part:: Pick {=a#w ~%50%b#w}", "part credit cannot be held"),
    ("::Bare:: Pick {=a ~b#w}", "needs a reason for every option"),
    ("::Gap:: Fill {=a#w ~b#w} in", "missing-word question"),
    ("::Match:: Pair them {=SQS -> queue =ECS -> tasks}", "a matching question cannot be held"),
])
def test_what_cannot_be_held_is_refused_and_nothing_is_written(instructor, question, message):
    response = client_for(instructor).post("/api/v1/import/gift/", (GIFT_FILE + "\n" + question).encode(),
                                           content_type="text/plain")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(message in m for key, messages in errors.items() if "line 16" in key for m in messages), errors
    assert not Question.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path, media", [("/api/v1/import/gift/", "text/plain"), ("/api/v1/import/moodle/", "application/xml")])
@pytest.mark.parametrize("body, message", [(b"", "the body is empty"), (b"\xff\xfe", "")])
def test_an_empty_or_undecodable_body_is_a_400_naming_the_file(instructor, path, media, body, message):
    response = client_for(instructor).post(path, body, content_type=media)
    assert response.status_code == 400 and message in response.json()["errors"]["(file)"][0]
