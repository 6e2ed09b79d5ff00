"""A small IAM policy evaluator for the deploy tests: does this policy allow this request?

It follows IAM's documented evaluation for identity policies
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
an explicit Deny wins, otherwise some Allow must match the action, the resource and every
condition. Conditions: the operators the project's policies use (StringEquals, StringLike,
ArnEquals, ArnLike, Null, Bool); a key missing from the request fails every operator but Null,
as in IAM. Keys are case-insensitive, values of StringEquals/ArnEquals are exact, *Like ones
glob. No AWS call: moto does not evaluate conditions, and IAM's own simulator needs an account.
"""
from fnmatch import fnmatchcase


def _list(value) -> list:
    return value if isinstance(value, list) else [value]


def _condition_holds(operator: str, key: str, expected, context: dict) -> bool:
    present = {k.lower(): v for k, v in context.items()}
    value = present.get(key.lower())
    expected = [str(e) for e in _list(expected)]
    if operator == "Null":
        return (value is None) == (expected[0] == "true")
    if value is None:
        return False
    values = [str(v) for v in _list(value)]
    if operator in ("StringEquals", "ArnEquals", "Bool"):
        return any(v == e for v in values for e in expected)
    if operator in ("StringLike", "ArnLike"):
        return any(fnmatchcase(v, e) for v in values for e in expected)
    raise ValueError(f"operator {operator} is not modelled here")


def _matches(statement: dict, action: str, resource: str, context: dict) -> bool:
    if not any(fnmatchcase(action.lower(), a.lower()) for a in _list(statement["Action"])):
        return False
    if not any(fnmatchcase(resource, r) for r in _list(statement["Resource"])):
        return False
    return all(_condition_holds(op, key, expected, context)
               for op, pairs in statement.get("Condition", {}).items() for key, expected in pairs.items())


def allows(policy: dict, action: str, resource: str, context: dict | None = None) -> bool:
    context = context or {}
    statements = policy["Statement"]
    if any(s["Effect"] == "Deny" and _matches(s, action, resource, context) for s in statements):
        return False
    return any(s["Effect"] == "Allow" and _matches(s, action, resource, context) for s in statements)


def granted(policy: dict) -> set[str]:
    return {a for s in policy["Statement"] if s["Effect"] == "Allow" for a in _list(s["Action"])}
