import pytest


@pytest.fixture(scope="session")
def migrated(tmp_path_factory):
    """A migrated SQLite file (default cache) with one account, `ada`, made once per run; tests
    that start processes copy it (processes.copy_database)."""
    from tests.accounts.processes import app_env, manage

    var_dir = tmp_path_factory.mktemp("migrated")
    env = app_env(var_dir)
    manage(env, "migrate", "--noinput")
    manage(env, "createsuperuser", "--noinput", "--username", "ada", "--email", "ada@example.com")
    return var_dir
