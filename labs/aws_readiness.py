"""Is this server ready to run a lab in AWS? Every missing setting and failed check at once,
in words a teacher can act on (who to ask, and what to ask them for).

`missing_settings()` reads the server's settings only (no AWS call): the form uses it so an AWS
lab is refused with the whole list, not accepted and failed on the first missing setting.
`account_checks()` runs the deployer's own read-only checks (`plan`'s preflight) against the
account; it waits on AWS, so only the "Check this account" button calls it.
"""
from django.conf import settings

from reference_impl.deploy.config import ConfigError, allowed_account_ids, parse_image_uri

SERVER = "ask the person who runs this server to"


def missing_settings() -> list[str]:
    out = []
    try:
        if not allowed_account_ids():
            out.append(f"No AWS account is allowed for labs: {SERVER} set LAB_ALLOWED_ACCOUNT_IDS to the school's "
                       "sandbox account id.")
    except ConfigError as exc:
        out.append(f"The allowed AWS accounts are set wrongly ({exc}): {SERVER} correct LAB_ALLOWED_ACCOUNT_IDS.")
    if not settings.LAB_IMAGE_URI:
        out.append(f"No worker image is set: {SERVER} set LAB_IMAGE_URI to the image pushed to the account's "
                   "lab-worker repository (reference_impl/deploy/README.md, 'Build and push the worker image').")
    elif parse_image_uri(settings.LAB_IMAGE_URI) is None:
        out.append(f"The worker image {settings.LAB_IMAGE_URI!r} is not an image in Amazon ECR: {SERVER} set "
                   "LAB_IMAGE_URI to ACCOUNT.dkr.ecr.REGION.amazonaws.com/lab-worker:TAG.")
    return out


def account_checks(owner: str, max_tasks: int = 4) -> list[str]:
    """Every failed check of `plan` for a lab of this server, each with what to do; [] when ready."""
    from botocore.exceptions import BotoCoreError, ClientError

    from reference_impl.deploy.config import LabConfig, default_policy
    from reference_impl.deploy.deployer import Deployer
    from reference_impl.deploy.guardrails import GuardrailError

    problems = missing_settings()
    if problems:
        return problems
    config = LabConfig(model_name="digits", owner=owner, lab="check", ttl_minutes=60,
                       image_uri=settings.LAB_IMAGE_URI, region=settings.LAB_AWS_REGION,
                       policy=default_policy(max_tasks))
    try:
        checks = Deployer(config).preflight()
    except GuardrailError as exc:   # the account or the credentials, checked before anything else
        return [f"{exc}. Ask your AWS administrator (credentials reach this server through its environment)."]
    except (ConfigError, ValueError) as exc:
        return [f"{exc}: {SERVER} correct the lab settings."]
    except (BotoCoreError, ClientError) as exc:
        return [f"AWS could not be asked ({exc}): {SERVER} check the server's AWS credentials."]
    return [f"{c.name}: {c.detail}. What to do: {c.fix}" for c in checks if not c.ok]
