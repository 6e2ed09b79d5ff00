"""Settings from the environment: one reader with one rule for empty values, and every variable
the web app reads (settings, `make serve`, `make run`) documented in the README's tables."""
import ast
import re
from pathlib import Path

import pytest

from reference_impl import envvars
from reference_impl.envvars import SettingError

ROOT = Path(__file__).resolve().parents[1]
READERS = {"env_str", "env_required", "env_bool", "env_list", "env_int", "env_float"}
# Read by gunicorn itself, not by the app.
READ_ELSEWHERE = {"GUNICORN_CMD_ARGS"}


def variables_read(folder: str) -> dict[str, str]:
    """Each variable a module of `folder` reads through the reader, with the module."""
    found = {}
    for path in sorted((ROOT / folder).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in READERS
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found[node.args[0].value] = path.name
    return found


def variables_documented() -> set[str]:
    """The variables named in the first column of the README's tables."""
    names: set[str] = set()
    for line in (ROOT / "README.md").read_text().splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            names.update(n for n in re.findall(r"`([^`]+)`", first) if re.fullmatch(r"[A-Z][A-Z0-9_]+", n))
    return names


def test_every_variable_the_web_app_reads_is_in_the_readmes_tables():
    read = variables_read("studyapp")
    assert {"DEBUG", "DATABASE_URL", "LAB_AWS_REGION", "WEB_CONCURRENCY"} <= set(read)  # the scan sees them
    missing = sorted(f"{name} ({module})" for name, module in read.items() if name not in variables_documented())
    assert missing == [], "add them to the tables in README.md"


def test_every_variable_in_the_readmes_tables_is_read():
    unread = sorted(variables_documented() - set(variables_read("studyapp")) - READ_ELSEWHERE)
    assert unread == []


def test_the_web_app_reads_the_environment_only_through_the_reader():
    direct = sorted(f"{path.name}:{node.lineno}" for path in (ROOT / "studyapp").glob("*.py")
                    for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}
                    and isinstance(node.value, ast.Name) and node.value.id == "os"
                    and not _is_setdefault_or_passed(node, path))
    assert direct == []


def _is_setdefault_or_passed(node, path) -> bool:
    """os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...) and os.environ handed whole to the
    reader (serve.py) or to a child process are not reads of a setting."""
    line = path.read_text().splitlines()[node.lineno - 1]
    return "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\"" in line or "(os.environ)" in line or "**os.environ" in line


@pytest.mark.parametrize("read, default", [
    (lambda env: envvars.env_str("X", "d", env), "d"),
    (lambda env: envvars.env_bool("X", True, env), True),
    (lambda env: envvars.env_int("X", 7, 0, 10, env), 7),
    (lambda env: envvars.env_float("X", 0.5, 0, 1, env), 0.5),
    (lambda env: envvars.env_list("X", ["a"], env), ["a"]),
])
@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_variable_takes_its_default_whatever_its_type(read, default, empty):
    assert read({"X": empty}) == default
    assert read({}) == default


@pytest.mark.parametrize("read, message", [
    (lambda: envvars.env_bool("DEBUG", True, {"DEBUG": "maybe"}), "DEBUG='maybe' is not a boolean; allowed: 1, true"),
    (lambda: envvars.env_int("PORT", 8000, 1, 65535, {"PORT": "0"}), "PORT='0' is out of range; allowed: 1 to 65535"),
    (lambda: envvars.env_int("WEB_THREADS", 4, 1, 64, {"WEB_THREADS": "four"}), "WEB_THREADS='four' is not a number"),
])
def test_a_value_that_cannot_be_read_names_the_variable_and_what_is_allowed(read, message):
    with pytest.raises(SettingError) as info:
        read()
    assert message in str(info.value)


def test_make_serve_refuses_a_bad_number_before_it_starts(monkeypatch, capsys):
    from studyapp import serve

    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("WEB_CONCURRENCY", "lots")
    assert serve.main() == 2
    assert "WEB_CONCURRENCY='lots' is not a number; allowed: 1 to 64" in capsys.readouterr().err
