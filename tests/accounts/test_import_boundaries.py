"""Labs and the question bank meet only through accounts (the instructor role, tokens) and
reference_impl: neither imports the other, so either can change without the other noticing."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_packages(package: str) -> dict[str, set[str]]:
    """Top-level packages each module of `package` imports, by file."""
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize("package, other", [("labs", "questions"), ("questions", "labs")])
def test_labs_and_questions_do_not_import_each_other(package, other):
    offenders = sorted(path for path, names in imported_packages(package).items() if other in names)
    assert offenders == []


def test_both_take_the_instructor_role_from_accounts():
    for package in ("labs", "questions"):
        assert any("accounts" in names for names in imported_packages(package).values()), package
