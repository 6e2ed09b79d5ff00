"""A client generated from the schema by a generator nobody here wrote (openapi-python-client,
PyPI) runs a learner's and an instructor's flows against a live server, through the
generated code only: typed models back, no untyped `additional_properties`, Bearer tokens as
the generator sends them, files as bytes.

The generator is a dev requirement (requirements-dev.txt); its generated code needs httpx and
attrs, which it brings. Its one configuration (GENERATOR_CONFIG): it reads only JSON, text and
application/octet-stream bodies, so the media types of files are mapped to octet-stream, as its
documentation says to (`content_type_overrides`); the requests still say their own type.
"""
import importlib
import io
import json
import subprocess
import sys
import zipfile

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from questions.loader import load_questions
from tests.support import PASSWORD

GENERATOR_CONFIG = """\
package_name_override: study_api_client
content_type_overrides:
  application/zip: application/octet-stream
  application/xml: application/octet-stream
  text/plain: application/octet-stream
"""


@pytest.fixture(scope="module")
def client_package(tmp_path_factory):
    where = tmp_path_factory.mktemp("generated")
    schema = where / "openapi.json"
    schema.write_text(json.dumps(json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))))
    (where / "config.yaml").write_text(GENERATOR_CONFIG)
    run = subprocess.run([sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema),
                          "--config", str(where / "config.yaml"), "--meta", "none",
                          "--output-path", str(where / "study_api_client")],
                         capture_output=True, text=True, timeout=300, cwd=where)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Endpoint will not be generated" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(where))
    yield importlib.import_module("study_api_client")
    sys.path.remove(str(where))


def api(package, name):
    return importlib.import_module(f"study_api_client.{name}")


def sign_in(package, base_url, username):
    client = package.Client(base_url=base_url, raise_on_unexpected_status=True)
    models = api(package, "models")
    token = api(package, "api.auth.create_token").sync(client=client, body=models.CredentialsRequest(username, PASSWORD))
    assert isinstance(token, models.Token)
    return package.AuthenticatedClient(base_url=base_url, token=token.token, raise_on_unexpected_status=True)  # Bearer


def test_a_learner_and_an_instructor_work_through_a_generated_client(client_package, live_server, transactional_db,
                                                                    learner, instructor):
    load_questions()
    models, call = api(client_package, "models"), lambda name: api(client_package, f"api.{name}")
    anonymous = client_package.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    assert call("health.get_health").sync(client=anonymous).status.value == "ok"
    page = call("questions.list_questions").sync(client=anonymous)
    assert isinstance(page, models.PaginatedQuestionSummaryList) and page.count >= 11

    me = sign_in(client_package, live_server.url, "learner")
    question = call("questions.get_question").sync("1973", client=me)
    assert isinstance(question, models.QuestionDetail) and not question.additional_properties
    answered = call("attempts.answer_question").sync("1973", client=me, body=models.AttemptCreateRequest(selected=["D"]))
    assert isinstance(answered, models.AttemptResult) and answered.selected == ["D"] and answered.correct
    assert all(isinstance(o, models.OptionFeedback) for o in answered.options) and answered.options[3].chosen
    exam = call("quizzes.start_quiz").sync(client=me, body=models.QuizCreateRequest(count=1, mode=models.QuizModeEnum.EXAM))
    assert exam.mode == models.QuizModeEnum.EXAM and exam.score is None
    asked = call("questions.get_question").sync(exam.questions[0], client=me)
    pick = [o.label for o in asked.options[:asked.answers_required]]
    recorded = call("quizzes.answer_quiz_question").sync(
        str(exam.id), client=me, body=models.QuizAnswerRequest(question=exam.questions[0], selected=pick))
    assert recorded.recorded is True and recorded.result is None
    finished = call("quizzes.finish_quiz").sync(str(exam.id), client=me)
    assert isinstance(finished.score, models.QuizScore) and finished.score.total == 1
    due = call("review.list_due_review_items").sync(client=me)
    assert due and isinstance(due[0].state, models.StateEnum)
    shown = call("review.reveal_review_item").sync(str(due[0].id), client=me)
    assert shown.prompt and set(shown.intervals.additional_properties) == {"again", "hard", "good", "easy"}
    rated = call("review.rate_review_item").sync(client=me, body=models.ReviewCreateRequest(
        item=due[0].id, rating=models.RatingEnum.GOOD, revealed=shown.revealed))
    assert rated.rating == models.RatingEnum.GOOD
    assert call("progress.get_progress").sync(client=me).attempts >= 2

    teacher = sign_in(client_package, live_server.url, "teacher")
    keyed = call("questions.get_question").sync("1973", client=teacher, include=models.GetQuestionInclude.ANSWERS)
    assert isinstance(keyed, models.QuestionWithAnswers) and keyed.correct_labels == ["D"] and keyed.key_points
    markdown = call("interchange.export_markdown").sync(client=teacher)
    assert "1973.md" in zipfile.ZipFile(io.BytesIO(markdown.payload.read())).namelist()
    moodle = call("interchange.export_moodle").sync(client=teacher).payload.read()
    assert moodle.startswith(b"<?xml")
    report = call("interchange.import_moodle").sync(client=teacher, dry_run=True,
                                                    body=client_package.types.File(payload=io.BytesIO(moodle)))
    assert isinstance(report, models.ImportReport) and report.dry_run and "1973" in report.unchanged


def test_public_operations_take_a_client_without_a_token(client_package):
    """What the schema says public is, the generated code types as callable without a token: the
    generator asks for an AuthenticatedClient wherever `security` lists anything, `{}` included."""
    import typing

    public = {"health.get_health", "health.get_readiness", "questions.list_questions", "questions.get_question",
              "simulations.list_simulation_scenarios", "simulations.run_simulation", "auth.create_token",
              "drills.get_backlog_drill", "drills.grade_backlog_drill"}
    for name in sorted(public):
        module = api(client_package, f"api.{name}")
        hint = typing.get_type_hints(module.sync)["client"]
        assert client_package.Client in typing.get_args(hint), (name, hint)
    signed_only = api(client_package, "api.progress.get_progress")
    assert typing.get_type_hints(signed_only.sync)["client"] is client_package.AuthenticatedClient
