"""What the Browse tab's info panel shows about one object, read from a real S3 server (moto),
through a proxy where a request must be refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest

from s3desk.core.bucket.object_info import VERSIONS_COUNTED, is_denied, object_info
from s3desk.core.storage.endpoint import S3Endpoint, make_client
from s3desk.core.storage.errors import describe_error
from tests.faultproxy import FaultProxy, Rule


@contextmanager
def _refusing(endpoint: S3Endpoint, *rules: Rule) -> Iterator[tuple[Any, FaultProxy]]:
    """A client whose requests pass a proxy that answers those matching ``rules`` itself."""
    assert endpoint.endpoint_url
    with FaultProxy.for_url(endpoint.endpoint_url) as proxy:
        for rule in rules:
            proxy.add_rule(rule)
        yield make_client(replace(endpoint, endpoint_url=proxy.url), attempts=1), proxy


def test_an_object_with_metadata_tags_encryption_and_a_checksum(s3: Any, bucket: str) -> None:
    s3.put_object(
        Bucket=bucket, Key="docs/report.pdf", Body=b"hello", ContentType="application/pdf",
        Metadata={"owner": "Ann"}, ServerSideEncryption="aws:kms", SSEKMSKeyId="key-7",
        ChecksumAlgorithm="SHA256", Tagging="project=apollo&stage=final",
        CacheControl="max-age=60", ContentDisposition='attachment; filename="r.pdf"',
    )  # fmt: skip
    info = object_info(s3, bucket, "docs/report.pdf")
    found = info.details
    assert info.path == f"s3://{bucket}/docs/report.pdf"
    assert (found.size, found.content_type, found.storage_class) == (5, "application/pdf",
                                                                      "STANDARD")  # fmt: skip
    assert (found.encryption, found.kms_key_id) == ("aws:kms", "key-7")
    assert (found.checksum_algorithm, found.checksum) == (
        "SHA256", "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=",
    )  # fmt: skip
    assert found.etag == "5d41402abc4b2a76b9719d911017c592"
    assert found.metadata == {"owner": "Ann"}
    assert info.tags == {"project": "apollo", "stage": "final"}
    assert (info.cache_control, info.content_disposition) == (
        "max-age=60", 'attachment; filename="r.pdf"',
    )  # fmt: skip
    # Versioning never turned on: nothing to count.
    assert (info.versioning, info.version_count, info.versioning_unavailable) == ("", None, None)
    assert info.tags_unavailable is None


def test_versions_are_counted_where_the_bucket_is_versioned(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"1", b"22", b"333"):
        s3.put_object(Bucket=bucket, Key="plan.txt", Body=body)
    s3.put_object(Bucket=bucket, Key="plan.txt.bak", Body=b"b")  # listed by the same prefix
    info = object_info(s3, bucket, "plan.txt")
    assert (info.versioning, info.version_count, info.more_versions) == ("Enabled", 3, False)
    assert info.details.size == 3

    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    info = object_info(s3, bucket, "plan.txt.bak")
    assert (info.versioning, info.version_count, info.more_versions) == ("Suspended", 1, False)


def test_a_long_history_is_counted_up_to_a_page(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for n in range(VERSIONS_COUNTED + 1):
        s3.put_object(Bucket=bucket, Key="log.txt", Body=str(n).encode())
    info = object_info(s3, bucket, "log.txt")
    assert (info.version_count, info.more_versions) == (VERSIONS_COUNTED, True)


def test_refused_tags_are_said_for_that_field_alone(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k.txt", Body=b"abc", Tagging="a=1")
    tags_refused = Rule("GET", "?tagging", "forbidden", times=10)
    with _refusing(moto_endpoint, tags_refused) as (client, _):
        info = object_info(client, bucket, "k.txt")
    assert info.details.size == 3 and info.tags == {}
    assert info.tags_unavailable is not None and info.tags_unavailable.denied
    assert info.tags_unavailable.code == "AccessDenied"
    assert info.versioning_unavailable is None


def test_refused_versioning_is_said_for_that_field_alone(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k.txt", Body=b"abc", Tagging="a=1")
    versioning_refused = Rule("GET", "?versioning", "error500", times=10)
    with _refusing(moto_endpoint, versioning_refused) as (client, _):
        info = object_info(client, bucket, "k.txt")
    assert info.tags == {"a": "1"}
    unavailable = info.versioning_unavailable
    assert unavailable is not None and not unavailable.denied
    assert unavailable.message  # worded for the user by the storage error helpers
    assert info.version_count is None


def test_a_refused_head_raises_for_the_caller_to_word(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str
) -> None:
    from botocore.exceptions import ClientError

    s3.put_object(Bucket=bucket, Key="k.txt", Body=b"abc")
    head_refused = Rule("HEAD", "k.txt", "forbidden", times=10)
    with (
        _refusing(moto_endpoint, head_refused) as (client, _),
        pytest.raises(ClientError) as refused,
    ):
        object_info(client, bucket, "k.txt")
    assert is_denied(refused.value)
    with pytest.raises(ClientError) as missing:
        object_info(s3, bucket, "gone.txt")
    assert not is_denied(missing.value)
    assert describe_error(missing.value, bucket, "gone.txt") == f"'{bucket}/gone.txt' was not found"
