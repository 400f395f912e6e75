"""Bucket-level queries used by the destination picker and the sidebar."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from s3desk.core.storage.endpoint import S3Endpoint


def list_bucket_names(client: S3Client) -> list[str]:
    """Names of the buckets the credentials can see, sorted. Raises botocore errors as is."""
    response = client.list_buckets()
    return sorted(bucket["Name"] for bucket in response.get("Buckets", []))


def list_bucket_names_at(endpoint: S3Endpoint) -> list[str]:
    """The buckets of an account other than the one in use, with a small client of its own
    that tries once: a storage that cannot be reached says so at once."""
    from s3desk.core.storage.endpoint import make_client

    client = make_client(endpoint, 1, attempts=1, connect_timeout=5, read_timeout=30)
    return list_bucket_names(client)
