"""Submit a burst of jobs: through the lab's API (SigV4-signed) or straight to its queue.

Each job is the job contract's message (reference_impl.jobs.encode) made of the model's own
sample inputs, so the worker accepts every one.
"""
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from reference_impl import aws_facts

from .events import DeployError, Event
from .sigv4 import ApiError, post_signed

MAX_BURST = 10_000  # a lab needs hundreds to thousands; more is a mistake, or a bill
SQS_BATCH = int(aws_facts.value("sqs_batch_max_entries"))
REPORT_EVERY = 100


def job_maker(model_name: str, inputs_per_job: int, for_api: bool = False) -> Callable[[int], str]:
    """index -> message body; the jobs cycle through the model's sample inputs.

    For the API the body carries no job id: the API answers with the SQS message id and the
    worker stores the result under it (jobs.api_body), so that is the id GET /jobs/{id} finds."""
    from reference_impl import jobs  # imports scikit-learn's datasets: only when bursting
    from reference_impl.model.catalog import spec

    model = spec(model_name)
    if not 1 <= inputs_per_job <= jobs.MAX_INPUTS_PER_JOB:
        raise ValueError(f"inputs_per_job is {inputs_per_job}; allowed: 1 to {jobs.MAX_INPUTS_PER_JOB}")

    def make(index: int) -> str:
        inputs = model.sample_inputs(inputs_per_job, offset=index * inputs_per_job)
        return jobs.api_body(model.name, inputs) if for_api else jobs.encode(model.name, inputs)[1]
    return make


def to_queue(sqs, queue_url: str, count: int, make: Callable[[int], str]) -> Iterator[Event]:
    sent = 0
    for start in range(0, count, SQS_BATCH):
        entries = [{"Id": str(i - start), "MessageBody": make(i)} for i in range(start, min(start + SQS_BATCH, count))]
        failed = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed", [])
        if failed:
            raise DeployError(f"SQS refused {len(failed)} messages: {failed[0].get('Message')}")
        sent += len(entries)
        if sent % REPORT_EVERY == 0 or sent == count:
            yield Event("progress", f"{sent}/{count} sent", sent, count)
    yield Event("done", f"{count} jobs sent to the queue", count, count, {"via": "queue", "sent": count})


def through_api(url: str, count: int, make: Callable[[int], str], credentials, region: str,
                workers: int) -> Iterator[Event]:
    """POST each job to {url}/jobs with at most `workers` requests in flight.

    Stops at the first refusal: no request is sent after it (the ones already in flight finish),
    and the ApiError says how many jobs the API had accepted."""
    endpoint = url.rstrip("/") + "/jobs"
    ids: list[str] = []
    submitted = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        in_flight: set[Future] = set()
        while submitted < count or in_flight:
            while submitted < count and len(in_flight) < workers:
                in_flight.add(pool.submit(post_signed, endpoint, make(submitted), credentials, region))
                submitted += 1
            finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            failed = [f.exception() for f in finished if f.exception() is not None]
            ids += [f.result() for f in finished if f.exception() is None]
            if failed:
                accepted = ids + [f.result() for f in wait(in_flight).done if f.exception() is None]
                raise ApiError(f"burst stopped at the first error, {len(accepted)} of {count} jobs accepted: "
                               f"{failed[0]}")
            if len(ids) == count or len(ids) // REPORT_EVERY > (len(ids) - len(finished)) // REPORT_EVERY:
                yield Event("progress", f"{len(ids)}/{count} accepted by the API", len(ids), count)
    yield Event("done", f"{count} jobs accepted by the API", count, count, {"via": "api", "sent": count, "message_ids": ids})
