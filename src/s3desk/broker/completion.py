"""Completing uploads: accept what arrived in storage only if it is what was declared.

A multipart upload's parts must each be the size they were signed for and the ones the client
uploaded last (by ETag); the stored object's size, checksum and first bytes must then match
the declaration. Whatever fails a check is deleted (or aborted), forgotten and audited, and the
refusal says why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from s3desk.broker.audit import UploadAudit
from s3desk.broker.auth import Principal
from s3desk.broker.config import BrokerConfig
from s3desk.broker.errors import Refusal, bad_request, not_found
from s3desk.broker.records import COMPLETED, SINGLE, Upload, UploadRecords
from s3desk.broker.storage import Storage, error_code, reported_checksum
from s3desk.core.units import human_size

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import HeadObjectOutputTypeDef, PartTypeDef


def _etag(value: object) -> str:
    return str(value).strip().strip('"').lower()


def _claimed_parts(body: dict[str, Any]) -> dict[int, str]:
    parts = body.get("parts")
    if not isinstance(parts, list):
        raise bad_request('\'parts\' must be a list of {"number": n, "etag": "..."}')
    claimed: dict[int, str] = {}
    for part in parts:
        number = part.get("number") if isinstance(part, dict) else None
        etag = part.get("etag") if isinstance(part, dict) else None
        if not isinstance(number, int) or isinstance(number, bool) or not isinstance(etag, str):
            raise bad_request('each of \'parts\' must be {"number": n, "etag": "..."}')
        if number in claimed:
            raise bad_request(f"'parts' lists part {number} twice")
        claimed[number] = etag
    return claimed


def _size_problem(upload: Upload, limit: int, listed: dict[int, PartTypeDef]) -> Refusal | None:
    """Why the parts that arrived are not what was declared (or are over ``limit``), if so."""
    total = sum(int(p["Size"]) for p in listed.values())
    if total > limit:
        return Refusal(
            413, "too_large",
            f"The parts uploaded add up to {human_size(total)}; the limit is "
            f"{human_size(limit)}. The upload was cancelled",
        )  # fmt: skip
    if total > upload.size:
        return Refusal(
            422, "size_mismatch",
            f"The parts uploaded add up to {total:,} bytes, more than the {upload.size:,} "
            "declared. The upload was cancelled",
        )  # fmt: skip
    for number, part in sorted(listed.items()):
        if number > upload.part_count:
            return Refusal(
                422, "size_mismatch",
                f"Part {number} was uploaded, but this upload has only "
                f"{upload.part_count} parts. The upload was cancelled",
            )  # fmt: skip
        expected = upload.part_length(number)
        if int(part["Size"]) != expected:
            return Refusal(
                422, "size_mismatch",
                f"Part {number} has {int(part['Size']):,} bytes; it should have "
                f"{expected:,}. The upload was cancelled",
            )  # fmt: skip
    return None


class Completion:
    def __init__(
        self,
        config: BrokerConfig,
        storage: Storage,
        records: UploadRecords,
        audit: UploadAudit,
        clock: Callable[[], float],
    ) -> None:
        self.config = config
        self.storage = storage
        self.records = records
        self.audit = audit
        self.clock = clock

    def complete(
        self, upload: Upload, principal: Principal, body: dict[str, Any]
    ) -> dict[str, Any]:
        if upload.state == COMPLETED:
            return upload.result_json()  # a repeated request, e.g. after a lost answer
        if upload.kind == SINGLE:
            return self.complete_single(upload)
        return self._complete_multipart(upload, principal, body)

    def complete_single(self, upload: Upload, by: str = "client") -> dict[str, Any]:
        """Accept a single upload's object, or delete it; Refusal "not_uploaded" if none."""
        return self._verify_object(upload, self.storage.head(upload), gone_ok=True, by=by)

    def _complete_multipart(
        self, upload: Upload, principal: Principal, body: dict[str, Any]
    ) -> dict[str, Any]:
        claimed = _claimed_parts(body)
        try:
            listed = {int(p["PartNumber"]): p for p in self.storage.parts(upload)}
        except Exception as exc:
            if error_code(exc) != "NoSuchUpload":
                raise
            # Completed by an earlier attempt whose answer was lost, or aborted.
            return self._verify_object(upload, self.storage.head(upload), gone_ok=False)
        self._check_part_sizes(upload, principal, listed)
        missing = [n for n in range(1, upload.part_count + 1) if n not in listed]
        if missing:
            shown = ", ".join(map(str, missing[:10])) + (", …" if len(missing) > 10 else "")
            raise Refusal(
                409, "parts_missing",
                f"{len(missing)} of {upload.part_count} parts have not been uploaded yet "
                f"(part {shown}); upload them, then complete again",
            )  # fmt: skip
        if sorted(claimed) != list(range(1, upload.part_count + 1)):
            raise bad_request(f"'parts' must list every part from 1 to {upload.part_count}")
        for number, etag in sorted(claimed.items()):
            if _etag(listed[number]["ETag"]) != _etag(etag):
                raise Refusal(
                    409, "part_mismatch",
                    f"Part {number} in storage is not the one you uploaded last (its ETag "
                    "differs); upload it again, then complete again",
                )  # fmt: skip
        try:
            self.storage.complete_multipart(
                upload,
                {n: part["ETag"] for n, part in listed.items()},
                if_none_match=self.config.conditional_writes,
            )
        except Exception as exc:
            if error_code(exc) not in {"PreconditionFailed", "412"}:
                raise
            self.storage.discard(upload)
            self.records.remove(upload)
            self.audit.record(upload, "upload", result="rejected", error="name taken meanwhile")
            raise Refusal(
                409, "name_taken",
                f"Another file took the name {upload.key.rpartition('/')[2]!r} meanwhile; "
                "start this upload again",
            ) from None  # fmt: skip
        return self._verify_object(upload, self.storage.head(upload), gone_ok=False)

    def _check_part_sizes(
        self, upload: Upload, principal: Principal, listed: dict[int, PartTypeDef]
    ) -> None:
        """Abort the upload if what arrived is not what was declared (or over the limit)."""
        problem = _size_problem(upload, principal.policy.max_size, listed)
        if problem is not None:
            total = sum(int(p["Size"]) for p in listed.values())
            self.storage.discard(upload)
            self.records.remove(upload)
            self.audit.record(
                upload, "upload", result="rejected", error=problem.message, size=total
            )
            raise problem

    def _verify_object(
        self,
        upload: Upload,
        head: HeadObjectOutputTypeDef | None,
        *,
        gone_ok: bool,
        by: str = "client",
    ) -> dict[str, Any]:
        """Accept the stored object if its size, checksum and first bytes are as declared;
        otherwise delete it and refuse."""
        if head is None:
            if gone_ok:
                raise Refusal(
                    409, "not_uploaded",
                    "The file has not arrived in storage yet; upload it, then complete again",
                )  # fmt: skip
            self.records.remove(upload)
            raise not_found()
        size = int(head["ContentLength"])
        etag = str(head.get("ETag", ""))
        if size != upload.size:
            self._reject(
                upload, 422, "size_mismatch",
                f"The uploaded file has {size:,} bytes, but {upload.size:,} were declared. It was "
                "removed; upload it again",
                size=size, by=by,
            )  # fmt: skip
        reported = reported_checksum(head, upload.checksum_algorithm)
        trusted = (
            self.config.verifies_checksums and upload.kind == SINGLE and reported
            and "-" not in reported
        )  # fmt: skip
        verified = False
        if trusted:
            if reported != upload.checksum:
                self._reject(
                    upload, 422, "checksum_mismatch",
                    "The uploaded file's checksum is not the one declared. It was removed; "
                    "upload it again",
                    size=size, by=by,
                )  # fmt: skip
            verified = True
            first = self.storage.read_head(upload, etag)
        elif size <= self.config.verify_download_limit:
            first, checksum = self.storage.read_all(upload, etag)
            if checksum != upload.checksum:
                self._reject(
                    upload, 422, "checksum_mismatch",
                    "The uploaded file's checksum is not the one declared. It was removed; "
                    "upload it again",
                    size=size, by=by,
                )  # fmt: skip
            verified = True
        else:
            first = self.storage.read_head(upload, etag)
        if first != upload.head:
            self._reject(
                upload, 422, "content_mismatch",
                "The uploaded file does not begin with the bytes declared when the upload "
                "started. It was removed",
                size=size, by=by,
            )  # fmt: skip
        result = {
            "upload_id": upload.id,
            "key": upload.key,
            "bucket": upload.bucket,
            "size": size,
            "etag": etag,
            "checksum_verified": verified,
        }
        self.records.update(
            upload, state=COMPLETED, result=json.dumps(result), touched=self.clock()
        )
        self.audit.record(
            upload, "upload", result="ok", size=size, etag=etag.strip('"'),
            checksum_verified=verified, by=by,
        )  # fmt: skip
        return result

    def _reject(
        self, upload: Upload, status: int, code: str, message: str, *, size: int, by: str
    ) -> NoReturn:
        try:
            self.storage.delete(upload)
        finally:
            self.records.remove(upload)
            self.audit.record(upload, "upload", result="rejected", error=message, size=size, by=by)
        raise Refusal(status, code, message)
