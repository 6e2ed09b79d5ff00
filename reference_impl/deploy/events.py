"""What the deployer's long operations report while they run, and how they fail."""
from dataclasses import dataclass, field


class DeployError(RuntimeError):
    """AWS refused or failed an operation; the message carries CloudFormation's reason."""


@dataclass(frozen=True)
class Event:
    kind: str          # "info" | "changeset" | "resource" | "stack" | "progress" | "done"
    message: str
    done: int | None = None
    total: int | None = None
    data: dict = field(default_factory=dict)
