"""The Dockerfile and compose.yaml, checked without Docker (none here): they parse, every file
and command they name exists, the image runs the same steps as `make serve`, and the stack is
the one the README's "Deploying" describes. What only Docker can show (the image builds, the
stack starts) is not tested here."""
import re
import shlex
import sys
from pathlib import Path

import dj_database_url
import yaml
from django.core.management import get_commands
from django.urls import resolve

from studyapp.caches import cache_from_url
from tests.postgres_cluster import bin_dir

ROOT = Path(__file__).resolve().parents[1]


def dockerfile_instructions():
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def make_recipe(target):
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def substituted(value: str, **values) -> str:
    """Compose's ${NAME:-default} / ${NAME:?message}, with the values a school would give."""
    def one(match):
        name, op, rest = match.group(1), match.group(2), match.group(3)
        return values.get(name, rest if op == ":-" else "")
    return re.sub(r"\$\{(\w+)(:[-?])?([^}]*)\}", one, value)


def test_the_image_runs_the_same_steps_as_make_serve():
    cmd = [arg for op, arg in dockerfile_instructions() if op == "CMD"]
    assert len(cmd) == 1 and yaml.safe_load(cmd[0]) == ["python", "-m", "studyapp.serve"]
    assert make_recipe("serve") == ["$(PY) -m studyapp.serve"]


def test_every_file_the_dockerfile_copies_exists_and_the_python_is_ours():
    instructions = dockerfile_instructions()
    for op, arg in instructions:
        if op == "COPY" and not arg.startswith("--from"):
            for source in shlex.split(arg)[:-1]:
                assert (ROOT / source).exists(), source
    bases = [arg for op, arg in instructions if op == "FROM"]
    assert bases[-1].startswith(f"python:{sys.version_info.major}.{sys.version_info.minor}-")
    installs = " ".join(arg for op, arg in instructions if op == "RUN")
    assert "pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock" in installs and "npm ci" in installs
    env = " ".join(arg for op, arg in instructions if op == "ENV")
    assert "DEBUG=false" in env and "BIND=0.0.0.0:8000" in env
    assert ("EXPOSE", "8000") in instructions
    requirements = (ROOT / "requirements.txt").read_text().lower()
    for needed in ("gunicorn==", "psycopg[binary]==", "redis==", "django-tasks-db==", "whitenoise=="):
        assert needed in requirements, needed  # what the compose stack's services need from the image
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "node_modules", "var", ".git"} <= set(ignored)  # the host's installs stay out


def test_compose_runs_web_worker_postgresql_and_redis_from_this_image():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "db", "redis"}
    for name in ("web", "worker"):
        assert services[name]["build"] == "." and services[name]["image"] == "study-app"
    assert "command" not in services["web"]  # the image's: python -m studyapp.serve
    assert services["web"]["ports"] == ["${PORT:-8000}:8000"]
    worker = services["worker"]["command"]
    assert worker == ["python", "manage.py", "db_worker"] and "db_worker" in get_commands()
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    # The PostgreSQL the stack runs is the major version the suite tests against.
    assert services["db"]["image"] == f"postgres:{bin_dir().parent.name}"


def test_compose_settings_select_postgresql_redis_and_production():
    services = compose()["services"]
    env = services["worker"]["environment"]
    assert env == {k: v for k, v in services["web"]["environment"].items() if k in env}  # one environment
    values = {"POSTGRES_PASSWORD": "pw", "SECRET_KEY": "k" * 50}
    database = dj_database_url.parse(substituted(env["DATABASE_URL"], **values))
    assert (database["ENGINE"], database["HOST"], database["NAME"], database["PASSWORD"]) == (
        "django.db.backends.postgresql", "db", "study", "pw")
    assert database["USER"] == services["db"]["environment"]["POSTGRES_USER"]
    cache = cache_from_url(substituted(env["CACHE_URL"]))
    assert cache["BACKEND"].endswith("RedisCache") and "//redis:" in cache["LOCATION"]
    assert env["DEBUG"] == "false" and ":?" in env["SECRET_KEY"]  # compose refuses to start without it
    health = " ".join(services["web"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:8000(/[^']*)", health)[1]
    assert resolve(path).url_name == "ready"


def test_the_readme_documents_every_variable_the_stack_and_make_serve_read():
    readme = (ROOT / "README.md").read_text()
    deploying = readme.split("## Deploying", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", readme))
    services = compose()["services"]
    for name in set(services["web"]["environment"]) | {"WEB_CONCURRENCY", "WEB_THREADS", "BIND", "STATIC_ROOT"}:
        assert name in documented, name
    for topic in ("PostgreSQL", "CACHE_URL", "db_worker", "TLS", "TRUSTED_PROXY_COUNT", "Upgrading",
                  "make serve", "docker compose up", "/api/v1/ready/"):
        assert topic in deploying, topic
