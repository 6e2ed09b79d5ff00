"""`make run`: the web app, its background job worker and the reference system's local runtime.

First the database is migrated and the question bank loaded, in this process (one Django start,
not one per command); then the web app starts, and only once it answers do the worker and the
runtime (LocalStack is a few seconds of CPU) start, so on two cores they do not delay the first
page.

The job worker (`manage.py db_worker`, django-tasks' database backend) sends labs' bursts, polls
labs and tears down expired ones (labs/tasks.py). The runtime (`python -m reference_impl local
up`: LocalStack on loopback, the models, the autoscaler) is what `python -m reference_impl
submit/status/result` talk to; labs start runtimes of their own. Ctrl-C stops all three. If the
runtime or the worker cannot start, the web app keeps running and says so.
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from reference_impl.envvars import env_int

ROOT = Path(__file__).resolve().parent.parent
WEB_STARTS_WITHIN_S = 120  # then the worker and runtime start anyway, and the loop below reports a dead web app


def prepare_database() -> None:
    """`manage.py migrate` and `manage.py loadquestions`, in one Django start."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    call_command("migrate", interactive=False)
    call_command("loadquestions")
    connections.close_all()  # the servers below open their own


def wait_listening(port: int, web: subprocess.Popen, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline and web.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studyapp.devstack")
    parser.add_argument("--port", type=int, default=env_int("PORT", 8000, 1, 65535))
    parser.add_argument("--no-runtime", action="store_true", help="serve the web app and its job worker only")
    args = parser.parse_args(argv)
    prepare_database()
    procs = {"web": subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{args.port}"], cwd=ROOT)}
    wait_listening(args.port, procs["web"], WEB_STARTS_WITHIN_S)
    # No autoreloader for the worker: its reloader parent would not pass SIGTERM on to the worker.
    procs["worker"] = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.5"],
                                       cwd=ROOT)
    if not args.no_runtime:
        log = ROOT / "var" / "local-runtime.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        print(f"starting the reference system's local runtime (log: {log.relative_to(ROOT)})", flush=True)
        with open(log, "ab") as out:
            procs["runtime"] = subprocess.Popen([sys.executable, "-m", "reference_impl", "local", "up"],
                                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    warned = set()
    while not stopping:
        if procs["web"].poll() is not None:
            break
        runtime = procs.get("runtime")
        if runtime is not None and runtime.poll() is not None and "runtime" not in warned:
            print(f"the local runtime stopped (exit {runtime.returncode}); see var/local-runtime.log. "
                  "The web app keeps running.", flush=True)
            warned.add("runtime")
        if procs["worker"].poll() is not None and "worker" not in warned:
            print(f"the job worker stopped (exit {procs['worker'].returncode}): labs' bursts and polls wait "
                  "until it runs again (manage.py db_worker).", flush=True)
            warned.add("worker")
        time.sleep(0.5)
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
