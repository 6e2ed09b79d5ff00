"""CSV of the bank and of learners' results, read back by Python's csv module as a spreadsheet
would read them."""
import csv
import io

import pytest
from rest_framework.test import APIClient

from questions.answering import answer
from questions.csv_export import QUESTION_COLUMNS, RESULT_COLUMNS
from questions.loader import load_questions, question_data
from questions.models import Question


def rows(response):
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_the_bank_as_csv_one_row_a_question(instructor):
    load_questions()
    header, *body = rows(client_for(instructor).get("/api/v1/export/csv/", HTTP_ACCEPT="text/csv"))
    assert header == QUESTION_COLUMNS and len(body) == Question.objects.count()
    row = dict(zip(header, next(r for r in body if r[0] == "1973")))
    data = question_data(Question.objects.with_choices().get(external_id="1973"))
    assert row["correct"] == "D" and row["answers_required"] == "1" and row["stem"] == data.stem
    assert row["option_D"] == data.options[3].text and row["why_A"] == data.options[0].why and row["option_E"] == ""
    assert row["key_points"].split("\n") == data.key_points and row["tags"] == " ".join(data.tags)


@pytest.mark.django_db
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_defused(instructor, write):
    from tests.questions.conftest import question_file
    load_questions([write("f.md", question_file(qid="f", extra="source: '=HYPERLINK(\"http://x\")'\n"))])
    header, row = rows(client_for(instructor).get("/api/v1/export/csv/"))
    assert dict(zip(header, row))["source"] == "'=HYPERLINK(\"http://x\")"


@pytest.mark.django_db
def test_results_as_csv_one_row_an_answer(instructor, learner):
    load_questions()
    question = Question.objects.with_choices().get(external_id="1973")
    answer(question, ["A"], user=learner)
    answer(question, ["D"], user=learner)
    header, *body = rows(client_for(instructor).get("/api/v1/export/results/"))
    assert header == RESULT_COLUMNS
    assert [(r[1], r[2], r[3], r[4]) for r in body] == [("learner", "1973", "A", "false"), ("learner", "1973", "D", "true")]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/export/csv/", "/api/v1/export/results/"])
def test_only_instructors_get_csv(learner, path):
    assert APIClient().get(path).status_code == 401
    assert client_for(learner).get(path).status_code == 403
