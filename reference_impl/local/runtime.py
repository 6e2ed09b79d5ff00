"""``python -m reference_impl local up``: the whole system on this machine, in the foreground.

Starts LocalStack on loopback (unless ``AWS_ENDPOINT_URL`` names an endpoint already running),
creates a bucket and a queue with a dead-letter queue per model, trains and uploads each model,
then runs the supervisor (local/supervisor.py) until Ctrl-C or SIGTERM, when it stops the workers
warmly, then the endpoint.

Settings are environment variables (flags of ``local up`` override some), sized for a two-core
demo. ``SETTINGS`` below lists each with its default (the ``LocalSettings`` field's), its range and
its meaning; ``python -m reference_impl local up --help`` prints the same table. Besides them:

* ``AWS_ENDPOINT_URL``: use this endpoint instead of starting LocalStack.
* ``REFIMPL_STATE_DIR`` (``var/local``): shared state (local/state.py).
* ``REFIMPL_MODELS`` (``digits,iris``): models to serve, one service each.
"""
import argparse
import logging
import os
import signal
import threading
import time
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from reference_impl import aws
from reference_impl.envvars import SettingError, env_float, env_int, env_str
from reference_impl.local import state
from reference_impl.local.endpoint import (DEFAULT_PORT, LOCAL_CREDENTIALS, LOCAL_CREDENTIALS_ENV, STOP_GRACE_S,
                                           start_local_endpoint)
from reference_impl.local.provision import (DEFAULT_MAX_RECEIVE_COUNT, DEFAULT_VISIBILITY_TIMEOUT_S,
                                            ProvisionSettings, provision)
from reference_impl.local.supervisor import ModelPool, ProcessLauncher, Supervisor
from reference_impl.model.artifacts import MAX_BALLAST_MB
from reference_impl.model.catalog import spec as model_spec
from reference_impl.queues import MAX_VISIBILITY_S, MAX_WAIT_S
from reference_impl.scaling import ScalingPolicy
from reference_impl.worker import ECS_STOP_TIMEOUT_DEFAULT_S, ECS_STOP_TIMEOUT_MAX_S, WorkerConfig

log = logging.getLogger("reference_impl.local")


@dataclass(frozen=True)
class Setting:
    variable: str
    field: str  # of LocalSettings, whose default is the setting's
    minimum: float | None
    maximum: float | None
    meaning: str


SETTINGS = (
    Setting("REFIMPL_ENDPOINT_PORT", "port", 1024, 65535, "LocalStack's port when started here"),
    Setting("REFIMPL_BUCKET", "bucket", None, None, "artifacts and results"),
    Setting("REFIMPL_QUEUE_PREFIX", "queue_prefix", None, None,
            "queue names are <prefix><model>-jobs and <prefix><model>-dlq"),
    Setting("REFIMPL_POLL_S", "poll_s", 0.05, 60, "seconds between autoscaler polls"),
    Setting("REFIMPL_MAX_WORKERS", "max_workers", 1, 32, "the cap per model"),
    Setting("REFIMPL_ACCEPTABLE_LATENCY_S", "acceptable_latency_s", 0.001, 86_400,
            "with the next: target backlog per worker = latency / seconds per message (scaling.py)"),
    Setting("REFIMPL_SECONDS_PER_MESSAGE", "seconds_per_message", 0.0001, 3_600,
            "the time one one-input job takes (the emulated time, when emulation is on)"),
    Setting("REFIMPL_SCALE_IN_COOLDOWN_S", "scale_in_cooldown_s", 0, 3_600,
            "shorter than AWS's 300 s so a demo scales back in minutes; 300 shows AWS's pace"),
    Setting("REFIMPL_IDLE_BEFORE_ZERO_S", "idle_before_zero_s", 0, 86_400,
            "how long a model is idle before its last worker stops"),
    Setting("REFIMPL_EMULATED_SECONDS_PER_ITEM", "emulated_seconds_per_item", 0, 60,
            "EMULATION, passed to workers as WORKER_EMULATED_SECONDS_PER_ITEM: stands in for a heavier model; 0 is off"),
    Setting("REFIMPL_VISIBILITY_TIMEOUT_S", "visibility_timeout_s", 1, MAX_VISIBILITY_S, "the queues' visibility timeout"),
    Setting("REFIMPL_MAX_RECEIVE_COUNT", "max_receive_count", 1, 1000, "receives before the dead-letter queue"),
    Setting("REFIMPL_STOP_TIMEOUT_S", "stop_timeout_s", 1, ECS_STOP_TIMEOUT_MAX_S, "SIGTERM to SIGKILL, as ECS's stopTimeout"),
    Setting("REFIMPL_WORKER_WAIT_S", "worker_wait_s", 0, MAX_WAIT_S, "the workers' long-poll seconds"),
    Setting("REFIMPL_RETRY_DELAY_S", "retry_delay_s", 0, MAX_VISIBILITY_S,
            "how long a failed job stays hidden before its next attempt"),
    Setting("REFIMPL_BALLAST_MB", "ballast_mb", 0, MAX_BALLAST_MB, "make each artifact this much larger to show load time"),
)


def parse_models(text: str) -> tuple:
    models = tuple(m.strip() for m in text.split(",") if m.strip())
    for name in models:
        model_spec(name)  # unknown names fail here, naming the known ones
    return models


def settings_help() -> str:
    """Every setting with its variable, default and range: ``local up --help`` prints it."""
    defaults = LocalSettings(folder=Path("."))
    lines = ["environment (defaults sized for a two-core demo):"]
    for setting in SETTINGS:
        bounds = "" if setting.minimum is None else f", {setting.minimum:g} to {setting.maximum:g}"
        lines.append(f"  {setting.variable} ({getattr(defaults, setting.field)}{bounds}): {setting.meaning}")
    lines.append(f"  REFIMPL_MODELS ({','.join(defaults.models)}), REFIMPL_STATE_DIR (var/local), AWS_ENDPOINT_URL")
    return "\n".join(lines)


@dataclass
class LocalSettings:
    """The local runtime's settings; each default here is the only statement of it."""

    endpoint_url: str | None = None
    port: int = DEFAULT_PORT
    folder: Path = field(default_factory=state.state_dir)
    models: tuple = ("digits", "iris")
    bucket: str = ProvisionSettings.bucket
    queue_prefix: str = ProvisionSettings.queue_prefix
    poll_s: float = 1.0
    max_workers: int = 4
    acceptable_latency_s: float = 10.0
    seconds_per_message: float = 0.05
    scale_in_cooldown_s: float = 15.0
    idle_before_zero_s: float = 30.0
    emulated_seconds_per_item: float = 0.05
    visibility_timeout_s: int = DEFAULT_VISIBILITY_TIMEOUT_S
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT
    stop_timeout_s: float = ECS_STOP_TIMEOUT_DEFAULT_S
    worker_wait_s: float = 2.0
    retry_delay_s: int = 2
    ballast_mb: int = 0

    @classmethod
    def from_env(cls, environ=os.environ) -> "LocalSettings":
        defaults = cls()
        models = env_str("REFIMPL_MODELS", ",".join(defaults.models), environ)
        values: dict[str, Any] = {"endpoint_url": env_str("AWS_ENDPOINT_URL", environ=environ), "folder": state.state_dir(environ),
                  "models": parse_models(models)}
        for setting in SETTINGS:
            default = getattr(defaults, setting.field)
            if isinstance(default, str):
                values[setting.field] = env_str(setting.variable, default, environ)
            elif isinstance(default, int):
                assert setting.minimum is not None and setting.maximum is not None  # numbers have bounds
                values[setting.field] = env_int(setting.variable, default, int(setting.minimum), int(setting.maximum),
                                                environ)
            else:
                assert setting.minimum is not None and setting.maximum is not None
                values[setting.field] = env_float(setting.variable, default, setting.minimum, setting.maximum, environ)
        return cls(**values)

    def policy(self) -> ScalingPolicy:
        return ScalingPolicy(self.acceptable_latency_s, self.seconds_per_message, min_tasks=0,
                             max_tasks=self.max_workers, scale_in_cooldown_s=self.scale_in_cooldown_s,
                             idle_before_zero_s=self.idle_before_zero_s)

    def worker_env(self, endpoint_url: str) -> dict:
        return {**LOCAL_CREDENTIALS_ENV, "AWS_ENDPOINT_URL": endpoint_url, "AWS_REGION": aws.region(),
                "WORKER_WAIT_S": str(self.worker_wait_s), "WORKER_VISIBILITY_TIMEOUT_S": str(self.visibility_timeout_s),
                "WORKER_STOP_TIMEOUT_S": str(self.stop_timeout_s), "WORKER_RETRY_DELAY_S": str(self.retry_delay_s),
                "WORKER_EMULATED_SECONDS_PER_ITEM": str(self.emulated_seconds_per_item)}


@lru_cache(maxsize=32)
def local_clients(endpoint_url: str) -> aws.Clients:
    """Clients for the local endpoint with LocalStack's dummy credentials in a session of their
    own: the process's environment and boto3's default chain stay as they were, so AWS clients
    made later in the same process (a lab deploying to AWS) use the real credentials. Refuses
    anything but loopback, so these credentials are never offered to a real service.

    One pair per endpoint for the process: the labs' job worker reads every local lab each
    second, and a new session parses the SQS and S3 models again (about 0.1 s of CPU each
    time). boto3 clients are thread-safe; a restarted endpoint on the same URL is reached
    through new connections by botocore's retries."""
    host = urlparse(endpoint_url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"local endpoint must be on loopback, got {endpoint_url}")
    return aws.clients(endpoint_url, credentials=LOCAL_CREDENTIALS)


def build_supervisor(settings: LocalSettings, services, clients, tied_to_parent: bool = False) -> Supervisor:
    launcher = ProcessLauncher(services, settings.folder, settings.worker_env(clients.sqs.meta.endpoint_url),
                               tied_to_parent=tied_to_parent)
    pools = {name: ModelPool(settings.policy(), services[name].queue(clients)) for name in settings.models}
    return Supervisor(pools, launcher, settings.folder, stop_timeout_s=settings.stop_timeout_s)


def _is_local_up(pid: int) -> bool:
    """Whether ``pid`` runs ``python -m reference_impl local up`` (read from /proc)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            args = fh.read().decode(errors="replace").split("\0")
    except OSError:
        return False
    return "reference_impl" in args and any(a == "local" and b == "up" for a, b in zip(args, args[1:]))


def stop_previous_runtime(folder: Path, timeout_s: float) -> int | None:
    """Stop a runtime still running on this state folder (its parent, `make run` say, was killed,
    so nothing stopped it): warmly, as Ctrl-C would, then SIGKILL after ``timeout_s``. Two
    runtimes on one folder would share its files and its endpoint's port. Returns its pid."""
    pid = (state.read_json(folder / "runtime.json") or {}).get("pid")
    if not isinstance(pid, int) or pid == os.getpid() or not _is_local_up(pid):
        return None
    log.warning("stopping the runtime (pid %d) still running on %s", pid, folder)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _is_local_up(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)  # its endpoint and workers die with it (parent-death signal)
            break
        time.sleep(0.1)
    return pid


def up(settings: LocalSettings, stop: threading.Event | None = None, on_ready=None) -> int:
    """Run until ``stop`` is set (or SIGINT/SIGTERM when called from the main thread)."""
    stop = stop or threading.Event()
    folder = Path(settings.folder)
    folder.mkdir(parents=True, exist_ok=True)
    stop_previous_runtime(folder, settings.stop_timeout_s + STOP_GRACE_S + 5)
    (folder / "runtime.json").unlink(missing_ok=True)
    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    endpoint = None
    if settings.endpoint_url:
        endpoint_url = settings.endpoint_url
        log.info("using the endpoint at %s", endpoint_url)
    else:
        log.info("starting LocalStack on 127.0.0.1:%d (log: %s)", settings.port, folder / "logs" / "localstack.log")
        endpoint = start_local_endpoint(folder / "logs", port=settings.port, tied_to_parent=main_thread)
        endpoint_url = endpoint.url
    supervisor = None
    try:
        clients = local_clients(endpoint_url)
        provision_settings = ProvisionSettings(
            bucket=settings.bucket, queue_prefix=settings.queue_prefix, visibility_timeout_s=settings.visibility_timeout_s,
            max_receive_count=settings.max_receive_count, ballast_mb=settings.ballast_mb)
        services = provision(clients, list(settings.models), provision_settings)
        runtime_info: dict[str, Any] = {
            "endpoint_url": endpoint_url, "region": aws.region(), "pid": os.getpid(), "started_at": time.time(),
            "models": {name: svc.to_dict() for name, svc in services.items()},
            "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(settings).items()},
            "endpoint_restarts": [],
        }
        state.write_json(folder / "runtime.json", runtime_info)
        if settings.emulated_seconds_per_item:
            log.info("EMULATION on: each input adds %.3f s of sleep in the worker (REFIMPL_EMULATED_SECONDS_PER_ITEM)",
                     settings.emulated_seconds_per_item)
        log.info("ready: models %s; try `python -m reference_impl submit --model %s --count 1000` and "
                 "`python -m reference_impl status`", ", ".join(settings.models), settings.models[0])
        supervisor = build_supervisor(settings, services, clients, tied_to_parent=main_thread)
        if on_ready:
            on_ready(supervisor)

        results_reading: dict[str, Any] = {"at": None, "results": {}}

        def take_reading():
            # Finished results an endpoint loss would take (the store's listing), read while the
            # endpoint is up, every poll. The jobs still queued or running come from the counts the
            # supervisor's own last poll read (`last_counts`): the very figures its decisions show,
            # so a loss reports at least the backlog `status` last displayed, not an older reading.
            now = time.time()
            try:
                results = {name: len(svc.store(clients).job_ids()[0]) for name, svc in services.items()}
            except Exception:  # noqa: BLE001 - the endpoint is away: keep the last good reading
                log.debug("no reading of the endpoint now", exc_info=True)
                return
            results_reading.update(at=now, results=results)

        def revive_endpoint():
            # LocalStack keeps nothing across a restart: start it again and provision again; the
            # workers back off meanwhile and carry on (queue URLs do not change). Every job that
            # was queued or running is gone, with every result: say so in `status`.
            # Not while stopping: a stop signal reaches LocalStack too (it shares the process
            # group), and reviving it then would serve an empty endpoint, whose zero results a
            # last status read would take for the lab's final figures.
            if (endpoint is not None and endpoint.process is not None and not stop.is_set()
                    and endpoint.process.poll() is not None):
                code = endpoint.process.returncode
                pools = supervisor.pools
                lost = {name: (pool.last_counts.visible + pool.last_counts.in_flight) if pool.last_counts else 0
                        for name, pool in pools.items()}
                lost_results = {name: results_reading["results"].get(name, 0) for name in pools}
                # "as of" the oldest figure in the report: the earliest count or listing it uses
                times = [t for t in [results_reading["at"], *(p.last_counts_at for p in pools.values())] if t]
                log.warning("LocalStack exited with %s, losing %d unfinished jobs and %d finished results (as of "
                            "the last reading); restarting it and provisioning again", code, sum(lost.values()),
                            sum(lost_results.values()))
                endpoint.start()
                provision(clients, list(settings.models), provision_settings)
                runtime_info["endpoint_restarts"].append({"at": time.time(), "exit_code": code, "lost_jobs": lost,
                                                          "lost_results": lost_results, "counted_at": min(times, default=None)})
                results_reading.update(at=None, results={})
                for pool in pools.values():
                    pool.last_counts, pool.last_counts_at = None, None
                state.write_json(folder / "runtime.json", runtime_info)
            elif endpoint is not None:
                take_reading()
        supervisor.run(stop, settings.poll_s, before_poll=revive_endpoint)
    finally:
        log.info("stopping workers")
        if supervisor is not None:
            supervisor.shutdown()
        (folder / "runtime.json").unlink(missing_ok=True)
        if endpoint is not None:
            log.info("stopping LocalStack")
            endpoint.stop()
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = LocalSettings(folder=Path("."))
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = settings_help()
    parser.add_argument("--endpoint-url", help="use this running endpoint instead of starting LocalStack")
    parser.add_argument("--port", type=int, help=f"LocalStack's port (default {defaults.port})")
    parser.add_argument("--models", help=f"comma-separated model names (default {','.join(defaults.models)})")
    parser.add_argument("--max-workers", type=int, help="worker cap per model")
    parser.add_argument("--poll", type=float, dest="poll_s", help="seconds between autoscaler polls")
    parser.add_argument("--emulate-seconds-per-item", type=float, dest="emulated_seconds_per_item",
                        help="EMULATION: extra seconds per input in the workers (0 = off)")
    parser.add_argument("--ballast-mb", type=int, help="make each model artifact this many MB larger")


def settings_from_args(args, environ=os.environ) -> LocalSettings:
    settings = LocalSettings.from_env(environ)
    if args.models:
        settings.models = parse_models(args.models)
    for name in ("endpoint_url", "port", "max_workers", "poll_s", "emulated_seconds_per_item", "ballast_mb"):
        value = getattr(args, name)
        if value is not None:
            setattr(settings, name, value)
    settings.policy()  # fail now on values the policy refuses
    # ...and on worker settings a worker would refuse at start, before any worker is started.
    try:
        WorkerConfig.from_env(settings.worker_env("http://127.0.0.1"))
    except SettingError as exc:
        raise SettingError(f"{exc} (the local runtime sets them from the matching REFIMPL_ variables)") from None
    return settings
