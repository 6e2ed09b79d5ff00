"""Architecture diagrams as data, kept beside the question they illustrate.

`questions/content/<id>.diagrams.yaml` maps each option label to nodes (parts, with notes and
sources) and edges (calls: sync, async or control; `broken` marks what cannot work as written).
This module validates that file and lays it out for the SVG template: node boxes, wrapped
labels, and edge end points on box borders.
"""
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from questions.loader import CONTENT_DIR

WIDTH, HEIGHT = 400, 260  # where boxes may go; the SVG is wider, for labels beside the right-hand boxes
NODE_W, NODE_H = 100, 42
KINDS = {"client", "front", "queue", "compute", "store", "scaler", "dlq"}
MODES = {"sync", "async", "control"}
SIM_BINDINGS = {"waiting", "capacity"}  # which simulator series a node shows while playing


class DiagramError(ValueError):
    pass


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
        """The label wrapped to two lines at most, so it fits its box."""
        words, lines, line = self.label.split(), [], ""
        for word in words:
            if line and len(line) + 1 + len(word) > 16:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        return lines[:3]

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
        return x + 6, y + 3, "start"


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


def parse(raw: dict, source: str = "diagrams") -> dict[str, Diagram]:
    _check(source, isinstance(raw, dict) and raw, "must map option labels (A, B, ...) to diagrams")
    out = {}
    for option, spec in raw.items():
        where = f"{source}: option {option}"
        _check(where, isinstance(spec, dict), "must be a mapping with title, summary, nodes, edges")
        unknown = set(spec) - {"title", "summary", "nodes", "edges"}
        _check(where, not unknown, f"unknown field(s) {', '.join(sorted(unknown))}; allowed: title, summary, nodes, edges")
        diagram = Diagram(str(option), str(spec.get("title", "")), str(spec.get("summary", "")))
        _check(where, diagram.title, "title is required")
        nodes = {}
        for i, n in enumerate(spec.get("nodes") or []):
            w = f"{where}, nodes[{i}]"
            _check(w, isinstance(n, dict), "must be a mapping")
            for key in ("id", "kind", "label", "x", "y", "note"):
                _check(w, key in n, f"{key} is required")
            _check(w, n["kind"] in KINDS, f"kind {n['kind']!r}; allowed: {', '.join(sorted(KINDS))}")
            _check(w, n["id"] not in nodes, f"duplicate id {n['id']!r}")
            _check(w, 0 <= n["x"] <= WIDTH - NODE_W and 0 <= n["y"] <= HEIGHT - NODE_H,
                   f"x must be 0-{WIDTH - NODE_W} and y 0-{HEIGHT - NODE_H} to fit the drawing")
            _check(w, n.get("sim", "") in SIM_BINDINGS | {""}, f"sim must be one of {', '.join(sorted(SIM_BINDINGS))}")
            _check(w, not n.get("source") or str(n["source"]).startswith("https://"), "source must be an https:// link")
            node = Node(str(n["id"]), n["kind"], str(n["label"]), float(n["x"]), float(n["y"]), str(n["note"]),
                        str(n.get("source", "")), bool(n.get("broken", False)), str(n.get("sim", "")))
            nodes[node.id] = node
            diagram.nodes.append(node)
        _check(where, nodes, "needs at least one node")
        for i, e in enumerate(spec.get("edges") or []):
            w = f"{where}, edges[{i}]"
            _check(w, isinstance(e, dict), "must be a mapping")
            _check(w, e.get("from") in nodes and e.get("to") in nodes,
                   f"from and to must name nodes of option {option} ({', '.join(nodes)})")
            _check(w, e.get("mode") in MODES, f"mode {e.get('mode')!r}; allowed: {', '.join(sorted(MODES))}")
            a, b = nodes[e["from"]], nodes[e["to"]]
            edge = Edge(a, b, e["mode"], str(e.get("label", "")), bool(e.get("broken", False)),
                        str(e.get("note", "")), str(e.get("source", "")))
            edge.points = (_border_point(a, b.cx, b.cy), _border_point(b, a.cx, a.cy))
            diagram.edges.append(edge)
        out[diagram.option] = diagram
    return out


@lru_cache(maxsize=64)
def _load(path: str, mtime: float) -> dict[str, Diagram]:
    with open(path, encoding="utf-8") as fh:
        try:
            raw = yaml.safe_load(fh)
        except yaml.YAMLError as exc:
            raise DiagramError(f"{path}: invalid YAML: {exc}") from None
    return parse(raw, Path(path).name)


def diagrams_for(external_id: str, content_dir: Path = CONTENT_DIR) -> list[Diagram]:
    """The question's diagrams in option order, or [] if it has none. Re-read when the file changes."""
    path = Path(content_dir) / f"{external_id}.diagrams.yaml"
    if not path.exists():
        return []
    return [d for _, d in sorted(_load(str(path), path.stat().st_mtime).items())]
