"""The results in words: each design's outcome and why, and the findings: what the numbers say,
design against design.

Every sentence is built from the run's own figures (Run.facts, the summary, the parameters), so
a change of parameter changes the words with the numbers. Findings report where D wins, ties and
loses under the one tie rule of tie_rule.py (the scenario matrix uses the same).
"""
from reference_impl.simulate import tie_rule
from reference_impl.simulate.params import Params


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
    """How one Lambda cold start adds up, and where the model was loaded."""
    f = run.facts
    streams = "one S3 connection" if p.s3_parallel_streams == 1 else f"{p.s3_parallel_streams:g} parallel S3 connections"
    where = (f"; loaded in the handler on first use, since in init it would pass the {p.lambda_init_limit_s:g} s "
             "on-demand init limit and be retried" if f["loads_in_handler"] else "; within the init limit")
    return f"{f['cold_start_s']:.1f} s each: runtime start, the model over {streams}, deserializing{where}"


def _idle_rule(f: dict) -> str:
    """Why idle tasks stayed, in the words of the controller that kept them."""
    if "controller_actions" in f:
        return ("target tracking (as this simulator models it) removes a task only after 15 one-minute datapoints below "
                "the target (observed, not documented by AWS), one task per "
                f"scale-in and {f['scale_in_cooldown_s']:g} s apart")
    return (f"the policy keeps its tasks until the queue has been empty {f['idle_before_zero_s']:g} s, then stops "
            "every idle one")


def _explain_a(s, run, p) -> str:
    f = run.facts
    return (
        f"{f['provisioned']} provisioned environments are billed every second of the period "
        f"({_money(run.cost_parts['provisioned concurrency (billed all the time)'])}), idle or not; "
        f"beyond them, {f['cold_starts']:,} on-demand cold starts each loaded the model "
        f"({_cold_start_words(run, p)}; {f['model_downloads_gb']:,.0f} GB downloaded in all), and a synchronous "
        "front end has no queue to hold a burst.")


def _explain_b(s, run, p) -> str:
    f = run.facts
    target = f"{f['target_per_minute']:.0f} requests a minute per task (what one task can serve)"
    if f["scale_outs"]:
        scaling = (f"Request-count scaling, aiming at {target}, added tasks {f['scale_outs']} time(s), each after "
                   f"{f['out_points']} minutes above target, and every new task needed {f['ready_delay_s']:.0f} s to "
                   "start and load the model before it could answer.")
    elif f["busiest_minute"] <= f["target_per_minute"] * f["min_tasks"]:
        scaling = (f"Request-count scaling never added a task because it never needed to: the busiest minute had "
                   f"{f['busiest_minute']:,} requests, within the target of {target}.")
    else:
        scaling = (f"Request-count scaling never added a task although the busiest minute had "
                   f"{f['busiest_minute']:,} requests against a target of {target}: its alarm needs "
                   f"{f['out_points']} consecutive minutes above target, and the traffic fell before that (a new "
                   f"task would need {f['ready_delay_s']:.0f} s to start and load the model anyway).")
    return (f"The ALB has no queue: a request needs a free task within {p.sync_timeout_s:g} s or fails. {scaling} "
            f"{f['min_tasks']} task(s) and the load balancer are paid for all period, idle or not.")


def _explain_c(s, run, p) -> str:
    f = run.facts
    return (f"The queue holds the burst, but the SQS event source ramps concurrency up gradually and each of "
            f"{f['cold_starts']:,} new environments loaded its own copy of the model ({_cold_start_words(run, p)}; "
            f"{f['model_downloads_gb']:,.0f} GB in all). Each invocation takes one message (batch size 1), and each "
            f"concurrent invocation holds its own {f['memory_gb']:g} GB (about {f['vcpu']:.1f} vCPU, so each input "
            f"takes {p.service_time_s / f['vcpu']:.3g} s). Lambda bills only while it works, so "
            "weeks of idle cost next to nothing.")


def _explain_d(s, run, p) -> str:
    f = run.facts
    acts = f.get("controller_actions")
    if acts is None:  # the KEDA-style variant: one controller, reference_impl.scaling.decide
        parts = [f"The queue holds the burst; the scaler reads the queue every {p.d_scaler_period_s:g} s and sizes "
                 f"tasks at {f['target_per_task']:.0f} messages each; a task needs {f['ready_delay_s']:.0f} s to start "
                 "and load the model once, then serves many requests."]
    else:
        parts = [f"The queue holds the burst. As deployed, two controllers take turns: a waker function reads the "
                 f"queue every minute and, only at 0 tasks, starts ceil(backlog ÷ {f['target_per_task']:.0f}) (it acted "
                 f"{acts['waker']} time(s)); from then on target tracking on backlog per desired task, fed one-minute "
                 f"CloudWatch datapoints a minute late, scaled out {acts['target tracking out']} time(s) (3 datapoints "
                 f"above target) and in {acts['target tracking in']} time(s) (15 below; both counts observed, "
                 "not documented by AWS). A task needs "
                 f"{f['ready_delay_s']:.0f} s to start and load the model once, then serves many requests."]
    reached = f.get("peak_desired", min(f["peak_wanted"], f["max_tasks"]))
    if reached < min(f["peak_wanted"], f["max_tasks"]):
        parts.append(f"Target tracking reached {reached} tasks while the backlog's arithmetic asked for up to "
                     f"{f['peak_wanted']} (cap {f['max_tasks']}): it steps only after 3 minutes of datapoints above "
                     "target, so the backlog drained more slowly than the KEDA-style variant's.")
    elif f["peak_wanted"] > f["max_tasks"]:
        parts.append(f"It ran at its cap of {f['max_tasks']} tasks while the policy asked for up to "
                     f"{f['peak_wanted']}, so the backlog drained more slowly (a higher task limit shortens the wait).")
    if f["task_seconds"] > 0:
        hours = f["task_seconds"] / 3600
        parts.append(
            f"Of its {hours:,.1f} task-hours, {f['busy_task_s'] / 3600:,.1f} were work, "
            f"{f['starting_task_s'] / 3600:,.1f} starting up and {f['idle_task_s'] / 3600:,.1f} idle"
            + (": " + _idle_rule(f) + "." if f["idle_task_s"] > 0.5 * f["task_seconds"] and not f["min_tasks"]
               else "."))
    if f["min_tasks"]:
        parts.append(f"{f['min_tasks']} task(s) stay running all period, billed idle or not.")
    else:
        parts.append("Idle, it runs no task and costs almost nothing; the price is that the first request after "
                     "a quiet spell waits for a task to start (keeping one task warm avoids that, at the cost of "
                     "paying for it all period).")
    return " ".join(parts)


_DESIGN_WORDS = {"A": _explain_a, "B": _explain_b, "C": _explain_c, "D": _explain_d}


def explain(design: str, s: dict, run, p: Params, traffic) -> str:
    """One design's result in words: what failed, waited or cost money, and why."""
    if run.facts.get("unbuildable"):
        return f"It cannot run at all, so every request fails: {run.facts['unbuildable']}."
    parts = _outcome(s)
    parts.append(_DESIGN_WORDS[design](s, run, p))
    parts.append(f"Cost {_money(s['cost_usd']['total'])} over {traffic.horizon_s / 86400:.1f} days.")
    return " ".join(parts)


def _names(items: list[tuple[str, float]], unit: str) -> str:
    words = [f"{name} ({_money(value)})" if unit == "$" else f"{name} ({value:.1f} s)" for name, value in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _range_words(r: dict) -> str:
    return (f"{r['best']:.0f} to {r['worst']:.0f} s (typically {r['typical']:.0f} s), depending on when it "
            "arrived against the scaler's one-minute poll")


def findings(designs: dict, d_cloudwatch: dict, p: Params, d_facts: dict) -> list[str]:
    """What the numbers say, design against design, under the tie rule of tie_rule.py.
    `d_facts` is option D's Run.facts (where its task time went)."""
    out = []
    d = designs["D"]["summary"]
    if not d["requests"]:
        return ["No requests arrived: each cost is what the design charges for standing by."]
    if d_facts.get("unbuildable"):
        return [f"D cannot run: {d_facts['unbuildable']}."] + [
            f"{n} cannot run either: {designs[n]['summary']['failure_reasons'] and next(iter(designs[n]['summary']['failure_reasons']))}."
            for n in "ABC" if designs[n]["summary"]["completed"] == 0]
    d_cost, d_p95 = d["cost_usd"]["total"], d["latency_s"]["p95"]
    allowance = tie_rule.FAILURE_ALLOWANCE
    for name in "ABCD":
        s = designs[name]["summary"]
        if not s["failed"]:
            continue
        top = max(s["failure_reasons"].items(), key=lambda kv: kv[1])[0]
        compared = s["failed"] <= allowance * s["requests"]
        out.append(f"{name} lost {s['failed']:,} of {s['requests']:,} requests (mostly: {top})"
                   + (f"; within {allowance:.1%}, so it is still compared below." if compared
                      else f"; more than {allowance:.1%}, so it is left out of the comparisons below."))
    served = [n for n in "ABC" if designs[n]["summary"]["failed"] <= allowance * designs[n]["summary"]["requests"]]
    if d["failed"] <= allowance * d["requests"] and served:
        floor = tie_rule.cost_floor_usd(d["requests"])
        cost = {n: designs[n]["summary"]["cost_usd"]["total"] for n in served}
        groups = {k: [(n, cost[n]) for n in served if tie_rule.compare(cost[n], d_cost, floor) == k]
                  for k in ("lower", "tie", "higher")}
        if groups["lower"]:
            out.append(f"Cheaper than D ({_money(d_cost)}): {_names(groups['lower'], '$')}.")
        if groups["tie"]:
            out.append(f"A tie on cost with D ({_money(d_cost)}): {_names(groups['tie'], '$')}; within the tie rule "
                       f"(10%, or ${tie_rule.COST_FLOOR_USD_PER_1000:g} per 1,000 requests), not a verdict.")
        if groups["higher"]:
            out.append(f"Dearer than D ({_money(d_cost)}): {_names(groups['higher'], '$')}.")
        if d_p95 is not None:
            lat = {n: designs[n]["summary"]["latency_s"]["p95"] for n in served}
            verdicts = {n: tie_rule.compare(lat[n], d_p95, tie_rule.LATENCY_FLOOR_S) for n in served if lat[n] is not None}
            faster = [(n, lat[n]) for n, v in verdicts.items() if v == "lower"]
            slower = [(n, lat[n]) for n, v in verdicts.items() if v == "higher"]
            tied = [(n, lat[n]) for n, v in verdicts.items() if v == "tie"]
            if faster:
                out.append(f"Faster than D at the 95th percentile ({d_p95:.1f} s): {_names(faster, 's')}.")
            if slower:
                out.append(f"Slower than D at the 95th percentile ({d_p95:.1f} s): {_names(slower, 's')}.")
            if tied:
                out.append(f"A tie with D at the 95th percentile ({d_p95:.1f} s): {_names(tied, 's')}; within the tie "
                           f"rule (10%, or {tie_rule.LATENCY_FLOOR_S:g} s).")
    idle_h, total_h = d_facts["idle_task_s"] / 3600, d_facts["task_seconds"] / 3600
    if total_h and idle_h > 0.5 * total_h:
        why = (f"its {d_facts['min_tasks']} warm task(s) run all period, work or not" if d_facts["min_tasks"] else
               _idle_rule(d_facts))
        out.append(f"Most of D's task time was idle ({idle_h:,.1f} of {total_h:,.1f} task-hours): {why}, while "
                   "Lambda stops billing the moment it is idle.")
    if not d_facts["min_tasks"] and d_facts["starts_from_zero"] >= 4:
        if "controller_actions" in d_facts:
            how = ("each time target tracking's last 15 datapoints were below the target and the latest read an "
                   "empty queue, it removed the last task; the waker then started one for the next request")
            remedy = "one task kept warm (a minimum of 1) avoids it, at the cost of paying for that task all period"
        else:
            how = f"each time the queue stayed empty {d_facts['idle_before_zero_s']:g} s it scaled to zero"
            remedy = "a longer idle period or one task kept warm avoids it; both cost idle task-hours"
        out.append(f"D started from zero tasks {d_facts['starts_from_zero']} times: {how}, and the next request "
                   f"waited for a new task ({d_facts['ready_delay_s']:.0f} s). For sparse traffic, {remedy}.")
    d_range = d.get("first_request_range_s")
    if d_range:
        sooner = [(n, designs[n]["summary"]["first_request_latency_s"]) for n in "ABC"
                  if designs[n]["summary"]["first_request_latency_s"] is not None
                  and designs[n]["summary"]["first_request_latency_s"] < d_range["best"]]
        out.append(f"D's first request waited {_range_words(d_range)}: D had no task running, and one must start "
                   "and load the model before it answers"
                   + (f"; {_names(sooner, 's')} answered sooner." if sooner else "."))
    if d_p95 is not None and d_p95 > p.acceptable_latency_s:
        startup = p.d_scaler_period_s + d_facts["ready_delay_s"]
        causes = []
        from_zero = d_facts["waited_for_start_from_zero"] > 0.05 * d["requests"]
        if from_zero:
            causes.append(f"from zero, a request waits up to {p.d_scaler_period_s:g} s for the scaler's next poll "
                          f"and {d_facts['ready_delay_s']:.0f} s for a task to start and load the model")
        reached = d_facts.get("peak_desired", min(d_facts["peak_wanted"], d_facts["max_tasks"]))
        if reached < min(d_facts["peak_wanted"], d_facts["max_tasks"]):
            causes.append(f"target tracking steps up only after 3 one-minute datapoints above target (observed, not "
                          f"documented by AWS), each a minute late, and reached {reached} tasks while the backlog asked for {d_facts['peak_wanted']}")
        elif d_facts["peak_wanted"] > p.max_tasks:
            causes.append(f"it hit its cap of {p.max_tasks:g} tasks (the policy asked for {d_facts['peak_wanted']})")
        if not from_zero:
            causes.append(f"the policy lets each task's backlog grow to {d_facts['target_per_task']:.0f} messages (the "
                          "acceptable latency's worth) before it adds one, and a new task takes "
                          f"{d_facts['ready_delay_s']:.0f} s to start and load the model before it helps")
        out.append(f"D's p95 latency ({d_p95:.0f} s) exceeded the acceptable latency the policy aims for "
                   f"({p.acceptable_latency_s:g} s): " + "; and ".join(causes)
                   + (f". No target per task can meet a goal shorter than that start-up ({startup:.0f} s)."
                      if startup > p.acceptable_latency_s and from_zero else "."))
    cw_first = d_cloudwatch["first_request_latency_s"]
    d_first = d["first_request_latency_s"]
    if cw_first is not None and d_first is not None and cw_first > d_first + 60:
        out.append(f"Scaling D on SQS's CloudWatch metrics instead of reading the queue makes the first request "
                   f"wait {cw_first:.0f} s instead of {d_first:.0f} s after a quiet spell (metrics arrive a minute "
                   "late, the alarm needs several datapoints, and a queue waking from 6 hours' inactivity can "
                   "publish nothing for up to 15 minutes).")
    return out
