"""A burst of sample jobs to a local model service: what a local lab's "Send burst" does, and
what benchmarks/lab_burst.py times.

Jobs start..start+count-1 of the model's own sample inputs (`batch_size` inputs each), checked and
queued by `jobs.submit_many`: SendMessageBatch of 10, several batches in flight (queues.SqsQueue.send).
"""
from reference_impl import aws, jobs
from reference_impl.service import ModelService
from reference_impl.model.catalog import spec as model_spec


def send(service: ModelService, clients: aws.Clients, model_name: str, start: int, count: int,
         batch_size: int) -> list[str]:
    """Queue the jobs; their ids. Raises QueueUnavailable (or botocore's errors) at a refusal."""
    model = model_spec(model_name)
    batches = [model.sample_inputs(batch_size, i * batch_size) for i in range(start, start + count)]
    return jobs.submit_many(model_name, batches, queue=service.queue(clients), store=service.store(clients))
