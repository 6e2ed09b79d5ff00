"""The CloudFormation template as text (for the API calls) and as data (for plan and tests).

PyYAML's safe loader rejects CloudFormation's short-form tags (!Ref, !Sub, !GetAtt ...); this
loader turns each into its long form ({"Ref": ...}, {"Fn::Sub": ...}) so the parsed document is
what CloudFormation itself sees.
"""
from functools import lru_cache
from pathlib import Path

import yaml

TEMPLATE_PATH = Path(__file__).with_name("template.yaml")

# Tags the template uses are all of CloudFormation's short forms; an unknown tag fails loudly.
_SHORT_FORMS = ["Ref", "Condition"] + [f"Fn::{name}" for name in (
    "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select", "Split",
    "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "Length", "ToJsonString")]


class _CfnLoader(yaml.SafeLoader):
    pass


def _constructor(long_name: str):
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, object]:
        value: object
        if isinstance(node, yaml.ScalarNode):
            scalar = loader.construct_scalar(node)
            value = scalar.split(".", 1) if long_name == "Fn::GetAtt" else scalar
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        elif isinstance(node, yaml.MappingNode):
            value = loader.construct_mapping(node, deep=True)
        else:
            raise yaml.constructor.ConstructorError(None, None, f"!{long_name} on a {type(node).__name__}",
                                                    node.start_mark)
        return {long_name: value}
    return construct


for _name in _SHORT_FORMS:
    _CfnLoader.add_constructor("!" + _name.removeprefix("Fn::"), _constructor(_name))


def template_body(path: Path = TEMPLATE_PATH) -> str:
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=4)
def _parsed(path: Path) -> dict:
    return yaml.load(template_body(path), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


def parsed_template(path: Path = TEMPLATE_PATH) -> dict:
    """The template as a dict, CloudFormation tags in long form. Callers must not mutate it."""
    return _parsed(path)


def resources(path: Path = TEMPLATE_PATH) -> dict[str, dict]:
    return parsed_template(path)["Resources"]
