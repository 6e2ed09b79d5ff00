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


# The knobs a learner turns most: (label, scenario or model parameter). Limits and defaults come
# from the simulator, so the form and the simulator cannot disagree on what is allowed.
KNOBS = {
    "burst_requests": "Burst size (requests)",
    "idle_days": "Idle days before the burst",
    "acceptable_latency_s": "Acceptable latency (s)",
    "max_tasks": "Max tasks (B, D)",
    "model_size_gb": "Model size (GB)",
}


def _knob(name: str, label: str, scenario: str) -> forms.Field:
    model = {p["name"]: p for p in simulate.parameter_table()}
    if name in model:
        p = model[name]
        (lo, hi), whole, default = (p["minimum"], p["maximum"]), p["whole_number"], p["value"]
    else:
        (lo, hi), whole = simulate.SCENARIO_LIMITS[name], name in simulate.SCENARIO_WHOLE
        default = simulate.SCENARIOS[scenario]["defaults"][name]
    field_class = forms.IntegerField if whole else forms.FloatField
    return field_class(label=label, min_value=lo, max_value=hi, required=False,
                       widget=forms.NumberInput(attrs={"placeholder": f"{default:g}", "step": "1" if whole else "any"}),
                       help_text=f"{lo:,g} to {hi:,g}; empty for the default, {default:,g}")


class ScenarioForm(forms.Form):
    """The knobs a learner turns most; everything else is in the parameter table below."""

    scenario = forms.ChoiceField(choices=[(s, s) for s in simulate.SCENARIOS], initial=DEFAULT_SCENARIO)

    def __init__(self, data=None):
        super().__init__(data)
        chosen = (data or {}).get("scenario")
        scenario = chosen if chosen in simulate.SCENARIOS else DEFAULT_SCENARIO
        for name, label in KNOBS.items():
            self.fields[name] = _knob(name, label, scenario)

    def overrides(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "scenario" and v is not None}
        if "idle_days" in data:
            # Idle time goes before the scenario's own traffic, which keeps its length after it.
            defaults = simulate.SCENARIOS[self.cleaned_data["scenario"]]["defaults"]
            tail = defaults["days"] - defaults["idle_days"]
            data["days"] = min(simulate.SCENARIO_LIMITS["days"][1], data["idle_days"] + tail)
        return data


def scenarios(request):
    """The scenario explorer: custom parameters from the query string, so a URL shares a run."""
    form = ScenarioForm(request.GET or None)
    scenario, overrides = DEFAULT_SCENARIO, {}
    if form.is_bound and form.is_valid():
        scenario, overrides = form.cleaned_data["scenario"], form.overrides()
    context = {"form": form, "parameters": simulate.parameter_table(), "diagrams": diagrams_for("1973"),
               "correct_labels": ["D"], "scenario_form_above": True, **simulation_context(scenario, overrides)}
    status = 400 if (form.is_bound and not form.is_valid()) or context["simulation_errors"] else 200
    return render(request, "questions/scenarios.html", context, status=status)
