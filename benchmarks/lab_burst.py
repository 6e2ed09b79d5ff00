"""A local lab's burst: how long 1,000 jobs take to enqueue, and how soon the first worker starts.
Prints figures with their goals (issue 25, item 3); asserts nothing.

    .venv/bin/python benchmarks/lab_burst.py [--jobs 1000] [--max-workers 6] [--runs 3]

Set AWS_ENDPOINT_URL to use an endpoint already running; otherwise LocalStack is started here.
The burst is the lab's own path (reference_impl/local/burst.py, which the lab's "Send burst"
calls): the model's sample inputs, jobs.submit_many, SendMessageBatch of 10 with several
batches in flight. The autoscaler is the local runtime's, with its lab defaults (LocalSettings)
and real worker processes.

Figures, per run:
1. enqueue: from the first call to the last batch acknowledged (goal: under 3 s).
2. first worker: from the burst's start (so at or before its first message) to the autoscaler's
   decision that started the first worker process (goal: within one autoscaler poll, poll_s).
3. peak workers while the burst drains, against the cap and ceil(backlog / target).
"""
import argparse
import math
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from reference_impl.local import burst, state  # noqa: E402
from reference_impl.local.endpoint import given_or_started_endpoint  # noqa: E402
from reference_impl.local.provision import ProvisionSettings, provision  # noqa: E402
from reference_impl.local.runtime import LocalSettings, build_supervisor, local_clients  # noqa: E402


def one_run(clients, folder: Path, jobs: int, max_workers: int) -> dict:
    tag = uuid.uuid4().hex[:8]
    folder.mkdir(parents=True)
    service = provision(clients, ["digits"], ProvisionSettings(bucket=f"refimpl-lab-bench-{tag}",
                                                               queue_prefix=f"lb{tag}-"))["digits"]
    settings = LocalSettings(folder=folder, models=("digits",), max_workers=max_workers)
    supervisor = build_supervisor(settings, {"digits": service}, clients)
    stop = threading.Event()
    runner = threading.Thread(target=supervisor.run, args=(stop, settings.poll_s))
    runner.start()
    try:
        # Idle at zero first, as a lab is before its burst.
        while not state.read_decisions(folder, "digits"):
            time.sleep(0.05)
        started_at = time.time()
        t0 = time.perf_counter()
        ids = burst.send(service, clients, "digits", 0, jobs, 1)
        enqueue_s = time.perf_counter() - t0
        store = service.store(clients)
        peak = 0
        while store.job_ids()[0] < set(ids):
            peak = max(peak, sum(1 for h in supervisor.pools["digits"].workers if h.stop_sent_at is None))
            time.sleep(0.1)
        drained_s = time.time() - started_at
    finally:
        stop.set()
        runner.join()
        supervisor.shutdown()
    first = next(r for r in state.read_decisions(folder, "digits") if r.get("started"))
    policy = settings.policy()
    return {"enqueue_s": enqueue_s, "first_worker_s": first["ts"] - started_at, "poll_s": settings.poll_s,
            "peak": peak, "cap": max_workers, "drained_s": drained_s,
            "wanted": min(max_workers, math.ceil(jobs / policy.target_backlog_per_task)),
            "target": policy.target_backlog_per_task}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--max-workers", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-lab-burst-") as tmp, given_or_started_endpoint(Path(tmp) / "endpoint") as url:
        clients = local_clients(url)
        print(f"endpoint {url}; {args.jobs} one-input digits jobs per burst, cap {args.max_workers} workers")
        for n in range(args.runs):
            r = one_run(clients, Path(tmp) / f"run{n}", args.jobs, args.max_workers)
            print(f"run {n + 1}: enqueue {r['enqueue_s']:.2f} s (goal < 3 s); first worker started "
                  f"{r['first_worker_s']:.2f} s after the burst began (goal <= one poll, {r['poll_s']:g} s); "
                  f"peak {r['peak']} workers (ceil({args.jobs} / target {r['target']:g}) = {r['wanted']} "
                  f"within the cap {r['cap']}); drained in {r['drained_s']:.1f} s")


if __name__ == "__main__":
    main()
