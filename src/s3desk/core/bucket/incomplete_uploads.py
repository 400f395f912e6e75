"""Incomplete multipart uploads in a bucket: the ones started and never completed or aborted,
with the bytes their parts hold (billed, but in no listing), and aborting them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from s3desk.core.compliance.audit import AuditLog
from s3desk.core.storage.errors import (
    error_outcome,
    has_code,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import (
        MultipartUploadTypeDef,
    )


@dataclass(frozen=True, slots=True)
class Incomplete:
    """A multipart upload that was started and neither completed nor aborted."""

    key: str
    upload_id: str
    started: datetime | None
    size_so_far: int
    parts: int = 0


class AbortFailure(NamedTuple):
    key: str
    upload_id: str
    code: str
    message: str


def list_incomplete_uploads(client: S3Client, bucket: str, prefix: str = "") -> list[Incomplete]:
    """Multipart uploads started under ``prefix`` and never completed or aborted, with the
    bytes their parts hold so far (storage that is billed but shows in no listing)."""
    from botocore.exceptions import ClientError

    found: list[Incomplete] = []
    for upload in _started_uploads(client, bucket, prefix):
        size = parts = 0
        try:
            for listed in client.get_paginator("list_parts").paginate(
                Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            ):
                for part in listed.get("Parts", []):
                    size += int(part.get("Size", 0))
                    parts += 1
        except ClientError as exc:
            if has_code(exc, "NoSuchUpload"):
                continue  # completed or aborted since the listing
            raise
        found.append(
            Incomplete(upload["Key"], upload["UploadId"], upload.get("Initiated"), size, parts)
        )
    return found


def count_incomplete_uploads(client: S3Client, bucket: str, prefix: str = "") -> int:
    """How many multipart uploads under ``prefix`` were started and never completed or
    aborted: their listing only, without the sizes of their parts."""
    return len(_started_uploads(client, bucket, prefix))


def _started_uploads(client: S3Client, bucket: str, prefix: str) -> list[MultipartUploadTypeDef]:
    from botocore.exceptions import ClientError

    uploads: list[MultipartUploadTypeDef] = []
    try:
        for page in client.get_paginator("list_multipart_uploads").paginate(
            Bucket=bucket, Prefix=prefix
        ):
            uploads += page.get("Uploads", [])
    except ClientError as exc:
        # rclone answers NoSuchUpload for a bucket that never had a multipart upload.
        if has_code(exc, "NoSuchUpload"):
            return []
        raise
    return uploads


def abort_uploads(
    client: S3Client,
    bucket: str,
    uploads: Iterable[Incomplete],
    *,
    audit: AuditLog | None = None,
    account: str = "",
) -> list[AbortFailure]:
    """Abort each upload, which frees its parts; returns the ones that could not be aborted.
    An upload that is already gone counts as aborted."""
    from botocore.exceptions import BotoCoreError, ClientError

    failures: list[AbortFailure] = []
    for upload in uploads:
        error: str | None = None
        try:
            client.abort_multipart_upload(Bucket=bucket, Key=upload.key, UploadId=upload.upload_id)
        except (BotoCoreError, ClientError) as exc:
            if not has_code(exc, "NoSuchUpload"):
                code, message = error_outcome(exc, bucket)
                failures.append(AbortFailure(upload.key, upload.upload_id, code, message))
                error = f"{code}: {message}"
        if audit is not None:
            audit.append(
                "abort-upload", account=account, bucket=bucket, key=upload.key,
                upload_id=upload.upload_id, size=upload.size_so_far,
                result="failed" if error else "ok", error=error,
            )  # fmt: skip
    return failures
