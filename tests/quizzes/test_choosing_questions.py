"""Which questions a quiz draws from: those with every tag asked for, in one query of bounded size."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from questions.models import Question, Tag
from quizzes.lifecycle import NoQuestions, choose_questions


def tagged(external_id, *slugs):
    question = Question.objects.create(external_id=external_id, title=external_id, stem="Which one?", domain="design")
    question.tags.set([Tag.objects.get_or_create(slug=slug)[0] for slug in slugs])
    return question.pk


def chosen(**kwargs):
    return set(choose_questions(count=50, **kwargs))


def test_a_quiz_draws_only_questions_with_every_tag_asked_for(db):
    both, only_a, only_b, untagged = tagged("ab", "a", "b"), tagged("a", "a"), tagged("b", "b"), tagged("none")
    assert chosen(tags=["a"]) == {both, only_a}
    assert chosen(tags=["a", "b"]) == chosen(tag="a", tags=["b"]) == {both}
    assert chosen(tags=["a", "a"]) == {both, only_a}  # a tag asked twice asks for it once
    assert chosen(tags=["a"], domain="design") == {both, only_a}
    assert chosen() == chosen(tag="", tags=[]) == {both, only_a, only_b, untagged}
    for nothing in ({"tags": ["a", "c"]}, {"tags": ["a"], "domain": "other"}):
        with pytest.raises(NoQuestions):
            chosen(**nothing)


def test_twenty_tags_are_one_query_with_two_joins(db):
    """Twenty tags (the API's most) used to join two tables per tag: 2 s of PostgreSQL's planner
    on a bank of fifty questions, for any learner's request."""
    slugs = [f"t{i}" for i in range(20)]
    every = tagged("every", *slugs)
    tagged("most", *slugs[:19])
    with CaptureQueriesContext(connection) as context:
        assert chosen(tags=slugs) == {every}
    [sql] = [query["sql"] for query in context.captured_queries]
    assert sql.count(" JOIN ") == 2, sql
