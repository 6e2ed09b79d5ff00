"""The app in processes of its own, as production runs it: manage.py commands and gunicorn on a
SQLite file in a temporary folder, with the default (database) cache unless told otherwise."""
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support import PASSWORD, wait_for, wait_for_health

ROOT = Path(__file__).resolve().parents[2]
READY_WITHIN_S = 90  # bounded: a busy two-core machine may take a while to import Django twice


def app_env(var_dir, cache_url="", **extra):
    env = {**os.environ, "VAR_DIR": str(var_dir), "DEBUG": "true", "CACHE_URL": cache_url,
           "DJANGO_SETTINGS_MODULE": "studyapp.settings", "DJANGO_SUPERUSER_PASSWORD": PASSWORD, **extra}
    for name in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return env


def manage(env, *args):
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
        def listening():
            assert self.process.poll() is None, f"gunicorn exited:\n{self.log_path.read_text()}"
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", self.log_path.read_text())
            return found and found.group(1)
        self.url = wait_for(listening, max(0.0, deadline - time.monotonic()), "gunicorn to bind a port")
        wait_for_health(self.url, self.process, max(0.0, deadline - time.monotonic()), self.log_path)

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



def copy_database(source, var_dir):
    """A fresh copy of a migrated VAR_DIR (database and the dev secret key)."""
    for name in ("db.sqlite3", "secret_key"):
        shutil.copy(source / name, var_dir / name)
