"""How long the suite takes, and where its CPU goes: `make test-fast` (goal under 60 s) and, with
--full, `make test` (goal under 4 min), each on two idle cores (issue #25, item 4).

Prints wall seconds, the ratio to the goal, CPU seconds, and the ratio of CPU to wall (near 2.0
means both cores were busy the whole time: then only less work makes it faster, not more
processes), then the CPU by kind of process (benchmarks/cpu_by_process.py). The machine's load
average is printed first: on a busy machine the figures are not the idle ones the goals mean.
Asserts nothing.

    .venv/bin/python benchmarks/suite.py [--full]
"""
import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOALS_S = {"test-fast": 60.0, "test": 240.0}


def timed(target: str) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    # cpu_by_process.py runs the command and prints its CPU by kind of process.
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "cpu_by_process.py"), "make",
                             "--no-print-directory", target, "PYTEST_ARGS=-q"], cwd=ROOT)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    goal = GOALS_S[target]
    print(f"{f'make {target} (goal < {goal:.0f} s)':48} {wall:6.0f} s wall  ratio to goal {wall / goal:.2f}  "
          f"{cpu:6.0f} s CPU  CPU / wall {cpu / wall:.2f}  exit {result.returncode}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="also time `make test` (about ten minutes)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    timed("test-fast")
    if args.full:
        timed("test")


if __name__ == "__main__":
    main()
