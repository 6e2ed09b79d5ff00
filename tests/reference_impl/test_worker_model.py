"""The model artifact the worker loads: checksum, safe format, ballast (S3 in-process with moto)."""
import os

import boto3
import pytest
from moto import mock_aws

from reference_impl.model import artifacts
from reference_impl.model.catalog import CATALOG

URI = "s3://models-bucket/models/digits.skops"


class NotAModel:
    """A type skops does not trust by default."""

    def __init__(self):
        self.payload = "anything"


@pytest.fixture
def s3(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="models-bucket")
        yield client


def test_an_uploaded_model_loads_and_predicts_like_the_trained_one(s3):
    uploaded = artifacts.build_and_upload(s3, "digits", URI)
    loaded = artifacts.load(s3, URI)
    rows = CATALOG["digits"].sample_inputs(50)
    assert loaded.predict(rows) == [int(x) for x in artifacts.train("digits").predict(rows)]
    assert loaded.sha256 == uploaded.sha256 and loaded.size_bytes == uploaded.size_bytes
    head = s3.head_object(Bucket="models-bucket", Key="models/digits.skops")
    assert head["Metadata"]["sha256"] == uploaded.sha256


def test_ballast_makes_the_artifact_as_large_as_asked_and_it_still_loads(s3, caplog):
    caplog.set_level("INFO", logger="reference_impl.model.artifacts")
    uploaded = artifacts.build_and_upload(s3, "iris", "s3://models-bucket/models/iris.skops", ballast_mb=9)
    assert 9 * artifacts.MB <= uploaded.size_bytes < 10 * artifacts.MB
    loaded = artifacts.load(s3, "s3://models-bucket/models/iris.skops")  # > 8 MB: ranged GETs
    assert loaded.predict([[5.1, 3.5, 1.4, 0.2]]) == [0]
    assert f"{uploaded.size_bytes} bytes" in caplog.text and " s (sha256 " in caplog.text


def test_a_corrupted_artifact_is_refused(s3):
    uploaded = artifacts.build_and_upload(s3, "digits", URI)
    s3.put_object(Bucket="models-bucket", Key="models/digits.skops", Body=b"PK\x03\x04 not the model",
                  Metadata={"sha256": uploaded.sha256})
    with pytest.raises(artifacts.ArtifactError, match="downloaded sha256 .* differs"):
        artifacts.load(s3, URI)


def test_a_pinned_checksum_that_differs_is_refused(s3):
    artifacts.build_and_upload(s3, "digits", URI)
    with pytest.raises(artifacts.ArtifactError, match="differs from the pinned MODEL_SHA256"):
        artifacts.load(s3, URI, expected_sha256="f" * 64)


def test_an_artifact_with_untrusted_types_is_refused(s3, tmp_path):
    # Imported here, as reference_impl.model.artifacts does: skops (and scikit-learn under it)
    # took 1.7 s to import, paid by every test process that collects this module, the
    # PostgreSQL and LocalStack lanes' too, which deselect it.
    import skops.io

    path = tmp_path / "evil.skops"
    skops.io.dump({"format": 1, "model": "digits", "estimator": NotAModel()}, path)
    sha = artifacts.sha256_of(str(path))
    s3.upload_file(str(path), "models-bucket", "models/digits.skops", ExtraArgs={"Metadata": {"sha256": sha}})
    with pytest.raises(artifacts.ArtifactError, match="not trusted"):
        artifacts.load(s3, URI)


def test_an_artifact_without_a_checksum_is_refused(s3, tmp_path):
    s3.put_object(Bucket="models-bucket", Key="models/digits.skops", Body=b"whatever")
    with pytest.raises(artifacts.ArtifactError, match="no sha256 metadata"):
        artifacts.load(s3, URI)


def test_a_missing_artifact_names_the_uri(s3):
    with pytest.raises(artifacts.ArtifactError, match="models/nothing.skops cannot be read"):
        artifacts.load(s3, "s3://models-bucket/models/nothing.skops")


def test_ballast_out_of_range_is_refused(tmp_path):
    with pytest.raises(ValueError, match="ballast_mb must be 0-4096, got 5000"):
        artifacts.save("digits", None, os.path.join(tmp_path, "x.skops"), ballast_mb=5000)
