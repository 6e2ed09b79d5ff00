"""The local autoscaler: ECS's service scheduler and Application Auto Scaling in one loop.

Every poll, for each model: read the queue's visible and in-flight counts directly
(GetQueueAttributes: no CloudWatch lag), apply ``reference_impl.scaling.decide``, then make the
number of running worker processes match the decision, and record the decision with its inputs
and reason (local/state.py).

Rules the supervisor keeps, as ECS does:

* Workers are real OS processes running ``python -m reference_impl.worker``, in their own session
  (Ctrl-C on ``local up`` reaches the supervisor, which stops them warmly).
* Scale-in stops only workers whose status file does not say ``protected`` (the worker's
  scale-in protection, protection.py). If every surplus worker is busy the stop is deferred to a
  later poll and the record says so.
* A stop is SIGTERM, then SIGKILL once the stop timeout has passed (ECS's stopTimeout).
* A worker that exits on its own (crash, kill) is reaped and replaced on the next poll.

Which controller, and why it differs from the deployment's. The local runtime runs the
KEDA-style controller, `decide` for every decision on direct queue reads: there is no CloudWatch
or Application Auto Scaling here to host target tracking, and a lab on a laptop wants changes in
seconds. The AWS deployment runs the hybrid in deploy/template.yaml (a waker from zero, target
tracking after it); the simulator's option D models that hybrid (simulate/deployed_d.py) and runs
this controller as its labelled "KEDA-style" variant, with the same `decide`. Idle-to-zero
timing therefore differs by design: here `idle_before_zero_s` (LocalSettings: 30 s, so a lab sees
workers stop within a minute), in the simulator's variant 300 s (the ECS default cooldown), both
then stopping every idle worker at once; in the deployment, target tracking removes the first task
about 16 minutes after the queue empties (15 one-minute datapoints below target, one a minute
late) and, as the simulator models it, one more per scale-in cooldown.
"""
import itertools
import logging
import os
import signal
import subprocess
import sys
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from reference_impl import aws_facts
from reference_impl.clock import SYSTEM, Clock
from reference_impl.local import state
from reference_impl.local.endpoint import die_with_parent
from reference_impl.protection import read_status_file
from reference_impl.queues import Queue, QueueCounts, QueueUnavailable
from reference_impl.scaling import AWS_DEFAULT_COOLDOWN_S, QueueSample, ScalerState, ScalingPolicy, decide

log = logging.getLogger(__name__)

# Read here, not from the worker module: importing that one loads scikit-learn (1.3 s).
ECS_STOP_TIMEOUT_DEFAULT_S = float(aws_facts.value("ecs_stop_timeout_default_s"))
RESTART_BACKOFF_MAX_S = 60.0


# Which part of the deployed hybrid each change of this one controller stands for, as the lab's
# dashboard names it. AWS runs these as separate controllers (deploy/template.yaml): a function
# that reads the queue wakes the service from zero, target tracking on backlog per task sizes it
# after, and target tracking's scale-in removes tasks; here `decide` makes each of those steps.
FROM_ZERO = "from zero: direct queue read"
TARGET_TRACKING = "target tracking: ceil(backlog ÷ target)"
SCALE_IN = "scale-in: one step per cooldown while work remains"
IDLE_TO_ZERO = "idle to zero: every idle worker at once"


def idle_to_zero_note(local_idle_s: float | None = None) -> str:
    """When the last worker stops: in a local lab (given its idle_before_zero_s), in the
    simulator's KEDA-style variant and in the AWS deployment, and why they differ (the module's
    docstring says more)."""
    datapoints = int(aws_facts.value("tt_scale_in_datapoints"))
    parts = [] if local_idle_s is None else [
        f"Here every idle worker stops once the queue and in-flight count have been empty for {local_idle_s:g} s "
        "(REFIMPL_IDLE_BEFORE_ZERO_S: short, so a class sees it within the lab)."]
    parts.append(f"The simulator's KEDA-style variant waits {AWS_DEFAULT_COOLDOWN_S:g} s, ECS's default cooldown, "
                 "then stops every idle task at once.")
    parts.append(f"The AWS deployment's target tracking removes the first task only after {datapoints} one-minute "
                 f"datapoints below target (about {datapoints + 1} minutes: the datapoints arrive a minute late), "
                 "then one more per scale-in cooldown.")
    return " ".join(parts)


def controller_of(previous: int, desired: int, sample: QueueSample) -> str | None:
    """The controller a change of the desired count stands for; None when nothing changed."""
    if desired > previous:
        return FROM_ZERO if previous == 0 else TARGET_TRACKING
    if desired < previous:
        idle = sample.backlog == 0 and not sample.received_since_last
        return IDLE_TO_ZERO if idle else SCALE_IN
    return None


@dataclass
class WorkerHandle:
    model: str
    process: Any  # subprocess.Popen or a test double with pid/poll/send_signal/kill/returncode
    status_path: Path
    stop_sent_at: float | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def status(self) -> dict:
        return read_status_file(str(self.status_path)) or {"state": "starting", "protected": False}


class ProcessLauncher:
    """Starts worker processes for one runtime: same interpreter, the model's service in the
    environment, output to ``logs/``."""

    def __init__(self, services, folder: Path, worker_env: dict, tied_to_parent: bool = False):
        self.services, self.folder, self.worker_env = services, Path(folder), worker_env
        self.tied_to_parent = tied_to_parent
        self._numbers = itertools.count(1)

    def start(self, model: str) -> WorkerHandle:
        service = self.services[model]
        number = next(self._numbers)
        status_path = state.worker_dir(self.folder, model) / f"{number:04d}-{uuid.uuid4().hex[:8]}.json"
        status_path.parent.mkdir(parents=True, exist_ok=True)
        (self.folder / "logs").mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.worker_env, "QUEUE_URL": service.queue_url, "MODEL_S3_URI": service.model_uri,
               "RESULTS_S3_URI": service.results_uri, "WORKER_STATUS_FILE": str(status_path),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(state.PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}
        with open(self.folder / "logs" / f"worker-{model}-{number:04d}.log", "ab") as out:
            process = subprocess.Popen([sys.executable, "-m", "reference_impl.worker"], env=env, stdout=out,
                                       stderr=subprocess.STDOUT, cwd=state.PROJECT_ROOT, start_new_session=True,
                                       preexec_fn=die_with_parent() if self.tied_to_parent else None)
        return WorkerHandle(model, process, status_path)


@dataclass
class ModelPool:
    policy: ScalingPolicy
    queue: Queue
    scaler: ScalerState = field(default_factory=ScalerState)
    workers: list = field(default_factory=list)
    last_record: dict | None = None
    # Workers that die before they are ready (a bad artifact, a broken setting) are replaced
    # after a growing delay, as ECS throttles a service whose tasks keep failing, not every poll.
    crashes_in_a_row: int = 0
    restart_not_before: float = 0.0
    # Each worker's received count (from its status file) at the previous poll, and what workers
    # reaped since then had taken: a worker that takes a message between two polls leaves the
    # queue looking empty at both, and the scaler must still hear the model is in use.
    seen_received: dict = field(default_factory=dict)
    reaped_received: int = 0
    # The queue's counts at the last poll that could read them: what an endpoint that dies
    # takes with it.
    last_counts: QueueCounts | None = None
    last_counts_at: float | None = None

    def received_since_last(self, statuses) -> int:
        taken = self.reaped_received
        for handle, status in statuses:
            now = int(status.get("received") or 0)
            taken += max(0, now - self.seen_received.get(handle.pid, 0))
            self.seen_received[handle.pid] = now
        self.reaped_received = 0
        return taken


class Supervisor:
    def __init__(self, pools: dict[str, ModelPool], launcher, folder: Path,
                 stop_timeout_s: float = ECS_STOP_TIMEOUT_DEFAULT_S, clock: Clock = SYSTEM):
        self.pools, self.launcher, self.folder = pools, launcher, Path(folder)
        self.stop_timeout_s, self.clock = stop_timeout_s, clock

    # --- one poll ------------------------------------------------------------------------------

    def poll(self) -> list[dict]:
        records = [self._poll_model(model, pool) for model, pool in self.pools.items()]
        self._write_snapshot()
        return records

    def _reap(self, model, pool, now):
        events = []
        for handle in list(pool.workers):
            code = handle.process.poll()
            if code is None:
                if handle.stop_sent_at is not None and now - handle.stop_sent_at > self.stop_timeout_s:
                    handle.process.kill()  # past the stop timeout, as ECS does
                    events.append({"pid": handle.pid, "event": "killed after stop timeout"})
                continue
            last = handle.status()
            last_state = last.get("state")
            pool.reaped_received += max(0, int(last.get("received") or 0) - pool.seen_received.pop(handle.pid, 0))
            pool.workers.remove(handle)
            handle.status_path.unlink(missing_ok=True)
            if handle.stop_sent_at is not None:
                continue
            event = {"pid": handle.pid, "event": f"exited on its own with code {code} while {last_state}"}
            if last_state in ("starting", "loading"):
                pool.crashes_in_a_row += 1
                delay = min(RESTART_BACKOFF_MAX_S, 2.0 ** (pool.crashes_in_a_row - 1))
                pool.restart_not_before = now + delay
                event["event"] += f": crashed at start, replacing in {delay:g} s"
            events.append(event)
        if pool.crashes_in_a_row and any(h.status().get("state") in ("idle", "busy") for h in pool.workers):
            pool.crashes_in_a_row = 0  # a worker got through start-up: whatever broke is fixed
        return events

    def _poll_model(self, model: str, pool: ModelPool) -> dict:
        now = self.clock.now()
        events = self._reap(model, pool, now)
        active = [h for h in pool.workers if h.stop_sent_at is None]
        record = {"ts": self.clock.time(), "model": model, "running": len(active),
                  "stopping": len(pool.workers) - len(active), "events": events}
        try:
            counts = pool.queue.counts()
        except QueueUnavailable as exc:
            record.update(action="hold", desired=pool.scaler.desired, reason=f"queue unavailable: {exc}",
                          started=[], stopped=[], deferred=0)
            self._record(pool, record)
            return record
        pool.last_counts, pool.last_counts_at = counts, self.clock.time()
        statuses = [(handle, handle.status()) for handle in active]
        sample = QueueSample(counts.visible, counts.in_flight, len(active),
                             received_since_last=pool.received_since_last(statuses))
        previous = pool.scaler.desired
        decision = decide(pool.policy, sample, pool.scaler, now)
        pool.scaler = decision.state
        started, stopped, deferred = [], [], 0
        held_back = 0.0
        if len(active) < decision.desired and now < pool.restart_not_before:
            held_back = pool.restart_not_before - now
        elif len(active) < decision.desired:
            for _ in range(decision.desired - len(active)):
                handle = self.launcher.start(model)
                pool.workers.append(handle)
                started.append(handle.pid)
        elif len(active) > decision.desired:
            surplus = len(active) - decision.desired
            # Never a protected (busy) worker; among the rest, those that hold the least first:
            # still starting or loading, then idle.
            order = {"starting": 0, "loading": 1, "idle": 2}
            candidates = sorted(((h, s) for h, s in statuses if not s.get("protected")),
                                key=lambda hs: order.get(hs[1].get("state"), 3))
            for handle, status in candidates[:surplus]:
                handle.process.send_signal(signal.SIGTERM)
                handle.stop_sent_at = now
                stopped.append({"pid": handle.pid, "state": status.get("state"),
                                "protected": bool(status.get("protected"))})
            deferred = surplus - len(stopped)
        record.update(visible=counts.visible, in_flight=counts.in_flight,
                      received_since_last=sample.received_since_last, desired=decision.desired,
                      action=decision.action, reason=decision.reason,
                      controller=controller_of(previous, decision.desired, sample),
                      backlog_per_task=decision.backlog_per_task, started=started, stopped=stopped,
                      deferred=deferred)
        if deferred:
            record["reason"] += f"; {deferred} surplus worker(s) busy (scale-in protected): stop deferred"
        if held_back:
            record["reason"] += f"; workers keep crashing at start: next start in {held_back:.1f} s"
        self._record(pool, record)
        return record

    def _record(self, pool, record):
        pool.last_record = record
        state.append_decision(self.folder, record)

    def _write_snapshot(self):
        snapshot: dict[str, Any] = {"updated_at": self.clock.time(), "pid": os.getpid(), "models": {}}
        for model, pool in self.pools.items():
            snapshot["models"][model] = {
                "desired": pool.scaler.desired,
                "running": sum(1 for h in pool.workers if h.stop_sent_at is None),
                "stopping": sum(1 for h in pool.workers if h.stop_sent_at is not None),
                "policy": asdict(pool.policy),
                "workers": [{"pid": h.pid, "stopping": h.stop_sent_at is not None, **h.status()}
                            for h in pool.workers],
                "last_decision": pool.last_record,
            }
        state.write_json(self.folder / "supervisor.json", snapshot)

    # --- running and stopping ------------------------------------------------------------------

    def run(self, stop: threading.Event, poll_s: float, before_poll=None) -> None:
        while not stop.is_set():
            started = self.clock.now()
            if before_poll is not None:
                before_poll()
            self.poll()
            self.clock.wait(stop, max(0.0, poll_s - (self.clock.now() - started)))

    def shutdown(self) -> None:
        """SIGTERM every worker, wait up to the stop timeout, SIGKILL the rest."""
        handles = [h for pool in self.pools.values() for h in pool.workers]
        for handle in handles:
            if handle.process.poll() is None:
                handle.process.send_signal(signal.SIGTERM)
        deadline = self.clock.now() + self.stop_timeout_s
        for handle in handles:
            left = max(0.0, deadline - self.clock.now())
            try:
                handle.process.wait(left)
            except subprocess.TimeoutExpired:
                log.warning("worker %d did not stop within %g s; killing it", handle.pid, self.stop_timeout_s)
                handle.process.kill()
                handle.process.wait()
            handle.status_path.unlink(missing_ok=True)
        for pool in self.pools.values():
            pool.workers.clear()
        self._write_snapshot()
