"""The project's layers, and every import that runs against them.

A part may import the parts in its own layer or below it, never above (../DESIGN's map, kept
here as a table a test holds: tests/test_layers.py). Every `import` and `from ... import` of
every project module counts, including those inside functions, which is where back-imports
used to hide. Run as a script to list the imports against the table and the cycles between
packages:

    .venv/bin/python tools/layers.py [another checkout, e.g. /work/main, to count its imports]
"""
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. Each entry: a layer's name and the module prefixes in it (the longest prefix
# that matches a module decides its layer).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("framework-free", ("reference_impl",)),
    ("identity", ("accounts",)),
    ("api platform", ("studyapp.api",)),
    ("accounts' pages and API", ("accounts.views", "accounts.api", "accounts.urls", "accounts.admin")),
    ("labs", ("labs",)),
    ("question bank", ("questions",)),
    ("quizzes", ("quizzes",)),
    ("learner features", ("review", "drills", "reports")),
    ("progress", ("progress",)),
    ("courses", ("classroom", "lti")),
    ("site", ("studyapp",)),
    ("scripts", ("benchmarks", "tools", "manage")),
]

PACKAGES = sorted({prefix.split(".")[0] for _, prefixes in LAYERS for prefix in prefixes})
# Folders scanned: every package of the table (tests are not a layer: they may import anything).
SKIP = {"migrations", "__pycache__"}


def _match(module: str) -> tuple[int, str] | None:
    """(index into LAYERS, prefix) of the longest prefix matching `module`; None for other
    modules (Django, libraries, the standard library)."""
    best = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[1])):
                best = (index, prefix)
    return best


def layer_of(module: str) -> int | None:
    match = _match(module)
    return None if match is None else match[0]


def part_of(module: str) -> str:
    """The part a module belongs to: the table's prefix it matches (accounts' pages apart from
    the identity they sit on, the API platform apart from the site)."""
    match = _match(module)
    return module if match is None else match[1]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files() -> list[Path]:
    files = []
    for package in PACKAGES:
        base = ROOT / package
        if base.is_file() or (ROOT / f"{package}.py").is_file():
            files.append(ROOT / f"{package}.py")
            continue
        files += [p for p in base.rglob("*.py") if not SKIP & set(p.relative_to(ROOT).parts)]
    return sorted(files)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, at any depth (functions, classes, ifs).
    `from a import b` counts as `a.b` when that is a project module, else as `a`."""
    found = []
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                is_module = (ROOT / Path(*candidate.split("."))).with_suffix(".py").is_file() or \
                    (ROOT / Path(*candidate.split("."))).is_dir()
                found.append((node.lineno, candidate if is_module else base))
    return found


def graph() -> dict[str, list[tuple[int, str]]]:
    """Project module -> (line, project module) it imports."""
    out = {}
    for path in project_files():
        out[module_name(path)] = sorted({(line, name) for line, name in imports_of(path) if layer_of(name) is not None})
    return out


def back_imports(imports: dict[str, list[tuple[int, str]]] | None = None) -> list[str]:
    """Every import of a module in a higher layer, as `module:line: a (layer) imports b (layer)`,
    in `imports` (default: the project's graph())."""
    found = []
    for module, imported in (graph() if imports is None else imports).items():
        own = layer_of(module)
        for line, name in imported:
            other = layer_of(name)
            if own is not None and other is not None and other > own:
                found.append(f"{module}:{line}: {module} ({LAYERS[own][0]}) imports {name} ({LAYERS[other][0]})")
    return sorted(found)


def django_in_reference_impl() -> list[str]:
    return sorted(f"{module_name(path)}:{line}: {name}" for path in project_files()
                  if module_name(path).startswith("reference_impl")
                  for line, name in imports_of(path) if name.split(".")[0] in ("django", "rest_framework"))


def package_cycles(imports: dict[str, list[tuple[int, str]]] | None = None) -> list[tuple[str, str]]:
    """Pairs of parts (part_of) that import each other directly, each pair once."""
    edges = defaultdict(set)
    for module, imported in (graph() if imports is None else imports).items():
        for _, name in imported:
            if part_of(name) != part_of(module):
                edges[part_of(module)].add(part_of(name))
    return sorted((a, b) for a in list(edges) for b in edges[a] if a < b and a in edges.get(b, ()))


def main() -> int:
    global ROOT
    if len(sys.argv) > 1:
        ROOT = Path(sys.argv[1]).resolve()
    backs, cycles, django = back_imports(), package_cycles(), django_in_reference_impl()
    for line in backs:
        print(line)
    for a, b in cycles:
        print(f"cycle: {a} <-> {b}")
    for line in django:
        print(f"reference_impl imports Django: {line}")
    print(f"back-imports: {len(backs)}, cycles: {len(cycles)}, Django in reference_impl: {len(django)}")
    return 1 if backs or cycles or django else 0


if __name__ == "__main__":
    sys.exit(main())
