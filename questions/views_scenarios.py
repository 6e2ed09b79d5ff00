"""Diagrams and simulations on learner pages, and the scenario explorer page."""
import json
import re

from django import forms
from django.shortcuts import render

from questions.answer_notes import notes_for
from questions.diagrams import diagrams_for
from questions.learner import my_attempts
from questions.simulations import DEFAULT_SCENARIO, matrix_cached, run_cached
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
        "simulation": result, "simulation_errors": error and in_words(error), "simulation_scenario": scenario,
        "simulation_overrides_json": json.dumps(overrides), "scenarios": simulate.list_scenarios(),
        "sim_charts": SIM_CHARTS,
    }


def question_extras(question, correct_labels=()) -> dict:
    """Diagrams for the question page and the feedback page. The key (`correct_labels`) and the
    notes that name it are given only for the feedback page, that is after an answer."""
    extras = {"diagrams": diagrams_for(question.external_id), "correct_labels": list(correct_labels)}
    if correct_labels:
        extras["notes"] = notes_for(question.external_id)
        if extras["diagrams"] and extras["notes"]["verdict"]:
            # The verdict is computed from every scenario: the section shows the matrix it rests on.
            extras["verdict_matrix"] = verdict_tables(matrix_cached())
    return extras


def _figure(key: str, r: dict) -> str:
    value = r[key]
    if value is None:
        return "–"
    if key == "cost_usd":
        return f"${value:,.2f}"
    if key == "first_wait_s":
        return f"{value['best']:.0f} / {value['typical']:.0f} / {value['worst']:.0f} s"
    if key == "failed":
        return f"{value:,}"
    return f"{value:,.1f} s"


def verdict_tables(m: dict) -> dict:
    """The matrix laid out for the verdict section: per scenario, a row per design with each cell's
    figure and whether it wins its column under the tie rule."""
    tables = []
    for e in m["scenarios"]:
        rows = [{"design": name, "cells": [
            {"key": c["key"], "text": _figure(c["key"], r), "winner": name in e["winners"][c["key"]]}
            for c in m["columns"]]} for name, r in e["designs"].items()]
        # The alternative controller, shown beside D but not ranked (matrix.py: variants).
        rows += [{"design": label.split(":")[0], "title": label, "variant": True, "cells": [
            {"key": c["key"], "text": _figure(c["key"], r), "winner": False} for c in m["columns"]]}
            for label, r in e["variants"].items()]
        tables.append({"name": e["name"], "description": e["description"], "rows": rows,
                       "d_position": [{"label": c["label"], "position": e["d_position"][c["key"]]}
                                      for c in m["columns"]]})
    return {"tie_rule": m["tie_rule"]["text"], "columns": m["columns"], "tables": tables, "findings": m["findings"]}


# Every scenario parameter, and the design limits a learner turns most: name -> label in words.
# Limits and defaults come from the simulator, so the form and the simulator cannot disagree on
# what is allowed.
TRAFFIC_KNOBS = {
    "days": "Days in all",
    "idle_days": "Idle days before the traffic",
    "burst_requests": "Burst size (requests)",
    "burst_seconds": "Burst length (seconds)",
    "trickle_per_hour": "Steady requests per hour",
    "peak_requests": "Busy-hour requests each day",
    "batch_fraction": "Share of batch requests (0 to 1)",
    "batch_items_max": "Most inputs in one batch",
    "start_offset_s": "Traffic starts this many seconds after a whole minute",
}
DESIGN_KNOBS = {
    "acceptable_latency_s": "Acceptable latency (s)",
    "max_tasks": "Most tasks (B, D)",
    "d_min_tasks": "Tasks D keeps warm",
    "model_size_gb": "Model size (GB)",
    "s3_parallel_streams": "S3 connections per download",
}
KNOBS = {**TRAFFIC_KNOBS, **DESIGN_KNOBS}
# Other parameter names that turn up in the simulator's error messages, in words.
_WORDS = {**KNOBS, "scenario": "Scenario", "service_time_s": "Seconds per input",
          "d_scaler_period_s": "Scaler period (s)", "b_min_tasks": "Tasks B keeps running"}
_NAMES = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True)) + r")\b")


def in_words(errors: dict[str, str]) -> list[tuple[str, str]]:
    """The simulator's errors with labels for field names, in the messages too."""
    out = []
    for field, message in errors.items():
        message = _NAMES.sub(lambda m: _WORDS[m.group(1)].lower(), message)  # one pass: no label is rewritten
        out.append((_WORDS.get(field, field), message))
    return out


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
        if "idle_days" in data and "days" not in data:
            # Idle time goes before the scenario's own traffic, which keeps its length after it.
            defaults = simulate.SCENARIOS[self.cleaned_data["scenario"]]["defaults"]
            tail = defaults["days"] - defaults["idle_days"]
            data["days"] = min(simulate.SCENARIO_LIMITS["days"][1], data["idle_days"] + tail)
        return data


EXPLORED_QUESTION = "1973"


def scenarios(request):
    """The scenario explorer: custom parameters from the query string, so a URL shares a run.
    A run that cannot be simulated shows its errors and no result. The designs carry the answer
    only for a learner who has answered the question (anonymous or signed in alike)."""
    form = ScenarioForm(request.GET or None)
    scenario, overrides = DEFAULT_SCENARIO, {}
    invalid_form = form.is_bound and not form.is_valid()
    if form.is_bound and not invalid_form:
        scenario, overrides = form.cleaned_data["scenario"], form.overrides()
    answered = my_attempts(request).filter(question__external_id=EXPLORED_QUESTION).exists()
    context = {"form": form, "parameters": simulate.parameter_table(), "diagrams": diagrams_for(EXPLORED_QUESTION),
               "correct_labels": ["D"] if answered else [], "scenario_form_above": True,
               "traffic_fields": [form[name] for name in TRAFFIC_KNOBS],
               "design_fields": [form[name] for name in DESIGN_KNOBS]}
    if invalid_form:
        context.update(simulation=None, simulation_errors=None, invalid_form=True)
    else:
        context.update(simulation_context(scenario, overrides))
    status = 400 if invalid_form or context["simulation_errors"] else 200
    return render(request, "questions/scenarios.html", context, status=status)
