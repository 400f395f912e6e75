"""Uploads straight to S3 with the account's credentials: a PutObject per small file (the lean
sender where it can), a multipart upload per large one, through the engine's senders.

Every body carries a checksum (CRC32, or Content-MD5 in compatibility mode) that the answer
must confirm; where the account requires encryption, an object the storage does not confirm
as encrypted is removed again and the request fails.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from s3desk.core.compliance import content_types
from s3desk.core.compliance.upload_options import UploadOptions
from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.storage import checksums
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.errors import EncryptionRequired, has_code
from s3desk.core.storage.lean_s3 import NotServed
from s3desk.core.storage.parts import choose_part_size, part_count
from s3desk.core.transfer.body import ProgressBody, UploadCancelled
from s3desk.core.transfer.jobs import PartResult, UploadJob
from s3desk.core.transfer.senders import Senders
from s3desk.core.transfer.upload.backends.backend import Sending, Start, Stored
from s3desk.core.transfer.upload.source import check_unchanged, part_length, read_span

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

log = logging.getLogger(__name__)

# Bodies up to this size go to boto3 as plain bytes: progress for them is the whole file at
# once, and botocore then skips the Expect: 100-continue round trip and the per-read hooks.
SMALL_BODY = 1024 * 1024


class DirectS3Backend:
    """S3 requests with the account's own credentials. The senders are the engine's (it
    resets and closes them); this backend only sends with them."""

    local_rules = True
    chooses_keys = False
    can_look = True
    can_copy_audit = True

    def __init__(self, endpoint: S3Endpoint, senders: Senders, options: UploadOptions) -> None:
        self.endpoint = endpoint
        self._senders = senders
        self._options = options

    @property
    def client(self) -> S3Client:
        """The botocore client, made on first use: small files may never need one."""
        client: S3Client = self._senders.client
        return client

    @property
    def _crc32(self) -> bool:
        return self.endpoint.checksum_mode == checksums.CRC32

    def reset(self, endpoint: S3Endpoint) -> None:
        self.endpoint = endpoint  # the checksum mode may have changed

    def close(self) -> None:
        pass  # the connections are the engine's senders'

    # ----------------------------------------------------------------- one file, one request

    def begin(self, job: UploadJob, *, multipart: bool, part_size: int, sweep: bool) -> Start:
        if not multipart:
            return Start(job.bucket, job.key)  # the PutObject is the whole upload
        if sweep:
            self._abort_orphans(job)
        size = choose_part_size(job.size, part_size)
        extra: dict[str, Any] = {"ChecksumAlgorithm": "CRC32"} if self._crc32 else {}
        response = self.client.create_multipart_upload(
            Bucket=job.bucket, Key=job.key, ContentType=_content_type(job), **extra,
            **self._options.boto_fields(),
        )  # fmt: skip
        return Start(job.bucket, job.key, response["UploadId"], size, part_count(job.size, size))

    def put(self, job: UploadJob, start: Start, sending: Sending) -> Stored:
        data = read_span(job, 0, job.size)
        mode = self.endpoint.checksum_mode
        fields, checksum = checksums.request_fields(mode, data)
        body = self._body(data, sending) if job.size > SMALL_BODY else None
        try:
            if body is None and not sending.limiter.consume(job.size, sending.stale):
                raise UploadCancelled
            if body is None:
                response = self._send_small(job, data, fields)
            else:
                response = self.client.put_object(
                    Bucket=job.bucket, Key=job.key, Body=body, ContentType=_content_type(job),
                    **fields, **_conditional(job, single=True), **self._options.boto_fields(),
                )  # fmt: skip
            checksums.verify_response(mode, checksum, response)
            self._check_encrypted(job, response)
        except Exception:
            if body is not None:
                body.rewind()
            raise
        return Stored(str(response.get("ETag", "")).strip('"'), checksum)

    def _send_small(self, job: UploadJob, data: bytes, fields: dict[str, Any]) -> Mapping[str, Any]:
        """PutObject of a body in memory: the lean sender where it can, botocore otherwise."""
        conditional = _conditional(job, single=True)
        headers = {"content-type": _content_type(job), **self._options.headers()}
        if "ContentMD5" in fields:
            headers["content-md5"] = fields["ContentMD5"]
        if "ChecksumCRC32" in fields:
            # As the SDKs send it: some services store the checksum only when told so.
            headers["x-amz-sdk-checksum-algorithm"] = "CRC32"
            headers["x-amz-checksum-crc32"] = fields["ChecksumCRC32"]
        if conditional:
            headers["if-none-match"] = conditional["IfNoneMatch"]
        try:
            return self._senders.lean().put(job.bucket, job.key, data, headers)
        except NotServed:
            pass
        return self.client.put_object(
            Bucket=job.bucket, Key=job.key, Body=data, ContentType=_content_type(job),
            **fields, **conditional, **self._options.boto_fields(),
        )  # fmt: skip

    def _body(self, data: bytes, sending: Sending) -> ProgressBody:
        return ProgressBody(
            data, on_progress=sending.progress, should_stop=sending.stale, limiter=sending.limiter
        )

    def _abort_orphans(self, job: UploadJob) -> None:
        """An earlier run queued this file and died, maybe after its CreateMultipartUpload
        reached the service but before the answer was noted: abort the key's uploads that
        have no part yet (parts go out only once the id is noted), so none stays open."""
        try:
            pages = self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=job.bucket, Prefix=job.key
            )
            uploads = [u for page in pages for u in page.get("Uploads", [])]
        except Exception as exc:  # not allowed to look (or rclone's "none yet"): go on
            log.info("could not list the uploads of s3://%s/%s: %r", job.bucket, job.key, exc)
            return
        for upload in (u for u in uploads if u.get("Key") == job.key):
            upload_id = upload["UploadId"]
            try:
                listed = self.client.list_parts(Bucket=job.bucket, Key=job.key, UploadId=upload_id)
                if not listed.get("Parts"):
                    self.client.abort_multipart_upload(
                        Bucket=job.bucket, Key=job.key, UploadId=upload_id
                    )
            except Exception as exc:  # gone meanwhile, or not ours to touch
                log.info("left multipart upload %s open: %r", upload_id, exc)

    # ----------------------------------------------------------------- multipart uploads

    def send_part(
        self, job: UploadJob, number: int, sending: Sending, due_next: Callable[[int], list[int]]
    ) -> PartResult:
        assert job.upload_id is not None
        data = read_span(job, (number - 1) * job.part_size, part_length(job, number))
        mode = self.endpoint.checksum_mode
        fields, checksum = checksums.request_fields(mode, data)
        body = self._body(data, sending)
        try:
            response = self.client.upload_part(
                Bucket=job.bucket, Key=job.key, UploadId=job.upload_id, PartNumber=number,
                Body=body, **fields,
            )  # fmt: skip
            checksums.verify_response(mode, checksum, response)
        except Exception:
            body.rewind()
            raise
        return PartResult(response["ETag"], len(data), checksum)

    def list_parts(self, job: UploadJob) -> dict[int, PartResult]:
        assert job.upload_id is not None
        known = job.done_parts or {}
        confirmed: dict[int, PartResult] = {}
        paginator = self.client.get_paginator("list_parts")
        pages = paginator.paginate(Bucket=job.bucket, Key=job.key, UploadId=job.upload_id)
        for page in pages:
            for part in page.get("Parts", []):
                number, size = int(part["PartNumber"]), int(part["Size"])
                if 1 <= number <= job.part_count and size == part_length(job, number):
                    # Services that list no checksums: keep ours if it is the same part.
                    ours = known.get(number)
                    same = ours is not None and ours.etag == part["ETag"]
                    crc = part.get("ChecksumCRC32") or (ours.checksum if same and ours else "")
                    confirmed[number] = PartResult(part["ETag"], size, crc)
        return confirmed

    def complete(self, job: UploadJob) -> Stored:
        assert job.upload_id is not None and job.done_parts is not None
        done = [job.done_parts[n] for n in sorted(job.done_parts)]
        parts: list[CompletedPartTypeDef] = [
            {"PartNumber": n, "ETag": job.done_parts[n].etag} for n in sorted(job.done_parts)
        ]
        # An upload created with a checksum algorithm must list every part's checksum.
        crc32s = [p.checksum for p in done] if self._crc32 else []
        if crc32s and all(crc32s):
            for part, crc in zip(parts, crc32s, strict=True):
                part["ChecksumCRC32"] = crc
        check_unchanged(job)
        response = self.client.complete_multipart_upload(
            Bucket=job.bucket, Key=job.key, UploadId=job.upload_id,
            MultipartUpload={"Parts": parts}, **_conditional(job),
        )  # fmt: skip
        if crc32s and all(crc32s):
            checksums.verify_complete(self.endpoint.checksum_mode, crc32s, response)
        self._check_encrypted(job, response)
        etag = str(response.get("ETag", "")).strip('"')
        return Stored(etag, str(response.get("ChecksumCRC32", "")))

    def abort(self, job: UploadJob) -> None:
        assert job.upload_id is not None
        self.client.abort_multipart_upload(Bucket=job.bucket, Key=job.key, UploadId=job.upload_id)

    def _check_encrypted(self, job: UploadJob, response: Mapping[str, Any]) -> None:
        """Encryption is required: an object the service does not confirm as encrypted is
        removed again (best effort) and the request fails saying so."""
        try:
            self._options.check_confirmed(response)
        except EncryptionRequired:
            try:
                self.client.delete_object(Bucket=job.bucket, Key=job.key)
            except Exception as exc:
                log.warning("could not remove unencrypted s3://%s/%s: %r", job.bucket, job.key, exc)
            raise

    # ----------------------------------------------------------------- looking

    def exists(self, bucket: str, key: str) -> bool:
        try:
            try:
                return self._senders.lean().exists(bucket, key)
            except NotServed:
                self.client.head_object(Bucket=bucket, Key=key)
        except Exception as exc:
            if any(has_code(exc, c) for c in ("404", "NoSuchKey", "NotFound")):
                return False
            raise
        return True

    def head(self, bucket: str, key: str, *, checksum: bool) -> Mapping[str, Any]:
        if checksum:
            return self.client.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        return self.client.head_object(Bucket=bucket, Key=key)


def _content_type(job: UploadJob) -> str:
    return job.content_type or content_types.from_name(job.key) or content_types.DEFAULT


def _conditional(job: UploadJob, single: bool = False) -> dict[str, Any]:
    """Write only if the key is still free, where the policy promised not to overwrite.
    "Ask" guards single-request writes too: a name taken after the check (or one we were not
    allowed to check) turns into a question instead of a silent overwrite."""
    if job.conflict in (ConflictPolicy.SKIP, ConflictPolicy.RENAME):
        return {"IfNoneMatch": "*"}
    if single and job.conflict is ConflictPolicy.ASK:
        return {"IfNoneMatch": "*"}
    return {}
