"""Simulations, health and the API's own 404."""
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from questions import simulations
from questions.api.errors import ErrorSerializer as E
from questions.api.middleware import error_response
from questions.api.serializers import SimulationRequestSerializer
from questions.api.simulation_schema import SimulationCatalogueSerializer, SimulationResultSerializer
from questions.api.throttling import ScopedThrottle
from reference_impl import simulate
from studyapp.readiness import readiness


class Simulations(APIView):
    permission_classes = [AllowAny]
    # No user is needed and nothing of a user's changes, so no credentials are read: the
    # pages' fetch() calls work without a CSRF token, signed in or not. Budgets go by address.
    authentication_classes = []
    # New runs only: a cached result costs nothing, but a run can take seconds of CPU.
    throttle_scope = "simulations"

    @extend_schema(operation_id="runSimulation", summary="Simulate designs A-D", tags=["simulations"],
                   request=SimulationRequestSerializer, responses={200: SimulationResultSerializer, 400: E, 429: E},
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

    @extend_schema(operation_id="listSimulationScenarios", summary="Scenarios and parameters", tags=["simulations"],
                   responses={200: SimulationCatalogueSerializer, 429: E},
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

    @extend_schema(operation_id="getHealth", summary="Liveness", tags=["health"],
                   responses={200: inline_serializer("Health", {"status": serializers.ChoiceField(["ok"])})},
                   description="Answers while the process runs; reads nothing else.")
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

    @extend_schema(operation_id="getReadiness", summary="Readiness", tags=["health"],
                   responses={200: READINESS, 503: READINESS},
                   description="Readiness for a load balancer: checks `database`, `cache` and `jobs` (the background "
                               "worker keeps up). 200 when all pass; 503 with `ok: false` on the failing ones.")
    def get(self, request):
        checks = readiness()
        ready = all(check.ok for check in checks.values())
        return Response({"status": "ready" if ready else "not ready",
                         "checks": {name: vars(check) for name, check in checks.items()}},
                        status=200 if ready else 503, headers={"Cache-Control": "no-store"})
