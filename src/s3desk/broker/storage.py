"""The S3 requests the service makes, over its one client: signing URLs, looking at what
arrived, reading it back, and removing what an upload left behind.

Every method takes the service's record of an upload and works on its bucket and key; none of
them decides whether an upload is acceptable (that is ``completion``'s job).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import zlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from s3desk.broker import sniff
from s3desk.broker.records import MULTIPART, Upload

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import (
        CompletedMultipartUploadTypeDef,
        HeadObjectOutputTypeDef,
        PartTypeDef,
        PutObjectRequestTypeDef,
        UploadPartRequestTypeDef,
    )

_READ_CHUNK = 1024 * 1024


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def is_missing(exc: BaseException) -> bool:
    return error_code(exc) in {"404", "NoSuchKey", "NotFound"}


def url_expiry(url: str) -> float:
    """When a SigV4 pre-signed URL stops working: its X-Amz-Date plus X-Amz-Expires."""
    query = parse_qs(urlsplit(url).query)
    signed = datetime.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
    return signed.replace(tzinfo=datetime.UTC).timestamp() + int(query["X-Amz-Expires"][0])


def reported_checksum(head: HeadObjectOutputTypeDef, algorithm: str) -> str:
    """The checksum of ``algorithm`` the storage reports for an object, "" if none."""
    value = head.get("ChecksumSHA256") if algorithm == "sha256" else head.get("ChecksumCRC32")
    return str(value or "")


class _Digest:
    def __init__(self, algorithm: str) -> None:
        self._crc = 0
        self._sha = hashlib.sha256() if algorithm == "sha256" else None

    def update(self, data: bytes) -> None:
        if self._sha is not None:
            self._sha.update(data)
        else:
            self._crc = zlib.crc32(data, self._crc)

    def b64(self) -> str:
        raw = self._sha.digest() if self._sha is not None else self._crc.to_bytes(4, "big")
        return base64.b64encode(raw).decode()


class Storage:
    def __init__(self, client: S3Client, *, url_lifetime: float) -> None:
        self.client = client
        self.url_lifetime = url_lifetime

    def presign_put(
        self, params: PutObjectRequestTypeDef, headers: dict[str, str]
    ) -> tuple[str, float]:
        """A PutObject URL and when it expires; ``headers`` are all it signs."""
        return self._presign("put_object", params, headers)

    def presign_part(
        self, params: UploadPartRequestTypeDef, headers: dict[str, str]
    ) -> tuple[str, float]:
        """An UploadPart URL and when it expires; ``headers`` are all it signs."""
        return self._presign("upload_part", params, headers)

    def _presign(
        self, operation: str, params: Mapping[str, object], headers: dict[str, str]
    ) -> tuple[str, float]:
        url = self.client.generate_presigned_url(
            operation, Params=params, ExpiresIn=round(self.url_lifetime)
        )
        # The client must send exactly the signed headers; make sure we told it all of them.
        signed = set(parse_qs(urlsplit(url).query)["X-Amz-SignedHeaders"][0].split(";"))
        told = {h.lower() for h in headers} | {"host"}
        if signed != told:
            raise RuntimeError(f"signed headers {sorted(signed)} differ from {sorted(told)}")
        return url, url_expiry(url)

    def exists(self, bucket: str, key: str) -> bool:
        try:
            self.client.head_object(Bucket=bucket, Key=key)
        except Exception as exc:
            if is_missing(exc):
                return False
            raise
        return True

    def start_multipart(self, upload: Upload) -> str:
        """Create the S3 multipart upload for ``upload``; its S3 upload id."""
        response = self.client.create_multipart_upload(
            Bucket=upload.bucket, Key=upload.key, ContentType=upload.content_type
        )
        return str(response["UploadId"])

    def parts(self, upload: Upload) -> Iterator[PartTypeDef]:
        """The parts of a multipart upload that have arrived, page by page."""
        marker = 0
        while True:
            page = self.client.list_parts(
                Bucket=upload.bucket, Key=upload.key, UploadId=upload.s3_upload_id,
                PartNumberMarker=marker, MaxParts=1000,
            )  # fmt: skip
            yield from page.get("Parts", [])
            if not page.get("IsTruncated"):
                return
            marker = int(page["NextPartNumberMarker"])

    def complete_multipart(
        self, upload: Upload, etags: dict[int, str], *, if_none_match: bool
    ) -> None:
        """Join the parts (number: ETag); with ``if_none_match``, never over an object."""
        parts: CompletedMultipartUploadTypeDef = {
            "Parts": [{"PartNumber": n, "ETag": etags[n]} for n in sorted(etags)]
        }
        if if_none_match:
            self.client.complete_multipart_upload(
                Bucket=upload.bucket, Key=upload.key, UploadId=upload.s3_upload_id,
                MultipartUpload=parts, IfNoneMatch="*",
            )  # fmt: skip
        else:
            self.client.complete_multipart_upload(
                Bucket=upload.bucket, Key=upload.key, UploadId=upload.s3_upload_id,
                MultipartUpload=parts,
            )  # fmt: skip

    def head(self, upload: Upload) -> HeadObjectOutputTypeDef | None:
        """The stored object's size, ETag and checksum; None if there is none."""
        try:
            return self.client.head_object(
                Bucket=upload.bucket, Key=upload.key, ChecksumMode="ENABLED"
            )
        except Exception as exc:
            if is_missing(exc):
                return None
            raise

    def read_head(self, upload: Upload, etag: str) -> bytes:
        """The stored object's first bytes (a ranged GET of the version ``etag``)."""
        if upload.size == 0:
            return b""  # a range of an empty object is "not satisfiable"
        response = self.client.get_object(
            Bucket=upload.bucket, Key=upload.key, IfMatch=etag,
            Range=f"bytes=0-{sniff.HEAD_BYTES - 1}",
        )  # fmt: skip
        with response["Body"] as body:
            return body.read(sniff.HEAD_BYTES)

    def read_all(self, upload: Upload, etag: str) -> tuple[bytes, str]:
        """The object's first bytes and its checksum, computed over a full download."""
        digest = _Digest(upload.checksum_algorithm)
        first = b""
        if upload.size:
            response = self.client.get_object(Bucket=upload.bucket, Key=upload.key, IfMatch=etag)
            with response["Body"] as body:
                while chunk := body.read(_READ_CHUNK):
                    if len(first) < sniff.HEAD_BYTES:
                        first += chunk[: sniff.HEAD_BYTES - len(first)]
                    digest.update(chunk)
        return first, digest.b64()

    def delete(self, upload: Upload) -> None:
        self.client.delete_object(Bucket=upload.bucket, Key=upload.key)

    def discard(self, upload: Upload) -> None:
        """Remove whatever a pending upload left in storage."""
        try:
            if upload.kind == MULTIPART:
                self.client.abort_multipart_upload(
                    Bucket=upload.bucket, Key=upload.key, UploadId=upload.s3_upload_id
                )
            else:
                # The key was reserved for this upload (and written with If-None-Match), so
                # an object there is this upload's own.
                self.client.delete_object(Bucket=upload.bucket, Key=upload.key)
        except Exception as exc:
            if error_code(exc) not in {"NoSuchUpload", "NoSuchKey", "404"}:
                raise
