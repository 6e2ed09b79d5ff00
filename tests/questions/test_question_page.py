import re
from pathlib import Path

import pytest
from django.urls import reverse

from questions.models import Attempt
from tests.support import PASSWORD

# The question exactly as the product owner supplied it, kept in the repo so a clone tests alone.
SEED = Path(__file__).resolve().parent / "data" / "question-1973-seed.md"


def seed_text():
    """The stem and the four options exactly as the product owner supplied them."""
    block = SEED.read_text().split("```text", 1)[1].split("Explanation", 1)[0]
    lines = [line for line in block.splitlines() if line.strip()]
    stem = " ".join(lines[1:3])
    return stem, lines[3:7]


def answer(client, label):
    return client.post(reverse("questions:detail", args=["1973"]), {"selected": label}, follow=True)


def test_the_page_shows_the_seed_stem_and_four_options(client, q1973):
    html = client.get("/questions/1973/").content.decode()
    stem, options = seed_text()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for sentence in stem.split(". "):
        assert sentence.strip(". ") in text
    for option in options:
        assert option in text
    assert html.count('type="radio" name="selected"') == 4
    assert 'name="csrfmiddlewaretoken"' in html


def test_answering_d_is_correct(client, q1973):
    html = answer(client, "D").content.decode()
    assert 'data-outcome="correct"' in html


def test_answering_a_is_incorrect_and_explains_why(client, q1973):
    response = answer(client, "A")
    html = response.content.decode()
    assert 'data-outcome="incorrect"' in html
    assert "Network Load Balancer" in html and "target types" in html
    assert html.count('class="option-explained') == 4
    assert "More precisely" in html and "References" in html


def test_submitting_nothing_shows_a_clear_error_and_stores_nothing(client, q1973):
    response = client.post("/questions/1973/", {})
    assert response.status_code == 400
    assert "Choose an option before submitting." in response.content.decode()
    assert not Attempt.objects.exists()


def test_an_unknown_option_is_refused(client, q1973):
    response = client.post("/questions/1973/", {"selected": "Z"})
    assert response.status_code == 400 and not Attempt.objects.exists()


def test_two_answers_to_a_single_answer_question_are_refused(client, q1973):
    response = client.post("/questions/1973/", {"selected": ["A", "D"]})
    assert response.status_code == 400 and not Attempt.objects.exists()
    assert "Choose exactly one option; 2 were sent." in response.content.decode()


def test_each_submission_is_stored_with_time_on_question(client, q1973):
    page = client.get("/questions/1973/").content.decode()
    shown_at = re.search(r'name="shown_at" value="([^"]+)"', page).group(1)
    client.post("/questions/1973/", {"selected": "B", "shown_at": shown_at})
    attempt = Attempt.objects.get()
    assert attempt.selected == ["B"] and attempt.correct is False
    assert attempt.seconds_on_question is not None and attempt.seconds_on_question < 60
    assert attempt.anon_id and attempt.user is None


def test_a_forged_time_is_ignored(client, q1973):
    client.post("/questions/1973/", {"selected": "D", "shown_at": "1.5"})
    assert Attempt.objects.get().seconds_on_question is None


def test_someone_elses_attempt_is_not_found(client, q1973, django_user_model):
    from django.test import Client

    answer(client, "D")
    attempt = Attempt.objects.get()
    assert client.get(reverse("questions:attempt", args=["1973", attempt.pk])).status_code == 200
    other = Client()
    other.force_login(django_user_model.objects.create_user("other", password=PASSWORD))
    assert other.get(reverse("questions:attempt", args=["1973", attempt.pk])).status_code == 404
    assert Client().get(reverse("questions:attempt", args=["1973", attempt.pk])).status_code == 404


def test_unknown_question_is_404(client, db):
    assert client.get("/questions/nope/").status_code == 404


def test_home_lists_questions_with_the_learners_status(client, q1973):
    assert "Not answered yet" in client.get("/").content.decode()
    answer(client, "D")
    assert "Last answer: correct" in client.get("/").content.decode()


def test_csrf_is_enforced(q1973):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/questions/1973/", {"selected": "D"}).status_code == 403


def test_multiple_answer_questions_get_checkboxes(client, db, write):
    from questions.loader import load_questions
    from tests.support import question_file

    load_questions([write("m.md", question_file(qid="multi", options=(
        "options:\n"
        "  - {label: A, text: a, correct: true, why: w}\n"
        "  - {label: B, text: b, correct: true, why: w}\n"
        "  - {label: C, text: c, correct: false, why: w}\n")))])
    html = client.get("/questions/multi/").content.decode()
    assert html.count('type="checkbox" name="selected"') == 3 and "Choose 2 answers" in html
    response = client.post("/questions/multi/", {"selected": ["A"]})
    assert response.status_code == 400 and "Choose exactly 2 options; 1 chosen." in response.content.decode()
    html = client.post("/questions/multi/", {"selected": ["A", "B"]}, follow=True).content.decode()
    assert 'data-outcome="correct"' in html
