"""The lab deployer: plan, up, status, burst, down for one model service, with guardrails.

A Python API first (the labs web app calls it), the CLI in __main__.py second. Each job is a
module of its own: plan.py, up.py, status.py, teardown.py (and burst.py); `Deployer` is the one
object that holds a lab's guarded session and clients (access.py) and hands it to them. Long
operations are generators of `Event`s so a caller can show progress while they run; each raises
`DeployError` (or `GuardrailError`, `ConfigError`) when it cannot finish, after saying why.
"""
from collections.abc import Iterator

from . import burst as bursts
from . import plan as plans
from . import preflight as preflights
from . import status as statuses
from . import teardown, up as ups
from .access import LabStack
from .config import DOWN_TIMEOUT_S
from .events import DeployError, Event
from .guardrails import GuardrailError
from .plan import Plan
from .status import LabStatus

__all__ = ["Deployer", "LabStatus", "Plan"]


class Deployer(LabStack):
    """One lab's stack. Every job checks the account allow-list (access.py) before anything else."""

    def preflight(self) -> list[preflights.Check]:
        """The read-only prerequisite checks (preflight.py); the account check raises first."""
        return plans.preflight(self)

    def plan(self) -> Plan:
        """What `up` would create, its caps, cost and prerequisite checks (plan.py). Read-only."""
        return plans.plan(self)

    def up(self, upload_model: bool = True, ballast_mb: int = 0) -> Iterator[Event]:
        """Create the stack, stream its events, upload and verify the model (up.py)."""
        return ups.up(self, upload_model, ballast_mb)

    def _upload_and_verify_model(self, ballast_mb: int) -> Iterator[Event]:
        return ups.upload_and_verify_model(self, ballast_mb)

    def status(self) -> LabStatus:
        """What the stack is doing now (status.py); cheap to call again on a kept Deployer."""
        return statuses.read(self)

    def burst(self, count: int, via: str = "auto", api_url: str | None = None,
              inputs_per_job: int = 1, workers: int = 8) -> Iterator[Event]:
        """Submit `count` jobs through the API (signed with the caller's IAM identity) or the queue.

        via="auto" uses the API when the stack has one and says so; "queue" sends with SQS
        SendMessageBatch; "api" insists on the API. Each job is the job contract's message
        (reference_impl.jobs.encode) made of the model's own sample inputs.
        """
        if not 1 <= count <= bursts.MAX_BURST:
            raise ValueError(f"count is {count}; a burst is 1 to {bursts.MAX_BURST} jobs")
        if via not in ("auto", "api", "queue"):
            raise ValueError(f"via is {via!r}; allowed: auto, api, queue")
        ids = self._physical_ids()
        url = api_url or self._api_url(ids)
        if via == "api" and url is None:
            raise DeployError(f"stack {self.config.stack_name} has no API")
        if via in ("auto", "api") and url is not None:
            yield Event("info", f"submitting {count} jobs through the API: POST {url}/jobs (SigV4-signed)", 0, count)
            credentials = self._checked().get_credentials()
            if credentials is None:
                raise GuardrailError("no AWS credentials in the standard chain to sign API requests with")
            make = bursts.job_maker(self.config.model_name, inputs_per_job, for_api=True)
            yield from bursts.through_api(url, count, make, credentials.get_frozen_credentials(),
                                         self.config.region, workers)
        else:
            why = "as asked" if via == "queue" else "the stack has no API URL"
            yield Event("info", f"submitting {count} jobs directly to the queue ({why}): {ids['JobQueue']}", 0, count)
            make = bursts.job_maker(self.config.model_name, inputs_per_job)
            yield from bursts.to_queue(self._client("sqs"), ids["JobQueue"], count, make)

    def down(self, timeout_s: float = DOWN_TIMEOUT_S) -> Iterator[Event]:
        """Stop the work, empty the bucket, delete the stack, within `timeout_s` (teardown.py)."""
        return teardown.down(self, timeout_s)

    def retry_delete(self, timeout_s: float = DOWN_TIMEOUT_S) -> Iterator[Event]:
        """Delete a stack again after DELETE_FAILED (LabStatus.reason says what failed)."""
        return teardown.down(self, timeout_s)

    def _sweep_outside_the_stack(self) -> None:
        teardown.sweep_outside_the_stack(self)
