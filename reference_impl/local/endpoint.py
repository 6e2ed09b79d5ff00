"""Start, wait for and stop the local SQS and S3 endpoint: LocalStack core on loopback, no Docker.

LocalStack runs from its own virtual environment (it pins an older boto3) with the settings that
keep it offline and inside its folder (see `_environment` below): it drains over a thousand
messages per second where moto's server manages under 5 at 5,000 deep.
Its state is in memory: a restart loses queues, buckets, messages and results (persistence is not
in the open-source core), so whoever restarts it provisions again (local/provision.py).

It listens on 127.0.0.1 only. LocalStack's default gateway server (twisted) binds every interface
whatever ``GATEWAY_LISTEN`` says, so the hypercorn server, which binds the address given, is
chosen; its DNS server is off. It never outlives the process that started it: Linux kills it when
that process dies (SIGKILL: orphaned, it ignores SIGTERM), and ``endpoint.json`` in its folder
names it, so a start in the same folder first stops one a dead runtime left behind.

Environment: ``REFIMPL_LOCALSTACK_PYTHON``: the interpreter with localstack-core installed
(default: ``.venv-localstack/bin/python`` in the project).
"""
import ctypes
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from reference_impl.envvars import env_str

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PYTHON = PROJECT_ROOT / ".venv-localstack" / "bin" / "python"
DEFAULT_PORT = 4566
READY_TIMEOUT_S = 60
LOOPBACK = "127.0.0.1"
MARKER = "endpoint.json"  # the running endpoint's pid and start time, in its folder
STOP_GRACE_S = 5.0

log = logging.getLogger(__name__)
# Dummy keys LocalStack accepts: in the local clients' own boto3 session, and in the environment
# of the worker processes the local runtime starts; never in this process's environment.
LOCAL_KEY_ID = LOCAL_SECRET = "test"
LOCAL_CREDENTIALS = {"aws_access_key_id": LOCAL_KEY_ID, "aws_secret_access_key": LOCAL_SECRET}
LOCAL_CREDENTIALS_ENV = {"AWS_ACCESS_KEY_ID": LOCAL_KEY_ID, "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET}


class EndpointError(RuntimeError):
    pass


def die_with_parent(signum: int = signal.SIGTERM):
    """A ``preexec_fn``: ask Linux to send ``signum`` to the child when the process that started
    it dies, so a SIGKILLed ``local up`` leaves no LocalStack or worker behind
    (``start_new_session`` keeps Ctrl-C away from them, which also keeps them from dying with the
    terminal). Linux calls this "parent death signal"; it fires when the starting *thread* ends,
    so only the main thread of a long-lived process should use it. Elsewhere it does nothing."""
    parent = os.getpid()

    def preexec():
        if _LIBC is not None:
            _LIBC.prctl(_PR_SET_PDEATHSIG, int(signum))
            if os.getppid() != parent:  # the parent died before the request was made
                os._exit(1)
    return preexec


# Loaded in the parent: between fork and exec the child should run as little Python as it can.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A loopback port nothing listens on now (the one place the project picks ports)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _environment(root: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    env.update({
        # These machines look like containers to LocalStack; without this it writes under /var/lib.
        "OVERRIDE_IN_DOCKER": "0",
        "FILESYSTEM_ROOT": str(root),
        "GATEWAY_LISTEN": f"{LOOPBACK}:{port}",
        "LOCALSTACK_HOST": f"{LOOPBACK}:{port}",
        # twisted, the default, ignores GATEWAY_LISTEN's address and binds 0.0.0.0.
        "GATEWAY_SERVER": "hypercorn",
        "SERVICES": "sqs,s3",
        "EAGER_SERVICE_LOADING": "1",
        "PERSISTENCE": "0",
        "SKIP_SSL_CERT_DOWNLOAD": "1",  # else it tries the network for 5 s
        "DISABLE_EVENTS": "1",
        "DNS_ADDRESS": "0",  # else it starts a DNS server on port 53
        "SQS_ENDPOINT_STRATEGY": "path",
    })
    return env


def health(url: str, timeout_s: float = 1.0) -> dict | None:
    try:
        with urllib.request.urlopen(f"{url}/_localstack/health", timeout=timeout_s) as response:
            return json.load(response)
    except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
        return None


def is_ready(url: str) -> bool:
    services = (health(url) or {}).get("services", {})
    return all(services.get(name) in ("running", "available") for name in ("sqs", "s3"))


def _process_start(pid: int) -> tuple[str, int] | None:
    """(state, start time in clock ticks since boot) of a process, from /proc; None if gone.
    The start time tells our process from a later one that was given the same pid."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[19])


def _running(pid: int, start_ticks: int) -> bool:
    found = _process_start(pid)
    return found is not None and found[1] == start_ticks and found[0] != "Z"


def stop_stale(root) -> int | None:
    """Stop the endpoint ``root``'s marker names if it still runs (its runtime died without
    stopping it); returns its pid, or None when there was none."""
    marker_path = Path(root) / MARKER
    try:
        marker = json.loads(marker_path.read_text())
        pid, start_ticks = int(marker["pid"]), int(marker["start_ticks"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _running(pid, start_ticks):
        marker_path.unlink(missing_ok=True)
        return None
    log.warning("stopping the local endpoint (pid %d, %s) a previous runtime left running", pid, marker.get("url"))
    try:
        os.killpg(pid, signal.SIGKILL)  # it ignores SIGTERM once orphaned; its state is lost either way
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 30
    while _running(pid, start_ticks):
        if time.monotonic() > deadline:
            raise EndpointError(f"the stale endpoint {pid} did not stop after SIGKILL")
        time.sleep(0.05)
    marker_path.unlink(missing_ok=True)
    return pid


@dataclass
class Endpoint:
    """A LocalStack process on 127.0.0.1:port; ``stop()`` ends it."""

    root: Path
    port: int
    python: str
    process: subprocess.Popen | None = None
    tied_to_parent: bool = False
    log_path: Path = field(init=False)

    def __post_init__(self):
        self.log_path = Path(self.root) / "localstack.log"

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def marker_path(self) -> Path:
        return Path(self.root) / MARKER

    def start(self, timeout_s: float = READY_TIMEOUT_S) -> "Endpoint":
        stop_stale(self.root)
        if health(self.url) is not None:
            raise EndpointError(f"port {self.port} already answers; stop the other endpoint or pick another port")
        Path(self.root).mkdir(parents=True, exist_ok=True)
        out = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.python, "-m", "localstack.runtime.main"], env=_environment(Path(self.root) / "fs", self.port),
            stdout=out, stderr=subprocess.STDOUT, cwd=self.root, start_new_session=True,
            preexec_fn=die_with_parent(signal.SIGKILL) if self.tied_to_parent else None,
        )
        out.close()
        started = _process_start(self.process.pid)
        if started is not None:
            self.marker_path.write_text(json.dumps({"pid": self.process.pid, "start_ticks": started[1],
                                                    "url": self.url}))
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EndpointError(f"LocalStack exited with {self.process.returncode}; see {self.log_path}")
            if is_ready(self.url):
                return self
            time.sleep(0.2)
        self.stop()
        raise EndpointError(f"LocalStack was not ready within {timeout_s:g} s; see {self.log_path}")

    def stop(self, timeout_s: float = STOP_GRACE_S) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # Its own session: signal the group so helper processes it started go too.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.marker_path.unlink(missing_ok=True)

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_local_endpoint(root, port: int | None = None, python: str | None = None,
                         tied_to_parent: bool = False) -> Endpoint:
    """Start LocalStack under ``root`` (its files and log) and return once SQS and S3 answer.

    Any test folder's conftest can call this; pair it with ``endpoint.stop()``.
    """
    python = python or os.environ.get("REFIMPL_LOCALSTACK_PYTHON") or str(DEFAULT_PYTHON)
    if not Path(python).exists():
        raise EndpointError(f"no LocalStack interpreter at {python}; run `make install` "
                            "or set REFIMPL_LOCALSTACK_PYTHON")
    return Endpoint(Path(root), port or free_port(), python, tied_to_parent=tied_to_parent).start()


@contextmanager
def given_or_started_endpoint(root) -> Iterator[str]:
    """The URL in AWS_ENDPOINT_URL if set, else a LocalStack started under ``root`` for the
    block and stopped after it (the benchmarks' way to find an endpoint)."""
    url = env_str("AWS_ENDPOINT_URL")
    if url:
        yield url
        return
    endpoint = start_local_endpoint(root)
    try:
        yield endpoint.url
    finally:
        endpoint.stop()
