"""Field limits come from one table (questions/field_limits.py): the model's columns, the API's
serializer and the loader's validation agree on every one of them."""
import pytest
from rest_framework.test import APIClient

from questions.api.serializers import QuestionWriteSerializer
from questions.content_format import validate_question
from questions.field_limits import FIELDS, MAX_ITEMS, MAX_OPTIONS, MIN_OPTIONS
from questions.models import Choice, Question, Tag

COLUMNS = {"id": Question._meta.get_field("external_id"), "title": Question._meta.get_field("title"),
           "domain": Question._meta.get_field("domain"), "source": Question._meta.get_field("source"),
           "tags": Tag._meta.get_field("slug"), "options.label": Choice._meta.get_field("label")}


def question(**changes):
    options = [{"label": label, "text": "t", "correct": label == "A", "why": "w"} for label in "AB"]
    return {"id": "q1", "title": "Title", "stem": "Stem", "options": options, **changes}


URL = "https://a.example/"


def with_value(name, value):
    if name in ("tags", "key_points"):
        return question(**{name: [value]})
    if name.startswith("options."):
        body = question()
        body["options"][1][name.split(".")[1]] = value
        return body
    if name == "references.title":
        return question(references=[{"title": value, "url": URL}])
    if name == "references.url":
        return question(references=[{"title": "t", "url": URL + value[len(URL):]}])
    return question(**{name: value})


def test_the_table_covers_every_limited_column():
    assert set(COLUMNS) <= set(FIELDS)
    assert {name: column.max_length for name, column in COLUMNS.items()} == {n: FIELDS[n].max_length for n in COLUMNS}
    # The rest are TextFields or JSON, whose database columns have no length of their own.
    assert {Question._meta.get_field(n).get_internal_type() for n in ("stem", "explanation", "more_precisely", "key_points",
                                                                       "references")} == {"TextField", "JSONField"}


@pytest.mark.parametrize("name", FIELDS)
def test_the_loader_and_the_api_accept_the_longest_value_and_refuse_one_more(name):
    limit = FIELDS[name].max_length
    longest, too_long = ("Z" if name == "options.label" else "a" * limit), "a" * (limit + 1)
    assert validate_question(with_value(name, longest))[1] == []
    assert QuestionWriteSerializer(data=with_value(name, longest)).is_valid()
    path = {"tags": "tags[0]", "key_points": "key_points[0]", "references.title": "references[0].title",
            "references.url": "references[0].url"}.get(name, name.replace("options.", "options[1]."))
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


@pytest.mark.parametrize("name", MAX_ITEMS)
def test_lists_longer_than_the_table_allows_are_refused_by_the_loader_and_the_api(name):
    item = {"references": {"title": "t", "url": URL}}.get(name, "a")
    assert validate_question(question(**{name: [item] * MAX_ITEMS[name]}))[1] == []
    assert QuestionWriteSerializer(data=question(**{name: [item] * MAX_ITEMS[name]})).is_valid()
    errors = validate_question(question(**{name: [item] * (MAX_ITEMS[name] + 1)}))[1]
    assert [(e.field, e.message) for e in errors] == [(name, f"at most {MAX_ITEMS[name]} items; got {MAX_ITEMS[name] + 1}")]
    serializer = QuestionWriteSerializer(data=question(**{name: [item] * (MAX_ITEMS[name] + 1)}))
    assert not serializer.is_valid() and name in serializer.errors
