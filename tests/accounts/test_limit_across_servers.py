"""The login limit holds across server processes: two gunicorns on one SQLite file share the
lockout counts' table, and guesses spread over both are counted together, whatever the cache:
even with a cache per process (`locmem://`, the special case), which the counts once lived in and
where each process counted only its own share."""
import time

import pytest

from tests.accounts.processes import PASSWORD, READY_WITHIN_S, Server, app_env, copy_database

LIMIT = 4


@pytest.fixture
def two_servers(tmp_path, migrated):
    def _start(cache_url):
        copy_database(migrated, tmp_path)
        env = app_env(tmp_path, cache_url, LOGIN_FAILURE_LIMIT=str(LIMIT), API_THROTTLE_LOGIN="1000/min")
        servers = [Server(env, tmp_path / f"gunicorn-{i}.log") for i in range(2)]
        started.extend(servers)
        deadline = time.monotonic() + READY_WITHIN_S
        for server in servers:
            server.wait_ready(deadline)
        assert servers[0].url != servers[1].url  # two listeners, not one
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


def test_a_cache_per_process_does_not_split_the_count(two_servers):
    servers = two_servers("locmem://")
    codes = [servers[i % 2].token(f"guess-{i}").status_code for i in range(LIMIT)]
    assert codes == [401] * (LIMIT - 1) + [429]
    assert [server.token(PASSWORD).status_code for server in servers] == [429, 429]
