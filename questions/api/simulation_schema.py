"""The shape of the simulator's JSON (reference_impl.simulate.run), as the API documents it.

For the schema only: the endpoint returns the simulator's dict as it is. schemathesis checks
real responses against these shapes, so a change in the simulator's output that breaks the
contract the front end relies on fails the API tests.
"""
from rest_framework import serializers

NUMBERS = serializers.DictField(child=serializers.FloatField())


class LatencySerializer(serializers.Serializer):
    p50 = serializers.FloatField(allow_null=True)
    p95 = serializers.FloatField(allow_null=True)
    p99 = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)


class CostSerializer(serializers.Serializer):
    total = serializers.FloatField()
    parts = serializers.DictField(child=serializers.FloatField(), help_text="dollars per cost item, named in words")


class FirstRequestRangeSerializer(serializers.Serializer):
    best = serializers.FloatField()
    typical = serializers.FloatField()
    worst = serializers.FloatField()


class SummarySerializer(serializers.Serializer):
    requests = serializers.IntegerField()
    items = serializers.IntegerField(help_text="inputs, counting each item of a batch request")
    completed = serializers.IntegerField()
    failed = serializers.IntegerField()
    failure_reasons = serializers.DictField(child=serializers.IntegerField(), help_text="failed requests per reason")
    latency_s = LatencySerializer(help_text="null when nothing completed")
    first_request_latency_s = serializers.FloatField(allow_null=True)
    first_request_range_s = FirstRequestRangeSerializer(
        allow_null=True, help_text="where the first request's wait depends on when it arrived against the scaler's "
                                   "poll (option D from zero): seconds in the best, typical and worst phase; else null")
    peak_capacity = serializers.IntegerField()
    capacity_label = serializers.CharField(help_text="what capacity counts: tasks, environments ...")
    cost_usd = CostSerializer()
    cost_per_1000_requests_usd = serializers.FloatField(allow_null=True)


class SeriesSerializer(serializers.Serializer):
    """Values at the instants of the result's `time`: half evenly spaced, half where requests arrive and finish."""

    waiting = serializers.ListField(child=serializers.FloatField())
    capacity = serializers.ListField(child=serializers.FloatField())
    latency_p50 = serializers.ListField(child=serializers.FloatField(allow_null=True))
    latency_p95 = serializers.ListField(child=serializers.FloatField(allow_null=True))
    cost_usd = serializers.ListField(child=serializers.FloatField())
    failed = serializers.ListField(child=serializers.FloatField())


class DesignResultSerializer(serializers.Serializer):
    title = serializers.CharField()
    as_built = serializers.CharField(help_text="how the design was simulated when it cannot be built as written")
    summary = SummarySerializer()
    explanation = serializers.CharField(help_text="what failed, waited or cost money, and why")
    series = SeriesSerializer()


class VariantSerializer(serializers.Serializer):
    summary = SummarySerializer()
    explanation = serializers.CharField()


class ScenarioRunSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    parameters = NUMBERS
    requests = serializers.IntegerField()
    items = serializers.IntegerField()
    days = serializers.FloatField()


class SimulationResultSerializer(serializers.Serializer):
    scenario = ScenarioRunSerializer()
    parameters = serializers.DictField(child=serializers.FloatField(), help_text="model parameters used, by name")
    designs = serializers.DictField(child=DesignResultSerializer(), help_text="A, B, C and D")
    variants = serializers.DictField(child=VariantSerializer())
    findings = serializers.ListField(child=serializers.CharField(),
                                     help_text="what the numbers say, design against design; differences under "
                                               "10% (or one dollar) are called ties")
    time = serializers.ListField(child=serializers.FloatField(), help_text="seconds since the start of the scenario")
    window_s = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)


class ScenarioSerializer(serializers.Serializer):
    name = serializers.CharField()
    summary = serializers.CharField(help_text="what the scenario is for, in a sentence")
    description = serializers.CharField(help_text="its traffic in words, from its default numbers")
    defaults = NUMBERS


class ParameterSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.FloatField()
    unit = serializers.CharField()
    source = serializers.CharField(help_text="a link, or where the figure comes from")  # type: ignore[assignment]  # an API field named like a DRF attribute (the stubs type those)
    description = serializers.CharField()
    assumption = serializers.BooleanField(help_text="true when no source gives the figure")


class SimulationCatalogueSerializer(serializers.Serializer):
    scenarios = ScenarioSerializer(many=True)
    parameters = ParameterSerializer(many=True)
    designs = serializers.DictField(child=serializers.CharField())
