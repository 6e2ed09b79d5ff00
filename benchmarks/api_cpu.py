"""CPU per warm anonymous request, in one process: question detail and list against the trivial
JSON view (GET /api/v1/health/), through Django's test client (no network, no gunicorn).

benchmarks/api.py measures throughput under gunicorn and wrk, which other work on the machine
blurs (its ratio moved between 0.63 and 0.88 from run to run on a busy day). This measures what
the view itself costs: CPU time, the three paths interleaved, best of `--rounds` rounds of
`--requests` each. Same settings as benchmarks/api.py: a fresh SQLite database in a temporary
folder, DEBUG off, the throttle raised so the load is measured, not refused. Target (issue #25):
0.9 of the trivial view. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/api_cpu.py [--requests 300] [--rounds 7]
"""
import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from benchmarks.production_env import production_env  # noqa: E402

TARGET = 0.9
PATHS = ("/api/v1/health/", "/api/v1/questions/1973/", "/api/v1/questions/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    os.environ.update(production_env(tempfile.mkdtemp(prefix="bench-api-cpu-"), "testserver",
                                     API_THROTTLE_ANON="100000000/min"))
    warnings.simplefilter("ignore")  # whitenoise's "no static root" on a bare checkout
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("loadquestions", verbosity=0)
    client = Client()
    for path in PATHS:  # warm: the per-process copies, the throttle's lease, query plans
        for _ in range(50):
            assert client.get(path).status_code == 200, path
    best = dict.fromkeys(PATHS, float("inf"))
    for _ in range(args.rounds):
        for path in PATHS:
            started = time.process_time()
            for _ in range(args.requests):
                client.get(path)
            best[path] = min(best[path], (time.process_time() - started) / args.requests * 1e6)
    trivial = best[PATHS[0]]
    print(f"CPU per warm anonymous request, in process, best of {args.rounds} x {args.requests}")
    for path in PATHS:
        print(f"GET {path:28} {best[path]:7.0f} us   ratio to trivial {trivial / best[path]:.2f}"
              + ("" if path == PATHS[0] else f"  (target >= {TARGET})"))


if __name__ == "__main__":
    main()
