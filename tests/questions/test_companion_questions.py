"""The companion questions of #1973: bank by the same loader, listed by the API, each on one
concept, every option explained with a link to AWS's documentation, linked from diagram parts."""
import re

import pytest
from rest_framework.test import APIClient

from questions import companions
from questions.diagrams import diagrams_for
from questions.models import Question

pytestmark = pytest.mark.django_db
AWS_LINK = re.compile(r"\]\(https://(docs\.aws\.amazon\.com|aws\.amazon\.com|repost\.aws)/[^)]+\)")


def test_loadquestions_loads_1973_and_at_least_ten_companions(bank):
    ids = set(Question.objects.values_list("external_id", flat=True))
    assert "1973" in ids
    found = Question.objects.filter(tags__slug=companions.COMPANION_TAG)
    assert found.count() >= 10
    multiple = [q for q in found.prefetch_related("choices") if q.answers_required > 1]
    assert multiple and len(multiple) < found.count()  # single- and multiple-answer both


def test_each_companion_is_on_exactly_one_concept_and_every_concept_has_one(bank):
    seen = set()
    for question in Question.objects.filter(tags__slug=companions.COMPANION_TAG).prefetch_related("tags"):
        concepts = [t.slug for t in question.tags.all() if t.slug in companions.CONCEPTS]
        assert len(concepts) == 1, question.external_id
        seen.update(concepts)
    assert seen == set(companions.CONCEPTS)


def test_every_option_is_explained_with_an_aws_documentation_link(bank):
    for question in Question.objects.filter(tags__slug=companions.COMPANION_TAG).prefetch_related("choices"):
        assert question.references and question.key_points, question.external_id
        for choice in question.choices.all():
            assert AWS_LINK.search(choice.why), f"{question.external_id} option {choice.label}"
        if question.answers_required > 1:
            assert f"(Choose {'two' if question.answers_required == 2 else question.answers_required}.)" in question.stem


def test_the_api_lists_them(bank):
    listed = []
    page = "/api/v1/questions/?tag=companion-1973"
    while page:
        body = APIClient().get(page).json()
        listed += [q["id"] for q in body["results"]]
        page = body["next"]
    assert len(listed) >= 10 and all(i.startswith("c1973-") for i in listed)
    assert APIClient().get("/api/v1/questions/1973/").status_code == 200


def test_diagram_parts_named_in_the_mapping_exist_and_lead_to_companions(bank):
    diagrams = {d.option: d for d in diagrams_for("1973")}
    for concept, data in companions.CONCEPTS.items():
        for part in data["parts"]:
            option, node = part.split(".")
            assert node in {n.id for n in diagrams[option].nodes}, part
            assert companions.for_part(part).filter(tags__slug=concept).exists(), part
    assert "c1973-lb-targets" in set(companions.for_part("A.nlb").values_list("external_id", flat=True))
    assert "c1973-scale-from-zero" in set(
        companions.for_finding("D's first request after weeks idle waits for a task").values_list("external_id", flat=True))
