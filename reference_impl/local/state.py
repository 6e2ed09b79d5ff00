"""The files the local runtime shares between its processes, and readers for them.

Layout under the state folder (``REFIMPL_STATE_DIR``, default ``var/local`` in the project):

* ``runtime.json``: the endpoint URL and every model's service (queue URLs, artifact, results),
  written by ``local up`` once provisioned; ``submit``, ``status``, ``result`` and the labs
  dashboard read it.
* ``supervisor.json``: the supervisor's latest view per model (desired, running, workers),
  replaced every poll.
* ``decisions.jsonl``: every scaling decision, one JSON object a line, with its inputs (visible,
  in flight, running), outcome (desired, action) and reason, plus which workers were started or
  stopped. Rotated to ``decisions.1.jsonl`` past 20 MB.
* ``changes.jsonl``: the same records for the decisions that changed something (scaled, started
  or stopped a worker, saw one exit): what ``status`` shows as recent decisions.
* ``workers/<model>/<pid>.json``: each worker's status file (state, protected, counters).
* ``logs/``: LocalStack's and each worker's output.
"""
import json
import os
import tempfile
from pathlib import Path

from reference_impl.service import ModelService

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ROTATE_BYTES = 20 * 1024 * 1024


class NotRunning(RuntimeError):
    """No local runtime has written its runtime file in this state folder."""


def state_dir(environ=os.environ) -> Path:
    return Path(environ.get("REFIMPL_STATE_DIR") or PROJECT_ROOT / "var" / "local")


def write_json(path: Path, data) -> None:
    """Replace ``path`` atomically, so readers in other processes never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=1)
    os.replace(tmp, path)


def read_json(path: Path):
    try:
        with open(path) as fh:
            return json.load(fh)
    except FileNotFoundError:
        return None


def read_runtime(folder: Path | None = None) -> dict:
    folder = Path(folder or state_dir())
    runtime = read_json(folder / "runtime.json")
    if runtime is None:
        raise NotRunning(f"no local runtime in {folder}: start one with `python -m reference_impl local up` "
                         "(or set REFIMPL_STATE_DIR to its folder)")
    return runtime


def services(folder: Path | None = None, runtime: dict | None = None) -> dict[str, ModelService]:
    """The running local runtime's model services, by model name.

    Pass the ``runtime`` already read to avoid a second read: a runtime shutting down removes its
    file, and a caller reading twice would see it present, then gone.
    """
    runtime = runtime if runtime is not None else read_runtime(folder)
    return {name: ModelService(**svc) for name, svc in runtime["models"].items()}


def worker_dir(folder: Path, model: str) -> Path:
    return Path(folder) / "workers" / model


def is_change(record: dict) -> bool:
    """A decision that scaled, started or stopped a worker, or saw a worker exit."""
    return (record.get("action") != "hold" or bool(record.get("started")) or bool(record.get("stopped"))
            or bool(record.get("events")))


def _append(path: Path, record: dict) -> None:
    if path.exists() and path.stat().st_size > ROTATE_BYTES:
        os.replace(path, path.with_name(path.stem + ".1.jsonl"))
    with open(path, "a") as fh:
        fh.write(json.dumps(record, sort_keys=True) + "\n")


def append_decision(folder: Path, record: dict) -> None:
    _append(Path(folder) / "decisions.jsonl", record)
    # The changes alone, in a file of their own: a dashboard asks for the recent ones every few
    # seconds, and the full log holds a line per model per poll.
    if is_change(record):
        _append(Path(folder) / "changes.jsonl", record)


def read_decisions(folder: Path, model: str | None = None, limit: int | None = None,
                   changes_only: bool = False) -> list[dict]:
    """Decisions in order, optionally one model's, only the changes (is_change), the last ``limit``."""
    path = Path(folder) / ("changes.jsonl" if changes_only else "decisions.jsonl")
    if not path.exists():
        return []
    out = []
    with open(path) as fh:
        for line in fh:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line being appended right now
            if model and record.get("model") != model:
                continue
            out.append(record)
    return out[-limit:] if limit else out
