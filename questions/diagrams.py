"""Architecture diagrams as data, kept beside the question they illustrate.

`questions/content/<id>.diagrams.yaml` maps each option label to nodes (parts, with notes and
sources) and edges (calls: sync, async or control; `broken` marks what cannot work as written).
This module validates that file and lays it out for the SVG template: node boxes, wrapped
labels, and edge end points on box borders.
"""
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from questions.content_files import read_yaml
from questions.loader import CONTENT_DIR

WIDTH, HEIGHT = 400, 260  # where boxes may go; the SVG is wider, for labels beside the right-hand boxes
NODE_W, NODE_H = 100, 42
LINE_CHARS, MAX_LINES = 16, 3  # what fits in a box at the diagram's 11 px type
PIPS = 10  # squares for running capacity in a compute box; each stands for 1/10 of its peak or more
KINDS = {"client", "front", "queue", "compute", "store", "scaler", "dlq"}
MODES = {"sync", "async", "control"}
SIM_BINDINGS = {"waiting", "capacity"}  # which simulator series a node shows while playing
NODE_FIELDS = {"id", "kind", "label", "x", "y", "note", "source", "broken", "sim"}
EDGE_FIELDS = {"from", "to", "mode", "label", "broken", "note", "source", "animate"}


class DiagramError(ValueError):
    """A diagram file an author must fix; the message names the file, option, item and field."""


@dataclass
class Node:
    id: str
    kind: str
    label: str
    x: float
    y: float
    note: str
    source: str = ""
    broken: bool = False
    sim: str = ""

    @property
    def lines(self) -> list[str]:
        """The label wrapped at word boundaries; parse() refuses labels that need more than
        MAX_LINES, so every line drawn fits its box."""
        return wrap(self.label)

    @property
    def pips(self) -> list[tuple[float, float]]:
        """Where the player draws running tasks or environments: ten small squares along the
        bottom of a one-line compute box (a two-line label needs that room)."""
        if self.sim != "capacity" or len(self.lines) > 1:
            return []
        return [(round(self.x + 11 + k * 8.2, 1), self.y + 31) for k in range(PIPS)]

    @property
    def cx(self):
        return self.x + NODE_W / 2

    @property
    def cy(self):
        return self.y + NODE_H / 2


@dataclass
class Edge:
    source_node: Node
    target_node: Node
    mode: str
    label: str = ""
    broken: bool = False
    note: str = ""
    source: str = ""
    # False for a link the simulator has no series for (a fixed setting): the player leaves it still.
    animate: bool = True
    points: tuple = ()

    @property
    def mid(self):
        (x1, y1), (x2, y2) = self.points
        return (x1 + x2) / 2, (y1 + y2) / 2

    @property
    def label_at(self) -> tuple[float, float, str]:
        """Where the label goes: above the boxes for a horizontal edge (the gap between boxes is
        narrow), beside the line otherwise."""
        (x1, y1), (x2, y2) = self.points
        x, y = self.mid
        if abs(y2 - y1) < 1:
            return x, min(self.source_node.y, self.target_node.y) - 4, "middle"
        return x + (13 if self.broken else 6), y + 3, "start"  # clear of the broken badge (r = 8)


@dataclass
class Diagram:
    option: str
    title: str
    summary: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    @property
    def text_alternative(self) -> str:
        parts = [f"Option {self.option}: {self.title}. {self.summary}"]
        for e in self.edges:
            how = {"sync": "calls and waits for", "async": "sends asynchronously to", "control": "controls"}[e.mode]
            flaw = " (this link cannot work as written)" if e.broken else ""
            parts.append(f"{e.source_node.label} {how} {e.target_node.label}{flaw}.")
        return " ".join(parts)


def wrap(label: str) -> list[str]:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > LINE_CHARS:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return lines


def _border_point(node: Node, toward_x: float, toward_y: float) -> tuple[float, float]:
    """Where the line from the node's centre toward a point leaves its box."""
    dx, dy = toward_x - node.cx, toward_y - node.cy
    if dx == 0 and dy == 0:
        return node.cx, node.cy
    scale = min((NODE_W / 2) / abs(dx) if dx else float("inf"), (NODE_H / 2) / abs(dy) if dy else float("inf"))
    return round(node.cx + dx * scale, 1), round(node.cy + dy * scale, 1)


def _check(where: str, cond: bool, message: str):
    if not cond:
        raise DiagramError(f"{where}: {message}")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_link(where: str, spec: dict):
    link = spec.get("source")
    _check(where, not link or str(link).startswith("https://"), f"source must be an https:// link, not {link!r}")


def _parse_node(w: str, n) -> Node:
    _check(w, isinstance(n, dict), "must be a mapping with id, kind, label, x, y, note")
    unknown = set(n) - NODE_FIELDS
    _check(w, not unknown, f"unknown field(s) {', '.join(sorted(map(str, unknown)))}; allowed: {', '.join(sorted(NODE_FIELDS))}")
    for key in ("id", "kind", "label", "x", "y", "note"):
        _check(w, n.get(key) not in (None, ""), f"{key} is required")
    _check(w, n["kind"] in KINDS, f"kind {n['kind']!r}; allowed: {', '.join(sorted(KINDS))}")
    _check(w, _is_number(n["x"]) and _is_number(n["y"]), "x and y must be numbers")
    _check(w, 0 <= n["x"] <= WIDTH - NODE_W and 0 <= n["y"] <= HEIGHT - NODE_H,
           f"x must be 0-{WIDTH - NODE_W} and y 0-{HEIGHT - NODE_H} to fit the drawing (boxes are {NODE_W} x {NODE_H})")
    lines = wrap(str(n["label"]))
    _check(w, len(lines) <= MAX_LINES and all(len(line) <= LINE_CHARS for line in lines),
           f"label {n['label']!r} does not fit its box: at most {MAX_LINES} lines of {LINE_CHARS} characters")
    _check(w, n.get("sim", "") in SIM_BINDINGS | {""}, f"sim must be one of {', '.join(sorted(SIM_BINDINGS))}")
    _check(w, not n.get("broken") or n.get("source"), "a broken part needs a source that shows it cannot work")
    _check_link(w, n)
    return Node(str(n["id"]), n["kind"], str(n["label"]), float(n["x"]), float(n["y"]), str(n["note"]),
                str(n.get("source", "")), bool(n.get("broken", False)), str(n.get("sim", "")))


def _overlap(a: Node, b: Node) -> bool:
    return abs(a.x - b.x) < NODE_W and abs(a.y - b.y) < NODE_H


def parse(raw: dict, source: str = "diagrams") -> dict[str, Diagram]:
    """Validate a diagrams file's data and lay it out. Raises DiagramError at the first problem,
    naming where it is (file, option, nodes[i] or edges[i]), what is wrong and what is allowed."""
    _check(source, isinstance(raw, dict) and bool(raw), "must map option labels (A, B, ...) to diagrams")
    out = {}
    for option, spec in raw.items():
        where = f"{source}: option {option}"
        _check(where, isinstance(option, str) and len(option) == 1 and option.isupper(),
               "option labels must be single capital letters (A, B, ...)")
        _check(where, isinstance(spec, dict), "must be a mapping with title, summary, nodes, edges")
        unknown = set(spec) - {"title", "summary", "nodes", "edges"}
        _check(where, not unknown, f"unknown field(s) {', '.join(sorted(unknown))}; allowed: title, summary, nodes, edges")
        diagram = Diagram(option, str(spec.get("title") or ""), str(spec.get("summary") or ""))
        _check(where, bool(diagram.title), "title is required")
        nodes: dict[str, Node] = {}
        for i, n in enumerate(spec.get("nodes") or []):
            w = f"{where}, nodes[{i}]"
            node = _parse_node(w, n)
            _check(w, node.id not in nodes, f"duplicate id {node.id!r}")
            clash = next((other.id for other in nodes.values() if _overlap(node, other)), None)
            _check(w, clash is None, f"box {node.id!r} overlaps box {clash!r}; move one of them")
            nodes[node.id] = node
            diagram.nodes.append(node)
        _check(where, bool(nodes), "needs at least one node")
        for i, e in enumerate(spec.get("edges") or []):
            w = f"{where}, edges[{i}]"
            _check(w, isinstance(e, dict), "must be a mapping with from, to, mode")
            unknown = set(e) - EDGE_FIELDS
            _check(w, not unknown, f"unknown field(s) {', '.join(sorted(map(str, unknown)))}; allowed: {', '.join(sorted(EDGE_FIELDS))}")
            _check(w, e.get("from") in nodes and e.get("to") in nodes,
                   f"from and to must name nodes of option {option} ({', '.join(nodes)})")
            _check(w, e["from"] != e["to"], "from and to must be different nodes")
            _check(w, e.get("mode") in MODES, f"mode {e.get('mode')!r}; allowed: {', '.join(sorted(MODES))}")
            _check(w, not e.get("broken") or (e.get("note") and e.get("source")),
                   "a broken edge needs a note saying why it cannot work and a source that shows it")
            _check(w, isinstance(e.get("animate", True), bool), "animate must be true or false")
            _check_link(w, e)
            a, b = nodes[e["from"]], nodes[e["to"]]
            edge = Edge(a, b, e["mode"], str(e.get("label", "")), bool(e.get("broken", False)),
                        str(e.get("note", "")), str(e.get("source", "")), e.get("animate", True))
            edge.points = (_border_point(a, b.cx, b.cy), _border_point(b, a.cx, a.cy))
            diagram.edges.append(edge)
        out[diagram.option] = diagram
    return out


@lru_cache(maxsize=64)
def _load(path: str, mtime: float) -> dict[str, Diagram]:
    try:
        raw = read_yaml(path, mtime)
    except ValueError as exc:
        raise DiagramError(str(exc)) from None
    return parse(raw, Path(path).name)


def diagrams_for(external_id: str, content_dir: Path = CONTENT_DIR) -> list[Diagram]:
    """The question's diagrams in option order, or [] if it has none. Re-read when the file changes."""
    path = Path(content_dir) / f"{external_id}.diagrams.yaml"
    if not path.exists():
        return []
    return [d for _, d in sorted(_load(str(path), path.stat().st_mtime).items())]
