"""The simulator of the bank's question (designs A-D under the same traffic), on the API."""
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from questions import simulations
from questions.api.serializers import SimulationRequestSerializer
from questions.api.simulation_schema import SimulationCatalogueSerializer, SimulationResultSerializer
from reference_impl import simulate
from studyapp.api.errors import ErrorSerializer as E
from studyapp.api.throttling import ScopedThrottle


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
