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
from reference_impl.simulate import params as _params
from reference_impl.simulate.designs import simulate_a, simulate_b, simulate_c, simulate_d
from reference_impl.simulate.explain import explain, findings
from reference_impl.simulate.report import instants, series, summarize, window
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


def validate_overrides(scenario: str, overrides: dict | None) -> tuple[dict, dict]:
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
    mp = _params.defaults()
    for key, value in overrides.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            errors[key] = "must be a number"
            continue
        lo: float
        hi: float
        if key in SCENARIO_LIMITS:
            (lo, hi), whole = SCENARIO_LIMITS[key], key in SCENARIO_WHOLE
            target = sp
        elif key in _params.PARAMS:
            param = _params.PARAMS[key]
            lo, hi, whole = param.minimum, param.maximum, param.whole
            target = mp
        else:
            errors[key] = "unknown parameter; allowed: " + ", ".join(sorted([*SCENARIO_LIMITS, *_params.PARAMS]))
            continue
        if not lo <= value <= hi:
            errors[key] = f"must be between {lo:g} and {hi:g}"
            continue
        if whole and value != int(value):
            errors[key] = f"must be a whole number (between {lo:g} and {hi:g})"
            continue
        target[key] = value
    if not errors:
        if sp["idle_days"] >= sp["days"]:
            errors["idle_days"] = f"must be less than days ({sp['days']:g})"
        elif expected_requests(sp) > MAX_REQUESTS:
            errors["scenario"] = (f"about {expected_requests(sp):,.0f} requests; at most {MAX_REQUESTS:,} "
                                  "can be simulated at once: lower the burst, peaks, trickle or days")
        elif expected_items(sp) > MAX_ITEMS:
            errors["scenario"] = (f"about {expected_items(sp):,.0f} inputs in all; at most {MAX_ITEMS:,} can be "
                                  "simulated at once: lower batch_fraction, batch_items_max or the request count")
        for key in ("b_min_tasks", "d_min_tasks"):
            if mp[key] > mp["max_tasks"]:
                errors[key] = f"must be at most max_tasks ({mp['max_tasks']:g})"
        # D's scaler steps through every poll of a busy stretch: at the cap, the work takes
        # items × service time ÷ max_tasks seconds, one poll per scaler period.
        busy_polls = expected_items(sp) * mp["service_time_s"] / mp["max_tasks"] / mp["d_scaler_period_s"]
        if not errors and busy_polls > MAX_BUSY_POLLS:
            errors["service_time_s"] = (
                f"with these settings the backlog takes about {busy_polls:,.0f} scaler polls to drain; at most "
                f"{MAX_BUSY_POLLS:,} can be simulated at once: lower service_time_s or the request count, "
                "or raise max_tasks or d_scaler_period_s")
    if errors:
        raise SimulationInputError(errors)
    return sp, mp


def run(scenario: str, overrides: dict | None = None, *, series_points: int | None = None) -> dict:
    sp, p = validate_overrides(scenario, overrides)
    traffic = generate(sp)
    runs = {"A": simulate_a(traffic, p), "B": simulate_b(traffic, p), "C": simulate_c(traffic, p),
            "D": simulate_d(traffic, p)}
    d_cloudwatch = simulate_d(traffic, p, metric_source="cloudwatch")
    t0, t1 = window(traffic, list(runs.values()))
    times = instants(traffic, list(runs.values()), t0, t1, **({"points": series_points} if series_points else {}))
    designs = {}
    for name, r in runs.items():
        summary = summarize(r, traffic)
        designs[name] = {
            "title": DESIGNS[name],
            "as_built": AS_BUILT.get(name, ""),
            "summary": summary,
            "explanation": explain(name, summary, r, p, traffic),
            "series": series(r, traffic, times),
        }
    variant = summarize(d_cloudwatch, traffic)
    return {
        "scenario": {"name": scenario, "description": describe(sp), "parameters": sp,
                     "requests": traffic.requests, "items": sum(traffic.items), "days": traffic.horizon_s / 86400},
        "parameters": {k: p[k] for k in p},
        "designs": designs,
        "variants": {"D with CloudWatch metrics": {
            "summary": variant,
            "explanation": _cloudwatch_words(variant, p),
        }},
        "findings": findings(designs, variant, p, runs["D"].facts),
        "time": [round(t, 1) for t in times],
        "window_s": [round(t0, 1), round(t1, 1)],
    }


def _cloudwatch_words(v: dict, p: dict) -> str:
    lat = v["latency_s"]
    figures = ("nothing completed" if lat["p95"] is None else
               f"first request {v['first_request_latency_s']:.0f} s, p95 {lat['p95']:.0f} s, max {lat['max']:.0f} s")
    return ("The same design with its scaler fed SQS's CloudWatch metrics, as target tracking is, instead of "
            "reading the queue: "
            f"{figures}. Metrics arrive {p['cw_metric_delay_s']:g} s late, the alarm needs "
            f"{p['cw_alarm_datapoints']:g} datapoints, and a queue idle for {p['sqs_inactive_after_s'] / 3600:g} h "
            f"publishes nothing for up to {p['sqs_wake_delay_s'] / 60:g} min when it wakes. (Its alarm and Container "
            "Insights charges are not in the cost.)")
