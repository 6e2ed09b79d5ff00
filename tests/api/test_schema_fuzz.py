"""schemathesis over every operation of /api/schema/, against the live server: no server error,
no response that breaks the schema. Runs as an instructor (so every operation is reachable)
and anonymously (so the 401 paths are exercised too)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from questions.api.authentication import issue_token
from questions.loader import load_questions

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture
def no_throttling(monkeypatch):
    # Throttling has its own tests; here it would only stop the fuzzer early.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {k: "100000/min" for k in api_settings.DEFAULT_THROTTLE_RATES})


@pytest.mark.parametrize("who", ["instructor", "anonymous"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, transactional_db, django_user_model,
                                                                    no_throttling, who, tmp_path):
    from django.contrib.auth.models import Group

    load_questions()
    headers = []
    if who == "instructor":
        user = django_user_model.objects.create_user("fuzz", password="a-Long-enough-passw0rd")
        user.groups.add(Group.objects.get_or_create(name="instructors")[0])
        _, key = issue_token(user)
        headers = ["-H", f"Authorization: Token {key}"]
    result = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{live_server.url}/api/schema/", *headers,
         "--max-examples", "25", "--seed", "1973", "--checks", "not_a_server_error,response_schema_conformance,"
         "status_code_conformance,content_type_conformance", "--request-timeout", "20",
         "--report-dir", str(tmp_path), "--warnings", "off"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
