"""`plan`: the read-only prerequisite checks, and what `up` would create, its caps and cost."""
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from . import bootstrap as bootstraps
from . import costs, preflight as preflights
from .access import LabStack
from .config import MAX_TASKS_CAP, MAX_TTL_MINUTES
from .events import DeployError
from .template import parsed_template, template_body


@dataclass(frozen=True)
class Plan:
    account: str
    caller: str
    region: str
    stack_name: str
    expires_at: str
    parameters: dict[str, str]
    tags: dict[str, str]
    resources: list[tuple[str, str]]
    caps: dict[str, str]
    cost: costs.CostEstimate
    template_check: str
    checks: list[preflights.Check] = field(default_factory=list)   # each, each pass or fail with its fix

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks)


def preflight(stack: LabStack) -> list[preflights.Check]:
    """The read-only prerequisite checks (preflight.py); the account check raises first."""
    stack.config.check()
    stack._checked()
    _, subnet_ids = stack._network()
    needed = stack.config.policy.max_tasks * costs.task_size()["vcpu"]
    return preflights.run(stack._client, stack.identity, stack._resolved(), subnet_ids, needed,
                         bootstrap=stack.bootstrap_outputs(), template_key=bootstraps.template_key())


def plan(stack: LabStack) -> Plan:
    """What `up` would create, its caps, cost and prerequisite checks. Read-only: STS identity,
    EC2 Describe*, IAM GetRole and SimulatePrincipalPolicy, ECR DescribeImages, Service Quotas,
    CloudFormation ValidateTemplate."""
    checks = preflight(stack)
    cf = stack._client("cloudformation")
    try:
        cf.validate_template(TemplateBody=template_body())
    except ClientError as exc:
        raise DeployError(f"CloudFormation rejected the template: {exc}") from exc
    expires = stack.config.expires_at(stack._now())
    p = stack.config.policy
    caps = {
        "time limit": f"{stack.config.ttl_minutes} min (max {MAX_TTL_MINUTES}); deletes itself at {expires:%Y-%m-%d %H:%M} UTC",
        "tasks": f"0 to {p.max_tasks} (a lab may not exceed {MAX_TASKS_CAP})",
        "target backlog per task": f"{p.target_backlog_per_task:g} messages "
                                   f"({p.acceptable_latency_s:g} s acceptable latency / {p.seconds_per_message:g} s per message)",
        "account": f"{stack.identity['Account']} (on LAB_ALLOWED_ACCOUNT_IDS)",
    }
    resources = [(logical, spec["Type"]) for logical, spec in parsed_template()["Resources"].items()]
    return Plan(account=stack.identity["Account"], caller=stack.identity["Arn"], region=stack.config.region,
                stack_name=stack.config.stack_name, expires_at=expires.isoformat(),
                parameters=stack._stack_parameters(expires),
                tags=stack.config.tags(expires),
                resources=resources, caps=caps,
                cost=costs.estimate(p.max_tasks, stack.config.ttl_minutes or 0),  # check() required it
                template_check="CloudFormation ValidateTemplate accepted the template", checks=checks)
