"""The schema passes two independent linters, Spectral's `spectral:oas` rules and Redocly's
`recommended` ones, with the checked-in rulesets (studyapp/api/lint/), whose exceptions each
say why. Any finding fails, warnings and hints included.

The linters are npm packages (`@stoplight/spectral-cli`, `@redocly/cli` in package.json's
devDependencies), run from node_modules/.bin.
"""
import json
import subprocess
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "studyapp" / "api" / "lint"
BIN = ROOT / "node_modules" / ".bin"


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "openapi.json"
    schema = SchemaGenerator().get_schema(request=None, public=True)
    path.write_text(json.dumps(json.loads(OpenApiJsonRenderer().render(schema)), indent=1))
    return path


@pytest.mark.parametrize("command", [
    ["spectral", "lint", "--ruleset", str(RULES / "spectral.yaml"), "--fail-severity", "hint", "--format", "text"],
    ["redocly", "lint", "--config", str(RULES / "redocly.yaml"), "--max-problems", "200"],
], ids=["spectral", "redocly"])
def test_the_schema_passes_an_independent_linter(schema_file, command):
    tool = BIN / command[0]
    assert tool.exists(), f"{tool} is missing: npm install (package.json devDependencies)"
    run = subprocess.run([str(tool), *command[1:], str(schema_file)], capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(schema_file.parent), "REDOCLY_TELEMETRY": "off",
                              "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"})
    assert run.returncode == 0, run.stdout + run.stderr
    # Redocly counts warnings apart from errors, and passes with them: none are allowed either.
    assert "warning" not in run.stdout.lower() or command[0] == "spectral", run.stdout
