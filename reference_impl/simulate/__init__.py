"""Discrete-event simulation of the four designs of question #1973 under the same traffic.

    run("idle-then-burst", {"burst_requests": 5000, "max_tasks": 30}) -> dict

The result is what `python -m reference_impl.simulate --json` prints and what
`POST /api/v1/simulations/` returns. Every parameter is in `params.PARAMS` with its source.
"""
from reference_impl.simulate import params as _params
from reference_impl.simulate.designs import simulate_a, simulate_b, simulate_c, simulate_d
from reference_impl.simulate.report import explain, series, summarize, window
from reference_impl.simulate.traffic import (
    MAX_ITEMS, MAX_REQUESTS, SCENARIO_LIMITS, SCENARIOS, expected_items, expected_requests, generate,
)

DESIGNS = {
    "A": "Load balancer in front of Lambda with provisioned concurrency",
    "B": "ALB in front of ECS, scaled on request count",
    "C": "SQS triggering Lambda",
    "D": "SQS in front of ECS, scaled on backlog per task",
}
AS_BUILT = {
    "A": "Simulated as an ALB (or API Gateway) in front of Lambda: an NLB cannot target Lambda, so option A "
         "cannot be built as written.",
}


class SimulationInputError(ValueError):
    """Overrides that cannot be simulated; `errors` maps each field to what is wrong and allowed."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def list_scenarios() -> list[dict]:
    return [{"name": name, "description": s["description"], "defaults": s["defaults"]} for name, s in SCENARIOS.items()]


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
        if key in SCENARIO_LIMITS:
            lo, hi = SCENARIO_LIMITS[key]
            target = sp
        elif key in _params.PARAMS:
            lo, hi = _params.PARAMS[key].minimum, _params.PARAMS[key].maximum
            target = mp
        else:
            errors[key] = "unknown parameter; allowed: " + ", ".join(sorted([*SCENARIO_LIMITS, *_params.PARAMS]))
            continue
        if not lo <= value <= hi:
            errors[key] = f"must be between {lo:g} and {hi:g}"
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
        if mp["max_tasks"] != int(mp["max_tasks"]):
            errors["max_tasks"] = "must be a whole number"
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
    kwargs = {"points": series_points} if series_points else {}
    designs = {}
    for name, r in runs.items():
        summary = summarize(r, traffic)
        designs[name] = {
            "title": DESIGNS[name],
            "as_built": AS_BUILT.get(name, ""),
            "summary": summary,
            "explanation": explain(name, summary, r, p, traffic),
            "series": series(r, traffic, t0, t1, **kwargs),
        }
    variant = summarize(d_cloudwatch, traffic)
    points = len(designs["D"]["series"]["waiting"])
    step = (t1 - t0) / (points - 1) if points > 1 else 0
    return {
        "scenario": {"name": scenario, "description": SCENARIOS[scenario]["description"], "parameters": sp,
                     "requests": traffic.requests, "items": sum(traffic.items), "days": traffic.horizon_s / 86400},
        "parameters": {k: p[k] for k in p},
        "designs": designs,
        "variants": {"D with CloudWatch metrics": {
            "summary": variant,
            "explanation": ("The same design if the scaler used SQS's CloudWatch metrics instead of reading the queue: "
                            f"first request {variant['first_request_latency_s']}s, p95 {variant['latency_s']['p95']}s."),
        }},
        "findings": findings(designs, variant),
        "time": [round(t0 + i * step, 1) for i in range(points)],
        "window_s": [round(t0, 1), round(t1, 1)],
    }


def findings(designs: dict, d_cloudwatch: dict) -> list[str]:
    """Where the numbers disagree with a simple reading of the exam's answer, say so."""
    out = []
    d = designs["D"]["summary"]
    for name in "ABC":
        s = designs[name]["summary"]
        if s["failed"] == 0 and s["cost_usd"]["total"] < d["cost_usd"]["total"]:
            out.append(f"{name} served every request for less money than D here "
                       f"({s['cost_usd']['total']:.2f} vs {d['cost_usd']['total']:.2f} USD).")
        if (s["first_request_latency_s"] is not None and d["first_request_latency_s"] is not None
                and s["first_request_latency_s"] < d["first_request_latency_s"]):
            out.append(f"D's first request waited longer than {name}'s ({d['first_request_latency_s']:.0f} s vs "
                       f"{s['first_request_latency_s']:.0f} s): a task must start and load the model before it answers.")
    if (d_cloudwatch["first_request_latency_s"] or 0) > (d["first_request_latency_s"] or 0) + 60:
        out.append(f"Scaling D on SQS's CloudWatch metrics instead of reading the queue makes the first request "
                   f"wait {d_cloudwatch['first_request_latency_s']:.0f} s instead of {d['first_request_latency_s']:.0f} s "
                   "after a long idle (metrics of a waking queue lag up to 15 minutes).")
    return out
