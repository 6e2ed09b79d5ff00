"""Deploy one model service of the reference system to a sandbox AWS account, with guardrails.

`Deployer(LabConfig(...)).plan() / up() / status() / burst(n) / down() / retry_delete()`; the CLI is
`python -m reference_impl.deploy`. Framework-free: the labs web app imports this package.
"""
from .config import DOWN_TIMEOUT_S, MAX_TASKS_CAP, MAX_TTL_MINUTES, ConfigError, LabConfig, default_policy
from .deployer import Deployer, LabStatus, Plan
from .events import DeployError, Event
from .guardrails import GuardrailError

__all__ = ["ConfigError", "DOWN_TIMEOUT_S", "DeployError", "Deployer", "Event", "GuardrailError", "LabConfig",
           "LabStatus", "MAX_TASKS_CAP", "MAX_TTL_MINUTES", "Plan", "default_policy"]
