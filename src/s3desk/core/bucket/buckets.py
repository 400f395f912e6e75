"""Bucket-level queries used by the destination picker."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def list_bucket_names(client: S3Client) -> list[str]:
    """Names of the buckets the credentials can see, sorted. Raises botocore errors as is."""
    response = client.list_buckets()
    return sorted(bucket["Name"] for bucket in response.get("Buckets", []))
