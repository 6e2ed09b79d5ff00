"""python -m reference_impl.simulate --scenario NAME [--json] [--set name=value ...] | --matrix [--json] | --list"""
import argparse
import json
import sys

from reference_impl.simulate import DESIGNS, SimulationInputError, list_scenarios, parameter_table, run
from reference_impl.simulate.matrix import COLUMNS, matrix


def _parse_sets(values):
    overrides = {}
    for item in values or []:
        name, _, raw = item.partition("=")
        try:
            overrides[name.strip()] = float(raw)
        except ValueError:
            raise SimulationInputError({name.strip() or item: f"--set needs name=number, got {item!r}"}) from None
    return overrides


BARS = " ▁▂▃▄▅▆▇█"


def _sparkline(values, width: int = 60) -> str:
    """Each column shows the most capacity in its slice of the series."""
    if not values:
        return ""
    top = max(values) or 1
    step = max(1, len(values) / width)
    cols = [max(values[int(i * step):max(int(i * step) + 1, int((i + 1) * step))])
            for i in range(min(width, len(values)))]
    return "".join(BARS[0 if v <= 0 else max(1, round(v / top * (len(BARS) - 1)))] for v in cols)


def _clock(seconds: float) -> str:
    days, rest = divmod(int(seconds), 86_400)
    return f"day {days} {rest // 3600:02d}:{rest % 3600 // 60:02d}"


def _cell(value, money=False):
    if value is None:
        return "-"
    return f"${value:,.2f}" if money else f"{value:,.1f}"


def format_matrix(m: dict) -> str:
    """The matrix as text: one table per scenario, each column's winners starred."""
    lines = [f"Tie rule: {m['tie_rule']['text']}", ""]
    for e in m["scenarios"]:
        lines.append(f"{e['name']}: {e['description']} ({e['requests']:,} requests)")
        lines.append(f"{'':4}{'cost':>11}{'p50 s':>9}{'p95 s':>9}{'first wait s (best/typical/worst)':>36}{'failed':>9}")
        for name, r in e["designs"].items():
            def star(key, text, name=name):
                return text + ("*" if name in e["winners"][key] else " ")
            w = r["first_wait_s"]
            first = "-" if not w else f"{w['best']:.0f}/{w['typical']:.0f}/{w['worst']:.0f}"
            lines.append(f"{name:4}{star('cost_usd', _cell(r['cost_usd'], True)):>12}{star('p50_s', _cell(r['p50_s'])):>9}"
                         f"{star('p95_s', _cell(r['p95_s'])):>9}{star('first_wait_s', first):>36}"
                         f"{star('failed', format(r['failed'], ',')):>9}")
        for label, r in e["variants"].items():
            lines.append(f"  variant, not ranked: {label}: cost {_cell(r['cost_usd'], True)}, p50 {_cell(r['p50_s'])} s, "
                         f"p95 {_cell(r['p95_s'])} s, failed {r['failed']:,}")
        lines.append("  D: " + ", ".join(f"{label} {e['d_position'][key]}" for key, label in COLUMNS))
        lines.append("")
    lines.append("* the winner of the column under the tie rule (several when they tie)")
    lines += ["", "Findings:"] + [f" - {f}" for f in m["findings"]]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reference_impl.simulate",
                                     description="Run the same traffic through designs A, B, C and D.")
    parser.add_argument("--scenario", default="idle-then-burst")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)")
    parser.add_argument("--json", action="store_true", help="full result with chart series")
    parser.add_argument("--list", action="store_true", help="list scenarios and parameters")
    parser.add_argument("--matrix", action="store_true",
                        help="every built-in scenario through every design, with each measure's winner")
    args = parser.parse_args(argv)
    if args.matrix:
        result = matrix()
        print(json.dumps(result) if args.json else format_matrix(result))
        return 0
    if args.list:
        for s in list_scenarios():
            print(f"{s['name']:16} {s['description']}")
        print("\nparameters (override with --set NAME=VALUE):")
        for p in parameter_table():
            print(f"  {p['name']:28} {p['value']:>12g} {p['unit']:22} {p['source']}")
        return 0
    try:
        result = run(args.scenario, _parse_sets(args.set))
    except SimulationInputError as exc:
        for field, message in exc.errors.items():
            print(f"error: {field}: {message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
        return 0
    sc = result["scenario"]
    print(f"{sc['name']}: {sc['description']} ({sc['requests']:,} requests, {sc['items']:,} inputs, {sc['days']:.1f} days)\n")
    header = f"{'':3}{'completed':>10}{'failed':>8}{'p50 s':>9}{'p95 s':>9}{'p99 s':>9}{'max s':>9}{'first s':>9}{'peak':>6}{'cost $':>11}"
    print(header)
    for name, d in result["designs"].items():
        s = d["summary"]
        lat = s["latency_s"]

        def f(x):
            return f"{x:9.1f}" if x is not None else f"{'-':>9}"
        print(f"{name:3}{s['completed']:>10,}{s['failed']:>8,}{f(lat['p50'])}{f(lat['p95'])}{f(lat['p99'])}"
              f"{f(lat['max'])}{f(s['first_request_latency_s'])}{s['peak_capacity']:>6}{s['cost_usd']['total']:>11.2f}")
    for name, d in result["designs"].items():
        r = d["summary"]["first_request_range_s"]
        if r:
            print(f"{name}'s first request, over every phase against the scaler's poll: best {r['best']:.0f} s, "
                  f"typical {r['typical']:.0f} s, worst {r['worst']:.0f} s")
    t0, t1 = result["window_s"]
    print(f"\n{'':3}capacity over time, {_clock(t0)} to {_clock(t1)} (each bar scaled to its own peak)")
    for name, d in result["designs"].items():
        cap = d["series"]["capacity"]
        print(f"{name:3}{_sparkline(cap)}  peak {max(cap, default=0):g} {d['summary']['capacity_label']}")
    print()
    for name, d in result["designs"].items():
        print(f"{name}. {DESIGNS[name]}")
        if d["as_built"]:
            print(f"   {d['as_built']}")
        print(f"   {d['explanation']}")
        for part, usd in d["summary"]["cost_usd"]["parts"].items():
            print(f"   - {part}: ${usd:,.4f}")
    for name, v in result["variants"].items():
        print(f"\n{name}: {v['explanation']}")
    if result["findings"]:
        print("\nFindings:")
        for line in result["findings"]:
            print(f" - {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
