"""Start, wait for and stop the local SQS and S3 endpoint: LocalStack core on loopback, no Docker.

LocalStack runs from its own virtual environment (it pins an older boto3) with the settings that
keep it offline and inside its folder (see `_environment` below):
it drains ~2,400 messages per second where moto's server manages under 5 at 5,000 deep.
Its state is in memory: a restart loses queues, buckets and messages (persistence is not in the
open-source core), so whoever restarts it provisions again (local/provision.py).

Environment: ``REFIMPL_LOCALSTACK_PYTHON``: the interpreter with localstack-core installed
(default: ``.venv-localstack/bin/python`` in the project).
"""
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PYTHON = PROJECT_ROOT / ".venv-localstack" / "bin" / "python"
DEFAULT_PORT = 4566
READY_TIMEOUT_S = 60
# Dummy credentials LocalStack accepts; set only for the local runtime's own processes.
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


class EndpointError(RuntimeError):
    pass


def die_with_parent():
    """A ``preexec_fn``: ask Linux to SIGTERM the child when the process that started it dies,
    so a SIGKILLed ``local up`` leaves no LocalStack or worker behind (``start_new_session`` keeps
    Ctrl-C away from them, which also keeps them from dying with the terminal). Linux calls this
    "parent death signal"; it fires when the starting *thread* ends, so only the main thread of
    a long-lived process should use it. Elsewhere it does nothing."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


# Loaded in the parent: between fork and exec the child should run as little Python as it can.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(root: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    env.update({
        # These machines look like containers to LocalStack; without this it writes under /var/lib.
        "OVERRIDE_IN_DOCKER": "0",
        "FILESYSTEM_ROOT": str(root),
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "LOCALSTACK_HOST": f"127.0.0.1:{port}",
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


@dataclass
class Endpoint:
    """A LocalStack process on 127.0.0.1:port; ``stop()`` ends it, ``restart()`` starts it again
    on the same port (empty: provision again)."""

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
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = READY_TIMEOUT_S) -> "Endpoint":
        if health(self.url) is not None:
            raise EndpointError(f"port {self.port} already answers; stop the other endpoint or pick another port")
        Path(self.root).mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.python, "-m", "localstack.runtime.main"], env=_environment(Path(self.root) / "fs", self.port),
            stdout=log, stderr=subprocess.STDOUT, cwd=self.root, start_new_session=True,
            preexec_fn=die_with_parent if self.tied_to_parent else None,
        )
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EndpointError(f"LocalStack exited with {self.process.returncode}; see {self.log_path}")
            if is_ready(self.url):
                return self
            time.sleep(0.2)
        self.stop()
        raise EndpointError(f"LocalStack was not ready within {timeout_s:g} s; see {self.log_path}")

    def stop(self, timeout_s: float = 10) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # Its own session: signal the group so helper processes it started go too.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def restart(self, timeout_s: float = READY_TIMEOUT_S) -> "Endpoint":
        self.stop()
        deadline = time.monotonic() + 10
        while health(self.url) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.start(timeout_s)


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
