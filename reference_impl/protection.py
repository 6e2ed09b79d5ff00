"""Scale-in protection: a busy worker tells its scaler not to pick it.

On ECS the task calls its agent's task-protection endpoint
(``PUT $ECS_AGENT_URI/task-protection/v1/state``; protection lasts ``ExpiresInMinutes``, 1-2,880,
default 120;
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-scale-in-protection-endpoint.html),
so a service scale-in stops an idle task instead. Locally the worker writes the same flag into its
status file and the supervisor (local/supervisor.py) never stops a worker whose flag is set.

Workers switch protection only when they change between busy and idle, not per batch.
"""
import json
import logging
import os
import tempfile
import time
import urllib.error
import urllib.request

log = logging.getLogger(__name__)


class NoProtection:
    def set_protected(self, protected: bool) -> None:
        pass

    def report(self, **fields) -> None:
        pass


class EcsTaskProtection(NoProtection):
    # Long enough to cover a batch that is extended for a while; short enough that a task that
    # dies while protected does not block scale-in for long. The worker renews it per busy spell.
    EXPIRES_IN_MINUTES = 60

    def __init__(self, agent_uri: str):
        self.url = agent_uri.rstrip("/") + "/task-protection/v1/state"

    def set_protected(self, protected):
        body = {"ProtectionEnabled": protected}
        if protected:
            body["ExpiresInMinutes"] = self.EXPIRES_IN_MINUTES
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), method="PUT",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=3) as response:
                response.read()
        except (urllib.error.URLError, TimeoutError) as exc:
            # Not fatal: without protection a scale-in may pick this task, and the SIGTERM path
            # still finishes or releases the batch.
            log.warning("task protection update to %s failed: %s", protected, exc, exc_info=True)


class StatusFile(NoProtection):
    """The local worker registry entry: one JSON file per worker, replaced atomically."""

    def __init__(self, path: str, **fields):
        self.path = path
        self.fields = {"pid": os.getpid(), "protected": False, "state": "starting", **fields}
        self._write()

    def _write(self):
        self.fields["updated_at"] = time.time()
        directory = os.path.dirname(self.path)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        with os.fdopen(fd, "w") as fh:
            json.dump(self.fields, fh)
        os.replace(tmp, self.path)

    def set_protected(self, protected):
        self.fields["protected"] = protected
        self.fields["state"] = "busy" if protected else "idle"
        self._write()

    def report(self, **fields):
        self.fields.update(fields)
        self._write()


def read_status_file(path: str) -> dict | None:
    try:
        with open(path) as fh:
            return json.load(fh)
    except (FileNotFoundError, json.JSONDecodeError):
        # Missing: not started yet or removed. Unparseable cannot happen with os.replace, but a
        # reader must never crash the supervisor.
        return None
