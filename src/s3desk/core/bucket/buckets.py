"""Bucket-level queries used by the destination picker."""

from __future__ import annotations

from typing import Any


def list_bucket_names(client: Any) -> list[str]:
    """Names of the buckets the credentials can see, sorted. Raises botocore errors as is."""
    response = client.list_buckets()
    return sorted(bucket["Name"] for bucket in response.get("Buckets", []))
