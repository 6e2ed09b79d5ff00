"""Companion questions of #1973: which diagram parts and simulator findings each concept concerns.

Each companion question carries the tag `companion-1973` and one concept tag below. The pages
that draw #1973's diagrams (questions/diagrams.py, templates/questions/_diagrams.html) or list the
simulator's findings can ask `for_part()` / `for_finding()` which companions to link, so the link
lives in this one table instead of in the templates. Parts are "<option>.<node id>" as in
questions/content/1973.diagrams.yaml.
"""
from questions.models import Question

COMPANION_TAG = "companion-1973"

CONCEPTS = {
    "backlog-per-task": {"parts": ["D.scaler", "D.sqs", "B.scaler"], "finding_words": ["backlog"]},
    "scale-from-zero": {"parts": ["D.scaler", "D.ecs"], "finding_words": ["idle", "first request", "zero"]},
    "visibility-timeout": {"parts": ["D.sqs", "D.ecs", "C.sqs"], "finding_words": ["in flight", "redeliver"]},
    "dead-letter-queue": {"parts": ["D.dlq", "C.dlq"], "finding_words": ["dead-letter", "poison"]},
    "lambda-init": {"parts": ["A.lambda", "A.s3", "C.lambda", "C.s3"], "finding_words": ["cold start", "init"]},
    "load-balancer-targets": {"parts": ["A.nlb", "B.alb"], "finding_words": ["load balancer"]},
    "target-tracking": {"parts": ["B.scaler", "D.scaler"], "finding_words": ["alarm", "target tracking"]},
    "fargate-spot": {"parts": ["D.ecs"], "finding_words": ["spot", "scale-in"]},
    "large-payloads": {"parts": ["D.sqs", "C.sqs", "D.s3"], "finding_words": ["batch"]},
    "sagemaker-async": {"parts": ["D.scaler"], "finding_words": ["sagemaker"]},
}


def concepts_for_part(part: str) -> list[str]:
    return [concept for concept, data in CONCEPTS.items() if part in data["parts"]]


def concepts_for_finding(text: str) -> list[str]:
    lowered = text.lower()
    return [concept for concept, data in CONCEPTS.items() if any(w in lowered for w in data["finding_words"])]


def companions(concepts: list[str]):
    """The loaded companion questions on any of these concepts (a queryset, ordered by id)."""
    return (Question.objects.filter(tags__slug=COMPANION_TAG).filter(tags__slug__in=concepts)
            .distinct().order_by("external_id"))


def for_part(part: str):
    return companions(concepts_for_part(part))


def for_finding(text: str):
    return companions(concepts_for_finding(text))
