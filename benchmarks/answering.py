"""What one answer costs the app: POST /api/v1/questions/1973/attempts/ through Django's test
client (no network), on a fresh SQLite file in a temporary folder, with a token as other tools
send it. Prints milliseconds and queries per answer; asserts nothing.

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200)
    args = parser.parse_args()
    os.environ.update({"VAR_DIR": tempfile.mkdtemp(prefix="bench-answering-"), "DEBUG": "1",
                       "API_THROTTLE_USER": "100000000/min", "DJANGO_SETTINGS_MODULE": "studyapp.settings"})
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
    start = time.perf_counter()
    for _ in range(args.answers):
        answer()
    per_answer = (time.perf_counter() - start) * 1000 / args.answers
    print(f"later answers: {per_answer:.1f} ms each over {args.answers}, {count} queries each "
          "(the shared cache's included)")


if __name__ == "__main__":
    main()
