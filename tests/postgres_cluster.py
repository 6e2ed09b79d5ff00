"""A throwaway PostgreSQL server for the test suite: Debian's binaries, a temporary folder, a free
loopback port, stopped and deleted at the end. `make test` runs the database tests on it with
TEST_DATABASE=postgres (see tests/conftest.py); `make postgresql` installs the binaries.

PostgreSQL refuses to run as root, so when the suite runs as root (CI here does) the server runs
as the `postgres` user that Debian's package creates, in a folder handed to that user.
"""
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reference_impl.local.endpoint import free_port

BIN_GLOB = "/usr/lib/postgresql/*/bin"
SUPERUSER = "postgres"


class ClusterError(RuntimeError):
    pass


def bin_dir() -> Path:
    """The newest installed PostgreSQL's binaries (PG_BIN overrides)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob(BIN_GLOB), key=lambda p: int(Path(p).parent.name))
    if not found:
        raise ClusterError(f"no PostgreSQL under {BIN_GLOB}: run `make postgresql` (apt-get install postgresql)")
    return Path(found[-1])


@dataclass
class Cluster:
    folder: Path
    port: int
    run_as: str | None  # the OS user the server runs as (None: this process's user)

    def _run(self, *args: str) -> None:
        result = subprocess.run([str(bin_dir() / args[0]), *args[1:]], user=self.run_as, capture_output=True,
                                text=True, timeout=120, cwd=self.folder)
        if result.returncode != 0:
            log = self.folder / "server.log"
            raise ClusterError(f"{' '.join(args[:2])} failed: {result.stderr or result.stdout}"
                               + (log.read_text()[-2000:] if log.exists() else ""))

    def start(self) -> "Cluster":
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")
        # Loopback only, the socket in our own folder; durability is not what the tests are about.
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run("pg_ctl", "-D", str(data), "-l", str(self.folder / "server.log"), "-o", options, "-w", "start")
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def database_settings(self, name: str = "study") -> dict:
        """Django's DATABASES entry for this server, less TEST (the runner makes test_<name>)."""
        return {"ENGINE": "django.db.backends.postgresql", "NAME": name, "USER": SUPERUSER, "PASSWORD": "",
                "HOST": "127.0.0.1", "PORT": str(self.port), "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
                "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "OPTIONS": {}, "TIME_ZONE": None}


def start_cluster() -> Cluster:
    run_as = SUPERUSER if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="study-pg-"))
    if run_as:
        user = pwd.getpwnam(run_as)
        os.chown(folder, user.pw_uid, user.pw_gid)
    return Cluster(folder, free_port(), run_as).start()
