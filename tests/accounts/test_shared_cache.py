"""CACHE_URL picks the one cache every process shares; the database cache's table comes with migrate."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from studyapp.caches import cache_from_url

ROOT = Path(__file__).resolve().parents[2]


def test_the_database_cache_is_the_default():
    assert cache_from_url("")["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
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


def test_migrate_makes_the_cache_table(tmp_path):
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DEBUG": "true"}
    env.pop("CACHE_URL", None)
    result = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "django_cache" in tables
