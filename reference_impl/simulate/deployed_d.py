"""Option D as the CloudFormation template deploys it: the simulated D is the deployed D.

Why the simulator models the deployed hybrid rather than the deployment running
`reference_impl.scaling.decide` for every decision (as KEDA does): the exam's option D is ECS
scaled by Application Auto Scaling on queue metrics, and target tracking is the managed,
stateless way to do it; a scheduled function that made every decision would need somewhere to
keep `decide`'s state between runs (its cooldown and idle timers, e.g. a table or a parameter)
and would have to ship scaling.py with the stack, one more moving part for every lab.
The KEDA-style controller is still simulated, as a labelled variant (option_d.py, "direct"),
and it is what the local runtime runs (reference_impl/local/supervisor.py says why).

What is modelled, each from template.yaml (tests/reference_impl/test_simulate_deployed.py reads
the template and checks every one):

* The waker: every `WAKER_PERIOD_S` (the ScalerSchedule's rate) a function reads
  GetQueueAttributes and, only while the desired count is 0 and messages are visible, sets it to
  ceil(backlog / target), at least 1, at most max (scaling.tasks_for_backlog).
* Target tracking on metric math (visible + in flight) / `DIVISOR_METRIC`: one datapoint a
  minute, published a minute late (aws_facts: sqs_metric_period_s); scale-out when the last 3
  datapoints are above the target, scale-in when the last 15 are below it (observed, not
  documented: aws_facts tt_*_datapoints); the new capacity is ceil(current capacity x metric /
  target), proportional, as target tracking is described: the service "scales out proportionally
  to the metric as fast as it can, but scales in more gradually"
  (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html); scale-in is
  modelled as one task per scale-in (how gradual is not documented), each after the scale-in
  cooldown since the last one. At 0 desired tasks the metric
  has no value (a division by zero): target tracking cannot leave zero, which is why the waker exists.
* The divisor is DesiredTaskCount, not RunningTaskCount: while tasks start, running stays low
  and a metric divided by it keeps rising, so each minute's proportional step multiplies the
  capacity again, to the cap, before one task runs. A variant keeps RunningTaskCount to show it.
* The queue never goes inactive: the waker calls GetQueueAttributes every minute, an action on
  the queue, so SQS keeps publishing its metrics and there is no 15-minute wake-up delay
  (aws_facts: sqs_inactive_after_s). Target tracking without the waker is option_d's
  "cloudwatch" variant, which has that delay.
* Scale-in protection: a busy task is not stopped; it stops at a later minute once idle.
"""
import math
from bisect import bisect_right
from collections import deque

from reference_impl import aws_facts
from reference_impl.scaling import ScalingPolicy, tasks_for_backlog, tasks_needed
from reference_impl.simulate.ecs_tasks import TaskPool
from reference_impl.simulate.option_d import LONG_POLL_S, SQS_REQUESTS_PER_MESSAGE, first_request_range, waited_for_starts
from reference_impl.simulate.params import Params
from reference_impl.simulate.runs import Run, alike_arrays, scaler_run_usd, service_times, task_ready_s, task_usd_per_s
from reference_impl.simulate.traffic import Traffic

# From template.yaml: ScalerSchedule's `rate(1 minute)` and BacklogPerTaskPolicy's m2.
WAKER_PERIOD_S = 60.0
DIVISOR_METRIC = "DesiredTaskCount"
DIVISORS = ("DesiredTaskCount", "RunningTaskCount")
# Target tracking creates two alarms, each reading the expression's three metrics (deploy/prices.py).
ALARM_METRICS = 6
# template.yaml turns Container Insights on (ClusterSettings containerInsights: enabled): DesiredTaskCount,
# the divisor, is one of its metrics. It publishes its metrics per cluster, service and task family
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html),
# billed as custom metrics (aws_facts: custom_metric_month_usd). How many one service adds is an
# assumption, the lab's cost estimate's (deploy/prices.py: container_insights_metrics; a test holds
# the two equal).
CONTAINER_INSIGHTS_METRICS = 25


def deployed_policy(p: Params, seconds_per_message: float) -> ScalingPolicy:
    """The policy whose numbers the deployer puts in the template (scaling.target_tracking_config)."""
    return ScalingPolicy(acceptable_latency_s=p.acceptable_latency_s, seconds_per_message=seconds_per_message,
                         min_tasks=int(p.d_min_tasks), max_tasks=int(p.max_tasks),
                         scale_in_cooldown_s=p.scale_in_cooldown_s)


def _first_tick(period: float, since: float, wait: float) -> int:
    """The first tick m whose time m x period is `wait` or more after `since`, by the loop's own
    test (m * period - since >= wait), so that rounding cannot move it; 0 when `since` is -inf."""
    if since == -math.inf:
        return 0
    m = math.ceil((since + wait) / period)
    while (m - 1) * period - since >= wait:
        m -= 1
    while not m * period - since >= wait:
        m += 1
    return m


def _arrival_tick(arrival: float, period: float) -> int:
    """The poll whose minute holds `arrival` (tick x period <= arrival): the polls before it see none."""
    tick = math.floor(arrival / period)
    while tick * period > arrival:
        tick -= 1
    return tick


def _skip_quiet(history: deque, k: int, stop: int, desired: int, below: int) -> None:
    """Record the datapoints of the quiet polls k..stop-1, as each would have: backlog 0 and a
    metric of 0 with `desired` idle tasks (desired = running here), one more below the target
    each time after the `below` of the poll before k. Only the last `maxlen` are kept."""
    assert history.maxlen is not None
    for m in range(max(k, stop - history.maxlen), stop):
        history.append((0, desired, desired, 0.0, 0, below + m - k + 1))


def simulate_d_deployed(traffic: Traffic, p: Params, divisor: str = DIVISOR_METRIC, *, skip_quiet: bool = True) -> Run:
    """Run the deployed D. `skip_quiet=False` steps through every quiet poll too (slow; the
    reference the jump over them is checked against)."""
    if divisor not in DIVISORS:
        raise ValueError(f"divisor must be one of {', '.join(DIVISORS)}")
    arr, n = traffic.arrivals, traffic.requests
    svc = service_times(traffic, p, p.task_vcpu)
    mean_svc = (sum(svc) / n) if n else p.service_time_s
    policy = deployed_policy(p, mean_svc)
    target, cap, floor = policy.target_backlog_per_task, policy.max_tasks, policy.min_tasks
    period = WAKER_PERIOD_S
    delay = max(1, round(p.cw_metric_delay_s / period))
    out_points, in_points = int(p.cw_alarm_datapoints), int(p.tt_scale_in_datapoints)
    ready_delay = task_ready_s(p)
    running_after = p.task_start_s + p.image_pull_s  # RUNNING once the container starts
    start, end, failed = [0.0] * n, [0.0] * n, [False] * n
    pool = TaskPool(floor)
    in_flight = pool.in_flight
    # One datapoint a minute: (backlog, divisor, desired, metric or None, how many datapoints in a
    # row up to this one were above the target, how many below). The runs make "the last 3 above"
    # and "the last 15 below" one lookup each.
    history: deque = deque(maxlen=max(out_points, in_points) + delay)
    desired, last_in = floor, -math.inf
    qi = 0
    peak_backlog = peak_desired = 0  # tasks_needed grows with the backlog: its peak is the peak's
    actions = {"waker": 0, "target tracking out": 0, "target tracking in": 0}
    by_desired = divisor == "DesiredTaskCount"
    scale_in_cooldown_s, scale_in_step = policy.scale_in_cooldown_s, policy.scale_in_max_step
    k = math.floor(arr[0] / period) if n else 0
    quiet = 0  # the datapoints at the end of `history` that saw no backlog (with tasks to divide by)
    cooled_at = 0  # the first poll past the scale-in cooldown
    while True:
        t = k * period
        if in_flight and in_flight[0] <= t:  # (the checks before each call skip idle polls cheaply)
            pool.finish_until(t)
        # Every request before qi arrived before the last poll's end (it was handed out); most
        # polls find none waiting, without a search.
        visible = bisect_right(arr, t, qi) - qi if qi < n and arr[qi] <= t else 0
        backlog = visible + len(in_flight)
        if backlog > peak_backlog:
            peak_backlog = backlog
        if by_desired:
            count = desired
        else:  # the tasks running by t (none or one, most polls, counted without a generator)
            tasks = pool.tasks
            count = ((1 if tasks and tasks[0][0] + running_after <= t else 0) if len(tasks) < 2
                     else sum(1 for task in tasks if task[0] + running_after <= t))
        value = backlog / count if count else None
        above = below = 0
        if history:
            _, _, _, _, above, below = history[-1]
        above = above + 1 if value is not None and value > target else 0
        below = below + 1 if value is not None and value < target else 0
        history.append((backlog, count, desired, value, above, below))
        quiet = quiet + 1 if value == 0.0 else 0
        # The waker: only at desired 0 with messages visible.
        if desired == 0 and visible > 0:
            desired = max(1, tasks_for_backlog(policy, backlog))
            actions["waker"] += 1
        elif len(history) > delay:
            # Target tracking reads datapoints a minute (or more) old; no value where the divisor is 0.
            points = len(history) - delay
            _, _, point_desired, latest, point_above, point_below = history[points - 1]
            if points >= out_points and point_above >= out_points:
                # Capacity x metric / target. With DesiredTaskCount the capacity is the one the datapoint
                # divided by: the scale-out cooldown (longer than the metric's lag) counts what the
                # last scale-out added as part of the desired capacity, so an old datapoint does not
                # multiply it again. RunningTaskCount has no such link: the current desired count is
                # multiplied by a metric that stays high while tasks start.
                base = point_desired if by_desired else desired
                assert latest is not None  # above the target
                new = min(cap, math.ceil(base * latest / target))
                if new > desired:
                    desired = new
                    actions["target tracking out"] += 1
            elif (points >= in_points and point_below >= in_points
                  and t - last_in >= scale_in_cooldown_s and desired > floor):
                # "Scales in more gradually" than out (AWS's words); modelled as one task per scale-in.
                assert latest is not None  # below the target
                new = max(floor, math.ceil(desired * latest / target), desired - scale_in_step)
                if new < desired:
                    desired, last_in = new, t
                    actions["target tracking in"] += 1
                    cooled_at = _first_tick(period, last_in, scale_in_cooldown_s)
        if desired > peak_desired:
            peak_desired = desired
        tasks = pool.tasks
        if desired != len(tasks):
            pool.resize(desired, t, ready_delay)
            tasks = pool.tasks
        t1 = (k + 1) * period
        if tasks and qi < n and arr[qi] < t1:  # (no task: requests wait for the waker, no hand-out)
            qi = pool.serve(arr, svc, qi, t1, start, end)
        if qi >= n and not in_flight and len(tasks) == desired == floor:
            break
        if not tasks and not in_flight and desired == 0 and qi < n and arr[qi] >= t1:
            # Nothing runs and nothing waits: the waker holds until the next request's minute.
            k = max(k + 1, math.floor(arr[qi] / period))
            history.clear()
            quiet = 0
            continue
        k += 1
        # From poll k on, nothing waits (the next request arrives after poll k's minute), nothing
        # is in flight and every task is idle and running: until the next request's poll, or the
        # first at which a scale-in could fire, each poll only records a quiet datapoint. Those
        # polls are jumped over, their datapoints recorded. Only once the last `delay` datapoints
        # are quiet: until then target tracking reads datapoints of work waiting (it may scale out).
        if (skip_quiet and quiet >= delay and desired and len(tasks) == desired
                and (arr[qi] >= (k + 1) * period if qi < n else desired > floor)
                # Every task idle and running by t1 (one task, most polls, tested without a generator).
                and ((tasks[0][1] <= t1 and (by_desired or tasks[0][0] + running_after <= t1)) if len(tasks) == 1
                     else (all(task[1] <= t1 for task in tasks)
                           and (by_desired or all(task[0] + running_after <= t1 for task in tasks))))):
            stop = _arrival_tick(arr[qi], period) if qi < n else None
            if desired > floor:
                # A scale-in needs enough datapoints, the one read (`delay` polls old) `in_points`
                # below in a row, and its cooldown passed.
                first_in = max(k - 1 + in_points + delay - len(history), k - 1 + in_points + delay - below, cooled_at)
                stop = first_in if stop is None else min(stop, first_in)
            if stop is not None and stop > k:
                _skip_quiet(history, k, stop, desired, below)
                quiet += stop - k
                k = stop
    horizon = traffic.horizon_s
    capacity = pool.lifetimes(horizon)
    launches, zero_starts = pool.launches, pool.zero_starts
    peak_wanted = tasks_needed(policy, peak_backlog)
    task_s = sum(b - a for a, b in capacity)
    waker_runs = horizon / period
    per_run = scaler_run_usd(p)
    month_s = aws_facts.value("hours_per_month") * 3600
    alarm_usd_per_s = ALARM_METRICS * aws_facts.value("alarm_metric_month_usd") / month_s
    insights_usd_per_s = CONTAINER_INSIGHTS_METRICS * aws_facts.value("custom_metric_month_usd") / month_s
    task_usd = task_usd_per_s(p)
    sqs_requests = SQS_REQUESTS_PER_MESSAGE * n + task_s / LONG_POLL_S
    busy_s, starting_s = sum(svc), launches * ready_delay
    return Run(
        design="D", start=start, end=end, failed=failed, queued=True, capacity=capacity, capacity_label="tasks",
        capacity_usd_per_s=task_usd, fixed_usd_per_s=per_run / period + alarm_usd_per_s + insights_usd_per_s,
        per_request_usd=[SQS_REQUESTS_PER_MESSAGE * p.sqs_request_usd] * n,
        arrays=alike_arrays(n, SQS_REQUESTS_PER_MESSAGE * p.sqs_request_usd),
        cost_parts={
            "ECS tasks (Fargate)" + (f", incl. {floor} kept running" if floor else ""): task_s * task_usd,
            "SQS requests (messages and idle long polls)": sqs_requests * p.sqs_request_usd,
            "waker function (every minute, always)": waker_runs * per_run,
            f"target tracking's alarms ({ALARM_METRICS} alarm metrics)": horizon * alarm_usd_per_s,
            f"Container Insights (about {CONTAINER_INSIGHTS_METRICS} custom metrics, an assumption)":
                horizon * insights_usd_per_s,
        },
        facts={"ready_delay_s": ready_delay, "task_seconds": task_s, "target_per_task": target,
               "metric_source": f"deployed ({divisor})", "min_tasks": floor, "max_tasks": cap,
               "launches": launches, "peak_wanted": peak_wanted, "peak_desired": peak_desired,
               "busy_task_s": busy_s, "starting_task_s": starting_s,
               "idle_task_s": max(0.0, task_s - busy_s - starting_s),
               "scale_in_step": policy.scale_in_max_step, "scale_in_cooldown_s": policy.scale_in_cooldown_s,
               "idle_before_zero_s": (in_points + delay) * period, "controller_actions": actions,
               "first_request_range_s": first_request_range(arr, end, floor, period),
               "starts_from_zero": len(zero_starts),
               "waited_for_start_from_zero": waited_for_starts(arr, zero_starts, ready_delay, period),
               "scaler_decisions": actions["waker"] + actions["target tracking out"] + actions["target tracking in"],
               "polls_skipped": 0})
