"""The verdict computed from every scenario: each built-in scenario through every design.

    matrix() -> {"tie_rule", "columns", "scenarios": [...], "findings": [...]}

Per scenario and design: cost (and per 1,000 requests), p50, p95, the first request's wait
(best, typical, worst over its phase against a scaler's poll) and failures; per column, the
winners under the one tie rule (tie_rule.py), and where D wins, ties or loses. The findings
are sentences built from those positions only, so they cannot claim a win the matrix calls a
tie or a loss (tests/reference_impl/test_simulate_matrix.py checks each one against it).

"custom" is left out: it is the explorer's blank form, not a scenario of the question.
No chart series are built here, which keeps the whole matrix quick (benchmarks/simulate.py).
"""
from reference_impl.simulate import tie_rule
from reference_impl.simulate.traffic import SCENARIOS

MATRIX_SCENARIOS = tuple(name for name in SCENARIOS if name != "custom")
OPTIONS = "ABCD"
# (key, label, lower is better always). First wait is ranked on its typical value.
COLUMNS = (
    ("cost_usd", "cost"),
    ("p50_s", "p50 latency"),
    ("p95_s", "p95 latency"),
    ("first_wait_s", "first request's wait"),
    ("failed", "failures"),
)


def row(summary: dict) -> dict:
    """One design's figures in one scenario, from its summary."""
    lat = summary["latency_s"]
    first = summary["first_request_latency_s"]
    rng = summary.get("first_request_range_s") or (
        None if first is None else {"best": first, "typical": first, "worst": first})
    requests = summary["requests"] or 1
    return {
        "cost_usd": summary["cost_usd"]["total"],
        "cost_per_1000_requests_usd": summary["cost_per_1000_requests_usd"],
        "p50_s": lat["p50"], "p95_s": lat["p95"],
        "first_wait_s": rng,
        "failed": summary["failed"], "failed_share": summary["failed"] / requests,
        "failure_reasons": summary["failure_reasons"],
    }


def rank(rows: dict[str, dict], requests: int) -> dict[str, list[str]]:
    """Each column's winners among the options, under the tie rule."""
    eligible = [n for n in OPTIONS if rows[n]["failed_share"] <= tie_rule.FAILURE_ALLOWANCE]
    out = {}
    for key, _ in COLUMNS:
        if key == "failed":
            out[key] = tie_rule.winners({n: rows[n]["failed_share"] for n in OPTIONS}, tie_rule.FAILURE_ALLOWANCE)
            continue
        if key == "first_wait_s":
            values = {n: (rows[n][key] or {}).get("typical") for n in eligible}
        else:
            values = {n: rows[n][key] for n in eligible}
        floor = tie_rule.cost_floor_usd(requests) if key == "cost_usd" else tie_rule.LATENCY_FLOOR_S
        out[key] = tie_rule.winners(values, floor)
    return out


def scenario_entry(name: str, result: dict) -> dict:
    """One scenario's row of the matrix, from `simulate.run_summaries(name)`'s result."""
    rows = {n: row(result["designs"][n]) for n in OPTIONS}
    requests = result["scenario"]["requests"]
    winners = rank(rows, requests)
    return {
        "name": name, "description": result["scenario"]["description"],
        "requests": requests, "days": result["scenario"]["days"],
        "designs": rows,
        "winners": winners,
        "d_position": {key: tie_rule.position("D", winners[key]) for key, _ in COLUMNS},
        "variants": {label: row(s) for label, s in result["variants"].items()},
    }


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def scenario_sentence(entry: dict) -> str:
    """Where D wins, ties and loses in one scenario, and to whom: nothing beyond the positions."""
    labels = dict(COLUMNS)
    parts = []
    for verdict, verb in (("wins", "D wins on"), ("ties", "D ties on"), ("loses", "D loses on")):
        cols = [key for key, _ in COLUMNS if entry["d_position"][key] == verdict]
        if not cols:
            continue
        if verdict == "wins":
            parts.append(f"{verb} {_join([labels[c] for c in cols])}")
        else:
            who = [f"{labels[c]} ({' and '.join(n for n in entry['winners'][c] if n != 'D') or 'no design'})"
                   for c in cols]
            parts.append(f"{verb} {_join(who)}")
    return f"{entry['name']}: " + "; ".join(parts) + "."


def findings(entries: list[dict]) -> list[str]:
    """One sentence per scenario, then the count over every scenario and column."""
    out = [scenario_sentence(e) for e in entries]
    counts = {v: sum(e["d_position"][k] == v for e in entries for k, _ in COLUMNS) for v in ("wins", "ties", "loses")}
    cells = sum(counts.values())
    out.append(f"Over {len(entries)} scenarios and {len(COLUMNS)} measures ({cells} in all), D wins "
               f"{counts['wins']} alone, shares {counts['ties']} and loses {counts['loses']}.")
    return out


def matrix(scenarios=MATRIX_SCENARIOS) -> dict:
    from reference_impl.simulate import run_summaries  # the package imports this module

    entries = [scenario_entry(name, run_summaries(name)) for name in scenarios]
    return {
        "tie_rule": {"text": tie_rule.RULE_TEXT, "share": tie_rule.TIE_SHARE,
                     "latency_floor_s": tie_rule.LATENCY_FLOOR_S,
                     "cost_floor_usd_per_1000_requests": tie_rule.COST_FLOOR_USD_PER_1000,
                     "failure_allowance": tie_rule.FAILURE_ALLOWANCE},
        "columns": [{"key": k, "label": label} for k, label in COLUMNS],
        "scenarios": entries,
        "findings": findings(entries),
    }
