"""Where a command's CPU time goes, by kind of process: runs the command, samples /proc every
0.3 s, and prints the CPU seconds of every process seen while it ran, grouped (pytest workers,
Chromium, LocalStack, reference workers, local runtimes, gunicorn, ...). Linux only. A process
that lives less than one sample is missed, and one's last 0.3 s may be; the total is a floor.

    python3 benchmarks/cpu_by_process.py make test PYTEST_ARGS=-q
"""
import collections
import os
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")
# The first matching word names the group (pytest before localstack: `pytest -m localstack`).
GROUPS = [(".venv-localstack", "localstack"), ("reference_impl.worker", "reference worker"),
          ("reference_impl local", "local runtime"), ("chrom", "chromium"), ("db_worker", "db_worker"),
          ("execnet", "pytest worker"), ("-u -c import", "pytest worker"), ("pytest", "pytest"),
          ("devstack", "devstack"), ("runserver", "devstack"), ("gunicorn", "gunicorn"),
          ("postgres", "postgres"), ("playwright", "playwright"), ("manage.py", "manage.py")]


def group(command: str) -> str:
    return next((name for word, name in GROUPS if word in command), command[:40] or "(no command line)")


def sample(seen: dict, base: dict, first: bool) -> None:
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                command = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        key, cpu = (pid, fields[19]), (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
        base.setdefault(key, cpu if first else 0.0)  # what ran before the command does not count
        # A process that has exited (a zombie) has no command line left: keep the group it had.
        name = group(command) if command or key not in seen else seen[key][0]
        seen[key] = (name, cpu - base[key])


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    seen: dict = {}
    base: dict = {}
    sample(seen, base, first=True)
    start = time.monotonic()
    process = subprocess.Popen(sys.argv[1:])
    while process.poll() is None:
        sample(seen, base, first=False)
        time.sleep(0.3)
    totals: collections.Counter[str] = collections.Counter()
    for name, cpu in seen.values():
        totals[name] += cpu
    print(f"\n{time.monotonic() - start:.0f} s wall, exit {process.returncode}; CPU seconds by process:")
    for name, cpu in totals.most_common(15):
        if cpu >= 0.5:
            print(f"{cpu:8.1f}  {name}")
    sys.exit(process.returncode)


if __name__ == "__main__":
    main()
