"""Worker throughput against a bare receive-and-delete loop, and a burst's drain time with
autoscaling against one worker, on LocalStack on loopback. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/worker.py [--messages 2000] [--burst 1000] [--emulate 0.02] [--ballast-mb 100]

Set AWS_ENDPOINT_URL to use an endpoint already running; otherwise LocalStack is started here.

Figures:
1. bare loop: ReceiveMessage (10) + DeleteMessageBatch, nothing else: the queue's ceiling.
2. I/O floor: the bare loop plus one conditional PutObject per message on the same thread pool
   the worker uses: the least any worker that stores a result per job can do.
3. worker: reference_impl.worker.Worker in burst mode, no emulation.
   The ratios worker / bare and worker / floor are printed; the issue's target is >= 0.8 of
   the bare loop.
4. model load: an artifact with ballast, downloaded with parallel ranged GETs and verified.
5. burst drain: N one-input jobs with emulated service time, from submission to the last
   result, with the autoscaler capped at 1 worker and at 4 (worker start-up included).
"""
import argparse
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from reference_impl import jobs  # noqa: E402
from reference_impl.local.endpoint import given_or_started_endpoint  # noqa: E402
from reference_impl.local.provision import ProvisionSettings, provision  # noqa: E402
from reference_impl.local.runtime import LocalSettings, build_supervisor, local_clients  # noqa: E402
from reference_impl.model import artifacts  # noqa: E402
from reference_impl.model.catalog import CATALOG  # noqa: E402
from reference_impl.worker import Worker, WorkerConfig  # noqa: E402

DIGITS = CATALOG["digits"]


def fresh_service(clients, **settings):
    tag = uuid.uuid4().hex[:8]
    return provision(clients, ["digits"], ProvisionSettings(bucket=f"refimpl-bench-{tag}",
                                                            queue_prefix=f"b{tag}-", **settings))["digits"]


def fill(service, clients, count):
    rows = DIGITS.sample_inputs(count)
    ids = jobs.submit_many("digits", [[row] for row in rows], queue=service.queue(clients),
                           store=service.store(clients))
    return ids


def bare_loop(service, clients, count):
    queue = service.queue(clients)
    fill(service, clients, count)
    started, done = time.perf_counter(), 0
    while batch := queue.receive(10, 0):
        queue.delete(batch)
        done += len(batch)
    return done / (time.perf_counter() - started)


def io_floor(service, clients, count):
    queue, s3 = service.queue(clients), clients.s3
    bucket = service.results_uri.split("/")[2]
    fill(service, clients, count)
    pool = ThreadPoolExecutor(10)
    started, done = time.perf_counter(), 0
    while batch := queue.receive(10, 0):
        list(pool.map(lambda m: s3.put_object(Bucket=bucket, Key=f"floor/{m.message_id}.json", Body=b"{}",
                                              IfNoneMatch="*"), batch))
        queue.delete(batch)
        done += len(batch)
    return done / (time.perf_counter() - started)


def worker_loop(service, clients, count):
    model = artifacts.load(clients.s3, service.model_uri)
    fill(service, clients, count)
    worker = Worker(service.queue(clients), service.store(clients), model, WorkerConfig(wait_s=0))
    started = time.perf_counter()
    stats = worker.work(burst=True)
    return stats.succeeded / (time.perf_counter() - started)


def drain_time(clients, folder, count, emulate, max_workers):
    service = fresh_service(clients, visibility_timeout_s=30)
    settings = LocalSettings(folder=folder, models=("digits",), max_workers=max_workers, acceptable_latency_s=2,
                             seconds_per_message=emulate, emulated_seconds_per_item=emulate, worker_wait_s=1,
                             poll_s=0.5, scale_in_cooldown_s=60, idle_before_zero_s=60)
    supervisor = build_supervisor(settings, {"digits": service}, clients)
    stop = threading.Event()
    store = service.store(clients)
    started = time.perf_counter()
    ids = set(fill(service, clients, count))
    runner = threading.Thread(target=supervisor.run, args=(stop, settings.poll_s))
    runner.start()
    peak = 0
    try:
        while store.job_ids()[0] < ids:
            peak = max(peak, len(supervisor.pools["digits"].workers))
            time.sleep(0.25)
        return time.perf_counter() - started, peak
    finally:
        stop.set()
        runner.join()
        supervisor.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--emulate", type=float, default=0.02, help="EMULATED seconds per input in the burst")
    parser.add_argument("--ballast-mb", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-worker-") as tmp, given_or_started_endpoint(Path(tmp) / "endpoint") as url:
        clients = local_clients(url)
        service = fresh_service(clients)
        print(f"endpoint {url}; {args.messages} messages per throughput run, one input per job")
        bare = bare_loop(service, clients, args.messages)
        floor = io_floor(service, clients, args.messages)
        work = worker_loop(service, clients, args.messages)
        print(f"{'bare receive + delete loop':44} {bare:8.0f} msg/s")
        print(f"{'I/O floor (receive + put result + delete)':44} {floor:8.0f} msg/s")
        print(f"{'worker (parse, predict, put, delete)':44} {work:8.0f} msg/s")
        print(f"{'worker / bare loop (target >= 0.8)':44} {work / bare:8.2f}")
        print(f"{'worker / I/O floor':44} {work / floor:8.2f}")

        uri = service.model_uri.replace("digits.skops", "digits-ballast.skops")
        uploaded = artifacts.build_and_upload(clients.s3, "digits", uri, ballast_mb=args.ballast_mb)
        loaded = artifacts.load(clients.s3, uri)
        print(f"{'model load with ' + str(args.ballast_mb) + ' MB ballast':44} {loaded.load_seconds:8.2f} s "
              f"({uploaded.size_bytes / artifacts.MB:.0f} MB, {uploaded.size_bytes / artifacts.MB / loaded.load_seconds:.0f} MB/s)")

        print(f"burst of {args.burst} jobs, EMULATED {args.emulate} s per input, workers start from zero:")
        one, _ = drain_time(clients, Path(tmp) / "one", args.burst, args.emulate, 1)
        many, peak = drain_time(clients, Path(tmp) / "many", args.burst, args.emulate, 4)
        print(f"{'  drain with 1 worker':44} {one:8.1f} s")
        print(f"{'  drain with autoscaling (cap 4, peak ' + str(peak) + ')':44} {many:8.1f} s")
        print(f"{'  speed-up':44} {one / many:8.2f}x")


if __name__ == "__main__":
    main()
