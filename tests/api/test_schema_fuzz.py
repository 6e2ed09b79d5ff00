"""schemathesis over every operation of /api/schema/, against the live server: no server error,
no response that breaks the schema (status codes, content types and bodies all documented).

Two runs: as an instructor, so every operation is reachable with valid credentials, and
anonymously, so the 401 paths and the public reads are exercised too. The instructor run leaves
out DELETE (the only one is token revocation): it would revoke the run's own token and leave
the rest of the run testing 401s. The anonymous run covers it; test_tokens_api.py tests it.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.servers.basehttp import WSGIRequestHandler
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.authentication import issue_token
from questions.loader import load_questions

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"


@pytest.fixture
def fast_fuzzing(monkeypatch):
    # Throttling has its own tests; here it would only stop the fuzzer early.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {k: "100000/min" for k in api_settings.DEFAULT_THROTTLE_RATES})
    # Django's test server, unlike gunicorn, cannot read chunked request bodies (schemathesis
    # sends some): on a kept-alive connection their leftover bytes would be parsed as the next
    # request. One request per connection (HTTP/1.0) keeps each case apart, and without
    # Nagle's algorithm a response body does not wait ~40 ms for the client's delayed ACK.
    monkeypatch.setattr(WSGIRequestHandler, "protocol_version", "HTTP/1.0")
    monkeypatch.setattr(WSGIRequestHandler, "disable_nagle_algorithm", True)


@pytest.mark.parametrize("who, examples", [("instructor", 25), ("anonymous", 8)])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, transactional_db, django_user_model,
                                                                    fast_fuzzing, who, examples, tmp_path):
    load_questions()
    options = []
    if who == "instructor":
        user = django_user_model.objects.create_user("fuzz", password="a-Long-enough-passw0rd")
        user.groups.add(Group.objects.get_or_create(name="instructors")[0])
        _, key = issue_token(user)
        options = ["-H", f"Authorization: Token {key}", "--exclude-method", "DELETE"]
    result = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{live_server.url}/api/schema/", *options,
         "--max-examples", str(examples), "--seed", "1973", "--checks", CHECKS, "--request-timeout", "20",
         "--report-dir", str(tmp_path), "--generation-database", "none", "--warnings", "off"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Test cases:" in result.stdout and " passed" in result.stdout, result.stdout[-2000:]
