"""Option D: an SQS queue in front of ECS tasks, scaled on backlog per task.

The autoscaler is `reference_impl.scaling.decide`, the same function the local supervisor runs
and the deployment template takes its numbers from. It is polled every `d_scaler_period_s`:

* "direct" (our design): a scheduled function reads GetQueueAttributes, so it sees the queue
  as it is at each poll.
* "cloudwatch": target tracking on SQS's CloudWatch metrics. Each minute's visible count is
  published a minute late, the alarm needs several consecutive datapoints above the target, and
  a queue inactive for 6 hours publishes nothing for up to 15 minutes after it wakes
  (aws_facts: sqs_inactive_after_s, sqs_wake_delay_s).

Time advances in whole polls (tick k is at k x period, so no rounding drifts). A quiet stretch
(no request waiting or arriving, every task idle) is skipped: the next poll that can matter is
either the one where the next request arrives or the first at which `decide` would act on an
empty queue, found by bisection because, with the sample and state fixed, cooldowns and idle
timers only ever expire. So weeks of silence cost a few dozen `decide` calls, not 40,000; the
result is the same as polling every period (a property test checks that).
"""
import math
from bisect import bisect_right
from collections import deque
from itertools import islice

from reference_impl import aws_facts
from reference_impl.scaling import ScalerState, ScalingPolicy, StateDecider, state_decider, tasks_needed
from reference_impl.simulate.ecs_tasks import TaskPool
from reference_impl.simulate.params import Params
from reference_impl.simulate.runs import (
    INF, Run, alike_arrays, scaler_run_usd, service_times, task_ready_s, task_usd_per_s,
)
from reference_impl.simulate.traffic import Traffic

# Send, receive and delete: the SQS requests one message costs (receives are batched in practice;
# counting one per message keeps the figure an upper bound).
SQS_REQUESTS_PER_MESSAGE = 3
# An idle task long-polls an empty queue, one ReceiveMessage per wait.
LONG_POLL_S = aws_facts.value("sqs_long_poll_max_s")
# No change found within this many polls means none will come (a guard, never reached in practice).
_GALLOP_LIMIT = 1 << 40

METRIC_SOURCES = ("direct", "cloudwatch")


class _CloudWatchView:
    """What target tracking sees of the queue's visible count through CloudWatch."""

    def __init__(self, p: Params, period: float):
        self.delay_ticks = round(p.cw_metric_delay_s / period)
        # The alarm reads `cw_alarm_datapoints` one-minute datapoints: the oldest is this many polls older.
        self.window_ticks = round((p.cw_alarm_datapoints - 1) * 60 / period) + 1
        self.inactive_s = p.sqs_inactive_after_s
        self.wake_delay_s = p.sqs_wake_delay_s
        self.history: deque = deque()  # (tick, visible) for polls that saw messages; missing means 0
        self.last_activity = -INF
        self.wake_until = -INF

    def seen(self, k: int, t: float, visible: int, active: bool) -> int:
        if visible and t - self.last_activity >= self.inactive_s:
            self.wake_until = t + self.wake_delay_s  # an inactive queue wakes: metrics lag
        if active:
            self.last_activity = t
        history = self.history
        if visible:
            history.append((k, visible))
        elif not history:
            return 0  # no datapoint showed messages: the alarm cannot fire (most polls of a quiet queue)
        newest = k - self.delay_ticks
        oldest = newest - self.window_ticks + 1
        while history and history[0][0] < oldest:
            history.popleft()
        window = self.window_ticks
        if t < self.wake_until or len(history) < window:
            return 0  # metrics lag, or fewer datapoints than the window holds (requests waiting for them)
        # Every datapoint of the window must show messages for the alarm to fire: the smallest counts.
        # The history's ticks are distinct and rising from `oldest`, so the window is full exactly
        # when its first `window` entries all reach no later than `newest`.
        if history[window - 1][0] > newest:
            return 0
        return min([v for _, v in islice(history, window)])

    def quiet_after(self, k: int) -> bool:
        """True if, with no new messages, every poll after k sees 0: no poll's window still holds
        a datapoint that showed messages."""
        return not self.history or self.history[-1][0] < k + 2 - self.delay_ticks - self.window_ticks


def _first_action(decide: StateDecider, running: int, state: ScalerState, period: float,
                  lo: int, hi: int | None) -> int | None:
    """The first poll in [lo, hi) at which `decide` (the policy's state_decider) would change the
    state for an empty queue with `running` idle tasks; hi if none does. hi None: search onwards
    without bound; None if no change ever comes."""
    def acts(j: int) -> bool:
        new = decide(0, 0, running, 0, state, j * period)
        return new is not state and new != state  # (the decider returns the state itself when it holds)

    if hi is None:
        span = 1
        while not acts(lo + span - 1):
            if span > _GALLOP_LIMIT:
                return None
            span *= 2
        hi = lo + span
    elif hi <= lo or not acts(hi - 1):
        return hi  # the common case: nothing happens before the next request arrives
    a, b = lo, hi
    while a < b:
        mid = (a + b) // 2
        if acts(mid):
            b = mid
        else:
            a = mid + 1
    return a


def simulate_d(traffic: Traffic, p: Params, metric_source: str = "direct", *, skip_quiet: bool = True) -> Run:
    """Run option D. `skip_quiet=False` polls every period (slow; the reference the skip is checked against)."""
    if metric_source not in METRIC_SOURCES:
        raise ValueError(f"metric_source must be one of {', '.join(METRIC_SOURCES)}, not {metric_source!r}")
    arr, svc, n = traffic.arrivals, service_times(traffic, p, p.task_vcpu), traffic.requests
    # The operator sets seconds per message from measurement; here, the mean of this traffic.
    mean_svc = (sum(svc) / n) if n else p.service_time_s
    min_tasks = int(p.d_min_tasks)
    policy = ScalingPolicy(
        acceptable_latency_s=p.acceptable_latency_s, seconds_per_message=mean_svc,
        min_tasks=min_tasks, max_tasks=int(p.max_tasks), scale_in_cooldown_s=p.scale_in_cooldown_s,
        idle_before_zero_s=p.d_idle_before_zero_s, scale_in_max_step=int(p.d_scale_in_max_step),
    )
    period = p.d_scaler_period_s
    ready_delay = task_ready_s(p)
    start, end, failed = [0.0] * n, [0.0] * n, [False] * n
    pool = TaskPool(min_tasks)
    in_flight = pool.in_flight
    state = ScalerState(desired=min_tasks)
    decide = state_decider(policy)  # the policy's numbers read once, not at every poll
    view = _CloudWatchView(p, period) if metric_source == "cloudwatch" else None
    qi = 0  # requests before qi have been handed to a task
    received = 0  # messages taken since the previous poll, as the scaler is told them
    # The most tasks the policy asked for, before the max_tasks cap: tasks_needed grows with the
    # backlog, so it is the tasks the largest backlog seen needs (one call, after the loop).
    peak_backlog = 0
    k = math.floor(arr[0] / period) if n else 0
    decisions = skipped = 0
    direct = view is None
    floor_ = math.floor
    while True:
        t = k * period
        if in_flight and in_flight[0] <= t:  # (the checks before each call skip idle polls cheaply)
            pool.finish_until(t)
        # Every request before qi arrived before the last poll's end (it was handed out), so the
        # search starts there; most polls find none waiting, without a search.
        visible = bisect_right(arr, t, qi) - qi if qi < n and arr[qi] <= t else 0
        flying = len(in_flight)
        seen = visible if view is None else view.seen(k, t, visible, bool(visible or flying))
        if seen + flying > peak_backlog:
            peak_backlog = seen + flying
        running = len(pool.tasks)
        # decide's decision without its words (the simulator shows none).
        state = decide(seen, flying, running, received, state, t)
        decisions += 1
        desired = state.desired
        # Scale-in protection: only idle tasks stop; busy ones finish and stop at a later poll.
        if desired != running:
            pool.resize(desired, t, ready_delay)
        t1 = (k + 1) * period
        taken_from = qi
        tasks = pool.tasks
        if tasks and qi < n and arr[qi] < t1:  # (no task: requests wait for the scaler, no hand-out)
            qi = pool.serve(arr, svc, qi, t1, start, end)
        if qi >= n and not in_flight and len(tasks) == desired == min_tasks:
            break
        # Messages taken since the previous poll: the direct scaler is told (a worker counter);
        # target tracking on CloudWatch is not, and sees only the visible count.
        received = qi - taken_from if direct else 0
        k_next = k + 1
        if skip_quiet and qi == taken_from and len(tasks) == desired:
            arrival_tick = floor_(arr[qi] / period) if qi < n else None
            # Every task idle by t1 (none or one task, most polls, tested without a generator).
            if ((arrival_tick is None or arrival_tick > k + 1)
                    and ((not tasks or tasks[0][1] <= t1) if len(tasks) < 2 else all(task[1] <= t1 for task in tasks))
                    and (view is None or view.quiet_after(k))):
                # Nothing waits, nothing was taken, and every task is idle by the next poll: jump to
                # the next poll that matters.
                hi = arrival_tick
                # With no task, the poll of the arrival's tick, before the request arrives, hands
                # nothing out and sees an empty queue: like the quiet ones, it matters only if
                # `decide` acts there, and _first_action asks that first.
                before_arrival = False
                if hi is not None and not tasks and hi * period < arr[qi]:
                    before_arrival = True
                    hi += 1
                found = _first_action(decide, len(tasks), state, period, k + 1, hi)
                if found is None:
                    break
                if before_arrival and found == hi:
                    decisions += 1  # that poll was decided (and held), not skipped
                    skipped -= 1
                skipped += found - k_next
                k_next = found
        k = k_next
    horizon = traffic.horizon_s
    capacity = pool.lifetimes(horizon)
    launches, zero_starts = pool.launches, pool.zero_starts
    peak_wanted = tasks_needed(policy, peak_backlog)
    task_s = sum(b - a for a, b in capacity)
    scaler_runs = horizon / period
    sqs_requests = SQS_REQUESTS_PER_MESSAGE * n + task_s / LONG_POLL_S
    task_usd = task_usd_per_s(p)
    fixed_usd_per_s = 0.0
    if view is None:
        # The scheduled scaler: one invocation and one GetQueueAttributes per period, idle or not.
        per_run = scaler_run_usd(p)
        fixed_usd_per_s = per_run / period
        scaler_part = {"scaler function (every period, always)": scaler_runs * per_run}
    else:
        scaler_part = {}  # CloudWatch alarms and Container Insights metrics: not modelled
    # Where the task-seconds went: work, starting up (provisioning, image pull, model load), idle.
    busy_s, starting_s = sum(svc), launches * ready_delay
    return Run(
        design="D", start=start, end=end, failed=failed, queued=True, capacity=capacity, capacity_label="tasks",
        capacity_usd_per_s=task_usd, fixed_usd_per_s=fixed_usd_per_s,
        per_request_usd=[SQS_REQUESTS_PER_MESSAGE * p.sqs_request_usd] * n,
        arrays=alike_arrays(n, SQS_REQUESTS_PER_MESSAGE * p.sqs_request_usd),
        cost_parts={
            "ECS tasks (Fargate)" + (f", incl. {min_tasks} kept running" if min_tasks else ""): task_s * task_usd,
            "SQS requests (messages and idle long polls)": sqs_requests * p.sqs_request_usd,
            **scaler_part,
        },
        facts={"ready_delay_s": ready_delay, "task_seconds": task_s, "target_per_task": policy.target_backlog_per_task,
               "scaler_decisions": decisions, "polls_skipped": skipped, "metric_source": metric_source,
               "min_tasks": min_tasks, "max_tasks": policy.max_tasks, "launches": launches, "peak_wanted": peak_wanted,
               "busy_task_s": busy_s, "starting_task_s": starting_s,
               "idle_task_s": max(0.0, task_s - busy_s - starting_s),
               "scale_in_step": policy.scale_in_max_step, "scale_in_cooldown_s": policy.scale_in_cooldown_s,
               "idle_before_zero_s": policy.idle_before_zero_s,
               "first_request_range_s": first_request_range(arr, end, min_tasks, period),
               "starts_from_zero": len(zero_starts),
               "waited_for_start_from_zero": waited_for_starts(arr, zero_starts, ready_delay, period)})


def waited_for_starts(arrivals: list[float], zero_starts: list[float], ready_delay: float, period: float) -> int:
    """Requests that arrived while D was starting from none (from the poll before a start to the
    task being ready): the ones a start from zero delays."""
    return sum(bisect_right(arrivals, z + ready_delay) - bisect_right(arrivals, z - period) for z in zero_starts)


def first_request_range(arrivals: list[float], ends: list[float], min_tasks: int, period: float) -> dict | None:
    """The first request's wait over every phase of its arrival against the scaler's poll.

    From zero tasks, the first request waits for the next poll (0 to one period, by luck of the
    phase), then for a task to start and load the model. Subtracting the wait this run happened to
    have gives the best case; the worst adds a whole period, the typical half. None when a task
    was already running (min_tasks > 0): then the phase does not matter."""
    if not arrivals or min_tasks:
        return None
    a = arrivals[0]
    poll_wait = math.ceil(a / period) * period - a
    best = ends[0] - a - poll_wait
    return {"best": round(best, 3), "typical": round(best + period / 2, 3), "worst": round(best + period, 3)}
