"""Everything an info panel shows about one object: HeadObject's properties, its tags and how
many versions it has. No Qt; the boto3 client comes from the caller.

A failed HeadObject raises (the object cannot be described at all). The other requests are
about one field each: where one of them fails, that field carries the failure, worded by
the storage error helpers, and the rest is still shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from s3desk.core.bucket.browse import ObjectDetails, details_from_head, head_with_checksum
from s3desk.core.storage.errors import describe_error, error_outcome

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Versions asked for to count an object's versions: enough for the usual handful, one
# request whatever the object's history (beyond it the count says "or more").
VERSIONS_COUNTED = 100

# Error codes that mean the credentials may not make this request.
_DENIED_CODES = frozenset({"AccessDenied", "403", "Forbidden", "AllAccessDisabled"})


@dataclass(frozen=True, slots=True)
class Unavailable:
    """Why one field could not be read."""

    code: str  # the service's error code ("AccessDenied"), or the exception's kind
    message: str  # one sentence for the user, from describe_error

    @property
    def denied(self) -> bool:
        """The credentials may not read this field (rather than a fault on the way)."""
        return self.code in _DENIED_CODES


def is_denied(exc: BaseException) -> bool:
    """``exc`` says the credentials may not make the request (HeadObject's answer has no
    body, so its code is the status: "403")."""
    return error_outcome(exc, "")[0] in _DENIED_CODES


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    bucket: str
    details: ObjectDetails  # what HeadObject says
    cache_control: str = ""
    content_disposition: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    tags_unavailable: Unavailable | None = None
    versioning: str = ""  # "Enabled", "Suspended", or "" where it was never turned on
    versioning_unavailable: Unavailable | None = None
    # The object's versions (delete markers not counted); None where versioning is off.
    version_count: int | None = None
    more_versions: bool = False  # there are more than ``version_count``

    @property
    def path(self) -> str:
        return object_path(self.bucket, self.details.key)


def object_path(bucket: str, key: str) -> str:
    """The object's address as S3 tools write it: s3://bucket/key."""
    return f"s3://{bucket}/{key}"


def _unavailable(exc: Exception, bucket: str, key: str) -> Unavailable:
    code, _ = error_outcome(exc, bucket)
    return Unavailable(code=code, message=describe_error(exc, bucket, key))


def object_info(client: S3Client, bucket: str, key: str) -> ObjectInfo:
    """What there is to know about ``key``: HeadObject (raises if it fails), then its tags,
    the bucket's versioning and, where versioning was ever on, its versions counted."""
    head = head_with_checksum(client, bucket, key)
    tags: dict[str, str] = {}
    tags_unavailable = None
    try:
        answer = client.get_object_tagging(Bucket=bucket, Key=key)
        tags = {tag["Key"]: tag["Value"] for tag in answer.get("TagSet", [])}
    except Exception as exc:
        tags_unavailable = _unavailable(exc, bucket, key)
    versioning, count, more = "", None, False
    versioning_unavailable = None
    try:
        versioning = str(client.get_bucket_versioning(Bucket=bucket).get("Status", ""))
        if versioning:
            count, more = _count_versions(client, bucket, key)
    except Exception as exc:
        versioning_unavailable = _unavailable(exc, bucket, key)
    return ObjectInfo(
        bucket=bucket,
        details=details_from_head(key, head),
        cache_control=str(head.get("CacheControl", "")),
        content_disposition=str(head.get("ContentDisposition", "")),
        tags=tags,
        tags_unavailable=tags_unavailable,
        versioning=versioning,
        versioning_unavailable=versioning_unavailable,
        version_count=count,
        more_versions=more,
    )


def _count_versions(client: S3Client, bucket: str, key: str) -> tuple[int, bool]:
    """(versions of ``key`` in the first page of at most VERSIONS_COUNTED, whether more
    follow). The prefix also lists longer keys ("a.txt.bak"), which sort after ``key``."""
    answer = client.list_object_versions(Bucket=bucket, Prefix=key, MaxKeys=VERSIONS_COUNTED)
    count = sum(1 for version in answer.get("Versions", []) if version.get("Key") == key)
    more = bool(answer.get("IsTruncated")) and answer.get("NextKeyMarker") == key
    return count, more
