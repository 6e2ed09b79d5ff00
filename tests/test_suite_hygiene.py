"""The suite as a codebase: fixtures come from conftest.py files (never imported), shared helpers
from support modules, each fixture name means one thing, and there is one password."""
import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# The deploy tests' moto fixtures, one per module with different set-ups; left as they are while
# those tests are reworked with the deployer (issue 20). No other name may join them.
KNOWN_REDEFINED = {"aws", "deployed"}


def modules():
    return [(path, ast.parse(path.read_text(), filename=str(path))) for path in sorted(TESTS.rglob("*.py"))]


def imported(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield ("." * node.level) + node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_no_module_imports_a_conftest_or_a_test_module():
    offenders = sorted(f"{path.relative_to(TESTS)}: {name}" for path, tree in modules() for name in imported(tree)
                       if name.rsplit(".", 1)[-1] == "conftest" or name.rsplit(".", 1)[-1].startswith("test_"))
    assert offenders == [], "move shared helpers to tests/support.py (or a folder's support module)"


def fixture_names(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any("fixture" in ast.unparse(d) for d in node.decorator_list):
            yield node.name


def test_each_fixture_name_is_defined_once():
    where: dict[str, list[str]] = {}
    for path, tree in modules():
        for name in fixture_names(tree):
            where.setdefault(name, []).append(str(path.relative_to(TESTS)))
    twice = {name: paths for name, paths in where.items() if len(paths) > 1 and name not in KNOWN_REDEFINED}
    assert twice == {}, "one fixture per meaning: share it from a conftest.py, or name the other meaning"
    assert "bank" in where and "q1973" in where  # the scan sees fixtures


def test_the_password_is_written_once():
    from tests.support import PASSWORD

    copies = sorted(str(path.relative_to(TESTS)) for path in TESTS.rglob("*.py")
                    if PASSWORD in path.read_text() and path.name != "support.py")
    assert copies == [], "import PASSWORD from tests.support"
