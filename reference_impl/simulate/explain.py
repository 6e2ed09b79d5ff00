"""The results in words: each design's outcome and why, and the findings where the numbers do
not simply agree with the exam's answer.

Every sentence is built from the run's own figures (Run.facts, the summary, the parameters), so
a change of parameter changes the words with the numbers. Findings report where D loses on some
measure; they are the point of the exercise, not a defect to tune away.
"""


def _money(x: float) -> str:
    return f"${x:,.2f}" if x >= 0.01 or x == 0 else f"${x:.4f}"


def _outcome(s: dict) -> list[str]:
    parts = []
    if s["failed"]:
        top = max(s["failure_reasons"].items(), key=lambda kv: kv[1])[0]
        parts.append(f"{s['failed']:,} of {s['requests']:,} requests failed (mostly: {top}).")
    else:
        parts.append(f"All {s['requests']:,} requests completed.")
    lat = s["latency_s"]
    if lat["p50"] is not None:
        parts.append(f"Latency p50 {lat['p50']:.1f} s, p95 {lat['p95']:.1f} s, max {lat['max']:.1f} s; "
                     f"the first request took {s['first_request_latency_s']:.1f} s.")
    return parts


def _cold_start_words(run, p) -> str:
    """How one Lambda cold start adds up, and whether it broke the on-demand init limit."""
    f = run.facts
    over = f["cold_start_s"] > p["lambda_init_limit_s"]  # runs.lambda_cold_start_s: limit + init once over it
    return (f"{f['cold_start_s']:.1f} s each: runtime start, the model over {p['s3_parallel_streams']:g} parallel S3 "
            "streams, deserializing" + (f"; past the {p['lambda_init_limit_s']:g} s init limit, so init ran again "
                                         "inside the first invocation" if over else ""))


def _explain_a(s, run, p) -> str:
    f = run.facts
    return (
        "Built as API Gateway or an ALB in front of Lambda, since an NLB cannot target Lambda. "
        f"{f['provisioned']} provisioned environments are billed every second of the period "
        f"({_money(run.cost_parts['provisioned concurrency (billed all the time)'])}), idle or not; "
        f"beyond them, {f['cold_starts']:,} on-demand cold starts each loaded the model "
        f"({_cold_start_words(run, p)}; {f['model_downloads_gb']:,.0f} GB downloaded in all), and a synchronous "
        "front end has no queue to hold a burst.")


def _explain_b(s, run, p) -> str:
    f = run.facts
    if f["scale_outs"]:
        scaling = (f"Request-count scaling added tasks {f['scale_outs']} time(s), each after {f['out_points']} "
                   f"minutes above target, and every new task needed {f['ready_delay_s']:.0f} s to start and load "
                   "the model before it could answer.")
    else:
        scaling = (f"Request-count scaling never added a task: its alarm needs {f['out_points']} consecutive minutes "
                   "above target, so traffic that peaks and falls sooner never triggers it (and a new task would "
                   f"need {f['ready_delay_s']:.0f} s to start and load the model anyway).")
    return (f"The ALB has no queue: a request needs a free task within {p['sync_timeout_s']:g} s or fails. {scaling} "
            f"{f['min_tasks']} task(s) and the load balancer are paid for all period, idle or not.")


def _explain_c(s, run, p) -> str:
    f = run.facts
    return (f"The queue holds the burst, but the SQS event source ramps concurrency up gradually and each of "
            f"{f['cold_starts']:,} new environments loaded its own copy of the model ({_cold_start_words(run, p)}; "
            f"{f['model_downloads_gb']:,.0f} GB in all). Each invocation takes one message (batch size 1). Memory never changes with backlog: it is a fixed setting. "
            "Lambda bills only while it works, so weeks of idle cost next to nothing.")


def _explain_d(s, run, p) -> str:
    f = run.facts
    parts = [f"The queue holds the burst; the scaler reads the queue every {p['d_scaler_period_s']:g} s and sizes "
             f"tasks at {f['target_per_task']:.0f} messages each; a task needs {f['ready_delay_s']:.0f} s to start and "
             "load the model once, then serves many requests."]
    if f["peak_wanted"] > f["max_tasks"]:
        parts.append(f"It ran at its cap of {f['max_tasks']} tasks while the policy asked for up to "
                     f"{f['peak_wanted']}, so the backlog drained more slowly (raise max_tasks to shorten the wait).")
    if f["task_seconds"] > 0:
        hours = f["task_seconds"] / 3600
        parts.append(
            f"Of its {hours:,.1f} task-hours, {f['busy_task_s'] / 3600:,.1f} were work, "
            f"{f['starting_task_s'] / 3600:,.1f} starting up and {f['idle_task_s'] / 3600:,.1f} idle"
            + (f": against flapping, the policy keeps a task until the queue has been quiet "
               f"{f['idle_before_zero_s']:g} s and removes at most {f['scale_in_step']} task per "
               f"{f['scale_in_cooldown_s']:g} s (d_idle_before_zero_s, d_scale_in_max_step)."
               if f["idle_task_s"] > 0.5 * f["task_seconds"] and not f["min_tasks"] else "."))
    if f["min_tasks"]:
        parts.append(f"{f['min_tasks']} task(s) stay running all period, billed idle or not.")
    else:
        parts.append("Idle, it runs no task and costs almost nothing; the price is that the first request after "
                     "a quiet spell waits for a task to start (set d_min_tasks to 1 to keep one warm).")
    return " ".join(parts)


_DESIGN_WORDS = {"A": _explain_a, "B": _explain_b, "C": _explain_c, "D": _explain_d}


def explain(design: str, s: dict, run, p: dict, traffic) -> str:
    """One design's result in words: what failed, waited or cost money, and why."""
    parts = _outcome(s)
    parts.append(_DESIGN_WORDS[design](s, run, p))
    parts.append(f"Cost {_money(s['cost_usd']['total'])} over {traffic.horizon_s / 86400:.1f} days.")
    return " ".join(parts)


def _names(items: list[tuple[str, float]], unit: str) -> str:
    words = [f"{name}'s ({value:.1f} {unit})" if unit == "s" else f"{name} ({value})" for name, value in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def findings(designs: dict, d_cloudwatch: dict, p: dict, d_facts: dict) -> list[str]:
    """Where the numbers disagree with a simple reading of the exam's answer, say so.
    `d_facts` is option D's Run.facts (where its task time went)."""
    out = []
    d = designs["D"]["summary"]
    if not d["requests"]:
        return ["No requests arrived: each cost is what the design charges for standing by."]
    d_first, d_p95, d_cost = d["first_request_latency_s"], d["latency_s"]["p95"], d["cost_usd"]["total"]
    cheaper, sooner, faster = [], [], []
    for name in "ABC":
        s = designs[name]["summary"]
        first, p95, cost = s["first_request_latency_s"], s["latency_s"]["p95"], s["cost_usd"]["total"]
        if s["failed"] == 0 and cost < d_cost:
            cheaper.append((name, cost))
        if first is not None and d_first is not None and first < d_first:
            sooner.append((name, first))
        if s["failed"] == 0 and p95 is not None and d_p95 is not None and p95 < d_p95:
            faster.append((name, p95))
    for name, cost in cheaper:
        out.append(f"{name} served every request for less money than D here ({_money(cost)} vs {_money(d_cost)}).")
    idle_h, total_h = d_facts["idle_task_s"] / 3600, d_facts["task_seconds"] / 3600
    if cheaper and idle_h > 0.5 * total_h:
        out.append(f"Most of D's cost is idle tasks ({idle_h:,.1f} of {total_h:,.1f} task-hours): to avoid flapping, "
                   f"the policy keeps a task until the queue has been quiet {d_facts['idle_before_zero_s']:g} s and "
                   f"removes at most {d_facts['scale_in_step']} per {d_facts['scale_in_cooldown_s']:g} s, while "
                   "Lambda stops billing the moment it is idle.")
    restarts = d_facts["launches"] - d["peak_capacity"]
    if not d_facts["min_tasks"] and restarts >= 3:
        out.append(f"D started tasks {d_facts['launches']} times for a peak of {d['peak_capacity']}: each time the queue "
                   f"stayed quiet {d_facts['idle_before_zero_s']:g} s it scaled to zero, and the next request waited "
                   f"for a new task ({d_facts['ready_delay_s']:.0f} s). Sparse traffic wants a longer "
                   "d_idle_before_zero_s or d_min_tasks 1; both cost idle task-hours.")
    if sooner:
        out.append(f"D's first request waited {d_first:.1f} s, longer than {_names(sooner, 's')}: after a quiet "
                   "spell D has no task running, and one must start and load the model before it answers.")
    if faster:
        out.append(f"D's 95th-percentile latency ({d_p95:.1f} s) was longer than {_names(faster, 's')}, "
                   "and they lost no request.")
    if d_p95 is not None and d_p95 > p["acceptable_latency_s"]:
        startup = p["d_scaler_period_s"] + d_facts["ready_delay_s"]
        causes = [f"from zero, a request waits up to {p['d_scaler_period_s']:g} s for the scaler's next poll and "
                  f"{d_facts['ready_delay_s']:.0f} s for a task to start and load the model"]
        if d_facts["peak_wanted"] > p["max_tasks"]:
            causes.append(f"it hit its cap of {p['max_tasks']:g} tasks (the policy asked for {d_facts['peak_wanted']})")
        out.append(f"D's p95 latency ({d_p95:.0f} s) exceeded the acceptable latency the policy aims for "
                   f"({p['acceptable_latency_s']:g} s): " + "; and ".join(causes)
                   + (f". No target per task can meet a goal shorter than that start-up ({startup:.0f} s)."
                      if startup > p["acceptable_latency_s"] else "."))
    cw_first = d_cloudwatch["first_request_latency_s"]
    if cw_first is not None and d_first is not None and cw_first > d_first + 60:
        out.append(f"Scaling D on SQS's CloudWatch metrics instead of reading the queue makes the first request "
                   f"wait {cw_first:.0f} s instead of {d_first:.0f} s after a quiet spell (metrics arrive a minute "
                   "late, the alarm needs several datapoints, and a queue waking from 6 hours' inactivity can "
                   "publish nothing for up to 15 minutes).")
    return out
