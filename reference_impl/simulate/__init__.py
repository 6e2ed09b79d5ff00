"""Discrete-event simulation of the four designs of question #1973 under the same traffic.

    run("idle-then-burst", {"burst_requests": 5000, "max_tasks": 30}) -> dict
    validate_overrides(scenario, overrides)  # SimulationInputError (a ValueError) with .errors {field: message}
    list_scenarios(), parameter_table()      # for pages: scenarios, and every number with unit and source

The result is what `python -m reference_impl.simulate --json` prints and what
`POST /api/v1/simulations/` returns; it is plain JSON (no NaN or infinity). Every parameter is in
`params.PARAMS` with its source; the AWS ones come from `reference_impl.aws_facts`.

Modules: traffic.py (seeded scenarios), designs.py (A, B, C), option_d.py (D, driven by
`reference_impl.scaling.decide`), runs.py (what a design's model returns), report.py (summaries,
chart series), explain.py (the words and the findings). Each run is event-driven: silence is
jumped over, so a month of idle costs no more to simulate than a day.
"""
import gc
from contextlib import contextmanager
from dataclasses import asdict, replace

from reference_impl import aws_facts
from reference_impl.simulate import params as _params
from reference_impl.simulate.deployed_d import simulate_d_deployed
from reference_impl.simulate.designs import simulate_a, simulate_b, simulate_c, simulate_d
from reference_impl.simulate.explain import explain, findings
from reference_impl.simulate.params import Params
from reference_impl.simulate.runs import lambda_sizing, task_sizing, unbuildable
from reference_impl.simulate.report import Frames, instants, series, summarize, window
from reference_impl.simulate.traffic import (
    MAX_BUSY_POLLS, MAX_ITEMS, MAX_REQUESTS, SCENARIO_LIMITS, SCENARIO_WHOLE, SCENARIOS, describe, expected_items,
    expected_requests, generate,
)

DESIGNS = {
    "A": "Load balancer in front of Lambda with provisioned concurrency",
    "B": "ALB in front of ECS, scaled on request count",
    "C": "SQS triggering Lambda",
    "D": "SQS in front of ECS, scaled on backlog per task",
}
# What was simulated where the option as written cannot be built: its closest buildable form.
AS_BUILT = {
    "A": "As written, option A cannot be built: a Network Load Balancer cannot target Lambda. Simulated instead "
         "as an Application Load Balancer (or API Gateway) in front of Lambda, with a fixed number of provisioned "
         "environments (scaling them on traffic is not modelled); requests beyond them get on-demand environments.",
    "C": "As written, option C cannot be built: nothing adjusts Lambda's memory on queue backlog (memory is a "
         "fixed setting of the function). Simulated instead with a fixed memory large enough for the model, "
         "scaled the way the SQS event source really scales: by adding concurrent invocations.",
}


CLOUDWATCH_VARIANT = "D with CloudWatch metrics"
# D itself is the deployed hybrid (deployed_d.py); these are the alternatives, labelled.
DIRECT_VARIANT = "D, KEDA-style: reading the queue for every decision (the local runtime's controller)"
RUNNING_VARIANT = "D dividing by RunningTaskCount instead of DesiredTaskCount"
PROVISIONED_POLLERS_VARIANT = "C with provisioned pollers (their Event Poller Unit charges not in the cost)"
VARIANTS = (DIRECT_VARIANT, RUNNING_VARIANT, CLOUDWATCH_VARIANT, PROVISIONED_POLLERS_VARIANT)


class SimulationInputError(ValueError):
    """Overrides that cannot be simulated; `errors` maps each field to what is wrong and allowed."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def list_scenarios() -> list[dict]:
    return [{"name": name, "summary": s["summary"], "description": describe({**s["defaults"]}),
             "defaults": s["defaults"]} for name, s in SCENARIOS.items()]


def parameter_table() -> list[dict]:
    return _params.table()


def validate_overrides(scenario: str, overrides: dict | None) -> tuple[dict, Params]:
    """Split and check overrides; returns (scenario parameters, model parameters).

    Refuses unknown names, non-numbers, values out of range, and runs too large to finish quickly.
    """
    errors: dict[str, str] = {}
    if scenario not in SCENARIOS:
        raise SimulationInputError({"scenario": f"unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}"})
    overrides = overrides or {}
    if not isinstance(overrides, dict):
        raise SimulationInputError({"overrides": "must be an object of parameter names to numbers"})
    sp = {**SCENARIOS[scenario]["defaults"], "seed": 1973}
    model: dict[str, float] = {}
    for key, value in overrides.items():
        if key in SCENARIO_LIMITS:
            (lo, hi), whole = SCENARIO_LIMITS[key], key in SCENARIO_WHOLE
            problem, target = _params.check(key, value, lo, hi, whole), sp
        elif key in _params.PARAMS:
            problem, target = _params.check(key, value), model
        else:
            problem = _params.number_problem(value) or (
                "unknown parameter; allowed: " + ", ".join(sorted([*SCENARIO_LIMITS, *_params.PARAMS])))
        if problem:
            errors[key] = problem
        else:
            target[key] = value
    mp = replace(_params.Params(), **model)
    if not errors:
        if sp["idle_days"] >= sp["days"]:
            errors["idle_days"] = f"must be less than days ({sp['days']:g})"
        elif expected_requests(sp) > MAX_REQUESTS:
            errors["scenario"] = (f"about {expected_requests(sp):,.0f} requests; at most {MAX_REQUESTS:,} "
                                  "can be simulated at once: lower the burst, peaks, trickle or days")
        elif expected_items(sp) > MAX_ITEMS:
            errors["scenario"] = (f"about {expected_items(sp):,.0f} inputs in all; at most {MAX_ITEMS:,} can be "
                                  "simulated at once: lower batch_fraction, batch_items_max or the request count")
        for key, minimum in (("b_min_tasks", mp.b_min_tasks), ("d_min_tasks", mp.d_min_tasks)):
            if minimum > mp.max_tasks:
                errors[key] = f"must be at most max_tasks ({mp.max_tasks:g})"
        # The CloudWatch variant sees the queue once a scaler period, and a queue with messages
        # waiting is active at every poll: with an inactivity limit of a period or so, each poll
        # would find it inactive again and restart its wake-up delay, so no task ever started and
        # the run never ended.
        if mp.sqs_inactive_after_s < 2 * mp.d_scaler_period_s:
            errors["sqs_inactive_after_s"] = (
                f"must be at least twice d_scaler_period_s ({2 * mp.d_scaler_period_s:g} s): the simulator sees "
                "the queue once a period, so a shorter inactivity would restart the wake-up delay at every poll")
        # D's scaler steps through every poll of a busy stretch: at the cap, the work takes
        # items × service time ÷ max_tasks seconds, one poll per scaler period.
        busy_polls = expected_items(sp) * mp.service_time_s / mp.max_tasks / mp.d_scaler_period_s
        if not errors and busy_polls > MAX_BUSY_POLLS:
            errors["service_time_s"] = (
                f"with these settings the backlog takes about {busy_polls:,.0f} scaler polls to drain; at most "
                f"{MAX_BUSY_POLLS:,} can be simulated at once: lower service_time_s or the request count, "
                "or raise max_tasks or d_scaler_period_s")
    if errors:
        raise SimulationInputError(errors)
    return sp, mp


def _simulate(scenario: str, overrides: dict | None, variant_names=VARIANTS):
    """Validate, generate the traffic and run every design and variant: (sp, p, traffic, runs, variants)."""
    sp, p = validate_overrides(scenario, overrides)
    traffic = generate(sp)
    # Each design in its most favourable honest form: sized to hold the model within its
    # platform's limits, or failing every request with the limit named.
    lam, task = lambda_sizing(p), task_sizing(p)
    pl = replace(p, lambda_memory_gb=lam["memory_gb"])
    pt = replace(p, task_vcpu=task["vcpu"], task_memory_gb=task["memory_gb"])

    def build(design, simulate, params, sizing, label, **kw):
        return simulate(traffic, params, **kw) if sizing["fits"] else unbuildable(design, traffic, label, sizing["why"])

    runs = {"A": build("A", simulate_a, pl, lam, "Lambda environments"),
            "B": build("B", simulate_b, pt, task, "tasks"),
            "C": build("C", simulate_c, pl, lam, "Lambda environments"),
            "D": build("D", simulate_d_deployed, pt, task, "tasks")}
    makers = {
        DIRECT_VARIANT: lambda: build("D", simulate_d, pt, task, "tasks"),
        RUNNING_VARIANT: lambda: build("D", simulate_d_deployed, pt, task, "tasks", divisor="RunningTaskCount"),
        CLOUDWATCH_VARIANT: lambda: build("D", simulate_d, pt, task, "tasks", metric_source="cloudwatch"),
        # AWS says provisioned mode enables "3 times faster scaling" (aws_facts); reading that as 3
        # times the standard ramp of invocations a minute is this app's interpretation, not an AWS
        # figure. Its poller charges are left out, which favours C.
        PROVISIONED_POLLERS_VARIANT: lambda: build(
            "C", simulate_c, replace(pl, sqs_ramp_per_min=pl.sqs_ramp_per_min * aws_facts.value(
                "lambda_sqs_provisioned_speedup")), lam, "Lambda environments"),
    }
    variants = {name: makers[name]() for name in variant_names}
    return sp, p, traffic, runs, variants


def _scenario_block(scenario: str, sp: dict, traffic) -> dict:
    return {"name": scenario, "description": describe(sp), "parameters": sp,
            "requests": traffic.requests, "items": traffic.total_items, "days": traffic.horizon_s / 86400}


@contextmanager
def _collector_paused():
    """A run makes hundreds of thousands of short-lived tuples and lists (heap entries, tasks) and
    no reference cycles: reference counting frees them all, and the cyclic collector's passes over
    them and over the run's large lists would only cost time (about 5% of a large run). Paused for
    the run, as it was after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_summaries(scenario: str, overrides: dict | None = None, variant_names=(DIRECT_VARIANT,)) -> dict:
    """The figures alone (no chart series, no words): what the scenario matrix needs, quickly.
    Only the variant the issue asks the matrix to run (the KEDA-style controller) by default."""
    with _collector_paused():
        sp, p, traffic, runs, variants = _simulate(scenario, overrides, variant_names)
        return {"scenario": _scenario_block(scenario, sp, traffic),
                "designs": {name: summarize(r, traffic) for name, r in runs.items()},
                "variants": {name: summarize(r, traffic) for name, r in variants.items()}}


def run(scenario: str, overrides: dict | None = None, *, series_points: int | None = None) -> dict:
    with _collector_paused():
        return _run(scenario, overrides, series_points)


def _run(scenario: str, overrides: dict | None, series_points: int | None) -> dict:
    sp, p, traffic, runs, variant_runs = _simulate(scenario, overrides)
    variant_summaries = {name: summarize(r, traffic) for name, r in variant_runs.items()}
    t0, t1 = window(traffic, list(runs.values()))
    times = instants(traffic, list(runs.values()), t0, t1, **({"points": series_points} if series_points else {}))
    frames = Frames(traffic, times)
    designs = {}
    for name, r in runs.items():
        summary = summarize(r, traffic)
        designs[name] = {
            "title": DESIGNS[name],
            "as_built": AS_BUILT.get(name, ""),
            "summary": summary,
            "explanation": explain(name, summary, r, p, traffic),
            "series": series(r, traffic, times, frames),
        }
    return {
        "scenario": _scenario_block(scenario, sp, traffic),
        "parameters": asdict(p),
        "sizing": {"lambda": lambda_sizing(p), "task": task_sizing(p)},
        "designs": designs,
        "variants": {name: {"summary": v, "explanation": _variant_words(name, variant_runs[name], v, p)}
                     for name, v in variant_summaries.items()},
        "findings": findings(designs, variant_summaries[CLOUDWATCH_VARIANT], p, runs["D"].facts),
        "time": [round(t, 1) for t in times],
        "window_s": [round(t0, 1), round(t1, 1)],
    }


def _variant_words(name: str, r, v: dict, p: Params) -> str:
    """A variant's words from its run `r` and its summary `v`."""
    if name == CLOUDWATCH_VARIANT:
        return _cloudwatch_words(v, p)
    lat = v["latency_s"]
    figures = ("nothing completed" if lat["p95"] is None else
               f"first request {v['first_request_latency_s']:.0f} s, p95 {lat['p95']:.0f} s, "
               f"peak {v['peak_capacity']} {v['capacity_label']}, cost ${v['cost_usd']['total']:,.2f}")
    if name == PROVISIONED_POLLERS_VARIANT:
        return ("Option C with its SQS event source in provisioned mode, for which AWS promises \"3 times faster "
                "scaling\"; this site reads that as 3 times the standard ramp of new invocations a minute, its own "
                "reading rather than a documented rate (its Event Poller Units are billed, and are not in this cost): "
                f"{figures}.")
    if name == DIRECT_VARIANT:
        return ("The alternative to the deployed hybrid: one scheduled function runs reference_impl.scaling.decide for "
                "every decision, reading GetQueueAttributes each minute (as KEDA reads the queue), with no CloudWatch "
                f"metrics in the loop: {figures}. The local runtime runs this controller.")
    return ("The deployed hybrid with target tracking's divisor RunningTaskCount, as the template once had it: "
            "while new tasks start, running stays low, the metric stays high, and each minute's proportional step "
            f"multiplies the desired count again: {figures} (peak desired {r.facts.get('peak_desired', 0)}).")


def _cloudwatch_words(v: dict, p: Params) -> str:
    lat = v["latency_s"]
    figures = ("nothing completed" if lat["p95"] is None else
               f"first request {v['first_request_latency_s']:.0f} s, p95 {lat['p95']:.0f} s, max {lat['max']:.0f} s")
    return ("The same design with its scaler fed SQS's CloudWatch metrics, as target tracking is, instead of "
            "reading the queue: "
            f"{figures}. Metrics arrive {p.cw_metric_delay_s:g} s late, the alarm needs "
            f"{p.cw_alarm_datapoints:g} datapoints, and a queue idle for {p.sqs_inactive_after_s / 3600:g} h "
            f"publishes nothing for up to {p.sqs_wake_delay_s / 60:g} min when it wakes. (Its alarm and Container "
            "Insights charges are not in the cost.)")
