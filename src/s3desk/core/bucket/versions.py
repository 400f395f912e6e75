"""Object versions in a bucket browser: every version and delete marker of a key or a folder,
and restoring one as the newest (a copy, multipart above CopyObject's 5 GiB)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from s3desk.core.compliance.audit import AuditLog
from s3desk.core.storage.errors import (
    error_outcome,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import (
        CompletedPartTypeDef,
        CopySourceTypeDef,
        DeleteMarkerEntryTypeDef,
        HeadObjectOutputTypeDef,
        ObjectVersionTypeDef,
    )


# CopyObject copies at most 5 GiB; larger versions are restored with a multipart copy.
COPY_LIMIT = 5 * 1024**3
_COPY_PART = 512 * 1024**2
_MAX_PARTS = 10_000


@dataclass(frozen=True, slots=True)
class Version:
    key: str
    version_id: str
    is_latest: bool
    is_delete_marker: bool
    size: int
    modified: datetime | None


def list_versions(client: S3Client, bucket: str, key_or_prefix: str) -> list[Version]:
    """Every version and delete marker of one key, or of everything below a folder ("a/"):
    by key, newest first. Raises the service's error where there is no versioning
    (rclone answers NotImplemented)."""
    folder = key_or_prefix.endswith("/")
    found: list[Version] = []
    for page in client.get_paginator("list_object_versions").paginate(
        Bucket=bucket, Prefix=key_or_prefix
    ):
        # (entry, size, is a delete marker): a delete marker has no size.
        entries: list[tuple[ObjectVersionTypeDef | DeleteMarkerEntryTypeDef, int, bool]]
        entries = [(v, int(v.get("Size", 0)), False) for v in page.get("Versions", [])]
        entries += [(m, 0, True) for m in page.get("DeleteMarkers", [])]
        found += [
            Version(
                key=e["Key"], version_id=e["VersionId"], is_latest=bool(e.get("IsLatest")),
                is_delete_marker=marker, size=size, modified=e.get("LastModified"),
            )
            for e, size, marker in entries
            if folder or e["Key"] == key_or_prefix
        ]  # fmt: skip
        if not folder and any(e["Key"] != key_or_prefix for e, _, _ in entries):
            break  # past the key

    def order(v: Version) -> tuple[str, bool, float]:
        return (v.key, not v.is_latest, -(v.modified.timestamp() if v.modified else 0.0))

    return sorted(found, key=order)


def restore_version(
    client: S3Client,
    bucket: str,
    key: str,
    version_id: str,
    *,
    audit: AuditLog | None = None,
    account: str = "",
    copy_limit: int = COPY_LIMIT,
    part_size: int = _COPY_PART,
) -> str:
    """Make an older version the current one again, by copying it onto its key; returns the
    new version's id. The older versions all stay. Versions above ``copy_limit`` (S3's 5 GiB
    for CopyObject) are copied in parts."""
    source: CopySourceTypeDef = {"Bucket": bucket, "Key": key, "VersionId": version_id}
    try:
        head = client.head_object(Bucket=bucket, Key=key, VersionId=version_id)
        if int(head.get("ContentLength", 0)) > copy_limit:
            new_id = _multipart_copy(client, bucket, key, source, head, part_size)
        else:
            # MetadataDirective COPY (the default) keeps the version's type and metadata.
            answer = client.copy_object(Bucket=bucket, Key=key, CopySource=source)
            new_id = str(answer.get("VersionId") or "")
    except Exception as exc:
        if audit is not None:
            code, message = error_outcome(exc, bucket)
            audit.append(
                "restore-version", account=account, bucket=bucket, key=key,
                version_id=version_id, result="failed", error=f"{code}: {message}",
            )  # fmt: skip
        raise
    if audit is not None:
        audit.append(
            "restore-version", account=account, bucket=bucket, key=key, version_id=version_id,
            new_version_id=new_id or None, result="ok",
        )  # fmt: skip
    return new_id


_KEPT_HEADERS = (
    "ContentType", "CacheControl", "ContentDisposition", "ContentEncoding",
    "ContentLanguage", "Metadata", "StorageClass",
)  # fmt: skip


def _multipart_copy(
    client: S3Client,
    bucket: str,
    key: str,
    source: CopySourceTypeDef,
    head: HeadObjectOutputTypeDef,
    part_size: int,
) -> str:
    size = int(head["ContentLength"])
    part_size = max(part_size, -(-size // _MAX_PARTS))
    # Any: keyword arguments of CreateMultipartUpload, copied by name from HeadObject's answer.
    kept: dict[str, Any] = {name: head.get(name) for name in _KEPT_HEADERS if head.get(name)}
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=key, **kept)["UploadId"]
    try:
        parts: list[CompletedPartTypeDef] = []
        for number, start in enumerate(range(0, size, part_size), start=1):
            end = min(start + part_size, size) - 1
            answer = client.upload_part_copy(
                Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number,
                CopySource=source, CopySourceRange=f"bytes={start}-{end}",
            )  # fmt: skip
            parts.append({"PartNumber": number, "ETag": answer["CopyPartResult"]["ETag"]})
        done = client.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    except BaseException:
        # Leave no incomplete upload behind to be billed for; the copy's error is the one
        # to report, not the abort's.
        with contextlib.suppress(Exception):
            client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise
    return str(done.get("VersionId") or "")
