"""CACHE_URL picks the one cache every process shares; the database cache's table comes with migrate."""
import sqlite3
import subprocess
import sys

import pytest
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from studyapp.caches import cache_from_url
from tests.accounts.processes import ROOT, app_env, copy_database
from tests.support import wait_for


def test_the_database_cache_is_the_default():
    from django.core.cache.backends.db import DatabaseCache as DjangosDatabaseCache
    from django.utils.module_loading import import_string

    assert issubclass(import_string(cache_from_url("")["BACKEND"]), DjangosDatabaseCache)
    assert cache_from_url("")["LOCATION"] == "django_cache"
    assert cache_from_url("db://study_cache")["LOCATION"] == "study_cache"


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/1", "rediss://cache.example:6380/0", "unix:///run/redis.sock"])
def test_redis_urls_select_djangos_redis_cache(url):
    config = cache_from_url(url)
    assert config == {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


def test_a_redis_cache_builds_its_client_from_the_installed_package(settings):
    settings.CACHES = {**settings.CACHES, "redis": cache_from_url("redis://127.0.0.1:1/0")}
    import redis

    client = caches["redis"]._cache.get_client(write=True)  # no connection until a command
    assert isinstance(client, redis.Redis)


def test_locmem_is_allowed_for_special_cases():
    assert cache_from_url("locmem://")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize("url", ["memcached://127.0.0.1:11211", "db", "file:///tmp/cache"])
def test_an_unknown_cache_url_fails_loudly(url):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL=.*expected one of db://"):
        cache_from_url(url)


def test_the_suite_runs_on_the_database_cache_with_its_table(db):
    assert "django_cache" in connection.introspection.table_names()
    cache.set("shared", {"n": 1}, 30)
    assert cache.get("shared") == {"n": 1}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_cache")
        assert cursor.fetchone()[0] == 1


def test_migrate_makes_the_cache_table(migrated):
    """`migrated` ran `manage.py migrate` on a new SQLite file with the default CACHE_URL."""
    with sqlite3.connect(migrated / "db.sqlite3") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "django_cache" in tables


COUNTER = """
import sys, time
from pathlib import Path
import django
django.setup()
from django.core.cache import cache
folder, name, times = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
cache.add("hits", 0, 600)
(folder / f"ready-{name}").touch()
deadline = time.monotonic() + 120
while not (folder / "go").exists() and time.monotonic() < deadline:  # all start together
    time.sleep(0.01)
for _ in range(times):
    cache.incr("hits")
"""


def test_counts_from_many_processes_add_up(tmp_path, migrated):
    """Lockouts and throttles count with incr: on the database cache, processes incrementing at
    once must not overwrite each other's counts (Django's incr is a read then a write)."""
    processes, times = 4, 30
    copy_database(migrated, tmp_path)
    env = app_env(tmp_path)
    counters = [subprocess.Popen([sys.executable, "-c", COUNTER, str(tmp_path), str(i), str(times)], cwd=ROOT, env=env,
                                 stderr=subprocess.PIPE, text=True) for i in range(processes)]
    def all_ready():
        assert all(c.poll() is None for c in counters), "a counter exited before it started"
        return len(list(tmp_path.glob("ready-*"))) == processes
    wait_for(all_ready, 120, "every counter ready", interval_s=0.05)
    (tmp_path / "go").touch()
    for counter in counters:
        assert counter.wait(timeout=120) == 0, counter.stderr.read()
    read = subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.core.cache import cache; "
                           "print(cache.get('hits'))"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert read.stdout.strip() == str(processes * times), read.stderr


SPENDER = """
import sys, time
from pathlib import Path
import django
django.setup()
from studyapp.api.throttling import FixedWindowThrottle

class Budget(FixedWindowThrottle):
    rate = "60/min"
    def get_cache_key(self, request, view):
        return "budget-of-one-caller"
    def timer(self):
        return 600.0  # one window for the whole test, whatever the clock says

folder, name = Path(sys.argv[1]), sys.argv[2]
(folder / f"ready-{name}").touch()
deadline = time.monotonic() + 120
while not (folder / "go").exists() and time.monotonic() < deadline:
    time.sleep(0.01)
print(sum(Budget().allow_request(None, None) for _ in range(100)))
"""


def test_a_budget_holds_across_processes_that_claim_requests_in_leases(tmp_path, migrated):
    """Throttles claim several requests at a time (studyapp/api/throttling.py); four processes
    spending one caller's budget of 60 at once, 100 tries each, are allowed 60 in all."""
    processes = 4
    copy_database(migrated, tmp_path)
    env = app_env(tmp_path)
    spenders = [subprocess.Popen([sys.executable, "-c", SPENDER, str(tmp_path), str(i)], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(processes)]
    def all_ready():
        assert all(s.poll() is None for s in spenders), "a spender exited before it started"
        return len(list(tmp_path.glob("ready-*"))) == processes
    wait_for(all_ready, 120, "every spender ready", interval_s=0.05)
    (tmp_path / "go").touch()
    allowed = []
    for spender in spenders:
        out, err = spender.communicate(timeout=120)
        assert spender.returncode == 0, err
        allowed.append(int(out))
    assert sum(allowed) == 60, allowed
