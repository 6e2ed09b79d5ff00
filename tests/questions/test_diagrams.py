"""Diagram files: the bundled ones are valid and say what the pages teach; an author's mistakes
get an error naming the file, option, item and field."""
import os

import pytest
import yaml

from questions.content_format import parse_question_file
from questions.diagrams import DiagramError, diagrams_for, parse
from questions.loader import CONTENT_DIR

BUNDLED = sorted(CONTENT_DIR.glob("*.diagrams.yaml"))


def by_id(diagram):
    return {n.id: n for n in diagram.nodes}


def edge(diagram, a, b):
    return next(e for e in diagram.edges if (e.source_node.id, e.target_node.id) == (a, b))


def test_there_are_bundled_diagram_files():
    assert [p.name for p in BUNDLED] == ["1973.diagrams.yaml"]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_each_bundled_file_is_valid_and_draws_every_option_of_its_question(path):
    external_id = path.name.removesuffix(".diagrams.yaml")
    question = parse_question_file((CONTENT_DIR / f"{external_id}.md").read_text(), f"{external_id}.md")
    diagrams = diagrams_for(external_id)
    assert [d.option for d in diagrams] == [o.label for o in question.options]
    for d in diagrams:
        # The clients are the question's own premise; every AWS part's note cites its source.
        unsourced = [n.id for n in d.nodes if n.kind != "client" and not n.source]
        assert unsourced == [], f"{d.option}: parts without a source"


def test_1973_marks_what_breaks_a_and_c_and_which_calls_are_async():
    a, b, c, d = diagrams_for("1973")
    nlb_to_lambda = edge(a, "nlb", "lambda")
    assert nlb_to_lambda.broken and nlb_to_lambda.mode == "sync"
    assert "only an Application Load Balancer can target Lambda" in nlb_to_lambda.note
    assert [e for e in a.edges if e.broken] == [nlb_to_lambda]
    assert by_id(c)["memory"].broken and "static setting" in by_id(c)["memory"].note
    assert not any(n.broken for n in d.nodes) and not any(e.broken for e in d.edges)
    assert edge(b, "client", "alb").mode == "sync"
    assert edge(d, "client", "sqs").mode == "async" and edge(d, "sqs", "ecs").mode == "async"
    assert edge(d, "scaler", "ecs").mode == "control"
    assert {n.kind for n in d.nodes} >= {"client", "queue", "compute", "store", "scaler", "dlq"}


def test_the_text_alternative_says_what_calls_what_and_what_cannot_work():
    a = diagrams_for("1973")[0]
    assert a.text_alternative.startswith("Option A: NLB in front of Lambda")
    assert "NLB calls and waits for Lambda (this link cannot work as written)." in a.text_alternative
    d = diagrams_for("1973")[3]
    assert "Clients sends asynchronously to SQS queue." in d.text_alternative


def test_edges_run_from_border_to_border_of_their_boxes():
    a = diagrams_for("1973")[0]
    # Clients at (0, 110), NLB at (150, 110), boxes 100 x 42: a horizontal line between them.
    assert edge(a, "client", "nlb").points == ((100.0, 131.0), (150.0, 131.0))
    # Lambda (300, 110) above S3 (300, 205): a vertical line from the bottom of one to the top of the other.
    assert edge(a, "lambda", "s3").points == ((350.0, 152.0), (350.0, 205.0))


def test_a_question_without_a_diagram_file_has_no_diagrams(tmp_path):
    assert diagrams_for("no-such-question", tmp_path) == []


def node(**over):
    return {"id": "n1", "kind": "client", "label": "Clients", "x": 0, "y": 0, "note": "Sends jobs.", **over}


def spec(nodes=None, edges=None, **over):
    return {"A": {"title": "T", "nodes": nodes if nodes is not None else [node(), node(id="n2", kind="queue", x=150)],
                  "edges": edges or [], **over}}


@pytest.mark.parametrize("raw, expected", [
    ([], "diagrams: must map option labels"),
    ({"a": {"title": "T", "nodes": [node()]}}, "option a: option labels must be single capital letters"),
    ({"A": {"title": "T", "nodes": [node()], "colour": 1}}, "option A: unknown field(s) colour; allowed: title"),
    ({"A": {"nodes": [node()]}}, "option A: title is required"),
    (spec(nodes=[]), "option A: needs at least one node"),
    (spec(nodes=[node(kind="database")]), "option A, nodes[0]: kind 'database'; allowed: client, compute, dlq"),
    (spec(nodes=[node(note="")]), "option A, nodes[0]: note is required"),
    (spec(nodes=[node(brokn=True)]), "option A, nodes[0]: unknown field(s) brokn; allowed: broken, id"),
    (spec(nodes=[node(x="left")]), "option A, nodes[0]: x and y must be numbers"),
    (spec(nodes=[node(x=350)]), "option A, nodes[0]: x must be 0-300 and y 0-218 to fit the drawing"),
    (spec(nodes=[node(label="An extraordinarily long label for a box of this size")]),
     "option A, nodes[0]: label 'An extraordinarily long label for a box of this size' does not fit its box"),
    (spec(nodes=[node(), node(x=50)]), "option A, nodes[1]: duplicate id 'n1'"),
    (spec(nodes=[node(), node(id="n2", x=50, y=20)]), "option A, nodes[1]: box 'n2' overlaps box 'n1'"),
    (spec(nodes=[node(sim="latency")]), "option A, nodes[0]: sim must be one of capacity, waiting"),
    (spec(nodes=[node(source="http://example.com")]), "option A, nodes[0]: source must be an https:// link"),
    (spec(edges=[{"from": "n1", "to": "n3", "mode": "sync"}]),
     "option A, edges[0]: from and to must name nodes of option A (n1, n2)"),
    (spec(edges=[{"from": "n1", "to": "n1", "mode": "sync"}]), "option A, edges[0]: from and to must be different"),
    (spec(edges=[{"from": "n1", "to": "n2", "mode": "http"}]), "option A, edges[0]: mode 'http'; allowed: async, control, sync"),
    (spec(edges=[{"from": "n1", "to": "n2", "mode": "sync", "broken": True, "note": "Cannot."}]),
     "option A, edges[0]: a broken edge needs a note saying why it cannot work and a source"),
    (spec(nodes=[node(broken=True)]), "option A, nodes[0]: a broken part needs a source"),
    (spec(edges=[{"from": "n1", "to": "n2", "mode": "sync", "animate": "no"}]),
     "option A, edges[0]: animate must be true or false"),
])
def test_each_mistake_gets_an_error_saying_where_and_what_is_allowed(raw, expected):
    with pytest.raises(DiagramError) as info:
        parse(raw, "diagrams")
    assert expected in str(info.value)


def test_invalid_yaml_names_the_file(tmp_path):
    (tmp_path / "q1.diagrams.yaml").write_text("A: {title: [unclosed\n")
    with pytest.raises(DiagramError, match=r"q1\.diagrams\.yaml: invalid YAML"):
        diagrams_for("q1", tmp_path)


def test_an_edited_file_is_read_again(tmp_path):
    path = tmp_path / "q1.diagrams.yaml"
    path.write_text(yaml.safe_dump(spec()))
    os.utime(path, (1_000_000, 1_000_000))
    assert diagrams_for("q1", tmp_path)[0].title == "T"
    assert diagrams_for("q1", tmp_path)[0] is diagrams_for("q1", tmp_path)[0]  # cached while unchanged
    path.write_text(yaml.safe_dump(spec(title="Edited")))
    os.utime(path, (2_000_000, 2_000_000))
    assert diagrams_for("q1", tmp_path)[0].title == "Edited"


def test_running_capacity_has_room_only_in_one_line_compute_boxes():
    a = diagrams_for("1973")[0]
    lam = by_id(a)["lambda"]
    assert len(lam.pips) == 10 and all(lam.y < y < lam.y + 42 - 5.6 for _, y in lam.pips)
    assert lam.pips[-1][0] + 5.6 < lam.x + 100  # inside the box
    two_lines = parse(spec(nodes=[node(kind="compute", label="Tasks with a long label", sim="capacity")]))["A"]
    assert two_lines.nodes[0].pips == []
