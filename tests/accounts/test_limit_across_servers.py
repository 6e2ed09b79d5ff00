"""The login limit holds across server processes: two gunicorns on one SQLite file share the
database cache, and guesses spread over both are counted together. With a cache per process
(`locmem://`, the special case) each would count only its own share: that run shows the test can
tell the two apart."""
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 4
PASSWORD = "a-Long-enough-passw0rd"
READY_WITHIN_S = 90  # bounded: a busy two-core machine may take a while to import Django twice


def _env(var_dir, cache_url):
    env = {**os.environ, "VAR_DIR": str(var_dir), "DEBUG": "true", "CACHE_URL": cache_url,
           "LOGIN_FAILURE_LIMIT": str(LIMIT), "API_THROTTLE_LOGIN": "1000/min",
           "DJANGO_SETTINGS_MODULE": "studyapp.settings", "DJANGO_SUPERUSER_PASSWORD": PASSWORD}
    for name in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return env


def _manage(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


class Server:
    """One gunicorn with one worker on a free loopback port it picks itself (port 0), read back
    from its log, so no port can be taken between choosing and binding it."""

    def __init__(self, env, log_path):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "studyapp.wsgi:application", "--bind", "127.0.0.1:0",
             "--workers", "1", "--log-level", "info"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = None

    def wait_ready(self, deadline):
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited:\n{self.log_path.read_text()}"
            if self.url is None:
                found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", self.log_path.read_text())
                self.url = found and found.group(1)
            if self.url:
                try:
                    if requests.get(f"{self.url}/api/v1/health/", timeout=5).status_code == 200:
                        return
                except requests.RequestException:
                    pass
            time.sleep(0.1)  # polling interval, not a wait for a state
        raise AssertionError(f"gunicorn not ready within {READY_WITHIN_S} s:\n{self.log_path.read_text()}")

    def token(self, password):
        return requests.post(f"{self.url}/api/v1/auth/token/", json={"username": "ada", "password": password},
                             timeout=30)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated SQLite file with the account under guess, made once for the module."""
    var_dir = tmp_path_factory.mktemp("migrated")
    env = _env(var_dir, "")
    _manage(env, "migrate", "--noinput")
    _manage(env, "createsuperuser", "--noinput", "--username", "ada", "--email", "ada@example.com")
    return var_dir


@pytest.fixture
def two_servers(tmp_path, migrated):
    def _start(cache_url):
        for name in ("db.sqlite3", "secret_key"):
            shutil.copy(migrated / name, tmp_path / name)
        env = _env(tmp_path, cache_url)
        servers = [Server(env, tmp_path / f"gunicorn-{i}.log") for i in range(2)]
        started.extend(servers)
        deadline = time.monotonic() + READY_WITHIN_S
        for server in servers:
            server.wait_ready(deadline)
        assert servers[0].process.pid != servers[1].process.pid
        return servers

    started = []
    yield _start
    for server in started:
        server.stop()


def test_guesses_spread_over_two_servers_share_one_limit(two_servers):
    servers = two_servers("")  # the default: the database cache
    codes = [servers[i % 2].token(f"guess-{i}").status_code for i in range(LIMIT)]
    assert codes == [401] * (LIMIT - 1) + [429]
    for server in servers:  # the right password waits out the lockout on either server
        response = server.token(PASSWORD)
        assert response.status_code == 429 and response.json()["detail"].startswith("Too many failed logins")


def test_a_cache_per_process_would_let_each_server_count_alone(two_servers):
    servers = two_servers("locmem://")
    codes = [servers[i % 2].token(f"guess-{i}").status_code for i in range(LIMIT)]
    assert codes == [401] * LIMIT  # each process saw only half the guesses
    assert servers[0].token(PASSWORD).status_code == 201
