"""Helpers of the reference system's tests: isolated queues and buckets on the shared endpoint,
and job bodies that must never reach a model (fixtures are in conftest.py)."""
import json
import uuid

from reference_impl.local.provision import ProvisionSettings, provision

ROW = [0.0] * 64  # one valid digits input


def provision_isolated(clients, models=("digits",), **settings):
    """A bucket and queues no other test uses, on the shared endpoint."""
    tag = uuid.uuid4().hex[:10]
    return provision(clients, list(models), ProvisionSettings(bucket=f"refimpl-test-{tag}",
                                                              queue_prefix=f"t{tag}-", **settings))


# Bodies a worker must refuse, each with (part of) the reason it gives; None: it decodes.
POISON = {
    "deep nesting": ("[" * 3000 + "]" * 3000, "nested too deeply"),
    "deep nesting in an object": ('{"inputs": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
    "a 5,000-digit integer": ('{"inputs": [[' + "9" * 5000 + "]]}", "integer string conversion"),
    "a 400-digit integer as an input": (json.dumps({"inputs": [[10 ** 400] + [0] * 63]}), "is outside 0..16"),
    "a 400-digit submitted_at": ('{"inputs": [[' + ",".join(["0"] * 64) + ']], "submitted_at": 1' + "0" * 400 + "}",
                                 None),
    "NaN": ('{"inputs": [[NaN' + ",0" * 63 + "]]}", "nan is outside"),
    "a job id that is a list": (json.dumps({"job_id": ["a"], "inputs": [ROW]}), "job id ['a'] is not valid"),
    "inputs as an object": (json.dumps({"inputs": {"a": 1}}), "expected a list of inputs, got dict"),
    "a lone surrogate": ('{"inputs": "\\ud800"}', "expected a list of inputs, got str"),
    "null": ("null", "expected a JSON object, got NoneType"),
    "empty": ("", "body is not JSON"),
}
