"""Django's development server with and without TCP_NODELAY (studyapp/devserver.py): the time of
one small request (GET /api/v1/health/) from a keep-alive HTTP client, Django's own server class
against the project's, each in a live server thread as the tests run it (runserver uses the same
classes). Target: no delayed-ACK stall, a request in a few ms, not about 40 more. Prints
figures; asserts nothing.

    .venv/bin/python benchmarks/dev_server.py [--requests 50]
"""
import argparse
import http.client
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from benchmarks.production_env import production_env  # noqa: E402


def per_request_ms(server_class, requests: int) -> float:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)  # as pytest-django's live_server
    thread.server_class = server_class
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", thread.port)
        for _ in range(3):  # warm: the connection, the URL resolver, the view
            connection.request("GET", "/api/v1/health/")
            connection.getresponse().read()
        started = time.perf_counter()
        for _ in range(requests):
            connection.request("GET", "/api/v1/health/")
            response = connection.getresponse()
            response.read()
            assert response.status == 200
        connection.close()
        return (time.perf_counter() - started) / requests * 1000
    finally:
        thread.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    os.environ.update(production_env(tempfile.mkdtemp(prefix="bench-dev-server-"), "127.0.0.1"))
    warnings.simplefilter("ignore")  # whitenoise's "no static root" on a bare checkout
    import django

    django.setup()
    from django.core.servers import basehttp

    from studyapp.devserver import ThreadedWSGIServer

    djangos = per_request_ms(basehttp.ThreadedWSGIServer, args.requests)
    ours = per_request_ms(ThreadedWSGIServer, args.requests)
    print(f"GET /api/v1/health/ through the live server, {args.requests} keep-alive requests")
    print(f"  {'Django’s server class':34}{djangos:6.1f} ms a request")
    print(f"  {'with TCP_NODELAY (the project’s)':34}{ours:6.1f} ms a request  (goal: no ~40 ms stall)")


if __name__ == "__main__":
    main()
