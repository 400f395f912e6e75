"""Encryption, storage class, headers, metadata and tags on every object, through both the
lean small-file path and botocore's multipart path; "require encryption" refusals."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.compliance.upload_options import UploadOptions
from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import Destination, JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from tests.conftest import Server
from tests.helpers import list_keys

EVERYTHING = UploadOptions.from_dict(
    {
        "encryption": "SSE-S3",
        "require_encryption": True,
        "storage_class": "STANDARD_IA",
        "cache_control": "max-age=3600",
        "content_disposition": 'attachment; filename="x"',
        "metadata": {"department": "finance", "case-id": "C-17"},
        "tags": {"retention": "7y", "owner": "a b+c@d"},
    }
)


def _upload(
    endpoint: S3Endpoint, options: UploadOptions, files: list[Path], bucket: str, attempts: int = 8
) -> Any:
    config = EngineConfig(
        multipart_threshold=5 * MiB, part_size=5 * MiB, options=options, max_attempts=attempts,
        backoff_base=0.05,
    )  # fmt: skip
    engine = UploadEngine(endpoint, config)
    try:
        engine.submit_paths([str(f) for f in files], Destination(bucket, "in/"))
        assert engine.wait(60)
        return {Path(v.source).name: v for v in engine.jobs()}
    finally:
        engine.shutdown()


def test_every_option_reaches_small_and_multipart_objects(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "small.txt").write_text("small")
    (tmp_path / "big.bin").write_bytes(os.urandom(11 * MiB))
    jobs = _upload(moto_endpoint, EVERYTHING, [tmp_path / "small.txt", tmp_path / "big.bin"],
                   bucket)  # fmt: skip
    assert {name: job.state for name, job in jobs.items()} == {
        "small.txt": JobState.DONE, "big.bin": JobState.DONE,
    }  # fmt: skip
    for key in ("in/small.txt", "in/big.bin"):
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head["ServerSideEncryption"] == "AES256"
        assert head["StorageClass"] == "STANDARD_IA"
        assert head["CacheControl"] == "max-age=3600"
        assert head["ContentDisposition"] == 'attachment; filename="x"'
        assert head["Metadata"] == {"department": "finance", "case-id": "C-17"}
        tags = s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
        assert {t["Key"]: t["Value"] for t in tags} == {"retention": "7y", "owner": "a b+c@d"}


def test_sse_kms_with_a_chosen_key(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    import boto3

    kms = boto3.client(
        "kms", endpoint_url=moto_endpoint.endpoint_url, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    key_id = kms.create_key(Description="uploads")["KeyMetadata"]["KeyId"]
    options = UploadOptions(encryption="SSE-KMS", kms_key_id=key_id, require_encryption=True)
    (tmp_path / "secret.txt").write_text("classified")
    jobs = _upload(moto_endpoint, options, [tmp_path / "secret.txt"], bucket)
    assert jobs["secret.txt"].state is JobState.DONE, jobs["secret.txt"].error
    head = s3.head_object(Bucket=bucket, Key="in/secret.txt")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert key_id in head["SSEKMSKeyId"]


def test_required_encryption_without_a_choice_uploads_nothing(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("a")
    jobs = _upload(moto_endpoint, UploadOptions(require_encryption=True), [tmp_path / "a.txt"],
                   bucket)  # fmt: skip
    assert jobs["a.txt"].state is JobState.FAILED
    assert jobs["a.txt"].error.startswith("This account requires encryption")
    assert list_keys(s3, bucket) == []


def test_a_service_that_does_not_confirm_encryption_keeps_nothing(
    rclone_server: Server, rclone_bucket: str, tmp_path: Path
) -> None:
    """rclone serve s3 stores a small object without server-side encryption and says nothing
    about it: with encryption required, the object goes again and the row says why. (A
    multipart upload asking for encryption it refuses outright, with a 500.)"""
    client = rclone_server.client
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "big.bin").write_bytes(os.urandom(6 * MiB))
    options = UploadOptions(encryption="SSE-S3", require_encryption=True)
    jobs = _upload(rclone_server.endpoint, options, [tmp_path / "a.txt", tmp_path / "big.bin"],
                   rclone_bucket, attempts=2)  # fmt: skip
    assert jobs["a.txt"].state is JobState.FAILED
    assert "did not confirm that it encrypted" in jobs["a.txt"].error
    assert jobs["big.bin"].state is JobState.FAILED
    assert list_keys(client, rclone_bucket) == []


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"encryption": "AES"}, "Encryption must be one of"),
        ({"kms_key_id": "k"}, "A KMS key id needs SSE-KMS"),
        ({"storage_class": "COLD"}, "Unknown storage class"),
        ({"metadata": {"name": "caf\u00e9"}}, "plain ASCII"),
        ({"metadata": {"bad name": "x"}}, "Metadata name"),
        ({"tags": {str(n): "x" for n in range(11)}}, "at most 10"),
        ({"tags": {"owner": "a&b"}}, "letters, digits, spaces"),
        ({"colour": "blue"}, "Unknown upload option"),
    ],
)
def test_bad_options_are_refused_in_words(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        UploadOptions.from_dict(table)
