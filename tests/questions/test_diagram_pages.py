"""The diagrams and the scenario explorer as the server renders them: complete without JavaScript,
no answer given away before an attempt, a shareable address, and bad parameters refused clearly."""
import re

from django.urls import reverse

from questions.models import Attempt
from questions.views_scenarios import ScenarioForm
from tests.support import PASSWORD


def figures(html):
    return re.findall(r'<figure class="diagram([^"]*)" id="diagram-([A-Z])"', html)


def test_before_answering_the_diagrams_are_there_but_the_answer_is_not(client, q1973):
    html = client.get(reverse("questions:detail", args=["1973"])).content.decode()
    assert [option for _, option in figures(html)] == ["A", "B", "C", "D"]
    assert not any("is-answer" in classes for classes, _ in figures(html))
    assert 'class="answer-tag"' not in html and "The answer." not in html
    # Each drawing carries its own text alternative.
    assert html.count('<desc id="diagram-') == 4
    assert "NLB calls and waits for Lambda (this link cannot work as written)." in html
    assert 'aria-label="no such target: NLB to Lambda (cannot work)"' in html
    assert 'aria-label="Memory scaling on backlog (does not exist)"' in html


def test_after_answering_d_is_marked_as_the_answer(client, q1973):
    client.post(reverse("questions:detail", args=["1973"]), {"selected": "B"})
    attempt = Attempt.objects.get()
    html = client.get(reverse("questions:attempt", args=["1973", attempt.pk])).content.decode()
    assert [option for classes, option in figures(html) if "is-answer" in classes] == ["D"]
    assert "data-results-table" in html  # the default scenario's results, without JavaScript


def test_the_explorer_reads_its_parameters_from_the_address(client, q1973):
    response = client.get(reverse("questions:scenarios"), {"scenario": "custom", "burst_requests": 400,
                                                            "idle_days": 2, "max_tasks": 5})
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<caption>custom: 400 requests', html)
    assert 'name="max_tasks" value="5"' in html
    assert html.count('<tr data-design=') == 4


def test_the_explorer_refuses_bad_parameters_saying_which_and_why(client, q1973):
    response = client.get(reverse("questions:scenarios"), {"burst_requests": -5, "scenario": "nope"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in html
    assert "Select a valid choice. nope is not one of the available choices." in html


def test_the_explorer_shows_each_knobs_range_and_default_from_the_simulator(client, q1973):
    html = client.get(reverse("questions:scenarios"), {"scenario": "custom"}).content.decode()
    # custom's own default burst (1,000), and the model's default limit on tasks (20).
    assert 'name="burst_requests" placeholder="1000"' in html
    assert "0 to 100,000; empty for the default, 1,000" in html
    assert 'name="max_tasks" placeholder="20"' in html


def test_idle_days_go_before_the_scenarios_own_traffic(client, q1973):
    form = ScenarioForm({"scenario": "daily-peaks", "idle_days": "2"})
    assert form.is_valid()
    assert form.overrides() == {"idle_days": 2.0, "days": 5.0}  # daily-peaks' 3 days follow the idle 2


def test_the_explorer_does_not_name_the_answer_before_an_attempt(client, q1973, django_user_model):
    from django.test import Client

    signed_in = Client()
    signed_in.force_login(django_user_model.objects.create_user("ada", password=PASSWORD))
    for who in (client, signed_in):
        html = who.get(reverse("questions:scenarios")).content.decode()
        assert not any("is-answer" in classes for classes, _ in figures(html))
        assert 'class="answer-tag"' not in html and "the exam's answer" not in html
    # Once answered (anonymously, or signed in), the explorer marks D as the answer.
    for who in (client, signed_in):
        who.post(reverse("questions:detail", args=["1973"]), {"selected": "A"})
        html = who.get(reverse("questions:scenarios")).content.decode()
        assert [option for classes, option in figures(html) if "is-answer" in classes] == ["D"]


def test_an_invalid_run_shows_its_errors_in_words_and_no_result(client, q1973):
    response = client.get(reverse("questions:scenarios"), {"scenario": "custom", "idle_days": 9, "days": 8})
    html = response.content.decode()
    assert response.status_code == 400
    assert "nothing was run" in html
    assert "Idle days before the traffic: must be less than days in all (8)" in html
    assert "data-simulation" not in html and "data-results-table" not in html
    response = client.get(reverse("questions:scenarios"), {"burst_requests": -5})
    assert response.status_code == 400 and "data-simulation" not in response.content.decode()


def test_the_explorer_has_a_field_for_every_scenario_parameter(client, q1973):
    from reference_impl.simulate import SCENARIO_LIMITS

    html = client.get(reverse("questions:scenarios")).content.decode()
    for name in SCENARIO_LIMITS:
        if name != "seed":
            assert f'name="{name}"' in html, name
    shared = client.get(reverse("questions:scenarios"), {
        "scenario": "custom", "days": 3, "idle_days": 2, "burst_requests": 700, "burst_seconds": 300,
        "trickle_per_hour": 30, "batch_fraction": 0.5, "batch_items_max": 10}).content.decode()
    # The description says the numbers set, and the run used them.
    assert ("2 idle days, then a burst of 700 requests in 5 minutes and 30 requests an hour; 3 days in all. "
            "50% of requests are batches of 2 to 10 inputs") in shared


def test_wide_tables_scroll_in_their_own_box(client, q1973):
    html = client.get(reverse("questions:scenarios")).content.decode()
    assert re.search(r'<div class="table-scroll"[^>]*>\s*<table class="data-table results-table"', html)
    assert re.search(r'<div class="table-scroll"[^>]*>\s*<table class="data-table params-table"', html)
