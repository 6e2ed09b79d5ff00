"""Diagrams and simulations on learner pages, and the scenario explorer page."""
import json

from django import forms
from django.shortcuts import render

from questions.diagrams import diagrams_for
from questions.simulations import DEFAULT_SCENARIO, run_cached
from reference_impl import simulate

SIM_CHARTS = [
    {"key": "waiting", "title": "Requests waiting"},
    {"key": "capacity", "title": "Tasks or Lambda environments running"},
    {"key": "latency", "title": "Latency of requests finishing (s)"},  # p50, p95 or p99: the learner picks
    {"key": "cost_usd", "title": "Cumulative cost (USD)"},
]


def simulation_context(scenario: str = DEFAULT_SCENARIO, overrides: dict | None = None) -> dict:
    overrides = overrides or {}
    try:
        result = run_cached(scenario, overrides)
        error = None
    except simulate.SimulationInputError as exc:
        result, error = None, exc.errors
    return {
        "simulation": result, "simulation_errors": error, "simulation_scenario": scenario,
        "simulation_overrides_json": json.dumps(overrides), "scenarios": simulate.list_scenarios(),
        "sim_charts": SIM_CHARTS,
    }


def question_extras(question, correct_labels=()) -> dict:
    return {"diagrams": diagrams_for(question.external_id), "correct_labels": list(correct_labels)}


class ScenarioForm(forms.Form):
    """The knobs a learner turns most; everything else is in the parameter table below."""

    scenario = forms.ChoiceField(choices=[(s, s) for s in simulate.SCENARIOS], initial=DEFAULT_SCENARIO)
    burst_requests = forms.IntegerField(label="Burst size (requests)", min_value=0, max_value=100_000, required=False)
    idle_days = forms.FloatField(label="Idle days before the burst", min_value=0, max_value=59, required=False)
    acceptable_latency_s = forms.FloatField(label="Acceptable latency (s)", min_value=1, max_value=86_400, required=False)
    max_tasks = forms.IntegerField(label="Max tasks", min_value=1, max_value=1000, required=False)
    model_size_gb = forms.FloatField(label="Model size (GB)", min_value=0.01, max_value=200, required=False)

    def overrides(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "scenario" and v is not None}
        if "idle_days" in data:
            # The burst lands right after the idle days; two hours more let everything drain.
            data["days"] = data["idle_days"] + 2 / 24
        return data


def scenarios(request):
    """The scenario explorer: custom parameters from the query string, so a URL shares a run."""
    form = ScenarioForm(request.GET or None)
    scenario, overrides = DEFAULT_SCENARIO, {}
    if form.is_bound and form.is_valid():
        scenario, overrides = form.cleaned_data["scenario"], form.overrides()
    context = {"form": form, "parameters": simulate.parameter_table(), "diagrams": diagrams_for("1973"),
               "correct_labels": ["D"], **simulation_context(scenario, overrides)}
    status = 400 if (form.is_bound and not form.is_valid()) or context["simulation_errors"] else 200
    return render(request, "questions/scenarios.html", context, status=status)
