"""Create what the local runtime needs on an endpoint: a bucket, a queue and a dead-letter queue
per model (independent services), and each model's artifact. Safe to run again: existing queues
and the bucket are reused, so it also repairs an endpoint that restarted empty.
"""
import json
import logging
from dataclasses import dataclass

from botocore.exceptions import ClientError

from reference_impl import aws_facts
from reference_impl.model import artifacts
from reference_impl.model.catalog import spec as model_spec
from reference_impl.service import ModelService

log = logging.getLogger(__name__)

# Three receives, then the dead-letter queue: the choice of AWS CDK's QueueProcessingFargateService
# (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ecs_patterns.QueueProcessingFargateService.html).
DEFAULT_MAX_RECEIVE_COUNT = 3
DEFAULT_VISIBILITY_TIMEOUT_S = int(aws_facts.value("sqs_visibility_timeout_default_s"))
# SQS's longest retention: failed jobs stay inspectable as long as SQS allows.
DLQ_RETENTION_S = int(aws_facts.value("sqs_retention_max_s"))


@dataclass(frozen=True)
class ProvisionSettings:
    bucket: str = "refimpl-local"
    queue_prefix: str = "refimpl-"
    visibility_timeout_s: int = DEFAULT_VISIBILITY_TIMEOUT_S
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT
    ballast_mb: int = 0


def _ensure_bucket(s3, bucket):
    try:
        s3.create_bucket(Bucket=bucket)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise


def _ensure_queue(sqs, name, attributes):
    # CreateQueue is idempotent for identical attributes; set them again in case they changed.
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    return url


def provision(clients, models: list[str], settings: ProvisionSettings = ProvisionSettings(),
              upload_models: bool = True) -> dict[str, ModelService]:
    for name in models:
        model_spec(name)  # unknown names fail before anything is created
    _ensure_bucket(clients.s3, settings.bucket)
    services = {}
    for name in models:
        dlq_url = _ensure_queue(clients.sqs, f"{settings.queue_prefix}{name}-dlq",
                                {"MessageRetentionPeriod": str(DLQ_RETENTION_S)})
        dlq_arn = clients.sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        queue_url = _ensure_queue(clients.sqs, f"{settings.queue_prefix}{name}-jobs", {
            "VisibilityTimeout": str(settings.visibility_timeout_s),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                         "maxReceiveCount": str(settings.max_receive_count)}),
        })
        model_uri = f"s3://{settings.bucket}/models/{name}.skops"
        if upload_models:
            artifacts.build_and_upload(clients.s3, name, model_uri, ballast_mb=settings.ballast_mb)
        services[name] = ModelService(name, queue_url, dlq_url, model_uri, f"s3://{settings.bucket}/results/")
        log.info("model %s: queue %s, dead-letter queue %s", name, queue_url, dlq_url)
    return services
