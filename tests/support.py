"""Helpers the tests share. Fixtures live in conftest.py files; plain helpers and constants live
here, so that no test module imports from a conftest or from another test module."""
import ast
import textwrap
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]  # the project

# The one password of the suite's users (long and mixed enough for Django's validators).
PASSWORD = "a-Long-enough-passw0rd"

# Set by a test (through its fixture) that leaves a lot of cyclic garbage; tests/conftest.py's
# pytest_runtest_teardown then collects it and freezes what outlives the test (see there).
collect_and_freeze_after_test = {"requested": False}


def wait_for(predicate, timeout_s, what="the condition", interval_s=0.1):
    """The predicate's first truthy value, polled every `interval_s`; fails naming `what` after
    `timeout_s`. Tests wait for observed states, never for a fixed time. The bounds are generous
    (a busy two-core machine): a test that needs them has failed anyway."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(interval_s)


def wait_for_health(url, process, timeout_s, log_path=None, session=None):
    """Wait until the app at `url` answers its health check (through `session`, e.g. one that
    says it is behind TLS, which a production server redirects to otherwise); fail at once, with
    the end of its log, if `process` exits first. Refused connections and read timeouts mean
    "not yet": gunicorn listens before its workers have booted, and a busy machine boots them
    slowly."""
    import requests

    client = session or requests

    def answering():
        log = f":\n{log_path.read_text()[-4000:]}" if log_path else ""
        assert process.poll() is None, f"the server exited{log}"
        try:
            return client.get(f"{url}/api/v1/health/", timeout=5).status_code == 200
        except (requests.ConnectionError, requests.Timeout):
            return False
    wait_for(answering, timeout_s, f"{url} to answer its health check")


def question_file(qid="q1", title="A title", options=None, body="# Stem\n\nWhat is it?\n", extra=""):
    """Text of a small valid question file, with parts replaceable for error cases."""
    options = options if options is not None else textwrap.dedent("""\
        options:
          - label: A
            text: Right one
            correct: true
            why: Because.
          - label: B
            text: Wrong one
            correct: false
            why: Because not.
        """)
    return f"---\nid: \"{qid}\"\ntitle: {title}\n{options}{extra}---\n{body}"


def imported_modules(package: str) -> dict[str, set[str]]:
    """The absolute module names each module of `package` (a folder) imports, by file; for
    `from a.b import c` both `a.b` and `a.b.c` (c may be a module)."""
    found = {}
    for path in (_ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[str(path.relative_to(_ROOT))] = names
    return found


def imported_packages(package: str) -> dict[str, set[str]]:
    """Top-level packages each module of `package` imports, by file."""
    return {path: {name.split(".")[0] for name in names} for path, names in imported_modules(package).items()}
