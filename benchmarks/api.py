"""Question-detail throughput against a trivial JSON view, both served by the same gunicorn.

Target (issue #25): GET /api/v1/questions/1973/ and GET /api/v1/questions/ each at least 0.9 of
the requests per second of GET /api/v1/health/ ({"status": "ok"}, no database, no
authentication, no throttling). Both run everything a real anonymous call runs: both
authentication classes, the anonymous throttle (its leases in the shared cache), the version
query, and the copy (with its JSON) this process served of that version (questions/versions.py,
studyapp/api/rendered.py).

Serves a fresh SQLite database in a temporary folder, with DEBUG off as in production and the
throttle raised so the load is measured, not refused. Loads with wrk on loopback when it is
installed (`apt-get install -y wrk`), otherwise with a small keep-alive Python client (which
measures lower figures: it shares the two cores with the server). Prints figures; asserts nothing.

    .venv/bin/python benchmarks/api.py [--seconds 8] [--connections 16] [--workers 2]
"""
import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from anywhere, no install

from benchmarks.production_env import production_env  # noqa: E402
from reference_impl.local.endpoint import free_port  # noqa: E402
BIN = Path(sys.executable).parent
DETAIL = "/api/v1/questions/1973/"
LIST = "/api/v1/questions/"
TARGET = 0.9
TRIVIAL = "/api/v1/health/"


def server_env(var_dir: str) -> dict:
    return {**os.environ, **production_env(var_dir, "127.0.0.1", "WARNING", API_THROTTLE_ANON="100000000/min",
                                           API_THROTTLE_USER="100000000/min")}


def wait_until_up(base: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + TRIVIAL, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:  # refused, reset or timed out while gunicorn starts
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {base}{TRIVIAL} within {timeout_s} s")


def load_with_wrk(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url],
                         capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses during the run:\n{out}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rate is None:
        raise SystemExit(f"{url}: wrk printed no Requests/sec:\n{out}")
    return float(rate.group(1))


def load_with_python(url: str, seconds: int, connections: int) -> float:
    """Keep-alive clients in threads; counts 200 responses, stops at the first other status."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    counts = [0] * connections
    stop = time.monotonic() + seconds

    def client(i):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < stop:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{url}: HTTP {response.status}")
            counts[i] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="api-bench-")
    env = server_env(var_dir)
    manage = [str(BIN / "python"), str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "loadquestions"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(BIN / "gunicorn"), "studyapp.wsgi:application", "-b", f"127.0.0.1:{port}",
                               "-w", str(args.workers), "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        wait_until_up(base)
        with_wrk = shutil.which("wrk") is not None
        load = load_with_wrk if with_wrk else load_with_python
        paths = (TRIVIAL, DETAIL, LIST)
        for path in paths:  # warm each: connections, rendering cache, query plans
            load(base + path, 1, 4)
        # Alternate and keep each one's best run, so a noisy moment does not decide the ratio.
        best = dict.fromkeys(paths, 0.0)
        for _ in range(2):
            for path in paths:
                best[path] = max(best[path], load(base + path, args.seconds, args.connections))
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(var_dir, ignore_errors=True)

    tool = "wrk -t2" if with_wrk else "python keep-alive client"
    print(f"gunicorn, {args.workers} sync workers, DEBUG off, SQLite; load: {tool}, "
          f"{args.connections} connections, {args.seconds} s per run, best of 2")
    print(f"{'GET ' + TRIVIAL + ' (trivial JSON)':48} {best[TRIVIAL]:9.0f} req/s")
    print(f"{'GET ' + DETAIL + ' (question detail)':48} {best[DETAIL]:9.0f} req/s")
    print(f"{'GET ' + LIST + ' (question list)':48} {best[LIST]:9.0f} req/s")
    print(f"{f'ratio detail / trivial (target >= {TARGET})':48} {best[DETAIL] / best[TRIVIAL]:9.2f}")
    print(f"{f'ratio list / trivial (target >= {TARGET})':48} {best[LIST] / best[TRIVIAL]:9.2f}")


if __name__ == "__main__":
    main()
