"""The feedback page's verdict and "Beyond the exam": shown first after an answer and never before,
sourced, and in agreement with the simulator's own numbers."""
import re
from html import unescape

import pytest
from django.urls import reverse

from questions.answer_notes import NotesError, notes_for
from questions.models import Attempt
from questions.simulations import matrix_cached


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
    for claim in ("cannot target Lambda", "nothing adjusts Lambda", "no buffer", "sustained load", "wins no measure"):
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
    # Each qualitative claim of the verdict's text, checked against the matrix it sits above.
    m = {e["name"]: e for e in matrix_cached()["scenarios"]}
    # "D wins no measure outright."
    assert not any(v == "wins" for e in m.values() for v in e["d_position"].values())
    # "Lambda answers sooner almost everywhere": D never wins the first request's wait.
    assert all(e["d_position"]["first_wait_s"] == "loses" for e in m.values())
    assert sum(e["d_position"]["p95_s"] == "loses" for e in m.values()) >= len(m) - 1
    # "C costs less in a burst after weeks idle and with light or peaky traffic"
    for name in ("idle-then-burst", "steady-trickle", "daily-peaks"):
        assert m[name]["winners"]["cost_usd"] == ["C"], name
    # "Under sustained load D comes within a few percent of C on cost without beating it",
    # "the KEDA-style controller keeps more of it"
    sustained = m["sustained"]
    d_cost, c_cost = sustained["designs"]["D"]["cost_usd"], sustained["designs"]["C"]["cost_usd"]
    assert abs(d_cost - c_cost) <= 0.05 * max(d_cost, c_cost)
    assert sustained["d_position"]["cost_usd"] != "wins" and "C" in sustained["winners"]["cost_usd"]
    keda = next(v for n, v in m["sustained"]["variants"].items() if n.startswith("D, KEDA-style"))
    assert keda["cost_usd"] < m["sustained"]["designs"]["D"]["cost_usd"]
    # "D never fails a request."
    assert all(e["designs"]["D"]["failed"] == 0 for e in m.values())


def test_the_verdict_section_shows_the_matrix_with_winners_marked(client, q1973):
    html = feedback(client)
    start = html.index('id="why-the-exam-picks-d"')
    section = unescape(html[start:html.index("</section>", start)])
    m = matrix_cached()
    assert "data-verdict-matrix" in section and m["tie_rule"]["text"] in section
    for e in m["scenarios"]:
        table = section[section.index(f'data-scenario="{e["name"]}"'):]
        table = table[:table.index("</table>")]
        for design, row in e["designs"].items():
            tr = table[table.index(f'data-design="{design}"'):]
            tr = tr[:tr.index("</tr>")]
            for column, winners in e["winners"].items():
                cell = tr[tr.index(f'data-column="{column}"'):]
                cell = cell[:cell.index("</td>")]
                assert ("data-winner" in cell) == (design in winners), (e["name"], design, column)
    for line in m["findings"]:
        assert line in " ".join(section.split())


def test_a_broken_notes_file_names_the_file_and_field(tmp_path):
    (tmp_path / "9.notes.yaml").write_text("verdict: ''\nbeyond: text\n")
    with pytest.raises(NotesError, match="9.notes.yaml: verdict must be non-empty"):
        notes_for("9", tmp_path)
    (tmp_path / "8.notes.yaml").write_text("verdict: a\nextra: b\n")
    with pytest.raises(NotesError, match="unknown field"):
        notes_for("8", tmp_path)
    assert notes_for("none", tmp_path) == {"verdict": "", "beyond": ""}
