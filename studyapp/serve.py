"""`make serve` (and the Docker image's command): the production server, in the order a deployment
needs: check the settings, collect static files, migrate, load the question files (as `make run` does),
then gunicorn. Everything comes from the environment (README, "Deploying").

    python -m studyapp.serve

Gunicorn reads WEB_CONCURRENCY itself (worker processes, default 2 here); WEB_THREADS sets
threads per worker (default 4); BIND the address (default 127.0.0.1:$PORT, PORT default 8000;
the Docker image binds 0.0.0.0:8000). Further gunicorn options: GUNICORN_CMD_ARGS.
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORKERS = "2"
DEFAULT_THREADS = "4"


class Refused(Exception):
    """A setting that would make the server start broken; the message says what to set."""


HOW_TO_MAKE_A_KEY = "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"


def weak_secret_key(key: str) -> str | None:
    """What makes `key` weak by Django's own rule (security check W009, whose figures these
    are), or None. Django only warns, and only under `check --deploy`; the server refuses."""
    from django.core.checks.security import base

    if len(key) < base.SECRET_KEY_MIN_LENGTH:
        return f"it has {len(key)} characters; at least {base.SECRET_KEY_MIN_LENGTH} are needed"
    if len(set(key)) < base.SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return f"it has {len(set(key))} different characters; at least {base.SECRET_KEY_MIN_UNIQUE_CHARACTERS} are needed"
    if key.startswith(base.SECRET_KEY_INSECURE_PREFIX):
        return f"it starts with {base.SECRET_KEY_INSECURE_PREFIX!r}, Django's mark of a generated development key"
    return None


def check_environment(env) -> None:
    from studyapp.env import envbool

    if envbool("DEBUG", True):
        return
    if not env.get("SECRET_KEY", "").strip():
        raise Refused("SECRET_KEY is not set and DEBUG is off: set SECRET_KEY to a long random value kept "
                      f"out of the repository, e.g. {HOW_TO_MAKE_A_KEY}")
    if weakness := weak_secret_key(env["SECRET_KEY"]):
        raise Refused(f"SECRET_KEY is weak ({weakness}): sessions, password resets and CSRF tokens signed with "
                      f"it could be forged. Set a long random value, e.g. {HOW_TO_MAKE_A_KEY}")
    if not env.get("ALLOWED_HOSTS", "").strip():
        raise Refused("ALLOWED_HOSTS is not set and DEBUG is off: every request would be refused (400). "
                      "Set it to the host names the site answers to, comma-separated, e.g. "
                      "ALLOWED_HOSTS=study.example.com")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def gunicorn_command(env) -> list[str]:
    bind = env.get("BIND") or f"127.0.0.1:{env.get('PORT', '8000')}"
    return [sys.executable, "-m", "gunicorn", "studyapp.wsgi:application", "--bind", bind,
            "--workers", env.get("WEB_CONCURRENCY") or DEFAULT_WORKERS,
            "--threads", env.get("WEB_THREADS") or DEFAULT_THREADS,
            "--access-logfile", "-", "--forwarded-allow-ips", env.get("FORWARDED_ALLOW_IPS", "127.0.0.1")]


def main() -> int:
    try:
        check_environment(os.environ)
    except Refused as exc:
        print(f"serve: refusing to start: {exc}", file=sys.stderr)
        return 2
    try:
        manage("collectstatic", "--noinput", "--verbosity", "0")
        manage("migrate", "--noinput")
        manage("loadquestions")  # the files are the source of truth; unchanged ones change nothing
    except subprocess.CalledProcessError as exc:
        print(f"serve: `{' '.join(exc.cmd[1:])}` failed (exit {exc.returncode}); not starting", file=sys.stderr)
        return 1
    command = gunicorn_command(os.environ)
    os.chdir(ROOT)
    os.execv(command[0], command)  # gunicorn takes over the process: signals reach it directly


if __name__ == "__main__":
    sys.exit(main())
