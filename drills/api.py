"""`/api/v1/drills/backlog/`: a drill from a seed, and its grading. Stateless, so public."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from drills import engine
from studyapp.api.errors import ErrorSerializer as E

SEED = serializers.IntegerField(min_value=engine.SEED_MIN, max_value=engine.SEED_MAX,
                                help_text="Any whole number in range: the same seed gives the same drill.")


class DrillParametersSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=engine.KINDS, help_text="what the drill practises")
    visible = serializers.IntegerField(help_text="messages waiting (ApproximateNumberOfMessagesVisible)")
    in_flight = serializers.IntegerField(help_text="messages received, not yet deleted (…NotVisible)")
    running = serializers.IntegerField(help_text="tasks running now, also the current desired count")
    acceptable_latency_s = serializers.FloatField(help_text="how long a message may wait, seconds")
    seconds_per_message = serializers.FloatField(help_text="processing time of one message, seconds")
    min_tasks = serializers.IntegerField()
    max_tasks = serializers.IntegerField(help_text="the cap")
    messages_per_task = serializers.IntegerField(help_text="most messages one task holds in flight (one receive)")


class DrillSerializer(serializers.Serializer):
    seed = serializers.IntegerField()
    prompt = serializers.CharField()
    parameters = DrillParametersSerializer()


class DrillAnswerSerializer(serializers.Serializer):
    seed = serializers.IntegerField(min_value=engine.SEED_MIN, max_value=engine.SEED_MAX)
    answer = serializers.IntegerField(min_value=0, max_value=1_000_000,
                                      help_text="a whole number: tasks, or messages per task")


class DrillResultSerializer(serializers.Serializer):
    correct = serializers.BooleanField()
    expected = serializers.IntegerField(help_text="what reference_impl.scaling decides for these numbers")
    steps = serializers.ListField(child=serializers.CharField(), help_text="the arithmetic, step by step")


class SeedQuerySerializer(serializers.Serializer):
    seed = serializers.IntegerField(min_value=engine.SEED_MIN, max_value=engine.SEED_MAX, required=False)


def drill_data(drill: engine.Drill) -> dict:
    return {"seed": drill.seed, "prompt": drill.prompt, "parameters": drill.parameters()}


class BacklogDrill(APIView):
    permission_classes = [AllowAny]
    # Nothing of a user is read or changed: no credentials, so no CSRF for pages' fetch() calls;
    # budgets go by address.
    authentication_classes = []

    @extend_schema(
        operation_id="getBacklogDrill", summary="A backlog-per-task drill", tags=["drills"],
        parameters=[OpenApiParameter("seed", {"type": "integer", "minimum": engine.SEED_MIN, "maximum": engine.SEED_MAX},
                                     required=False,
                                     description=f"{engine.SEED_MIN}..{engine.SEED_MAX}; omitted: a random seed")],
        responses={200: DrillSerializer, 400: E, 429: E},
        description="A generated backlog-per-task question (target backlog, desired tasks, scale from zero, "
                    "work in flight or the cap). The seed fixes the drill, so it can be shared and replayed.")
    def get(self, request):
        if request.query_params.get("seed", None) == "":
            # DRF reads an empty query value of an optional field as omitted; the schema says an integer.
            raise ValidationError({"seed": [f"a whole number from {engine.SEED_MIN} to {engine.SEED_MAX}; got nothing"]})
        query = SeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        seed = query.validated_data.get("seed")
        return Response(drill_data(engine.make_drill(engine.random_seed() if seed is None else seed)))

    @extend_schema(operation_id="gradeBacklogDrill", summary="Grade a drill answer", tags=["drills"],
                   request=DrillAnswerSerializer, responses={200: DrillResultSerializer, 400: E, 429: E},
                   description="Grade an answer to the drill of `seed` with reference_impl.scaling and "
                               "explain the arithmetic step by step.")
    def post(self, request):
        body = DrillAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = engine.grade(body.validated_data["seed"], body.validated_data["answer"])
        return Response({"correct": result.correct, "expected": result.expected, "steps": result.steps})
