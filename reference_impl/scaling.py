"""The backlog-per-task scaling policy, as pure functions.

AWS's documented method (EC2 Auto Scaling User Guide, "Scaling policy based on Amazon SQS",
https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-using-sqs-queue.html):

    target backlog per task = acceptable latency / seconds to process one message
    desired tasks           = ceil(backlog / target), within [min, max]

Raw queue depth is the wrong signal because it "might not change proportionally to the size of
the Auto Scaling group"; backlog per task does. On top of the documented arithmetic, this policy
fixes what AWS's own samples get wrong (sources cited below and in reference_impl/aws_facts.py):

* Scale from zero on a single visible message (SCALE_FROM_ZERO says it for every page): a
  metric divided by the tasks, such as backlog per task, has no value at zero tasks, so target
  tracking on it never leaves zero; SageMaker's answer is a second policy on
  HasBacklogWithoutCapacity
  (https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html), and
  aws/copilot-cli#3376 is the bug where one message never scaled out.
* Count in-flight messages as backlog, so scale-in never removes tasks that are still working
  (kedacore/keda#1663; KEDA counts visible + in flight by default).
* Scale out at once, scale in gradually after a cooldown: an ECS service "scales out
  proportionally to the metric as fast as it can, but scales in more gradually"
  (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html);
  300 s is Application Auto Scaling's default ECS scale-in cooldown
  (https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html#target-tracking-cooldown).
* Scale in gradually only while work remains; once the queue and the in-flight count have
  been zero for `idle_before_zero_s`, every idle task goes at once. No flapping between 0 and 1
  when messages are sparse (kedacore/keda#7327): tasks stay until the queue has been idle that long.

The same functions drive the local autoscaler, the simulator's KEDA-style variant of option D
and the deployment template's parameters (`target_tracking_config`); the simulated D is the
deployed hybrid (simulate/deployed_d.py), whose waker uses `tasks_for_backlog`.
"""
import argparse
import json
import math
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache

from reference_impl import aws_facts

# Application Auto Scaling's default ECS cooldowns are 300 s (aws_facts: ecs_default_cooldown_s).
AWS_DEFAULT_COOLDOWN_S = float(aws_facts.value("ecs_default_cooldown_s"))
# One ReceiveMessage returns at most 10 messages (aws_facts: sqs_receive_max_messages), so a task
# holds at most this many in flight at once.
MAX_MESSAGES_PER_RECEIVE = int(aws_facts.value("sqs_receive_max_messages"))
# The deployed target tracking policy's scale-out cooldown: longer than its metric's lag (one-minute
# datapoints published a minute late), so that while it runs "the capacity added by the initiating
# scale-out activity is calculated as part of the desired capacity for the next scale-out activity"
# (Application Auto Scaling User Guide, "Define cooldown periods":
# https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html#target-tracking-cooldown)
# and a datapoint from before the last scale-out does not multiply the new capacity again.
# `decide` reads the queue directly and needs none (its scale_out_cooldown_s stays 0).
TARGET_TRACKING_SCALE_OUT_COOLDOWN_S = 120

# Scale from zero, taught once: the drills, the companion questions' notes, the simulator's words
# and the answer page all say it in these terms.
SCALE_FROM_ZERO = (
    "At zero tasks, a metric divided by the tasks (backlog per task, visible messages ÷ running or desired "
    "tasks) has no value, so target tracking on it cannot start the first task; a metric that is not divided "
    "by the tasks (the visible count, or SageMaker's backlog metrics) has a value at zero, and a policy on it "
    "can. So something that reads the queue starts the first tasks: this app's scaler sets ceil(backlog ÷ "
    "target) at once, at least 1; a step policy in AWS's SageMaker pattern (HasBacklogWithoutCapacity) adds "
    "one and lets target tracking add the rest once a task runs. Both leave zero on the first visible message; "
    "they differ only in the size of the first step.")
# Where this app's arithmetic differs from AWS's documented example (EC2 Auto Scaling, "Scaling
# policy based on Amazon SQS"), so the drills can say which one they grade.
AWS_FORMULA = "ceil(visible ÷ target)"
APP_FORMULA = ("ceil((visible + in flight) ÷ target), at least 1 while a message is visible, never below the tasks "
               "the in-flight messages occupy, within [min, max]")


def aws_example_tasks(policy: "ScalingPolicy", visible: int) -> int:
    """AWS's example arithmetic: visible messages only, divided by the target, within [min, max]."""
    raw = math.ceil(visible / policy.target_backlog_per_task) if visible > 0 else 0
    return min(policy.max_tasks, max(policy.min_tasks, raw))


@dataclass(frozen=True)
class ScalingPolicy:
    acceptable_latency_s: float
    seconds_per_message: float
    min_tasks: int = 0
    max_tasks: int = 10
    # Scale-out is not held back between polls: a burst wants capacity now, and Application
    # Auto Scaling also keeps scaling out during a scale-out cooldown when more is needed.
    scale_out_cooldown_s: float = 0.0
    scale_in_cooldown_s: float = AWS_DEFAULT_COOLDOWN_S
    scale_in_max_step: int = 1
    idle_before_zero_s: float = AWS_DEFAULT_COOLDOWN_S
    messages_per_task: int = MAX_MESSAGES_PER_RECEIVE

    def __post_init__(self):
        problems = []
        if not 0 < self.acceptable_latency_s < math.inf:
            problems.append("acceptable_latency_s must be > 0 and finite")
        if not 0 < self.seconds_per_message < math.inf:
            problems.append("seconds_per_message must be > 0 and finite")
        if self.min_tasks < 0:
            problems.append("min_tasks must be >= 0")
        if self.max_tasks < max(1, self.min_tasks):
            problems.append("max_tasks must be >= 1 and >= min_tasks")
        if self.scale_out_cooldown_s < 0 or self.scale_in_cooldown_s < 0 or self.idle_before_zero_s < 0:
            problems.append("cooldowns must be >= 0")
        if self.scale_in_max_step < 1:
            problems.append("scale_in_max_step must be >= 1")
        if self.messages_per_task < 1:
            problems.append("messages_per_task must be >= 1")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def target_backlog_per_task(self) -> float:
        """How many messages one task may have waiting and still meet the latency target."""
        return self.acceptable_latency_s / self.seconds_per_message


@dataclass(frozen=True)
class QueueSample:
    """The queue and the service at one poll.

    `received_since_last` counts messages workers took since the previous poll, when the caller
    knows it (a worker counter, or SQS's NumberOfMessagesReceived); 0 means none or unknown.
    It matters for sparse traffic: a fast worker empties the queue between polls, so polls see
    an empty queue and, without it, the last task is stopped between every two messages.
    """

    visible: int
    in_flight: int
    running: int
    received_since_last: int = 0

    @property
    def backlog(self) -> int:
        return self.visible + self.in_flight


@dataclass(frozen=True)
class ScalerState:
    """What the scaler remembers between polls. ScalerState() is the state before the first."""

    desired: int = 0
    last_scale_out_s: float | None = None
    last_scale_in_s: float | None = None
    last_busy_s: float | None = None


@dataclass(frozen=True)
class Decision:
    desired: int
    action: str  # "scale_out" | "scale_in" | "hold"
    reason: str
    backlog_per_task: float | None
    state: ScalerState


def tasks_needed(policy: ScalingPolicy, backlog: int) -> int:
    """The documented arithmetic before the limits: ceil(backlog / target), 0 for no backlog."""
    return math.ceil(backlog / policy.target_backlog_per_task) if backlog > 0 else 0


def tasks_for_backlog(policy: ScalingPolicy, backlog: int) -> int:
    """The documented arithmetic alone: ceil(backlog / target), clamped to [min, max]."""
    return min(policy.max_tasks, max(policy.min_tasks, tasks_needed(policy, backlog)))


def decide(policy: ScalingPolicy, sample: QueueSample, state: ScalerState, now_s: float) -> Decision:
    """One poll of the autoscaler: how many tasks should run now, and why.

    Scale-in has two regimes. While there is work (messages waiting or in flight, or taken since
    the last poll), the arithmetic sets the size and tasks go gradually, `scale_in_max_step` per
    cooldown. Once the queue and the in-flight count have been zero for `idle_before_zero_s`,
    every idle task goes at once, down to `min_tasks`: nothing is left to drain, so there is no
    reason to pay for tasks one cooldown at a time (AWS target tracking also scales in
    proportionally once its scale-in alarm fires). Until then the tasks stay, so sparse traffic
    does not flap.

    Pure: the caller supplies the clock and carries `Decision.state` to the next call.
    """
    desired, action, per_task, new_state, reason = _decide(
        policy, sample.visible, sample.in_flight, sample.running, sample.received_since_last, state, now_s, True)
    return Decision(desired, action, reason, per_task, new_state)


def decide_state(policy: ScalingPolicy, visible: int, in_flight: int, running: int, received_since_last: int,
                 state: ScalerState, now_s: float) -> ScalerState:
    """`decide(...).state` without the words: the same decision, for callers that show no reason.

    The simulator polls tens of thousands of times per simulated month and shows no reason; building
    the reason's strings was most of `decide`'s time there. The state's `desired` is the decision's.
    A caller that polls often takes `state_decider(policy)` once and calls it instead.
    """
    return state_decider(policy)(visible, in_flight, running, received_since_last, state, now_s)


StateDecider = Callable[[int, int, int, int, ScalerState, float], ScalerState]


@lru_cache(maxsize=64)
def state_decider(policy: ScalingPolicy) -> StateDecider:
    """`decide_state` for one policy: f(visible, in_flight, running, received_since_last, state, now_s).

    The same rules in the same order as `_decide`, with the policy's numbers read once (the
    simulator calls this once per poll, tens of thousands of times a run) and no reason built;
    when nothing changes, the state given is returned as it is. A property test holds it to
    `decide`'s decision.
    """
    max_tasks, min_tasks = policy.max_tasks, policy.min_tasks
    target, per_task = policy.target_backlog_per_task, policy.messages_per_task
    idle_before_zero_s, step = policy.idle_before_zero_s, policy.scale_in_max_step
    out_cooldown_s, in_cooldown_s = policy.scale_out_cooldown_s, policy.scale_in_cooldown_s
    # No backlog: ceil(0) is 0, clamped to [min, max] (max_tasks >= 1 > 0).
    wanted_when_empty = min_tasks
    ceil = math.ceil

    def decide_state_fast(visible: int, in_flight: int, running: int, received: int, state: ScalerState,
                          now_s: float) -> ScalerState:
        backlog = visible + in_flight
        busy = backlog > 0 or received > 0
        last_busy = now_s if busy else state.last_busy_s
        current = state.desired
        if backlog > 0:
            raw = ceil(backlog / target)
            wanted = max_tasks if raw > max_tasks else (min_tasks if raw < min_tasks else raw)
        else:
            wanted = wanted_when_empty
        if visible > 0 and wanted < 1:
            wanted = 1
        if in_flight:
            # Work in flight keeps its tasks (each holds at most messages_per_task).
            in_flight_floor = ceil(in_flight / per_task)
            if in_flight_floor > running:
                in_flight_floor = running
            if in_flight_floor > max_tasks:
                in_flight_floor = max_tasks
            if wanted < in_flight_floor:
                wanted = in_flight_floor
        all_at_once = False
        if not busy and current > wanted:
            if last_busy is not None and now_s - last_busy < idle_before_zero_s:
                wanted = current
            else:
                all_at_once = True
        elif wanted == 0 and current > 0 and received:
            wanted = min_tasks if min_tasks > 1 else 1  # max(min_tasks, 1): taken between polls
        if wanted > current:
            last_out = state.last_scale_out_s
            if not (current > 0 and last_out is not None and now_s - last_out < out_cooldown_s):
                return ScalerState(wanted, now_s, state.last_scale_in_s, last_busy)
        elif wanted < current:
            last_out, last_in = state.last_scale_out_s, state.last_scale_in_s
            last_change = last_in if last_out is None else (last_out if last_in is None else max(last_out, last_in))
            if last_change is None or not now_s - last_change < in_cooldown_s:
                step_to = wanted if all_at_once else max(wanted, current - step)
                return ScalerState(step_to, last_out, now_s, last_busy)
        # Hold: only the time last busy can have moved.
        if last_busy == state.last_busy_s:
            return state
        return ScalerState(current, state.last_scale_out_s, state.last_scale_in_s, last_busy)

    return decide_state_fast


def _decide(policy: ScalingPolicy, visible: int, in_flight: int, running: int, received: int,
            state: ScalerState, now_s: float, explain: bool):
    """(desired, action, backlog per task, new state, reason or None): the one implementation of the
    policy; the reason's strings are built only when `explain` asks for them."""
    backlog = visible + in_flight
    busy = backlog > 0 or received > 0
    last_busy = now_s if busy else state.last_busy_s
    current = state.desired
    max_tasks, min_tasks = policy.max_tasks, policy.min_tasks
    per_task = backlog / running if running else None
    target = policy.target_backlog_per_task

    raw = math.ceil(backlog / target) if backlog > 0 else 0  # tasks_needed
    # tasks_for_backlog, min(max_tasks, max(min_tasks, raw)), without the calls (it runs every poll)
    wanted = max_tasks if raw > max_tasks else (min_tasks if raw < min_tasks else raw)
    why = figures = ""
    if explain:
        target_text = f"{target:g}"
        why = f"ceil({backlog} / {target_text}) = {raw}"
        if raw > max_tasks:
            why += f", capped at max {max_tasks}"
        elif raw < min_tasks:
            why += f", raised to min {min_tasks}"
    if visible > 0 and wanted < 1:
        wanted = 1
    if explain and current == 0 and wanted > 0:
        why += ("; scale from zero on the first message (target tracking on backlog per task cannot: "
                "a metric divided by the tasks has no value at 0 tasks)")
    # Work in flight keeps its tasks: never plan fewer running tasks than the in-flight
    # messages occupy (each holds at most messages_per_task).
    in_flight_floor = math.ceil(in_flight / policy.messages_per_task) if in_flight else 0
    if in_flight_floor > running:
        in_flight_floor = running
    if in_flight_floor > max_tasks:
        in_flight_floor = max_tasks
    if wanted < in_flight_floor:
        wanted = in_flight_floor
        if explain:
            why = f"{in_flight} messages in flight need {in_flight_floor} task(s)"
    all_at_once = False
    if not busy and current > wanted:
        idle = None if last_busy is None else now_s - last_busy
        if idle is not None and idle < policy.idle_before_zero_s:
            wanted = current
            if explain:
                why = f"queue idle {idle:.0f} s of {policy.idle_before_zero_s:g} s before idle tasks go"
        else:
            all_at_once = True
            if explain:
                why = ("queue and in-flight empty" + ("" if idle is None else f" for {idle:.0f} s")
                       + f": every idle task goes, down to min {min_tasks}")
    elif wanted == 0 and current > 0 and received:
        # Taken between polls: a worker is busy even though every poll sees an empty queue.
        wanted = max(min_tasks, 1)
        if explain:
            why = f"{received} message(s) taken since the last poll"
    if explain:
        figures = (f"{visible} waiting + {in_flight} in flight = {backlog} backlog, "
                   f"{running} running, target {target_text} per task")

    # Built directly rather than with dataclasses.replace (and not at all when nothing changed):
    # this runs once per poll in the simulator, tens of thousands of times per simulated month.
    new_state = (state if last_busy == state.last_busy_s
                 else ScalerState(current, state.last_scale_out_s, state.last_scale_in_s, last_busy))
    if wanted > current:
        last_out = state.last_scale_out_s
        since = None if last_out is None else now_s - last_out
        if current > 0 and since is not None and since < policy.scale_out_cooldown_s:
            return (current, "hold", per_task, new_state,
                    explain and f"{figures}; want {wanted} ({why}) but scale-out cooldown "
                    f"has {policy.scale_out_cooldown_s - since:.0f} s left" or None)
        new_state = ScalerState(wanted, now_s, state.last_scale_in_s, last_busy)
        return wanted, "scale_out", per_task, new_state, explain and f"{figures}; {why}: {current} -> {wanted}" or None
    if wanted < current:
        last_out, last_in = state.last_scale_out_s, state.last_scale_in_s
        last_change = last_in if last_out is None else (last_out if last_in is None else max(last_out, last_in))
        since = None if last_change is None else now_s - last_change
        if since is not None and since < policy.scale_in_cooldown_s:
            return (current, "hold", per_task, new_state,
                    explain and f"{figures}; want {wanted} ({why}) but scale-in cooldown "
                    f"has {policy.scale_in_cooldown_s - since:.0f} s left" or None)
        step_to = wanted if all_at_once else max(wanted, current - policy.scale_in_max_step)
        new_state = ScalerState(step_to, last_out, now_s, last_busy)
        if not explain:
            return step_to, "scale_in", per_task, new_state, None
        gradual = "" if step_to == wanted else f" (gradually while work remains: at most {policy.scale_in_max_step} per step)"
        return step_to, "scale_in", per_task, new_state, f"{figures}; {why}: {current} -> {step_to}{gradual}"
    return current, "hold", per_task, new_state, explain and f"{figures}; {why}: stay at {current}" or None


def target_tracking_config(policy: ScalingPolicy) -> dict:
    """The numbers the CloudFormation template's scaling resources take, from the same policy."""
    return {
        "TargetBacklogPerTask": policy.target_backlog_per_task,
        "MinTasks": policy.min_tasks,
        "MaxTasks": policy.max_tasks,
        "ScaleOutCooldownSeconds": int(max(policy.scale_out_cooldown_s, TARGET_TRACKING_SCALE_OUT_COOLDOWN_S)),
        "ScaleInCooldownSeconds": int(policy.scale_in_cooldown_s),
    }


def _main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reference_impl.scaling",
        description="How many tasks should run for this queue? The backlog-per-task policy, explained.",
    )
    parser.add_argument("--visible", type=int, required=True, help="messages waiting (ApproximateNumberOfMessages)")
    parser.add_argument("--in-flight", type=int, default=0, help="messages being processed (…NotVisible)")
    parser.add_argument("--running", type=int, required=True, help="tasks running now")
    parser.add_argument("--received-since-last", type=int, default=0,
                        help="messages workers took since the previous poll (0 if unknown)")
    parser.add_argument("--acceptable-latency", type=float, required=True, help="seconds a message may wait")
    parser.add_argument("--seconds-per-message", type=float, required=True, help="processing time of one message")
    parser.add_argument("--min", type=int, default=0, dest="min_tasks")
    parser.add_argument("--max", type=int, default=100, dest="max_tasks")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    args = parser.parse_args(argv)
    for name in ("visible", "in_flight", "running", "received_since_last"):
        if getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must be >= 0")
    try:
        policy = ScalingPolicy(args.acceptable_latency, args.seconds_per_message,
                               min_tasks=args.min_tasks, max_tasks=args.max_tasks)
    except ValueError as exc:
        parser.error(str(exc))
    sample = QueueSample(args.visible, args.in_flight, args.running, args.received_since_last)
    # A one-off calculation: the tasks running now are the current desired count, and no
    # cooldown is in progress.
    decision = decide(policy, sample, ScalerState(desired=args.running), now_s=0.0)
    if args.json:
        print(json.dumps({
            "desired": decision.desired, "action": decision.action, "reason": decision.reason,
            "backlog_per_task": decision.backlog_per_task,
            "target_backlog_per_task": policy.target_backlog_per_task,
            "policy": asdict(policy), "sample": asdict(sample),
        }, indent=2))
    else:
        print(f"target backlog per task: {args.acceptable_latency:g} s / {args.seconds_per_message:g} s "
              f"= {policy.target_backlog_per_task:g} messages")
        if decision.backlog_per_task is not None:
            print(f"backlog per task now:    {sample.backlog} / {sample.running} = {decision.backlog_per_task:g}")
        print(f"decision:                {decision.action} to {decision.desired} task(s)")
        print(f"why:                     {decision.reason}")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
