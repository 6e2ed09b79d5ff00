"""SQLite holds a burst of writers: 500 answers at once through gunicorn (two worker processes
with threads, as in production) are all recorded, none refused with "database is locked".

A real server on a real database file, because the failure lives in SQLite's file locking
between processes and threads; Django's test server on an in-memory database cannot show it.
Measured before the fix with the shared database cache (throttle counts make each request a
transaction that reads, then writes): "database is locked" 500s; after it, none.
"""
import json
import os
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reference_impl.local.endpoint import free_port
from tests.support import wait_for_health

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ANSWERS = 500
LEARNERS = 5


def call(base, method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def gunicorn(tmp_path):
    """A fresh file database with the bank and LEARNERS accounts, served by gunicorn; their tokens."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    # DEBUG off, as in production (DEBUG would also keep every query's SQL in each thread).
    env.update({"VAR_DIR": str(tmp_path), "DEBUG": "0", "SECRET_KEY": "test-only-" + "x" * 50,
                "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "WARNING",
                # The budgets are not under test here: one learner sends 100 answers at once.
                "API_THROTTLE_USER": "100000/min"})
    # One process for the set-up steps: each Django start-up costs about a second. The learners'
    # API tokens are issued here, not through POST /auth/token/ (tested elsewhere): a password
    # at production's work factor is 0.3 s of CPU to set and as much to check, each time.
    setup = subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c",
                            "import json\n"
                            "from django.core.management import call_command\n"
                            "from django.contrib.auth.models import User\n"
                            "from accounts.authentication import issue_token\n"
                            "call_command('migrate', interactive=False, verbosity=0)\n"
                            "call_command('loadquestions', verbosity=0)\n"
                            f"print(json.dumps([issue_token(User.objects.create_user(f'burst{{i}}'))[1] for i in range({LEARNERS})]))"],
                           cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    tokens = json.loads(setup.stdout.strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "studyapp.wsgi:application", "-b", f"127.0.0.1:{port}",
                               "-w", "2", "--threads", "16", "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, server, 120)  # a ceiling for a busy machine, not an expectation
        yield base, tmp_path / "db.sqlite3", tokens
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_500_parallel_answers_are_all_recorded(gunicorn):
    base, database, tokens = gunicorn

    def answer(n):
        return call(base, "POST", "/api/v1/questions/1973/attempts/", {"selected": ["D" if n % 2 else "A"]},
                    token=tokens[n % LEARNERS])

    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(answer, range(ANSWERS)))
    failures = [(status, body[:200]) for status, body in results if status != 201]
    assert failures == []
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT COUNT(*), SUM(correct) FROM questions_attempt").fetchone() == (ANSWERS, ANSWERS // 2)


def test_postgresql_urls_get_no_sqlite_options(tmp_path):
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DATABASE_URL": "postgres://study:secret@127.0.0.1:5432/study"}
    out = subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c",
                          "import json; from django.conf import settings; d = settings.DATABASES['default'];"
                          "print(json.dumps([d['ENGINE'], d.get('OPTIONS', {})]))"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    engine, options = json.loads(out.strip().splitlines()[-1])
    assert engine == "django.db.backends.postgresql" and "transaction_mode" not in options and "init_command" not in options
