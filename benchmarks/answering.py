"""What one answer costs the app: POST /api/v1/questions/1973/attempts/ through Django's test
client (no network), on a fresh SQLite file in a temporary folder, with a token as other tools
send it, and DEBUG off as in production (DEBUG on logs every query and costs a millisecond an
answer more). Prints milliseconds (wall and CPU) and queries per answer, with issue #25's goal
of under 10 ms beside them; asserts nothing.

    .venv/bin/python benchmarks/answering.py [--answers 200]

The first answers of a learner create their review items; the figure is for the answers after
those (the steady state), and the first answer's cost is printed apart.
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from benchmarks.production_env import production_env  # noqa: E402


GOAL_MS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200)
    args = parser.parse_args()
    os.environ.update(production_env(tempfile.mkdtemp(prefix="bench-answering-"), "localhost", "WARNING",
                                     API_THROTTLE_USER="100000000/min"))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    call_command("loadquestions", verbosity=0)
    User.objects.create_user("bench", password="a-Long-enough-passw0rd")
    client = Client(HTTP_HOST="localhost")
    token = client.post("/api/v1/auth/token/", json.dumps({"username": "bench", "password": "a-Long-enough-passw0rd"}),
                        content_type="application/json").json()["token"]

    def answer() -> None:
        response = client.post("/api/v1/questions/1973/attempts/", json.dumps({"selected": ["D"]}),
                               content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 201, response.content

    start = time.perf_counter()
    answer()
    print(f"first answer (creates the review items): {(time.perf_counter() - start) * 1000:.1f} ms")
    with CaptureQueriesContext(connection) as queries:
        answer()
        count = len(queries.captured_queries)  # read inside: the request's end may close the connection
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.answers):
        answer()
    per_answer = (time.perf_counter() - start) * 1000 / args.answers
    per_answer_cpu = (time.process_time() - cpu) * 1000 / args.answers
    print(f"later answers: {per_answer:.1f} ms each ({per_answer_cpu:.1f} ms CPU) over {args.answers}, "
          f"{count} queries each (the shared cache's included); goal under {GOAL_MS} ms")


if __name__ == "__main__":
    main()
