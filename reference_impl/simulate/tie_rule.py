"""The one tie rule every comparison of designs uses: findings, the matrix, the answer page.

Symmetric for cost and latency, and relative to the scenario's own scale:

* two figures tie when they are within `TIE_SHARE` (10%) of the larger, or closer than a floor;
* the latency floor is `LATENCY_FLOOR_S` (1 s): below it a person waiting for an answer cannot
  tell two designs apart;
* the cost floor is `COST_FLOOR_USD_PER_1000` per 1,000 requests of the scenario, so it grows
  with the scenario's traffic instead of being a fixed dollar that swallows a small model's
  whole bill (the question has "numerous" models: per model, a dollar can be most of it);
* failures tie when their shares of the requests are within `FAILURE_ALLOWANCE` (0.1 percentage
  point) of each other; a design that failed more than that share cannot win cost or latency
  (it would win by refusing work), and its figures are still shown.

The floors are this project's choices (assumptions, not AWS facts); `RULE_TEXT` says them to
learners wherever a winner is marked.
"""
TIE_SHARE = 0.10
LATENCY_FLOOR_S = 1.0
COST_FLOOR_USD_PER_1000 = 0.001  # a tenth of a cent per 1,000 requests ($1 per million)
FAILURE_ALLOWANCE = 0.001        # one request in a thousand

RULE_TEXT = (
    f"Two figures tie when they differ by less than {TIE_SHARE:.0%} of the larger, or by less than a floor: "
    f"{LATENCY_FLOOR_S:g} s for latency; for cost, ${COST_FLOOR_USD_PER_1000:g} per 1,000 of the scenario's "
    f"requests; for failures, {FAILURE_ALLOWANCE * 100:.1f} percentage point of the requests. A design that failed "
    f"more than {FAILURE_ALLOWANCE:.1%} of its requests is not ranked on cost or latency (its figures are still "
    "shown). Every design that ties with the best figure shares the win. These floors are this site's choices, "
    "not AWS figures.")


def cost_floor_usd(requests: int) -> float:
    return COST_FLOOR_USD_PER_1000 * requests / 1000


def tie(a: float, b: float, floor: float) -> bool:
    """True when a and b are within TIE_SHARE of the larger, or less than `floor` apart."""
    gap = abs(a - b)
    return gap < floor or gap < TIE_SHARE * max(abs(a), abs(b))


def compare(x: float, y: float, floor: float) -> str:
    """'tie', 'lower' or 'higher': x against y under the rule."""
    if tie(x, y, floor):
        return "tie"
    return "lower" if x < y else "higher"


def winners(values: dict[str, float | None], floor: float) -> list[str]:
    """The names whose value ties with the lowest (lower is better); none without values."""
    known = {k: v for k, v in values.items() if v is not None}
    if not known:
        return []
    best = min(known.values())
    return [k for k, v in known.items() if v == best or tie(v, best, floor)]


def position(name: str, column_winners: list[str]) -> str:
    """'wins' (alone), 'ties' (shares the win) or 'loses' for one design in one column."""
    if name not in column_winners:
        return "loses"
    return "wins" if column_winners == [name] else "ties"
