"""python -m reference_impl.deploy {bootstrap,plan,up,status,burst,down,stack-role-policy}: one model service in a sandbox account.

An account administrator runs `bootstrap` once per account and region; instructors then run
plan, up, status, burst and down for each lab.

Exit status: 0 done, 2 refused (a guardrail or a bad setting: the message says which), 1 AWS failed.
"""
import argparse
import json
import os
import re
import sys
from dataclasses import asdict, replace

from botocore.exceptions import BotoCoreError, ClientError

from reference_impl.scaling import ScalingPolicy
from reference_impl.workload import WORKLOAD

from .config import DOWN_TIMEOUT_S, MAX_TASKS_CAP, MAX_TTL_MINUTES, MIN_TTL_MINUTES, ConfigError, LabConfig
from . import stack_role
from .bootstrap import Bootstrapper
from .burst import MAX_BURST
from .deployer import Deployer
from .events import DeployError, Event
from .guardrails import GuardrailError
from .preflight import PreflightError
from .sigv4 import ApiError

BAR_WIDTH = 30


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--model", required=True, help="model name: names the stack lab-LAB-MODEL")
    common.add_argument("--lab", required=True, help="lab name (tag 'lab')")
    common.add_argument("--owner", default=os.environ.get("USER", ""), help="who runs it (tag 'owner'); default $USER")
    common.add_argument("--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")
    common.add_argument("--role-arn", help="assume this role (from the standard credential chain) for every call")

    create = argparse.ArgumentParser(add_help=False)
    create.add_argument("--ttl-minutes", type=int, help=f"required: the lab deletes itself after this ({MIN_TTL_MINUTES}-{MAX_TTL_MINUTES})")
    create.add_argument("--max-tasks", type=int, default=5, help=f"cap on running tasks (1-{MAX_TASKS_CAP}, default 5)")
    create.add_argument("--image", default="", help="worker image URI in ECR (see the README's build-and-push steps)")
    create.add_argument("--stack-role-arn", default=os.environ.get("LAB_STACK_ROLE_ARN"),
                        help="CloudFormation service role the stack runs and deletes itself with "
                             "($LAB_STACK_ROLE_ARN; default: the bootstrap's)")
    create.add_argument("--vpc-id", help="VPC for the tasks (default: the account's default VPC)")
    create.add_argument("--subnet-ids", default="", help="comma-separated public subnets of --vpc-id")
    create.add_argument("--acceptable-latency", type=float, default=WORKLOAD["acceptable_latency_s"].value,
                        help="seconds a job may wait (default %(default)s)")
    create.add_argument("--seconds-per-message", type=float, default=WORKLOAD["service_time_s"].value,
                        help="worker's processing time per job (default %(default)s)")

    parser = argparse.ArgumentParser(prog="python -m reference_impl.deploy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    boot = sub.add_parser("bootstrap", help="administrator, once per account and region: the stack role, boundary, "
                                            "instructor policy, image repository, budget, janitor")
    boot.add_argument("--email", required=True, help="who receives alerts: a lab that did not end, the budget")
    boot.add_argument("--monthly-budget-usd", type=int, default=50, help="the account's monthly budget (default 50)")
    boot.add_argument("--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
                      or "us-east-1")
    boot.add_argument("--role-arn", help="assume this role (from the standard credential chain) for every call")
    sub.add_parser("plan", parents=[common, create], help="validate, list resources, caps and hourly cost; changes nothing")
    up = sub.add_parser("up", parents=[common, create], help="create the stack (change set, then execute)")
    up.add_argument("--ballast-mb", type=int, default=0,
                    help="pad the uploaded model to show the cost of loading a big one (1536 for 1.5 GB)")
    up.add_argument("--no-model", action="store_true", help="do not train and upload the model")
    status = sub.add_parser("status", parents=[common], help="queue depth, tasks, time left")
    status.add_argument("--json", action="store_true")
    burst = sub.add_parser("burst", parents=[common], help="submit N jobs")
    burst.add_argument("count", type=int, help=f"jobs to submit (1-{MAX_BURST})")
    burst.add_argument("--inputs-per-job", type=int, default=1, help="inputs in each job (1-100)")
    burst.add_argument("--via", choices=["auto", "api", "queue"], default="auto",
                       help="auto: the API when the stack has one, else the queue (default)")
    down = sub.add_parser("down", parents=[common], help="stop the tasks, empty the bucket, delete the stack")
    down.add_argument("--timeout-minutes", type=float, default=DOWN_TIMEOUT_S / 60,
                      help="give up waiting after this (default %(default)g; independent of the lab's time left)")
    role = sub.add_parser("stack-role-policy", help="print the CloudFormation service role's IAM policy (JSON)")
    role.add_argument("--account-id", default="*", help="12-digit account id the lab's resources are in (default *)")
    role.add_argument("--region", default="*", help="region of the lab's resources (default *: any)")
    role.add_argument("--partition", default="aws", help="ARN partition (default aws)")
    role.add_argument("--update-bootstrap", action="store_true",
                      help="rewrite the generated block of bootstrap.yaml instead of printing")
    return parser


def _config(args) -> LabConfig:
    creating = args.command in ("plan", "up")
    policy: ScalingPolicy | None = None
    if creating:
        try:
            policy = ScalingPolicy(args.acceptable_latency, args.seconds_per_message, max_tasks=args.max_tasks)
        except ValueError as exc:
            raise ConfigError(f"scaling policy: {exc}") from exc
    config = LabConfig(model_name=args.model, owner=args.owner, lab=args.lab, region=args.region,
                       ttl_minutes=getattr(args, "ttl_minutes", None), image_uri=getattr(args, "image", ""),
                       stack_role_arn=getattr(args, "stack_role_arn", None), vpc_id=getattr(args, "vpc_id", None),
                       subnet_ids=tuple(s for s in getattr(args, "subnet_ids", "").split(",") if s))
    return replace(config, policy=policy) if policy else config


def _render(event: Event, out) -> None:
    if event.total:
        filled = round(BAR_WIDTH * (event.done or 0) / event.total)
        out.write(f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {event.done or 0}/{event.total} {event.message}\n")
    else:
        out.write(f"{event.message}\n")
    out.flush()


def _print_checks(checks, out) -> None:
    out.write("Prerequisites (read-only checks):\n")
    for check in checks:
        out.write(f"  [{'pass' if check.ok else 'FAIL'}] {check.name}: {check.detail}\n")
        if not check.ok:
            out.write(f"         fix: {check.fix}\n")
    out.write("\n")


def _print_plan(plan, out) -> None:
    _print_checks(plan.checks, out)
    out.write(f"Stack {plan.stack_name} in account {plan.account}, {plan.region} (caller {plan.caller})\n")
    out.write(f"{plan.template_check}. Nothing was created or changed.\n\nCaps:\n")
    for name, value in plan.caps.items():
        out.write(f"  {name}: {value}\n")
    out.write(f"\nTags on every resource: {plan.tags}\n\nParameters (scaling numbers from ScalingPolicy):\n")
    for name, value in plan.parameters.items():
        out.write(f"  {name} = {value}\n")
    out.write(f"\nResources ({len(plan.resources)}):\n")
    for logical, kind in plan.resources:
        out.write(f"  {logical:28} {kind}\n")
    c = plan.cost
    out.write("\nCost estimate, USD per hour (us-east-1 list prices; on-demand Fargate, the worst case):\n")
    for line in (*c.idle, *c.per_task):
        out.write(f"  {line.usd_per_hour:10.5f}  {line.item} ({line.basis})\n            sources: {'; '.join(line.sources)}\n")
    out.write(f"  idle (0 tasks):            {c.idle_usd_per_hour:.4f}/h\n")
    out.write(f"  each running task:         {c.task_usd_per_hour:.4f}/h\n")
    out.write(f"  at the cap ({c.max_tasks} tasks):      {c.at_max_usd_per_hour:.4f}/h\n")
    out.write(f"  worst case for the whole time limit ({c.ttl_hours:g} h): {c.worst_case_usd:.2f}\n")
    out.write(f"  per 1,000 jobs (API + SQS + result PUT): {c.per_1000_jobs_usd:.4f}\n")


def main(argv=None, out=sys.stdout, err=sys.stderr) -> int:
    args = _parser().parse_args(argv)
    if args.command == "stack-role-policy" and args.update_bootstrap:
        changed = stack_role.update_bootstrap()
        out.write(f"{stack_role.BOOTSTRAP_PATH.name}: {'updated' if changed else 'already current'}\n")
        return 0
    if args.command == "bootstrap":
        try:
            for event in Bootstrapper(args.region, args.email, args.monthly_budget_usd, role_arn=args.role_arn).run():
                _render(event, out)
                for key, value in event.data.items():
                    out.write(f"  {key}: {value}\n")
        except (ConfigError, GuardrailError, ValueError) as exc:
            err.write(f"refused: {exc}\n")
            return 2
        except (DeployError, ClientError, BotoCoreError) as exc:
            err.write(f"failed: {exc}\n")
            return 1
        return 0
    if args.command == "stack-role-policy":
        if args.account_id != "*" and not re.fullmatch(r"\d{12}", args.account_id):
            err.write(f"refused: --account-id {args.account_id!r} is not a 12-digit AWS account id\n")
            return 2
        out.write(stack_role.policy_json(partition=args.partition, region=args.region, account=args.account_id))
        return 0
    try:
        deployer = Deployer(_config(args), role_arn=args.role_arn)
        if args.command == "plan":
            plan = deployer.plan()
            _print_plan(plan, out)
            if not plan.ready:
                err.write("refused: a prerequisite is missing; `up` would create nothing (see FAIL above)\n")
                return 2
        elif args.command == "status":
            status = deployer.status()
            if args.json:
                out.write(json.dumps(asdict(status), indent=2) + "\n")
            else:
                for name, value in asdict(status).items():
                    out.write(f"{name:14} {value}\n")
        else:
            events = {"up": lambda: deployer.up(not args.no_model, args.ballast_mb),
                      "burst": lambda: deployer.burst(args.count, via=args.via, inputs_per_job=args.inputs_per_job),
                      "down": lambda: deployer.down(args.timeout_minutes * 60)}[args.command]()
            for event in events:
                _render(event, out)
    except PreflightError as exc:
        _print_checks(exc.checks, out)
        err.write("refused: a prerequisite is missing; nothing was created (see FAIL above)\n")
        return 2
    except (ConfigError, GuardrailError, ValueError) as exc:
        err.write(f"refused: {exc}\n")
        return 2
    except (DeployError, ApiError, ClientError, BotoCoreError) as exc:
        err.write(f"failed: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
