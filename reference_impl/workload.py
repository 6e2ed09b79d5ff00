"""The workload the reference system is sized for: what question #1973 states, and what we assume.

The deployer sizes a lab from these (scaling target, visibility timeout, the cost of the model in
S3) and the simulator starts from the same values (`simulate/params.py` takes them from here), so
the two cannot drift apart. Entries whose source starts with "assumption" are our estimates and
are labelled as such wherever they are shown; AWS's own numbers live in `aws_facts`.
"""
from dataclasses import dataclass

AAS_SQS = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-using-sqs-queue.html"


@dataclass(frozen=True)
class Assumption:
    name: str
    value: float
    unit: str
    source: str
    description: str

    def fields(self) -> tuple[str, float, str, str, str]:
        """name, value, unit, source, description: the leading fields of a simulator parameter."""
        return self.name, self.value, self.unit, self.source, self.description


WORKLOAD: dict[str, Assumption] = {a.name: a for a in [
    Assumption("model_size_gb", 1.5, "GB", "question #1973", "model data each worker downloads from S3 at start"),
    Assumption("service_time_s", 0.1, "s per item",
               f"assumption (AWS's SQS scaling example uses 0.1 s per message: {AAS_SQS})",
               "inference time for one input on one vCPU, once the model is loaded (assumption: a design with more "
               "vCPUs, such as a Lambda function with more memory, is proportionally faster)"),
    Assumption("acceptable_latency_s", 60.0, "s",
               f"assumption: an asynchronous batch API; the policy's target is latency / service time ({AAS_SQS})",
               "how long a request may wait in the queue"),
]}


def value(name: str) -> float:
    return WORKLOAD[name].value
