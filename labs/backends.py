"""How each kind of lab is started, read, burst and stopped.

Local labs run `python -m reference_impl local up` (LocalStack, the autoscaler and real worker
processes) as a process group of their own, under coreutils `timeout`, so the lab stops at its
deadline even if the web app is down. AWS labs run the deployer (reference_impl/deploy) in a
subprocess whose output is the progress log; the stack deletes itself at its deadline through
its own EventBridge Scheduler schedule.
"""
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import NotRequired, TypedDict

from django.conf import settings
from django.utils import timezone

from labs import deployers
from reference_impl import aws_facts
from reference_impl.deploy.config import DOWN_TIMEOUT_S

log = logging.getLogger(__name__)

HARD_KILL_AFTER_S = 90  # after SIGTERM, the runtime's warm stop gets this long before SIGKILL
TEARDOWN_TIMEOUT_S = DOWN_TIMEOUT_S + 5 * 60  # the deployer's own limit for `down`, and a margin
LATENCY_SAMPLE = 50      # newest results read per poll for the latency figures


class BackendError(Exception):
    """The deployment could not do what was asked; the message says why, for the instructor."""


# What a backend's status() returns: labs.operations.refresh keeps the figures on the lab
# (Lab.live) and moves its state on from the flags. A figure the backend could not read is None.
class QueueFigures(TypedDict):
    visible: int | None
    in_flight: int | None
    dlq: int | None


class WorkerFigures(TypedDict):
    desired: int | None
    running: int | None
    busy: NotRequired[int | None]  # local labs only: workers with a batch in hand


class Decision(TypedDict):
    at: float | None
    visible: int | None
    in_flight: int | None
    running: int | None
    desired: int | None
    action: str | None
    reason: str | None
    controller: str | None  # which controller of the deployed hybrid the change stands for


class ScalingFigures(TypedDict):
    """How the lab sizes itself, for the dashboard: the target and where it comes from."""
    target_backlog_per_task: float
    acceptable_latency_s: float
    seconds_per_message: float
    max_tasks: int
    controllers: str   # which controllers act, in this kind of lab
    idle_to_zero: str  # when the last worker stops, here and in the other hosts


class JobFigures(TypedDict, total=False):
    completed: int
    failed_attempts: int
    latency_p50_s: float | None
    latency_p95_s: float | None
    unavailable: str  # the results could not be read (the other keys are then absent)


class BackendStatus(TypedDict, total=False):
    stopped: bool        # nothing runs any more (the runtime exited, the stack is gone)
    ready: bool          # deployed and serving
    progress: str        # what the deployment is doing, while it starts
    failed: str          # why it failed
    delete_failed: str   # why the stack could not be deleted (AWS)
    unavailable: str     # why the backend could not be read this time
    queue: QueueFigures
    workers: WorkerFigures
    decisions: list[Decision]
    jobs: JobFigures
    scaling: ScalingFigures


def _alive(pid) -> bool:
    """True while the process runs. Reaps it if it is our child that has exited."""
    if not pid:
        return False
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return False
    except ChildProcessError:
        pass  # not our child (another worker process started it): ask the kernel instead
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def _ttl_minutes(lab) -> int:
    """The lab's time left in whole minutes, rounded up: a 30-minute lab launched a second after it
    was created still asks the deployer for 30 (rounding down asked for 29, which it refuses)."""
    return max(1, -(-lab.seconds_left() // 60))


def _spawn(lab, args: list[str], env: dict, log_name: str, ttl_s: int | None = None) -> int:
    """Start `python ARGS` in the lab's folder under coreutils `timeout`: the lab's time left
    unless `ttl_s` says otherwise."""
    folder = Path(lab.runtime_dir)
    folder.mkdir(parents=True, exist_ok=True)
    ttl_s = ttl_s or max(1, lab.seconds_left())
    with open(folder / log_name, "ab") as out:
        proc = subprocess.Popen(
            ["timeout", "--signal=TERM", f"--kill-after={HARD_KILL_AFTER_S}", str(ttl_s), sys.executable, *args],
            cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return proc.pid


def _terminate(pid) -> bool:
    """SIGTERM to the lab's `timeout`, which passes it on for a warm stop; True if already gone."""
    if not _alive(pid):
        return True
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    return False


def _hard_kill(pid) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class LocalBackend:
    """The reference system on this machine, one isolated runtime (and endpoint) per lab."""

    # Jobs per background step of a burst: 1,000 go to LocalStack in well under a second
    # (benchmarks/lab_burst.py), so a class's 1,000-job burst is one step, and the workers see
    # the whole backlog at once rather than a trickle one step (and one task pick-up) at a time.
    burst_step = 1000

    def start(self, lab) -> None:
        from reference_impl.local.endpoint import free_port

        lab.runtime_dir = str(Path(settings.VAR_DIR) / "labs" / str(lab.pk))
        env = {
            **os.environ,
            "REFIMPL_STATE_DIR": lab.runtime_dir,
            "REFIMPL_MODELS": lab.model_name,
            "REFIMPL_MAX_WORKERS": str(lab.max_tasks),
            "REFIMPL_QUEUE_PREFIX": f"lab{lab.pk}-",
            "REFIMPL_BUCKET": f"refimpl-lab{lab.pk}",
            "REFIMPL_ENDPOINT_PORT": str(free_port()),
        }
        env.pop("AWS_ENDPOINT_URL", None)  # each lab its own endpoint: tearing one down touches no other
        try:
            lab.pid = _spawn(lab, ["-m", "reference_impl", "local", "up"], env, "runtime.log")
        except OSError as exc:
            raise BackendError(f"could not start the local runtime: {exc}") from exc

    def status(self, lab) -> BackendStatus:
        from botocore.exceptions import BotoCoreError, ClientError

        from reference_impl.local import NotRunning, status as local_status
        from reference_impl.local.runtime import local_clients
        from reference_impl.local.state import services

        folder = Path(lab.runtime_dir)
        alive = _alive(lab.pid)
        out: BackendStatus = {"stopped": not alive}
        if lab.status == lab.Status.TEARING_DOWN and alive:
            torn = lab.events.filter(action="teardown").values_list("created_at", flat=True).first()
            if torn and (timezone.now() - torn).total_seconds() > HARD_KILL_AFTER_S:
                _hard_kill(lab.pid)
        if not alive:
            if lab.status == lab.Status.DEPLOYING:
                out["failed"] = "the local runtime exited while starting: " + (_tail(folder / "runtime.log") or "no output")
            return out
        try:
            report = local_status(folder, live=True, decisions=20)
        except NotRunning:
            out["progress"] = "starting LocalStack, training and uploading the model…"
            return out
        model = report["models"].get(lab.model_name, {})
        out["ready"] = report.get("supervisor_alive", False)
        out["queue"] = {"visible": model.get("visible"), "in_flight": model.get("in_flight"),
                        "dlq": model.get("dead_letter")}
        out["workers"] = {"desired": model.get("desired"), "running": model.get("running"), "busy": model.get("busy")}
        out["decisions"] = [
            {"at": d.get("ts"), "visible": d.get("visible"), "in_flight": d.get("in_flight"),
             "running": d.get("running"), "desired": d.get("desired"), "action": d.get("action"),
             "reason": d.get("reason"), "controller": d.get("controller")}
            for d in model.get("recent_decisions", [])
        ]
        if model.get("policy"):
            out["scaling"] = local_scaling(model["policy"])
        try:
            svc = services(folder)[lab.model_name]
            out["jobs"] = job_figures(svc.store(local_clients(report["endpoint_url"])))
        except (KeyError, NotRunning, BotoCoreError, ClientError) as exc:
            # NotRunning: the runtime removed its file between the two reads (it is shutting down).
            log.info("lab %s: results not readable yet: %s", lab.pk, exc, exc_info=True)
            out["jobs"] = {"unavailable": str(exc)}
        return out

    def burst(self, lab, start: int, count: int, batch_size: int) -> int:
        """Send jobs start..start+count-1 to the lab's queue; BackendError on the first refusal."""
        from botocore.exceptions import BotoCoreError, ClientError

        from reference_impl.local import burst as local_burst
        from reference_impl.local.runtime import local_clients
        from reference_impl.local.state import read_runtime, services
        from reference_impl.queues import QueueUnavailable

        folder = Path(lab.runtime_dir)
        try:
            svc = services(folder)[lab.model_name]
            clients = local_clients(read_runtime(folder)["endpoint_url"])
        except (KeyError, RuntimeError) as exc:
            raise BackendError(f"the lab's runtime is not ready: {exc}") from exc
        try:
            return len(local_burst.send(svc, clients, lab.model_name, start, count, batch_size))
        except (QueueUnavailable, BotoCoreError, ClientError) as exc:
            raise BackendError(f"the queue refused the jobs: {exc}") from exc

    def stop(self, lab) -> bool:
        return _terminate(lab.pid)


def _scaling(policy, controllers: str, idle_to_zero: str) -> ScalingFigures:
    return {"target_backlog_per_task": policy.target_backlog_per_task,
            "acceptable_latency_s": policy.acceptable_latency_s, "seconds_per_message": policy.seconds_per_message,
            "max_tasks": policy.max_tasks, "controllers": controllers, "idle_to_zero": idle_to_zero}


def local_scaling(policy: dict) -> ScalingFigures:
    """A local lab's policy (the runtime's LocalSettings, as its snapshot keeps it), explained."""
    from reference_impl.local.supervisor import idle_to_zero_note
    from reference_impl.scaling import ScalingPolicy

    read = ScalingPolicy(**policy)
    return _scaling(read, "one controller on direct queue reads (reference_impl.scaling.decide) takes each step the "
                          "AWS deployment leaves to three: the wake from zero, target tracking, scale-in",
                    idle_to_zero_note(read.idle_before_zero_s))


def aws_scaling(policy) -> ScalingFigures:
    """An AWS lab's policy (the deployer's), explained: three controllers, the deployed hybrid."""
    from reference_impl.local.supervisor import idle_to_zero_note

    return _scaling(policy, "three controllers (deploy/template.yaml): the scaler function wakes the service from "
                            "zero on a direct queue read, once a minute; target tracking on backlog per task sizes it "
                            "after; target tracking's scale-in removes tasks",
                    idle_to_zero_note())


# AWS keeps no decision log of the three controllers; the poll sees each change of the desired
# count, and only one of them can make it (deploy/template.yaml): nothing but the scaler function
# leaves zero, target tracking scales out from there and scales in.
AWS_CONTROLLERS = {"from_zero": "from zero: the scaler function's direct queue read",
                   "out": "target tracking: backlog per task above target",
                   "in": f"target tracking scale-in: {int(aws_facts.value('tt_scale_in_datapoints'))} one-minute "
                         "datapoints below target, or the teardown"}
DECISIONS_KEPT = 20


def aws_decisions(previous: dict, now: BackendStatus) -> list[Decision]:
    """The lab's earlier changes, and this poll's if the desired count changed since the last."""
    decisions = list(previous.get("decisions") or [])
    before = (previous.get("workers") or {}).get("desired")
    desired = now["workers"]["desired"]
    if before is None or desired is None or desired == before:
        return decisions
    kind = "from_zero" if before == 0 else ("out" if desired > before else "in")
    queue = now["queue"]
    decisions.append({"at": timezone.now().timestamp(), "visible": queue["visible"], "in_flight": queue["in_flight"],
                      "running": now["workers"]["running"], "desired": desired,
                      "action": "scale_out" if desired > before else "scale_in", "controller": AWS_CONTROLLERS[kind],
                      "reason": f"desired {before} -> {desired}, seen by the poll (AWS logs no decision)"})
    return decisions[-DECISIONS_KEPT:]


def job_figures(store) -> JobFigures:
    """Results written so far, and latency (submitted to completed) over the newest of them."""
    paginator = store.s3.get_paginator("list_objects_v2")
    results = []
    errors = 0
    for page in paginator.paginate(Bucket=store.bucket, Prefix=store.prefix):
        for item in page.get("Contents", []):
            if item["Key"].endswith(".error.json"):
                errors += 1
            elif item["Key"].endswith(".json"):
                results.append((item["LastModified"], item["Key"]))
    results.sort(reverse=True)
    latencies = []
    for _, key in results[:LATENCY_SAMPLE]:
        doc = json.loads(store.s3.get_object(Bucket=store.bucket, Key=key)["Body"].read())
        if doc.get("submitted_at") and doc.get("completed_at"):
            latencies.append(doc["completed_at"] - doc["submitted_at"])
    latencies.sort()

    def pct(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2) if latencies else None

    return {"completed": len(results), "failed_attempts": errors, "latency_p50_s": pct(0.5), "latency_p95_s": pct(0.95)}


class AwsBackend:
    """The CloudFormation stack in a sandbox account, driven by the deployer's CLI."""

    burst_step = 200  # signed API requests, 8 in flight (deploy/burst.py): polls run between steps

    def _common(self, lab) -> list[str]:
        return ["--model", lab.model_name, "--lab", f"lab{lab.pk}", "--owner", lab.owner.get_username(),
                "--region", lab.aws_region]

    def _env(self) -> dict:
        # Credentials: only boto3's standard chain, from this process's environment; nothing stored.
        return dict(os.environ)

    def _deployer(self, lab):
        """The lab's deployer, kept between polls (labs/deployers.py): its session, STS check and
        clients are made once. Its time limit is the one the lab had when it was made: status and
        burst read the stack's own expiry tag, never the config's."""
        from reference_impl.deploy.config import LabConfig, default_policy
        from reference_impl.deploy.deployer import Deployer

        def build(session):
            config = LabConfig(model_name=lab.model_name, owner=lab.owner.get_username(), lab=f"lab{lab.pk}",
                               ttl_minutes=_ttl_minutes(lab), image_uri=settings.LAB_IMAGE_URI,
                               region=lab.aws_region, policy=default_policy(lab.max_tasks))
            return Deployer(config, session=session)  # reads LAB_ALLOWED_ACCOUNT_IDS; STS on first use

        return deployers.deployer_for(lab, build)

    def start(self, lab) -> None:
        from reference_impl.deploy.config import ConfigError, allowed_account_ids

        try:
            allowed = allowed_account_ids()
        except ConfigError as exc:
            raise BackendError(str(exc)) from exc
        if not allowed:
            raise BackendError("AWS labs are off: set LAB_ALLOWED_ACCOUNT_IDS to the sandbox account ids allowed")
        if not settings.LAB_IMAGE_URI:
            raise BackendError("set LAB_IMAGE_URI to the worker image in ECR (README, 'Instructors')")
        lab.aws_region = settings.LAB_AWS_REGION
        lab.runtime_dir = str(Path(settings.VAR_DIR) / "labs" / str(lab.pk))
        lab.stack_name = f"lab-lab{lab.pk}-{lab.model_name}"
        args = ["-m", "reference_impl.deploy", "up", *self._common(lab), "--ttl-minutes", str(_ttl_minutes(lab)),
                "--max-tasks", str(lab.max_tasks), "--image", settings.LAB_IMAGE_URI]
        try:
            lab.pid = _spawn(lab, args, self._env(), "deploy.log")
        except OSError as exc:
            raise BackendError(f"could not start the deployer: {exc}") from exc

    def status(self, lab) -> BackendStatus:
        from botocore.exceptions import BotoCoreError, ClientError

        folder = Path(lab.runtime_dir)
        out: BackendStatus = {"progress": _tail(folder / "deploy.log", 3)}
        try:
            st = self._deployer(lab).status()
        except (BotoCoreError, ClientError, RuntimeError, ValueError) as exc:
            deployers.forget_if_credentials_failed(lab.pk, exc)
            out["unavailable"] = str(exc)
            return out
        out["ready"] = st.ready  # CREATE_COMPLETE, and the model uploaded and its checksum verified
        out["stopped"] = st.stack_status in ("ABSENT", "DELETE_COMPLETE")
        if st.stack_status == "DELETE_FAILED":
            # The deployer's reason: CloudFormation's, and each resource it could not delete.
            out["delete_failed"] = st.reason or "DELETE_FAILED (CloudFormation gave no reason)"
        elif st.stack_status.endswith("FAILED") or st.stack_status == "ROLLBACK_COMPLETE":
            out["failed"] = f"stack {st.stack_status}: " + (st.reason or _tail(folder / "deploy.log"))
        elif st.held_at_zero:
            # The scaler's guard: a service that never got a running task, with ECS's reasons.
            out["failed"] = st.held_at_zero
        out["queue"] = {"visible": st.visible, "in_flight": st.in_flight, "dlq": st.dead_letter}
        out["workers"] = {"desired": st.desired, "running": st.running}
        out["scaling"] = aws_scaling(self._deployer(lab).config.policy)
        out["decisions"] = aws_decisions(lab.live, out)
        return out

    def burst(self, lab, start: int, count: int, batch_size: int) -> int:
        """Send `count` jobs with the deployer; BackendError at its first error, nothing more sent."""
        from botocore.exceptions import BotoCoreError, ClientError

        from reference_impl.deploy.events import DeployError
        from reference_impl.deploy.sigv4 import ApiError

        sent = 0
        try:
            for event in self._deployer(lab).burst(count, inputs_per_job=batch_size):
                if event.done is not None:
                    sent = event.done
        except (DeployError, ApiError, BotoCoreError, ClientError, RuntimeError, ValueError) as exc:
            deployers.forget_if_credentials_failed(lab.pk, exc)
            raise BackendError(f"{sent} of {count} sent in this step, then: {exc}") from exc
        return sent

    def retry_delete(self, lab) -> None:
        """The deployer's retry (Deployer.retry_delete is its `down`), in the background as `down`."""
        self.stop(lab)

    def stop(self, lab) -> bool:
        deployers.forget(lab.pk)  # the stack is going: the next poll reads it afresh
        if _alive(lab.pid):
            _terminate(lab.pid)
        try:
            # Its own time limit, not the lab's time left: an expired lab has none left, and a
            # teardown cut short leaves a stack that bills. `down` keeps to DOWN_TIMEOUT_S itself;
            # the `timeout` around it is only the backstop.
            _spawn(lab, ["-m", "reference_impl.deploy", "down", *self._common(lab),
                         "--timeout-minutes", str(DOWN_TIMEOUT_S / 60)],
                   self._env(), "teardown.log", ttl_s=TEARDOWN_TIMEOUT_S)
        except OSError as exc:
            raise BackendError(f"could not start the teardown: {exc}") from exc
        return False


def backend_for(lab):
    return AwsBackend() if lab.target == lab.Target.AWS else LocalBackend()
