"""The settings the web app's benchmarks run it with, in one place: production's (DEBUG off, a
secret key of their own, no HTTPS redirect on loopback), a folder of its own for the database and
caches, and quiet logs, so the figures are those of a deployment and not of `make run`."""


def production_env(var_dir: str, allowed_hosts: str, log_level: str = "ERROR", **extra: str) -> dict[str, str]:
    """Environment variables for studyapp.settings; `extra` adds or overrides (throttle rates)."""
    return {"VAR_DIR": var_dir, "DEBUG": "0", "SECRET_KEY": "benchmark-only-" + "x" * 40,
            "ALLOWED_HOSTS": allowed_hosts, "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": log_level,
            "DJANGO_SETTINGS_MODULE": "studyapp.settings", **extra}
