"""Export, simulations and health."""
import io
import zipfile

from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from questions import answering, simulations
from questions.api.errors import Conflict
from questions.api.errors import ErrorSerializer as E
from questions.api.middleware import error_response
from questions.api.permissions import IsInstructor
from questions.api.serializers import SimulationRequestSerializer
from questions.api.simulation_schema import SimulationCatalogueSerializer, SimulationResultSerializer
from questions.api.throttling import ScopedThrottle
from questions.content_format import dump_question_file
from questions.loader import question_data
from questions.models import Question
from questions.api.moodle import to_moodle_xml
from reference_impl import simulate
from studyapp.readiness import readiness


def refuse_during_exam(user):
    """Exports hold every key: none while the caller's own exam runs (questions.answering)."""
    exam = answering.exam_in_progress(user)
    if exam is not None:
        raise Conflict({"exam": [f"your exam quiz {exam} is not finished; exports show every answer key, "
                                 "so finish the quiz first"]})


class ExportMarkdown(APIView):
    permission_classes = [IsInstructor]

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY), 401: E, 403: E, 409: E, 429: E},
                   description="The bank as the Markdown files `manage.py loadquestions` reads, zipped. "
                               "409 while the caller has an unfinished exam.")
    def get(self, request):
        refuse_during_exam(request.user)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for q in Question.objects.with_choices():
                zf.writestr(f"{q.external_id}.md", dump_question_file(question_data(q)))
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="questions.zip"'
        return response


class ExportMoodle(APIView):
    permission_classes = [IsInstructor]

    @extend_schema(responses={(200, "application/xml"): OpenApiResponse(OpenApiTypes.BINARY), 401: E, 403: E, 409: E, 429: E},
                   description="The bank as Moodle XML (multichoice), for import into Moodle's question bank. "
                               "409 while the caller has an unfinished exam.")
    def get(self, request):
        refuse_during_exam(request.user)
        response = HttpResponse(to_moodle_xml(Question.objects.with_choices()), content_type="application/xml")
        response["Content-Disposition"] = 'attachment; filename="questions-moodle.xml"'
        return response


class Simulations(APIView):
    permission_classes = [AllowAny]
    # No user is needed and nothing of a user's changes, so no credentials are read: the
    # pages' fetch() calls work without a CSRF token, signed in or not. Budgets go by address.
    authentication_classes = []
    # New runs only: a cached result costs nothing, but a run can take seconds of CPU.
    throttle_scope = "simulations"

    @extend_schema(request=SimulationRequestSerializer, responses={200: SimulationResultSerializer, 400: E, 429: E},
                   description="Run the same traffic through designs A-D. Cached by its parameters; "
                               "scenarios too large to run quickly are refused. Besides the caller's "
                               "general budget, runs not already cached have a smaller one of their own.")
    def post(self, request):
        serializer = SimulationRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scenario, overrides = serializer.validated_data["scenario"], serializer.validated_data["overrides"]
        try:
            simulate.validate_overrides(scenario, overrides)
        except simulate.SimulationInputError as exc:
            raise ValidationError({(k if k == "scenario" else f"overrides.{k}"): [v] for k, v in exc.errors.items()}) from None
        result = simulations.cached_result(scenario, overrides)
        if result is None:
            runs = ScopedThrottle()
            if not runs.allow_request(request, self):
                self.throttled(request, runs.wait())
            result = simulations.run_cached(scenario, overrides)
        return Response(result)


class SimulationScenarios(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: SimulationCatalogueSerializer, 429: E},
                   description="The scenarios, with their defaults, and the table of model parameters "
                               "with units and sources: what `overrides` may change.")
    def get(self, request):
        return Response({"scenarios": simulate.list_scenarios(), "parameters": simulate.parameter_table(),
                         "designs": simulate.DESIGNS})


@csrf_exempt  # it changes nothing, and a POST without a token should still learn the URL is wrong
def not_found(request, path=""):
    """Any URL under /api/ that no operation matches: the API's JSON 404, with DEBUG on too.

    Matching every such URL here also keeps APPEND_SLASH away from the API: its redirect cannot
    carry a POST body (in DEBUG Django raises RuntimeError for one), so a URL missing its slash
    gets a 404 that names the right URL instead.
    """
    errors = {}
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            errors["url"] = [f"API URLs end with a slash: {request.path}/"]
    return error_response(404, "Not found.", errors)


class Health(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(responses={200: inline_serializer("Health", {"status": serializers.CharField()})})
    def get(self, request):
        return Response({"status": "ok"})


READINESS = inline_serializer("Readiness", {
    "status": serializers.ChoiceField(["ready", "not ready"]),
    "checks": serializers.DictField(child=inline_serializer("ReadinessCheck", {
        "ok": serializers.BooleanField(), "detail": serializers.CharField()})),
})


class Ready(Health):
    """For a load balancer: 200 when the database, the cache and the job worker all work, else
    503 naming the check that failed (studyapp/readiness.py)."""

    @extend_schema(responses={200: READINESS, 503: READINESS},
                   description="Readiness for a load balancer: checks `database`, `cache` and `jobs` (the background "
                               "worker keeps up). 200 when all pass; 503 with `ok: false` on the failing ones.")
    def get(self, request):
        checks = readiness()
        ready = all(check.ok for check in checks.values())
        return Response({"status": "ready" if ready else "not ready",
                         "checks": {name: vars(check) for name, check in checks.items()}},
                        status=200 if ready else 503, headers={"Cache-Control": "no-store"})
