"""Where one model's service lives: its queue, dead-letter queue, artifact and results prefix.

On AWS these come from the model stack's outputs (deploy/template.yaml); locally from the
runtime file the local runtime writes (local/state.py).
"""
from dataclasses import asdict, dataclass

from reference_impl.queues import SqsQueue
from reference_impl.results import S3ResultStore


@dataclass(frozen=True)
class ModelService:
    model: str
    queue_url: str
    dead_letter_queue_url: str
    model_uri: str
    results_uri: str

    def queue(self, clients) -> SqsQueue:
        return SqsQueue(clients.sqs, self.queue_url)

    def dead_letter_queue(self, clients) -> SqsQueue:
        return SqsQueue(clients.sqs, self.dead_letter_queue_url)

    def store(self, clients) -> S3ResultStore:
        return S3ResultStore.from_uri(clients.s3, self.results_uri)

    def to_dict(self) -> dict:
        return asdict(self)
