"""Train, save, upload and load a model artifact.

The artifact is a skops file (https://skops.readthedocs.io/en/stable/persistence.html), a zip of
JSON and numpy arrays: loading it builds only allowed types and refuses anything else, so a
tampered bucket cannot run code in the worker the way a pickle would. It holds a dict:
``{"format": 1, "model": name, "estimator": Pipeline, "ballast": uint8 array}``.

Integrity: the SHA-256 of the file is stored as the object's ``sha256`` metadata at upload and
checked after download; ``MODEL_SHA256`` (if set) pins the expected value independently of the
bucket.

Download: parallel ranged GETs through boto3's transfer manager. S3 advises ranged GETs of
8-16 MB in parallel, about one request per 85-90 MB/s
(https://docs.aws.amazon.com/whitepapers/latest/s3-optimizing-performance-best-practices/use-byte-range-fetches.html);
a 1.5 GB model takes ~17 s on one stream and ~1.5 s at 10 Gb/s.

Ballast: ``ballast_mb`` adds that many megabytes of seeded random (incompressible) bytes, so a
demo can show what loading a 1.5 GB model costs each new task.
"""
import functools
import hashlib
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from reference_impl import aws_facts
from reference_impl.model.catalog import spec as model_spec
from reference_impl.results import parse_s3_uri

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MAX_BALLAST_MB = 4096
MB = 1024 * 1024
# 8 MB parts, 10 at once: the S3 guidance above; ~10 streams fill a Fargate task's network.
PART_BYTES = int(aws_facts.value("s3_ranged_get_part_mb")) * MB
TRANSFER = TransferConfig(multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES, max_concurrency=10)


class ArtifactError(Exception):
    """The artifact is missing, corrupt, of an unknown format, or holds types we do not load."""


@dataclass(frozen=True)
class Artifact:
    path: str
    size_bytes: int
    sha256: str


@dataclass
class LoadedModel:
    name: str
    estimator: Any  # a fitted scikit-learn pipeline
    sha256: str
    size_bytes: int
    load_seconds: float

    def predict(self, rows: list[list[float]]) -> list[int]:
        return [int(label) for label in self.estimator.predict(np.asarray(rows, dtype=float))]


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(MB), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def train(name: str):
    """Fit the named model on its bundled dataset. Deterministic (fixed solver, no shuffling), so
    each process fits each model once: "digits" takes 0.3 s, and every lab `up`, every local
    provisioning and every test that deploys would fit it again. Callers only save the fitted
    pipeline or predict with it, never fit it again, so sharing it changes nothing."""
    # scikit-learn and skops are imported where they are used: about 3 s of imports that every
    # process importing the local runtime (the lab's scaler, each test process) paid before.
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = model_spec(name)
    features, labels = model.load_data(return_X_y=True)
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(features, labels)


def save(name: str, estimator, path: str, ballast_mb: int = 0) -> Artifact:
    if not 0 <= ballast_mb <= MAX_BALLAST_MB:
        raise ValueError(f"ballast_mb must be 0-{MAX_BALLAST_MB}, got {ballast_mb}")
    import skops.io

    ballast = np.frombuffer(np.random.default_rng(0).bytes(ballast_mb * MB), dtype=np.uint8)
    skops.io.dump({"format": FORMAT_VERSION, "model": name, "estimator": estimator, "ballast": ballast}, path)
    return Artifact(path, os.path.getsize(path), sha256_of(path))


def upload(s3, artifact: Artifact, uri: str) -> None:
    bucket, key = parse_s3_uri(uri)
    s3.upload_file(artifact.path, bucket, key, Config=TRANSFER,
                   ExtraArgs={"Metadata": {"sha256": artifact.sha256}})


def build_and_upload(s3, name: str, uri: str, ballast_mb: int = 0) -> Artifact:
    with tempfile.TemporaryDirectory(prefix="artifact-") as tmp:
        artifact = save(name, train(name), os.path.join(tmp, f"{name}.skops"), ballast_mb)
        upload(s3, artifact, uri)
    log.info("uploaded model %s to %s: %d bytes, sha256 %s", name, uri, artifact.size_bytes, artifact.sha256)
    return artifact


def load(s3, uri: str, expected_sha256: str | None = None, scratch_dir: str | None = None) -> LoadedModel:
    """Download, verify and load the artifact at ``uri``. Call once per worker process.

    Raises ArtifactError when the object is missing, its checksum differs from the stored or
    pinned one, or the file holds anything skops does not trust by default.
    """
    import skops.io  # before the clock starts: the load time is the download's and the file's

    bucket, key = parse_s3_uri(uri)
    started = time.perf_counter()
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except (ClientError, BotoCoreError) as exc:
        raise ArtifactError(f"model artifact {uri} cannot be read: {exc}") from exc
    stored_sha = head.get("Metadata", {}).get("sha256")
    if not stored_sha:
        raise ArtifactError(f"model artifact {uri} has no sha256 metadata; re-upload it with reference_impl")
    if expected_sha256 and expected_sha256 != stored_sha:
        raise ArtifactError(f"model artifact {uri}: sha256 metadata {stored_sha} differs from the pinned "
                            f"MODEL_SHA256 {expected_sha256}")
    with tempfile.TemporaryDirectory(prefix="model-", dir=scratch_dir) as tmp:
        path = os.path.join(tmp, "model.skops")
        try:
            s3.download_file(bucket, key, path, Config=TRANSFER)
        except (ClientError, BotoCoreError) as exc:
            raise ArtifactError(f"model artifact {uri} download failed: {exc}") from exc
        actual = sha256_of(path)
        if actual != stored_sha:
            raise ArtifactError(f"model artifact {uri}: downloaded sha256 {actual} differs from {stored_sha}")
        size = os.path.getsize(path)
        try:
            # No `trusted=` argument: only skops' default-safe types load; anything else raises.
            content = skops.io.load(path)
        except skops.io.exceptions.UntrustedTypesFoundException as exc:
            raise ArtifactError(f"model artifact {uri} holds types that are not trusted: {exc}") from exc
    if not isinstance(content, dict) or content.get("format") != FORMAT_VERSION:
        raise ArtifactError(f"model artifact {uri} is not a format-{FORMAT_VERSION} reference_impl artifact")
    seconds = time.perf_counter() - started
    log.info("loaded model %s from %s: %d bytes (%.1f MB) in %.2f s (sha256 %s)",
             content["model"], uri, size, size / MB, seconds, actual)
    return LoadedModel(content["model"], content["estimator"], actual, size, seconds)
