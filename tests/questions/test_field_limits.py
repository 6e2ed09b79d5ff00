"""Field limits come from one table (questions/field_limits.py): the model's columns, the API's
serializer and the loader's validation agree on every one of them."""
import pytest
from rest_framework.test import APIClient

from questions.api.serializers import QuestionWriteSerializer
from questions.content_format import validate_question
from questions.field_limits import FIELDS, MAX_OPTIONS, MIN_OPTIONS
from questions.models import Choice, Question, Tag

COLUMNS = {"id": Question._meta.get_field("external_id"), "title": Question._meta.get_field("title"),
           "domain": Question._meta.get_field("domain"), "source": Question._meta.get_field("source"),
           "tags": Tag._meta.get_field("slug"), "options.label": Choice._meta.get_field("label")}


def question(**changes):
    options = [{"label": label, "text": "t", "correct": label == "A", "why": "w"} for label in "AB"]
    return {"id": "q1", "title": "Title", "stem": "Stem", "options": options, **changes}


def with_value(name, value):
    if name == "tags":
        return question(tags=[value])
    if name == "options.label":
        body = question()
        body["options"][1]["label"] = value
        return body
    return question(**{name: value})


def test_the_table_covers_every_limited_column():
    assert set(COLUMNS) == set(FIELDS)
    assert {name: column.max_length for name, column in COLUMNS.items()} == {n: f.max_length for n, f in FIELDS.items()}


@pytest.mark.parametrize("name", FIELDS)
def test_the_loader_and_the_api_accept_the_longest_value_and_refuse_one_more(name):
    limit = FIELDS[name].max_length
    longest, too_long = ("Z" if name == "options.label" else "a" * limit), "a" * (limit + 1)
    assert validate_question(with_value(name, longest))[1] == []
    assert QuestionWriteSerializer(data=with_value(name, longest)).is_valid()
    path = {"tags": "tags[0]", "options.label": "options[1].label"}.get(name, name)
    assert [e.field for e in validate_question(with_value(name, too_long))[1]] == [path]
    serializer = QuestionWriteSerializer(data=with_value(name, too_long))
    assert not serializer.is_valid() and name.split(".")[0] in serializer.errors


@pytest.mark.django_db
@pytest.mark.parametrize("count", [MIN_OPTIONS - 1, MAX_OPTIONS + 1])
def test_option_counts_outside_the_table_are_refused_by_the_loader_and_the_api(count, instructor):
    body = question(options=[{"label": chr(65 + i), "text": "t", "correct": i == 0, "why": "w"} for i in range(count)])
    expected = f"between {MIN_OPTIONS} and {MAX_OPTIONS} options; got {count}"
    assert expected in [e.message for e in validate_question(body)[1]]
    api = APIClient()
    api.force_authenticate(instructor)
    response = api.post("/api/v1/questions/", body, format="json")
    assert response.status_code == 400 and expected in response.json()["errors"]["options"]
