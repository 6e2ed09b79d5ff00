"""``python -m reference_impl``: run the system locally and talk to it.

    python -m reference_impl local up [--max-workers N] [--endpoint-url URL] ...
    python -m reference_impl submit --model digits --count 200 [--batch-size 5]
    python -m reference_impl status [--json]
    python -m reference_impl result JOB_ID [--json]

``submit``, ``status`` and ``result`` find the running runtime through its state folder
(``REFIMPL_STATE_DIR``, default ``var/local``).
"""
import argparse
import json
import logging
import random
import sys
import time

from reference_impl import jobs
from reference_impl.envvars import SettingError
from reference_impl.local import NotRunning, state, status as local_status
from reference_impl.local import runtime
from reference_impl.local.endpoint import EndpointError
from reference_impl.model.catalog import CATALOG, spec as model_spec
from reference_impl.queues import QueueUnavailable
from reference_impl.results import StoreUnavailable


def _services_and_clients():
    info = state.read_runtime()
    return state.services(), runtime.local_clients(info["endpoint_url"])


def cmd_local_up(args) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return runtime.up(runtime.settings_from_args(args))


def cmd_submit(args) -> int:
    services, clients = _services_and_clients()
    if args.model not in services:
        raise ValueError(f"--model: {args.model!r} is not served by the running runtime; served: {', '.join(services)}")
    spec = model_spec(args.model)
    offset = random.randrange(10_000)
    batches = [spec.sample_inputs(args.batch_size, offset + i * args.batch_size) for i in range(args.count)]
    started = time.perf_counter()
    ids = jobs.submit_many(args.model, batches, queue=services[args.model].queue(clients),
                           store=services[args.model].store(clients))
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({"model": args.model, "job_ids": ids, "seconds": round(seconds, 3)}))
    else:
        print(f"submitted {len(ids)} job(s) of {args.batch_size} input(s) to {args.model} in {seconds:.2f} s")
        for job_id in ids[:3]:
            print(f"  {job_id}")
        if len(ids) > 3:
            print(f"  ... and {len(ids) - 3} more; read one with `python -m reference_impl result {ids[0]}`")
    return 0


def cmd_status(args) -> int:
    report = local_status()
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return 0
    alive = "running" if report["supervisor_alive"] else "NOT RUNNING (stale state)"
    print(f"endpoint {report['endpoint_url']}, supervisor pid {report['supervisor_pid']} {alive}")
    for restart in report["endpoint_restarts"]:
        when = time.strftime("%H:%M:%S", time.localtime(restart["at"]))
        lost, results = restart["lost_jobs"], restart.get("lost_results", {})
        counted = (time.strftime("%H:%M:%S", time.localtime(restart["counted_at"]))
                   if restart.get("counted_at") else "never")
        print(f"endpoint restarted at {when} (LocalStack exited with {restart['exit_code']}): "
              f"{sum(lost.values())} unfinished job(s) lost, queued or running"
              f" ({', '.join(f'{m} {n}' for m, n in lost.items())}), and {sum(results.values())} finished "
              f"result(s) lost ({', '.join(f'{m} {n}' for m, n in results.items())}); counted at {counted}, "
              "the last reading before the loss; the local endpoint keeps everything in memory")
    for name, entry in report["models"].items():
        queue = (f"visible {entry.get('visible', '?')}, in flight {entry.get('in_flight', '?')}, "
                 f"dead-letter {entry.get('dead_letter', '?')}")
        print(f"\n{name}: {queue}; workers desired {entry['desired']}, running {entry['running']} "
              f"({entry['busy']} busy), stopping {entry['stopping']}")
        if entry.get("queue_error"):
            print(f"  queue unavailable: {entry['queue_error']}")
        for decision in entry["recent_decisions"]:
            when = time.strftime("%H:%M:%S", time.localtime(decision["ts"]))
            print(f"  {when} {decision['action']:<9} -> {decision.get('desired')}: {decision['reason']}")
    return 0


# The statuses a lookup at a wrong model's store cannot settle: try the next service.
_NOT_FOUND = ("pending", "unknown")


def cmd_result(args) -> int:
    services, clients = _services_and_clients()
    model = jobs.model_of(args.job_id)
    candidates = [services[model]] if model in services else list(services.values())
    report = {"job_id": args.job_id, "status": "pending"}
    for service in candidates:
        report = jobs.get(args.job_id, store=service.store(clients))
        if report["status"] not in _NOT_FOUND:
            break
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(describe_result(report))
    return 1 if report["status"] in ("failed", "unknown") else 0


def describe_result(report: dict) -> str:
    """One job's status as ``result`` prints it."""
    job_id, status = report["job_id"], report["status"]
    if status == "done":
        result = report["result"]
        waited = (f", {result['completed_at'] - result['submitted_at']:.2f} s after submission"
                  if result.get("submitted_at") else "")
        return (f"{job_id}: done by {result['worker']} (attempt {result['attempt']}){waited}\n"
                f"predictions: {result['predictions']}")
    if status == "failed":
        error = report["error"]
        return (f"{job_id}: failed: {error['reason']}\n"
                f"(attempt {error['attempt']} of {error['max_attempts']}; the message is in the dead-letter queue)")
    if status == "retrying":
        error = report["error"]
        return (f"{job_id}: retrying after attempt {error['attempt']} of {error['max_attempts'] or 'unlimited'} "
                f"failed: {error['reason']}")
    if status == "queued":
        return f"{job_id}: queued or running"
    if status == "running":
        return f"{job_id}: running its last allowed delivery ({report['attempt']} of {report['max_attempts']})"
    if status == "unknown":
        return (f"{job_id}: not known to this endpoint: never submitted here, or submitted before the endpoint "
                "restarted (the local endpoint keeps jobs and results in memory only); submit it again")
    return f"{job_id}: no result yet (queued or running; this id carries no submission record to check)"


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m reference_impl", description=__doc__.split("\n\n")[0])
    commands = root.add_subparsers(dest="command", required=True)
    local = commands.add_parser("local", help="the local runtime").add_subparsers(dest="local_command", required=True)
    up = local.add_parser("up", help="start everything in the foreground; Ctrl-C stops it all")
    runtime.add_arguments(up)
    up.set_defaults(func=cmd_local_up)
    submit = commands.add_parser("submit", help="queue jobs made of the model's own sample inputs")
    submit.add_argument("--model", required=True, choices=sorted(CATALOG))
    submit.add_argument("--count", type=int, default=1, help="number of jobs (1-100000)")
    submit.add_argument("--batch-size", type=int, default=1, help=f"inputs per job (1-{jobs.MAX_INPUTS_PER_JOB})")
    submit.add_argument("--json", action="store_true")
    submit.set_defaults(func=cmd_submit)
    stat = commands.add_parser("status", help="queues, workers and recent scaling decisions per model")
    stat.add_argument("--json", action="store_true")
    stat.set_defaults(func=cmd_status)
    result = commands.add_parser("result", help="a job's status and result")
    result.add_argument("job_id")
    result.add_argument("--json", action="store_true")
    result.set_defaults(func=cmd_result)
    return root


def main(argv=None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command == "submit":
        if not 1 <= args.count <= 100_000:
            p.error(f"--count must be 1-100000, got {args.count}")
        if not 1 <= args.batch_size <= jobs.MAX_INPUTS_PER_JOB:
            p.error(f"--batch-size must be 1-{jobs.MAX_INPUTS_PER_JOB}, got {args.batch_size}")
    try:
        return args.func(args)
    except (NotRunning, SettingError, ValueError, EndpointError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (QueueUnavailable, StoreUnavailable) as exc:
        print(f"error: the local endpoint is not answering: {exc}", file=sys.stderr)
        return 3
