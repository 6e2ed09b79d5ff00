"""schemathesis over every operation of the API's schema, in-process against the WSGI app: no
server error, and the code and the schema agree (status codes, content types, bodies and
headers as documented; requests the schema calls invalid refused, requests it calls valid not
refused for their shape).

Every operation runs three times: with an instructor's token, so each is reachable with valid
credentials; with a learner's, so the 403s of instructors' operations and a learner's own
views are exercised; and anonymously, so the 401s and the public reads are too. The token is
issued afresh for every case, so `DELETE /auth/token/` revokes only its own and every later
case is still authenticated. Every other valid case asks for a question and a quiz that exist,
so the operations behind a 404 for made-up ids are reached too. Deterministic (a fixed seed,
derandomized Hypothesis) and small: a few examples per operation, plus the coverage phase's
boundary cases.
"""
import itertools
import json

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.config import SchemathesisConfig

from accounts.authentication import issue_token
from questions.loader import load_questions
from questions.models import Question
from quizzes.models import Quiz, QuizItem
from reference_impl import simulate
from tests.support import PASSWORD

CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
          "response_headers_conformance", "negative_data_rejection", "positive_data_acceptance"]
VALID = ["2xx", "401", "403", "404", "409", "429"]  # answers a request valid by the schema may get
# Refusals that depend on stored data or on rules across fields, which no schema can state:
# a question's content rules, grading an answer, tags no question has, a run too large to
# simulate. There a 400 for a request of the right shape is the code doing its job.
DATA_RULES = [("POST", "/api/v1/questions/"), ("PUT", "/api/v1/questions/{external_id}/"),
              ("POST", "/api/v1/questions/{external_id}/attempts/"), ("POST", "/api/v1/quizzes/"),
              ("POST", "/api/v1/quizzes/{id}/answers/"), ("POST", "/api/v1/simulations/"),
              ("POST", "/api/v1/import/moodle/"), ("POST", "/api/v1/import/gift/")]  # few bodies are a file of questions
# The coverage phase tries the boundaries of every property, and combinations of them: for the
# simulator's forty-odd overrides that is thousands of runs. Its own tests cover those ranges.
NO_COVERAGE = {"/api/v1/simulations/"}
CONFIG = SchemathesisConfig.from_dict({
    "seed": 1973,
    "generation": {"max-examples": 8, "deterministic": True, "database": "none"},
    "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS},
               "positive_data_acceptance": {"expected-statuses": VALID}},
    "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
               "stateful": {"enabled": False}},
    "operations": [{"include-name": f"{method} {path}",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*VALID, "400"]}},
                    **({"phases": {"coverage": {"enabled": False}}} if path in NO_COVERAGE else {})}
                   for method, path in DATA_RULES],
})
# The schema as the app serves it at /api/schema/, built without a request (at collection).
SCHEMA = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
schema = schemathesis.openapi.from_dict(SCHEMA, config=CONFIG)
schema.app = get_wsgi_application()


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The bank, an instructor, and a quiz of theirs: ids that valid cases may use. Stored once
    for the module (loading the bank for each of its hundred cases took a tenth of the suite's
    database time) and removed after it; each case's own writes are rolled back as usual."""
    from django.contrib.auth import get_user_model

    from questions.models import Tag

    with django_db_blocker.unblock():
        load_questions()
        user = get_user_model().objects.create_user("fuzz", password=PASSWORD)
        learner = get_user_model().objects.create_user("fuzz-learner", password=PASSWORD)
        group, created_group = Group.objects.get_or_create(name="instructors")
        user.groups.add(group)
        quiz = Quiz.objects.create(user=user, mode=Quiz.Mode.PRACTICE)
        QuizItem.objects.create(quiz=quiz, question=Question.objects.get(external_id="1973"), position=0)
    try:
        yield {"external_id": "1973", "id": quiz.pk, "user": user, "learner": learner}
    finally:
        with django_db_blocker.unblock():
            user.delete()
            learner.delete()
            if created_group:
                group.delete()
            Question.objects.all().delete()
            Tag.objects.all().delete()


@pytest.fixture
def existing(fuzz_world, db, monkeypatch):
    # Throttling has its own tests; here it would only stop the fuzzer early.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {k: "100000000/min" for k in api_settings.DEFAULT_THROTTLE_RATES})
    # Simulations run for real, but only small ones: larger runs are refused by the simulator's
    # own size rule (a documented 400), so a case costs milliseconds, not seconds.
    monkeypatch.setattr(simulate, "MAX_REQUESTS", 5_000)
    monkeypatch.setattr(simulate, "MAX_ITEMS", 50_000)
    monkeypatch.setattr(simulate, "MAX_BUSY_POLLS", 20_000)
    # schemathesis calls the WSGI handler itself, which closes the database connection at the
    # end of each request: that would close the test's own. Django's test client disconnects it too.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    # Which valid cases get ids that exist alternates within each operation's own cases, so a
    # case is the same whichever tests a worker process ran before it.
    yield {**fuzz_world, "alternate": itertools.count()}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
# The fixture sets up what all of an operation's cases share on purpose: the bank and the user.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.parametrize("who", ["instructor", "learner", "anonymous"])
def test_the_api_and_its_schema_agree(case, who, existing):
    headers = {}
    if who != "anonymous":
        headers["Authorization"] = f"Token {issue_token(existing['user' if who == 'instructor' else 'learner'])[1]}"
    if case.meta.generation.mode.is_positive and next(existing["alternate"]) % 2:
        for name in set(case.path_parameters or {}) & {"external_id", "id"}:
            case.path_parameters[name] = existing[name]
        if isinstance(case.body, dict) and "question" in case.body:
            case.body["question"] = existing["external_id"]
    case.call_and_validate(headers=headers)
