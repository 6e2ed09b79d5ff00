"""The feedback page's verdict and "Beyond the exam": shown first after an answer and never before,
sourced, and in agreement with the simulator's own numbers."""
import re

import pytest
from django.urls import reverse

from questions.answer_notes import NotesError, notes_for
from questions.models import Attempt
from questions.simulations import run_cached


def feedback(client, label="B"):
    client.post(reverse("questions:detail", args=["1973"]), {"selected": label})
    attempt = Attempt.objects.latest("id")
    return client.get(reverse("questions:attempt", args=["1973", attempt.pk])).content.decode()


def test_the_verdict_comes_right_after_the_result(client, q1973):
    html = feedback(client)
    body = html[html.index("<main"):]
    outcome, verdict = body.index("data-outcome="), body.index('id="why-the-exam-picks-d"')
    assert outcome < verdict
    # Nothing else of substance sits between them: no option explanations, diagrams or stem.
    for later in ('id="why-each-option"', 'id="diagrams-heading"', 'class="stem', 'data-simulation'):
        assert verdict < body.index(later), later
    section = " ".join(body[verdict:body.index("</section>", verdict)].split())
    for claim in ("cannot target Lambda", "nothing adjusts Lambda", "no buffer", "sustained load"):
        assert claim in section, claim


def test_the_page_has_contents_and_long_sections_fold(client, q1973):
    html = feedback(client)
    toc = html[html.index('<nav class="toc"'):html.index("</nav>", html.index('<nav class="toc"'))]
    for anchor in ("#the-question", "#why-each-option", "#explanation", "#more-precisely", "#beyond-the-exam",
                   "#references"):
        assert f'href="{anchor}"' in toc
        assert f'id="{anchor[1:]}"' in html
    for folded in ("the-question", "explanation", "more-precisely", "beyond-the-exam", "references"):
        assert re.search(rf'<details class="fold[^"]*" id="{folded}">', html), folded


def test_beyond_the_exam_is_sourced_from_aws_pages(client, q1973):
    html = feedback(client)
    start = html.index('id="beyond-the-exam"')
    section = " ".join(html[start:html.index("</details>", start)].split())
    for topic in ("SageMaker Asynchronous Inference", "capacity provider", "Fargate Spot", "S3",
                  "ChangeMessageVisibility", "event notifications"):
        assert topic in section, topic
    links = re.findall(r'href="([^"]+)"', section)
    assert len(links) >= 8 and all(re.match(r"https://docs\.aws\.amazon\.com/", link) for link in links)


def test_before_answering_no_page_shows_the_verdict(client, q1973):
    html = client.get(reverse("questions:detail", args=["1973"])).content.decode()
    assert "why-the-exam-picks-d" not in html and "Beyond the exam" not in html
    html = client.get(reverse("questions:scenarios")).content.decode()
    assert "why-the-exam-picks-d" not in html


def test_the_explanation_agrees_with_the_verdict(client, q1973):
    html = feedback(client)
    assert "reduces latency during bursts" not in html  # the seed's claim the simulation refutes
    assert "D does not win every measure" in html  # More precisely says so too


def test_the_verdicts_claims_about_the_simulation_hold(db):  # the shared cache is a table
    burst = run_cached("idle-then-burst", {})["designs"]
    sustained = run_cached("sustained", {})["designs"]
    c, d = burst["C"]["summary"], burst["D"]["summary"]
    assert c["latency_s"]["p95"] < d["latency_s"]["p95"]  # C answers a burst after weeks idle sooner
    assert abs(c["cost_usd"]["total"] - d["cost_usd"]["total"]) < 1  # about the same: a tie
    c, d = sustained["C"]["summary"], sustained["D"]["summary"]
    assert d["cost_usd"]["total"] < 0.5 * c["cost_usd"]["total"]  # "a fraction of C"


def test_a_broken_notes_file_names_the_file_and_field(tmp_path):
    (tmp_path / "9.notes.yaml").write_text("verdict: ''\nbeyond: text\n")
    with pytest.raises(NotesError, match="9.notes.yaml: verdict must be non-empty"):
        notes_for("9", tmp_path)
    (tmp_path / "8.notes.yaml").write_text("verdict: a\nextra: b\n")
    with pytest.raises(NotesError, match="unknown field"):
        notes_for("8", tmp_path)
    assert notes_for("none", tmp_path) == {"verdict": "", "beyond": ""}
