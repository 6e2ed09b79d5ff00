"""Backlog-per-task drills: numeric questions generated from a seed, graded by the scaling policy.

A seed fixes everything (kind, numbers, wording), so a drill can be shared as a link and
replayed. The answer is never computed here: `expected()` asks `reference_impl.scaling`, the
function the simulator and the local autoscaler run, and the step-by-step explanation quotes the
same policy's figures (target, clamping) and its own reason text. Framework-free: the API, the
page and the tests all call this module.
"""
import random
from dataclasses import asdict, dataclass

from reference_impl import scaling

SEED_MIN, SEED_MAX = 0, 2**31 - 1
KINDS = ("target_backlog", "desired_tasks", "scale_from_zero", "work_in_flight", "the_cap")
KIND_LABELS = {"target_backlog": "target backlog", "desired_tasks": "desired tasks",
               "scale_from_zero": "scale from zero", "work_in_flight": "work in flight", "the_cap": "the cap"}
# Processing times whose divisions into whole-second latencies give exact targets often enough.
SECONDS_PER_MESSAGE = (0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 10.0)


@dataclass(frozen=True)
class Drill:
    seed: int
    kind: str
    prompt: str
    visible: int
    in_flight: int
    running: int
    acceptable_latency_s: float
    seconds_per_message: float
    min_tasks: int
    max_tasks: int
    # One ReceiveMessage returns at most this many: what one task can hold in flight.
    messages_per_task: int = scaling.MAX_MESSAGES_PER_RECEIVE

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def policy(self) -> scaling.ScalingPolicy:
        return scaling.ScalingPolicy(self.acceptable_latency_s, self.seconds_per_message, min_tasks=self.min_tasks,
                                     max_tasks=self.max_tasks, messages_per_task=self.messages_per_task)

    def sample(self) -> scaling.QueueSample:
        return scaling.QueueSample(self.visible, self.in_flight, self.running)

    def decision(self) -> scaling.Decision:
        # One poll with no cooldown in progress and the running tasks as the current desired
        # count: the same reading as `python -m reference_impl.scaling`.
        return scaling.decide(self.policy(), self.sample(), scaling.ScalerState(desired=self.running), now_s=0.0)

    def parameters(self) -> dict:
        data = asdict(self)
        for key in ("seed", "prompt"):
            data.pop(key)
        return data


def _exact_target(rng: random.Random, low: int, high: int) -> tuple[float, float]:
    """(acceptable latency, seconds per message) whose target backlog per task is a whole number
    in [low, high], as the policy itself computes it (floating point included)."""
    while True:
        spm = rng.choice(SECONDS_PER_MESSAGE)
        latency = float(rng.randint(1, 600))
        target = scaling.ScalingPolicy(latency, spm).target_backlog_per_task
        if target.is_integer() and low <= target <= high:
            return latency, spm


def make_drill(seed: int) -> Drill:
    if not SEED_MIN <= seed <= SEED_MAX:
        raise ValueError(f"seed must be between {SEED_MIN} and {SEED_MAX}")
    rng = random.Random(seed)
    kind = KINDS[seed % len(KINDS)]  # consecutive seeds walk through every kind
    min_tasks, max_tasks = 0, rng.choice((10, 20, 50, 100))
    if kind == "target_backlog":
        latency, spm = _exact_target(rng, 2, 600)
        visible, in_flight, running = rng.randint(0, 5000), 0, rng.randint(1, 10)
        prompt = (f"Each message takes {spm:g} s to process and a message may wait at most {latency:g} s. "
                  "What is the target backlog per task (messages) for target tracking?")
        return Drill(seed, kind, prompt, visible, in_flight, running, latency, spm, min_tasks, max_tasks)
    latency, spm = _exact_target(rng, 5, 500)
    target = int(scaling.ScalingPolicy(latency, spm).target_backlog_per_task)
    if kind == "desired_tasks":
        running = rng.randint(1, max_tasks // 2)
        visible, in_flight = rng.randint(running * target, max_tasks * target), rng.randint(0, running * 10)
    elif kind == "scale_from_zero":
        running, in_flight = 0, 0
        visible = rng.randint(1, max(1, target // 2)) if rng.random() < 0.6 else rng.randint(1, target * 4)
    elif kind == "work_in_flight":
        # Few messages waiting but many held by workers: the in-flight floor keeps the tasks.
        running = rng.randint(2, min(max_tasks, 12))
        in_flight = rng.randint((running - 1) * 10 + 1, running * 10)
        visible = rng.randint(0, max(0, target - in_flight)) if target > in_flight else 0
    else:  # the_cap
        running = rng.randint(1, max_tasks)
        visible, in_flight = rng.randint(max_tasks * target + 1, max_tasks * target * 3), rng.randint(0, running * 10)
    prompt = (f"A queue has {visible} visible messages and {in_flight} in flight; {running} task(s) run "
              f"(min {min_tasks}, max {max_tasks}). Each message takes {spm:g} s and may wait {latency:g} s. "
              f"A task holds at most {scaling.MAX_MESSAGES_PER_RECEIVE} messages in flight. "
              "At this poll (no cooldown in progress), what desired task count does this app's scaler "
              "(reference_impl.scaling) set?")
    return Drill(seed, kind, prompt, visible, in_flight, running, latency, spm, min_tasks, max_tasks)


def expected(drill: Drill) -> int:
    if drill.kind == "target_backlog":
        return int(drill.policy().target_backlog_per_task)
    return drill.decision().desired


def steps(drill: Drill) -> list[str]:
    """The arithmetic, one line per step, with the figures the policy itself used."""
    policy, sample = drill.policy(), drill.sample()
    target = policy.target_backlog_per_task
    out = [f"Target backlog per task = acceptable latency / seconds per message = "
           f"{drill.acceptable_latency_s:g} / {drill.seconds_per_message:g} = {target:g} messages."]
    if drill.kind == "target_backlog":
        out.append("That is the value a target tracking policy on backlog per task keeps it near; "
                   "it does not depend on how many messages are waiting now.")
        return out
    # The documented arithmetic without the clamp, then with it: the policy's own function twice.
    unclamped = scaling.tasks_for_backlog(scaling.ScalingPolicy(drill.acceptable_latency_s, drill.seconds_per_message,
                                                                max_tasks=max(1, sample.backlog)), sample.backlog)
    clamped = scaling.tasks_for_backlog(policy, sample.backlog)
    out.append(f"Backlog = visible + in flight = {drill.visible} + {drill.in_flight} = {sample.backlog} "
               "(messages being processed still need their tasks).")
    out.append(f"Tasks for that backlog = ceil({sample.backlog} / {target:g}) = {unclamped}.")
    if clamped != unclamped:
        out.append(f"Clamped to [min {drill.min_tasks}, max {drill.max_tasks}]: {clamped}. The cap wins even "
                   "though the queue then waits longer than the latency target.")
    decision = drill.decision()
    if drill.visible > 0 and clamped < 1:
        out.append("A message is waiting but the arithmetic rounds to 0 tasks: the policy keeps at least 1.")
    if drill.running == 0 and decision.desired > 0:
        out.append("Scale from zero: " + scaling.SCALE_FROM_ZERO)
    # Only to name the rule in words: the decision above already applied it.
    floor = min(drill.running, drill.max_tasks, -(-drill.in_flight // policy.messages_per_task))
    if decision.desired == floor and floor > clamped:
        out.append(f"Work in flight: {drill.in_flight} messages are held by workers, at most "
                   f"{policy.messages_per_task} per task, so {floor} running task(s) must stay until they finish.")
    if decision.action == "scale_in" and decision.desired != max(clamped, floor):
        out.append(f"Scale-in is gradual: at most {policy.scale_in_max_step} task(s) per step.")
    out.append(f"The scaler sets {decision.desired} ({decision.action.replace('_', ' ')}). Its own reason: "
               f"{decision.reason}.")
    out.append(rule_line(drill))
    return out


def rule_line(drill: Drill) -> str:
    """Which rule this drill grades, with AWS's example formula beside it where the two differ."""
    policy, decision = drill.policy(), drill.decision()
    aws = scaling.aws_example_tasks(policy, drill.visible)
    graded = f"Graded with this app's rule, {scaling.APP_FORMULA}"
    if aws == decision.desired:
        line = f"{graded}; AWS's example formula, {scaling.AWS_FORMULA}, gives the same {aws} here."
    else:
        line = (f"{graded}. AWS's example formula, {scaling.AWS_FORMULA}, would give {aws} here: it counts only "
                "visible messages, so in-flight work keeps no tasks (with nothing visible it gives 0).")
    if drill.running == 0 and decision.desired > 1:
        line += (f" From zero, a step policy in AWS's SageMaker pattern (the scale-from-zero companion's answer) "
                 f"would set 1 first and let target tracking add the other {decision.desired - 1} once a task runs.")
    return line


@dataclass(frozen=True)
class Result:
    correct: bool
    expected: int
    steps: list[str]


def grade(seed: int, answer: int) -> Result:
    drill = make_drill(seed)
    value = expected(drill)
    return Result(answer == value, value, steps(drill))


def random_seed() -> int:
    return random.SystemRandom().randint(SEED_MIN, SEED_MAX)
