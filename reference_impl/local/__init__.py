"""The reference system on one machine: endpoint, provisioning, autoscaler, status.

``status()`` is what ``python -m reference_impl status`` prints and what a dashboard reads.
"""
import os
from pathlib import Path

from reference_impl.local import state
from reference_impl.queues import QueueUnavailable
from reference_impl.local.state import NotRunning, services

__all__ = ["NotRunning", "services", "status"]


def _alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
        return True
    except (ProcessLookupError, PermissionError, TypeError, ValueError):
        return False


def status(folder: Path | None = None, live: bool = True, decisions: int = 5) -> dict:
    """Per model: visible, in flight, dead-letter depth (live from the queues when ``live`` and
    the runtime is alive), desired and running workers, the workers' states and the recent
    scale-out/in decisions; and every restart of the in-memory endpoint with the jobs it lost.

    Raises NotRunning when no runtime has written its runtime file in ``folder``.
    """
    from reference_impl.local.runtime import local_clients  # boto3 only when counts are wanted

    folder = Path(folder or state.state_dir())
    runtime = state.read_runtime(folder)
    snapshot = state.read_json(folder / "supervisor.json") or {"models": {}}
    alive = _alive(runtime.get("pid"))
    # A runtime that died without cleaning up took its endpoint with it: asking the endpoint
    # would only wait for connection timeouts.
    clients = local_clients(runtime["endpoint_url"]) if live and alive else None
    out = {"endpoint_url": runtime["endpoint_url"], "supervisor_pid": runtime.get("pid"),
           "supervisor_alive": alive, "updated_at": snapshot.get("updated_at"),
           "endpoint_restarts": runtime.get("endpoint_restarts", []), "models": {}}
    for name, svc in state.services(runtime=runtime).items():
        pool = snapshot["models"].get(name, {})
        entry = {"desired": pool.get("desired", 0), "running": pool.get("running", 0),
                 "stopping": pool.get("stopping", 0), "workers": pool.get("workers", []),
                 "busy": sum(1 for w in pool.get("workers", []) if w.get("protected")),
                 "last_decision": pool.get("last_decision"), "policy": pool.get("policy"),
                 "recent_decisions": state.read_decisions(folder, name, limit=decisions, changes_only=True)}
        if clients is not None:
            try:
                counts = svc.queue(clients).counts()
                dead = svc.dead_letter_queue(clients).counts()
                entry.update(visible=counts.visible, in_flight=counts.in_flight,
                             dead_letter=dead.visible + dead.in_flight)
            except QueueUnavailable as exc:
                entry["queue_error"] = str(exc)
        out["models"][name] = entry
    return out
