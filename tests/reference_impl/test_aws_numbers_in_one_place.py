"""Every AWS number the reference system uses is read from ``reference_impl/aws_facts.py``, where it
has its unit and its source; none is typed again elsewhere in ``reference_impl``.

The scan reads each module's syntax tree, not its text, so comments and docstrings may quote a
figure. A number is an AWS number when its value is one only AWS gives meaning to (1,048,576 bytes
anywhere), or when a common value (10, 20, 30...) stands next to the name of what AWS limits
(``max_messages=10``, ``env_float("WORKER_WAIT_S", 20, ...)``, ``stop_timeout_s: float = 30``).
``simulate/params.py`` is exempt: it is a parameter table with a source for each row.
"""
import ast
import re
from pathlib import Path

import pytest

from reference_impl.aws_facts import FACTS

PACKAGE = Path(__file__).resolve().parents[2] / "reference_impl"
EXEMPT = {"aws_facts.py", "simulate/params.py"}

ANYWHERE = None
# (value, the fact to read instead, where it counts: a pattern its context names must match)
RULES = [
    (1_048_576, "sqs_message_max_bytes or sqs_batch_max_bytes", r"message|batch|payload|body|sqs"),
    (262_144, "sqs_message_max_bytes_before_2025", ANYWHERE),
    (1_209_600, "sqs_retention_max_s", ANYWHERE),
    (43_200, "sqs_visibility_timeout_max_s", ANYWHERE),
    (2_880, "ecs_protection_max_min", ANYWHERE),
    (10, "sqs_receive_max_messages or sqs_batch_max_entries", r"batch|max_?messages|maxnumberofmessages|entries"),
    (20, "sqs_long_poll_max_s", r"wait|long_?poll|waittimeseconds"),
    (30, "sqs_visibility_timeout_default_s", r"visibility"),
    (30, "ecs_stop_timeout_default_s", r"stop_?timeout"),
    (120, "ecs_stop_timeout_max_s", r"stop_?timeout"),
    (300, "ecs_default_cooldown_s", r"cooldown"),
    (900, "lambda_timeout_max_s", r"lambda\w*timeout|timeout\w*lambda"),
    (60, "sqs_metric_period_s", r"metric\w*period"),
]


def _parents(tree):
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return parents


def _names_in(node) -> list[str]:
    """Identifiers a node spells: variable and attribute names, and identifier-like strings."""
    out = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.append(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and re.fullmatch(r"\w{2,60}", sub.value):
            out.append(sub.value)
    return out


def _context(node, parents) -> list[str]:
    """The names a number stands next to, up to its statement: keyword arguments, the targets it
    is assigned to, a parameter it is the default of, the other arguments of its call, the other
    side of a comparison, its key in a dict."""
    names, child, parent = [], node, parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.keyword) and parent.arg:
            names.append(parent.arg)
        elif isinstance(parent, ast.Call):
            names.extend(_names_in(parent.func))
            for arg in parent.args:
                if arg is not child:
                    names.extend(_names_in(arg))
        elif isinstance(parent, ast.Compare):
            names.extend(n for part in [parent.left, *parent.comparators] if part is not child for n in _names_in(part))
        elif isinstance(parent, ast.Dict):
            for key, value in zip(parent.keys, parent.values):
                if value is child and key is not None:
                    names.extend(_names_in(key))
        elif isinstance(parent, ast.arguments):
            positional = parent.posonlyargs + parent.args
            for arg, default in zip(positional[len(positional) - len(parent.defaults):], parent.defaults):
                if default is child:
                    names.append(arg.arg)
            for arg, default in zip(parent.kwonlyargs, parent.kw_defaults):
                if default is child:
                    names.append(arg.arg)
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            for target in targets:
                names.extend(_names_in(target))
        if isinstance(parent, ast.stmt):
            break
        child, parent = parent, parents.get(parent)
    return names


def _value(node):
    """The number a literal or a product/sum of literals (``256 * 1024``) spells, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add, ast.Pow)):
        left, right = _value(node.left), _value(node.right)
        if left is not None and right is not None:
            return {ast.Mult: left * right, ast.Add: left + right, ast.Pow: left ** right}[type(node.op)]
    return None


def find_aws_numbers(source: str, filename: str) -> list[str]:
    tree = ast.parse(source, filename)
    parents = _parents(tree)
    found = []
    for node in ast.walk(tree):
        number = _value(node)
        if number is None or isinstance(parents.get(node), ast.BinOp) and _value(parents[node]) is not None:
            continue  # a part of a larger constant expression: the whole is checked
        context = None
        for value, fact, pattern in RULES:
            if number != value:
                continue
            if pattern is not ANYWHERE:
                context = context if context is not None else " ".join(_context(node, parents)).lower()
                if not re.search(pattern, context):
                    continue
            found.append(f"{filename}:{node.lineno}: {number} is an AWS number; "
                         f"read it from reference_impl.aws_facts ({fact})")
            break
    return found


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative not in EXEMPT:
            yield path, f"reference_impl/{relative}"


def test_the_rules_name_facts_that_exist_with_those_values():
    for value, facts, _ in RULES:
        for name in facts.split(" or "):
            assert FACTS[name].value == value, name


@pytest.mark.parametrize("source, expected", [
    ("MAX_MESSAGE_BYTES = 256 * 1024\n", "262144 is an AWS number; read it from reference_impl.aws_facts "
                                         "(sqs_message_max_bytes_before_2025)"),
    ("RETENTION = 14 * 24 * 3600\n", "sqs_retention_max_s"),
    ("x = env_float('WORKER_WAIT_S', 20, 0, MAX_WAIT_S)\n", "sqs_long_poll_max_s"),
    ("MAX_BATCH_BYTES = 1024 * 1024\n", "sqs_message_max_bytes or sqs_batch_max_bytes"),
    ("class C:\n    stop_timeout_s: float = 30.0\n", "ecs_stop_timeout_default_s"),
    ("def f(visibility_timeout_s=30):\n    pass\n", "sqs_visibility_timeout_default_s"),
    ("client.receive_message(QueueUrl=u, MaxNumberOfMessages=10)\n", "sqs_receive_max_messages"),
    ("attrs = {'VisibilityTimeout': 43200}\n", "sqs_visibility_timeout_max_s"),
])
def test_the_scan_finds_aws_numbers_typed_again(source, expected):
    [finding] = find_aws_numbers(source, "example.py")
    assert finding.startswith("example.py:") and expected in finding


@pytest.mark.parametrize("source", [
    "for i in range(10):\n    pass\n",
    "write_threads = 10\n",
    "timeout = 30  # a socket timeout, not an AWS one\n",
    "poll_s = 20\n",
    "MB = 1024 * 1024\n",
    "'''Up to 1,048,576 bytes: 1048576.'''\n",
])
def test_the_scan_leaves_other_numbers_alone(source):
    assert find_aws_numbers(source, "example.py") == []


def test_no_aws_number_is_typed_outside_aws_facts():
    found = [line for path, name in _modules() for line in find_aws_numbers(path.read_text(), name)]
    assert not found, "AWS numbers outside aws_facts.py:\n" + "\n".join(found)
