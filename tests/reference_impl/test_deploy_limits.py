"""Time limits and derived names that hold, checked from the config and the template (no AWS).

Physical names are derived by CloudFormation from the stack name and the template's `!Sub`s;
moto does not enforce AWS's name limits, so the template is read here and every derived name is
rendered for the longest lab and model names the deployer accepts and measured against its limit
in aws_facts.
"""
import pytest

from reference_impl import aws_facts
from reference_impl.deploy import ConfigError, config
from reference_impl.deploy.template import parsed_template

from .deploy_support import lab_config

PLACEHOLDERS = ("${AWS::StackName}", "${ModelName}")


def derived_names() -> dict[str, str]:
    """logical id.property -> the name pattern, for every name built from the stack or model name."""
    out = {}
    for logical, spec in parsed_template()["Resources"].items():
        for prop, value in spec.get("Properties", {}).items():
            if not (prop.endswith("Name") or prop in ("Name", "Family")):
                continue
            if value == {"Ref": "AWS::StackName"}:
                value = {"Fn::Sub": "${AWS::StackName}"}
            if isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str) \
                    and any(p in value["Fn::Sub"] for p in PLACEHOLDERS):
                out[f"{logical}.{prop}"] = value["Fn::Sub"]
    return out


def test_every_derived_name_has_a_known_limit():
    names = derived_names()
    assert "ReaperFunction.FunctionName" in names and "Cluster.ClusterName" in names
    unknown = {k: v for k, v in names.items()
               if v not in config.DERIVED_NAMES and v not in config.UNLIMITED_DERIVED_NAMES}
    assert not unknown, f"add to config.DERIVED_NAMES with its AWS limit: {unknown}"


def test_every_derived_name_fits_for_the_longest_names_accepted():
    lab, model = "l" * config.MAX_LAB_NAME_CHARS, "m" * config.MAX_MODEL_NAME_CHARS
    stack = f"lab-{lab}-{model}"
    assert len(stack) == config.MAX_STACK_NAME_CHARS <= aws_facts.value("cfn_stack_name_max_chars")
    for where, pattern in derived_names().items():
        if pattern in config.UNLIMITED_DERIVED_NAMES:
            continue
        name = pattern.replace("${AWS::StackName}", stack).replace("${ModelName}", model)
        assert len(name) <= aws_facts.value(config.DERIVED_NAMES[pattern]), (where, name)
    # the binding one: Lambda's 64-character function names
    assert len(f"{stack}-reaper") == 64


def test_the_template_accepts_exactly_the_names_the_config_does():
    params = parsed_template()["Parameters"]
    assert params["ModelName"]["AllowedPattern"] == config._MODEL_NAME.pattern
    assert params["LabName"]["AllowedPattern"] == config._LAB_NAME.pattern


@pytest.mark.parametrize("field, overrides, message", [
    ("lab", {"lab": "l" * (config.MAX_LAB_NAME_CHARS + 1)}, "lab 'l{33}': 1-32 lowercase letters"),
    ("model_name", {"model_name": "m" * (config.MAX_MODEL_NAME_CHARS + 1)}, "at most 20 characters"),
    ("ttl_minutes", {"ttl_minutes": config.MIN_TTL_MINUTES - 1}, "ttl_minutes .* is 29; allowed: 30 to 240"),
])
def test_longer_names_and_shorter_time_limits_are_refused_by_field(field, overrides, message):
    with pytest.raises(ConfigError, match=message):
        lab_config(**overrides).check()
    assert any(p.startswith(field) for p in lab_config(**overrides).problems())


def test_the_longest_accepted_lab_name_and_the_shortest_time_limit_pass():
    lab_config(lab="l" * config.MAX_LAB_NAME_CHARS, ttl_minutes=config.MIN_TTL_MINUTES).check()
