"""`make serve` as a school would run it: DEBUG off, gunicorn, static files from the manifest.

The test runs the command `make serve` runs (`python -m studyapp.serve`; test_production_files.py
checks the Makefile and the Dockerfile say so), with the settings the README's "Deploying" asks
for, behind a pretend TLS proxy (X-Forwarded-Proto: https), and reads every HTML page."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from reference_impl.local.endpoint import free_port
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
STATIC = re.compile(r"""(?:href|src)="(/static/[^"]+)\"""")
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")  # the manifest's content hash in every static name


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL", "SECRET_KEY")}
    env.update({"DEBUG": "false", "SECRET_KEY": "test-only-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1",
                "VAR_DIR": str(tmp_path / "var"), "STATIC_ROOT": str(tmp_path / "static"),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "WEB_CONCURRENCY": "2", "WEB_THREADS": "2",
                **extra})
    return env


class BehindTLSProxy(requests.Session):
    """A browser behind the TLS proxy: says the request came over HTTPS, and sends the Secure
    cookies back although this leg is plain HTTP (requests alone would hold them back)."""
    def __init__(self, url):
        super().__init__()
        self.headers.update({"X-Forwarded-Proto": "https", "Origin": url.replace("http:", "https:")})

    def request(self, method, url, **kwargs):
        self.headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        kwargs["allow_redirects"] = False  # a redirect would drop them again: tests follow by hand
        return super().request(method, url, **kwargs)


@pytest.fixture(scope="module")  # one server for the module: starting it is most of the time
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = production_env(tmp_path, PORT=str(port))
    log = open(tmp_path / "serve.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "studyapp.serve"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    session = BehindTLSProxy(url)
    try:
        # Up once gunicorn answers (after collectstatic, migrate and the question load); bounded.
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()[-4000:]
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-4000:]
            try:
                if session.get(f"{url}/api/v1/health/", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        yield url, session, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        log.close()


def fetch_page(session, url, path):
    response = session.get(url + path, timeout=30)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith("text/html"), path
    return response.text


def test_make_serve_with_debug_off_serves_every_page_and_its_static_files(server):
    url, session, env = server
    pages = {path: fetch_page(session, url, path) for path in
             ["/", "/questions/1973/", "/scenarios/", "/history/", "/accounts/login/", "/accounts/signup/",
              "/api/docs/", "/admin/login/"]}
    assert "Question #1973" in pages["/"]
    assert pages["/questions/1973/"].count('name="selected"') == 4

    # An instructor's pages too: log in through the form (CSRF and all), answer, open labs and admin.
    subprocess.run([sys.executable, "manage.py", "createsuperuser", "--noinput", "--username", "boss",
                    "--email", "boss@example.com"], cwd=ROOT, check=True, capture_output=True,
                   env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', fetch_page(session, url, "/accounts/login/"))[1]
    login = session.post(f"{url}/accounts/login/", data={"username": "boss", "password": PASSWORD,
                                                        "csrfmiddlewaretoken": token}, timeout=30)
    assert login.status_code == 302, login.text[:500]
    assert "boss" in fetch_page(session, url, login.headers["Location"])
    question = fetch_page(session, url, "/questions/1973/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', question)[1]
    answered = session.post(f"{url}/questions/1973/", data={"selected": "D", "csrfmiddlewaretoken": token}, timeout=30)
    assert answered.status_code == 302, answered.text[:500]
    assert 'data-outcome="correct"' in fetch_page(session, url, answered.headers["Location"])
    for path in ["/history/", "/labs/", "/admin/"]:
        pages[path] = fetch_page(session, url, path)

    static = {path for html in pages.values() for path in STATIC.findall(html)}
    assert any(path.endswith(".css") for path in static) and any(path.endswith(".js") for path in static)
    for path in static:
        assert HASHED.search(path), f"{path} is not from the manifest"
        response = session.get(url + path, timeout=30)
        assert response.status_code == 200 and response.content, path
        assert "max-age=315360000" in response.headers.get("Cache-Control", ""), path  # hashed: cached for ever


def test_the_compose_health_check_finds_the_served_app_ready(server):
    url, _, env = server
    check = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["web"]["healthcheck"]["test"]
    assert check[:3] == ["CMD", "python", "-c"]
    code = check[3].replace("http://127.0.0.1:8000", url)  # the test's port instead of the image's
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]


def test_with_debug_off_it_refuses_to_start_without_a_secret_key_and_does_nothing(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run([sys.executable, "-m", "studyapp.serve"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    assert "refusing to start: SECRET_KEY is not set and DEBUG is off" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists() and not (tmp_path / "static").exists()


def test_with_debug_off_it_refuses_to_start_without_allowed_hosts(tmp_path):
    result = subprocess.run([sys.executable, "-m", "studyapp.serve"], cwd=ROOT, capture_output=True, text=True,
                            env=production_env(tmp_path, ALLOWED_HOSTS=""), timeout=120)
    assert result.returncode == 2 and "ALLOWED_HOSTS is not set" in result.stderr


@pytest.mark.parametrize("key, weakness", [
    ("x", "it has 1 characters; at least 50 are needed"),
    ("ab" * 40, "it has 2 different characters; at least 5 are needed"),
    ("django-insecure-" + "k3y" * 20, "it starts with 'django-insecure-'"),
])
def test_with_debug_off_it_refuses_a_weak_secret_key_by_djangos_own_rule(tmp_path, key, weakness):
    result = subprocess.run([sys.executable, "-m", "studyapp.serve"], cwd=ROOT, capture_output=True, text=True,
                            env=production_env(tmp_path, SECRET_KEY=key), timeout=120)
    assert result.returncode == 2
    assert f"refusing to start: SECRET_KEY is weak ({weakness}" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()
