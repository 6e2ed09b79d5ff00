"""The house's figures (issue 24's note): modules over 300 lines, functions over 50 lines,
imports against the layers and cycles between parts (tools/layers.py), and the pairs of
repeated code `duplicates` finds (outside migrations and what it marks boilerplate).

    .venv/bin/python tools/house_figures.py [checkout ...]   # default: this one

Counted: the project's Python modules (apps, studyapp, reference_impl, tools, benchmarks,
manage.py), not tests and not migrations. `duplicates` is the workplace's tool (on PATH); without
it that line says so.
"""
import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import layers  # tools/layers.py: run as a script, this folder is first on the path

MODULE_LINES, FUNCTION_LINES = 300, 50


def python_files(root: Path) -> list[Path]:
    layers.ROOT = root
    return [p for p in layers.project_files() if "migrations" not in p.parts]


def long_modules(files: list[Path], root: Path) -> list[tuple[int, str]]:
    sized = [(len(p.read_text().splitlines()), str(p.relative_to(root))) for p in files]
    return sorted((n, name) for n, name in sized if n > MODULE_LINES)[::-1]


def functions(files: list[Path], root: Path) -> list[tuple[int, str]]:
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                found.append((length, f"{path.relative_to(root)}:{node.lineno} {node.name}"))
    return found


def duplicate_pairs(root: Path) -> str:
    if shutil.which("duplicates") is None:
        return "duplicates: not on PATH"
    out = subprocess.run(["duplicates", "--repo", str(root), "--most", "200", "--seconds", "180"],
                         capture_output=True, text=True, check=False).stdout
    rows = [line for line in out.splitlines() if re.match(r"D\d+ ", line)]
    kept = [r for r in rows if "boilerplate" not in r and "/migrations/" not in r]
    total = out.splitlines()[0].split(" ", 1)[0] if out else "?"
    return f"duplicate pairs: {total} in all, {len(kept)} outside migrations and boilerplate"


def report(root: Path) -> None:
    files = python_files(root)
    big = long_modules(files, root)
    funcs = functions(files, root)
    long_funcs = sorted((f for f in funcs if f[0] > FUNCTION_LINES), reverse=True)
    backs = layers.back_imports()
    cycles = layers.package_cycles()
    print(f"== {root}")
    print(f"modules over {MODULE_LINES} lines: {len(big)} of {len(files)}"
          + (f" (largest {big[0][1]}, {big[0][0]})" if big else ""))
    for n, name in big:
        print(f"  {n:5d}  {name}")
    print(f"functions over {FUNCTION_LINES} lines: {len(long_funcs)} of {len(funcs)}")
    for n, name in long_funcs:
        print(f"  {n:5d}  {name}")
    print(f"imports against the layers: {len(backs)}; parts importing each other: {len(cycles)}"
          + (f" ({', '.join(f'{a}<->{b}' for a, b in cycles)})" if cycles else ""))
    print(duplicate_pairs(root))


if __name__ == "__main__":
    for arg in sys.argv[1:] or [str(layers.ROOT)]:
        report(Path(arg).resolve())
