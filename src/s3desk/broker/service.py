"""What the service does, without HTTP: check a declared upload against the caller's policy,
sign the S3 requests for it, and check the result before accepting it.

Nothing a client says is trusted on its own. Sizes are signed into every URL (S3 refuses a
body of another length) and checked again on completion; the first bytes are sniffed before
signing and compared with the stored object afterwards; the checksum is signed into single
uploads and compared (or recomputed) on completion. An upload that fails a check is deleted
(or aborted) and the refusal says why in words the desktop app shows as they are.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
import mimetypes
import secrets
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, NoReturn
from urllib.parse import parse_qs, urlsplit

from s3desk.broker import names, sniff
from s3desk.broker.auth import Principal
from s3desk.broker.config import MAX_SINGLE_PUT, BrokerConfig
from s3desk.broker.errors import Refusal, bad_request, not_found
from s3desk.broker.records import COMPLETED, MULTIPART, PENDING, SINGLE, Upload, UploadRecords
from s3desk.core.audit import AuditLog
from s3desk.core.keys import numbered_key
from s3desk.core.parts import MAX_OBJECT_SIZE, choose_part_size, part_count
from s3desk.core.units import human_size

MAX_PARTS_PER_REQUEST = 100
MAX_RENAMES = 1000
CHECKSUM_LENGTHS = {"crc32": 4, "sha256": 32}  # raw bytes of each algorithm's digest
_CHECKSUM_PARAM = {"crc32": "ChecksumCRC32", "sha256": "ChecksumSHA256"}
_READ_CHUNK = 1024 * 1024


def _iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat(timespec="seconds")


def url_expiry(url: str) -> float:
    """When a SigV4 pre-signed URL stops working: its X-Amz-Date plus X-Amz-Expires."""
    query = parse_qs(urlsplit(url).query)
    signed = datetime.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
    return signed.replace(tzinfo=datetime.UTC).timestamp() + int(query["X-Amz-Expires"][0])


def _b64(value: object, what: str, length: int | None = None, limit: int = 4096) -> bytes:
    if not isinstance(value, str) or len(value) > limit:
        raise bad_request(f"{what} must be a base64 string")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(f"{what} is not valid base64") from None
    if length is not None and len(raw) != length:
        raise bad_request(f"{what} must encode {length} bytes")
    return raw


def _int(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise bad_request(f"'{key}' must be a whole number, 0 or more")
    return value


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def _is_missing(exc: BaseException) -> bool:
    return _error_code(exc) in {"404", "NoSuchKey", "NotFound"}


def _etag(value: object) -> str:
    return str(value).strip().strip('"').lower()


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


class Broker:
    def __init__(
        self,
        config: BrokerConfig,
        client: Any,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.client = client
        self.records = UploadRecords(config.state_db)
        self.audit = AuditLog(config.audit_log)
        self.clock = clock

    def close(self) -> None:
        self.records.close()

    # ----------------------------------------------------------------- API

    def me(self, principal: Principal) -> dict[str, Any]:
        policy = principal.policy
        return {
            "user": principal.user,
            "bucket": policy.bucket,
            "prefix": names.user_prefix(policy.prefix, principal.user),
            "max_size": policy.max_size,
            "allowed_types": sorted(policy.allowed_types),
            "multipart_threshold": self.config.multipart_threshold,
            "part_size": self.config.part_size,
            "url_lifetime": self.config.url_lifetime,
            "head_bytes": sniff.HEAD_BYTES,
            "checksum_algorithms": sorted(CHECKSUM_LENGTHS),
            "max_parts_per_request": MAX_PARTS_PER_REQUEST,
        }

    def create(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        policy = principal.policy
        name = names.clean_name(body.get("name"))
        ext = sniff.extension(name)
        sniff.check_extension(ext, policy.allowed_types)
        size = _int(body, "size")
        limit = min(policy.max_size, MAX_OBJECT_SIZE)
        if size > limit:
            raise Refusal(
                413,
                "too_large",
                f"This file is {human_size(size)}; the limit is {human_size(limit)}",
            )
        head = _b64(body.get("head", ""), "'head'", limit=4 * sniff.HEAD_BYTES)
        expected_head = min(size, sniff.HEAD_BYTES)
        if len(head) != expected_head:
            raise bad_request(
                f"'head' must hold the file's first {expected_head} bytes (it holds {len(head)})"
            )
        sniff.check_content(ext, head)
        algorithm, checksum = self._declared_checksum(body.get("checksum"))
        if_exists = body.get("if_exists", "rename")
        if if_exists not in ("rename", "fail"):
            raise bad_request('\'if_exists\' must be "rename" or "fail"')
        prefix = names.user_prefix(policy.prefix, principal.user)
        key = names.object_key(prefix, name)
        multipart = size > self.config.multipart_threshold or size > MAX_SINGLE_PUT
        part_size = choose_part_size(size, self.config.part_size) if multipart else size
        now = self.clock()
        upload = Upload(
            id="up_" + secrets.token_urlsafe(18),
            user=principal.user,
            kind=MULTIPART if multipart else SINGLE,
            bucket=policy.bucket,
            key=key,
            size=size,
            content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            checksum_algorithm=algorithm,
            checksum=checksum,
            head=head,
            part_size=part_size,
            part_count=part_count(size, part_size) if multipart else 1,
            s3_upload_id="",
            created=now,
            touched=now,
        )
        upload = self._reserve(upload, fail=if_exists == "fail")
        try:
            if multipart:
                return self._start_multipart(upload)
            return {**self._describe(upload), **self._sign_single(upload)}
        except BaseException:
            self.records.remove(upload)
            raise

    def status(self, principal: Principal, upload_id: str) -> dict[str, Any]:
        upload = self._get(principal, upload_id)
        answer = self._describe(upload)
        if upload.state == COMPLETED:
            answer["result"] = upload.result_json()
        elif upload.kind == SINGLE:
            answer.update(self._sign_single(upload))  # a fresh URL, e.g. after a restart
        return answer

    def sign_parts(
        self, principal: Principal, upload_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        upload = self._pending(principal, upload_id, MULTIPART)
        numbers = body.get("numbers")
        if (
            not isinstance(numbers, list)
            or not numbers
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers)
        ):
            raise bad_request("'numbers' must be a non-empty list of part numbers")
        if len(numbers) > MAX_PARTS_PER_REQUEST:
            raise bad_request(f"Ask for at most {MAX_PARTS_PER_REQUEST} parts at a time")
        if len(set(numbers)) != len(numbers):
            raise bad_request("'numbers' lists a part twice")
        outside = [n for n in numbers if not 1 <= n <= upload.part_count]
        if outside:
            raise bad_request(
                f"This upload has parts 1 to {upload.part_count}; part {outside[0]} does not exist"
            )
        md5s = body.get("content_md5", {})
        if not isinstance(md5s, dict) or not set(md5s) <= {str(n) for n in numbers}:
            raise bad_request("'content_md5' must map requested part numbers to base64 MD5s")
        parts = []
        expires = 0.0
        for number in numbers:
            length = self._part_length(upload, number)
            params: dict[str, Any] = {
                "Bucket": upload.bucket, "Key": upload.key, "UploadId": upload.s3_upload_id,
                "PartNumber": number, "ContentLength": length,
            }  # fmt: skip
            headers = {"Content-Length": str(length)}
            md5 = md5s.get(str(number))
            if md5 is not None:
                _b64(md5, f"content_md5 of part {number}", length=16)
                params["ContentMD5"] = headers["Content-MD5"] = md5
            url, expires = self._presign("upload_part", params, headers)
            parts.append({"number": number, "url": url, "method": "PUT", "headers": headers,
                          "size": length})  # fmt: skip
        self.records.update(upload, touched=max(upload.touched, expires))
        return {"upload_id": upload.id, "parts": parts, "expires": _iso(expires)}

    def list_parts(self, principal: Principal, upload_id: str) -> dict[str, Any]:
        upload = self._pending(principal, upload_id, MULTIPART)
        try:
            listed = list(self._parts(upload))
        except Exception as exc:
            if _error_code(exc) == "NoSuchUpload":
                self.records.remove(upload)
                raise not_found() from None
            raise
        return {
            "upload_id": upload.id,
            "part_size": upload.part_size,
            "part_count": upload.part_count,
            "parts": [
                {"number": p["PartNumber"], "size": p["Size"], "etag": p["ETag"]} for p in listed
            ],
        }

    def complete(
        self, principal: Principal, upload_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        upload = self._get(principal, upload_id)
        if upload.state == COMPLETED:
            return upload.result_json()  # a repeated request, e.g. after a lost answer
        if upload.kind == SINGLE:
            return self._complete_single(upload)
        return self._complete_multipart(upload, principal, body)

    def abort(self, principal: Principal, upload_id: str) -> dict[str, Any]:
        upload = self._get(principal, upload_id)
        if upload.state != PENDING:
            raise Refusal(409, "finished", "This upload is finished; it can no longer be cancelled")
        self._discard(upload)
        self.records.remove(upload)
        self._audit(upload, "upload-abort", result="ok")
        return {"upload_id": upload.id, "aborted": True}

    def sweep(self) -> dict[str, int]:
        """Tidy up after clients that went away: abort multipart uploads and verify (or
        delete) single uploads not completed within ``abandon_after`` of their last URL's
        expiry, and forget completed uploads as old. Returns counts for the log."""
        now = self.clock()
        counts = {"aborted": 0, "verified": 0, "rejected": 0, "forgotten": 0, "failed": 0}
        for upload in self.records.all():
            if now <= upload.touched + self.config.abandon_after:
                continue
            try:
                self._sweep_one(upload, counts)
            except Exception:
                counts["failed"] += 1  # storage trouble: the next sweep tries again
        return counts

    def _sweep_one(self, upload: Upload, counts: dict[str, int]) -> None:
        if upload.state != PENDING:
            self.records.remove(upload)
            counts["forgotten"] += 1
        elif upload.kind == MULTIPART:
            self._discard(upload)
            self.records.remove(upload)
            self._audit(upload, "upload-abort", result="abandoned")
            counts["aborted"] += 1
        else:
            try:
                self._complete_single(upload, by="sweep")
                counts["verified"] += 1
            except Refusal as refusal:
                if refusal.code != "not_uploaded":
                    counts["rejected"] += 1
                    return
                self.records.remove(upload)  # nothing arrived: forget it
                counts["forgotten"] += 1

    # ----------------------------------------------------------------- creating

    def _declared_checksum(self, value: object) -> tuple[str, str]:
        if not isinstance(value, dict):
            raise bad_request(
                '\'checksum\' is required: {"algorithm": "crc32" or "sha256", "value": base64}'
            )
        algorithm = value.get("algorithm")
        if algorithm not in CHECKSUM_LENGTHS:
            raise bad_request('\'checksum.algorithm\' must be "crc32" or "sha256"')
        checksum = value.get("value")
        _b64(checksum, "'checksum.value'", length=CHECKSUM_LENGTHS[str(algorithm)])
        return str(algorithm), str(checksum)

    def _reserve(self, upload: Upload, *, fail: bool) -> Upload:
        """``upload`` under its key or, with ``fail`` False, the first free "name (n).ext"."""
        for n in range(MAX_RENAMES):
            key = numbered_key(upload.key, n) if n else upload.key
            candidate = replace(upload, key=names.object_key("", key))
            if self.records.reserve(candidate):
                try:
                    taken = self._exists(candidate.bucket, candidate.key)
                except BaseException:
                    self.records.remove(candidate)
                    raise
                if not taken:
                    return candidate
                self.records.remove(candidate)
            if fail:
                name = upload.key.rpartition("/")[2]
                raise Refusal(409, "exists", f"A file named {name!r} is already there")
        raise Refusal(409, "exists", "Too many files with this name are already there; rename it")

    def _exists(self, bucket: str, key: str) -> bool:
        try:
            self.client.head_object(Bucket=bucket, Key=key)
        except Exception as exc:
            if _is_missing(exc):
                return False
            raise
        return True

    def _start_multipart(self, upload: Upload) -> dict[str, Any]:
        response = self.client.create_multipart_upload(
            Bucket=upload.bucket, Key=upload.key, ContentType=upload.content_type
        )
        upload = self.records.update(upload, s3_upload_id=str(response["UploadId"]))
        return {
            **self._describe(upload),
            "max_parts_per_request": MAX_PARTS_PER_REQUEST,
        }

    def _sign_single(self, upload: Upload) -> dict[str, Any]:
        params: dict[str, Any] = {
            "Bucket": upload.bucket, "Key": upload.key, "ContentLength": upload.size,
            "ContentType": upload.content_type,
            _CHECKSUM_PARAM[upload.checksum_algorithm]: upload.checksum,
        }  # fmt: skip
        headers = {
            "Content-Length": str(upload.size),
            "Content-Type": upload.content_type,
            f"x-amz-checksum-{upload.checksum_algorithm}": upload.checksum,
        }
        if self.config.conditional_writes:
            params["IfNoneMatch"] = headers["If-None-Match"] = "*"
        url, expires = self._presign("put_object", params, headers)
        self.records.update(upload, touched=max(upload.touched, expires))
        return {"url": url, "method": "PUT", "headers": headers, "expires": _iso(expires)}

    def _presign(
        self, operation: str, params: dict[str, Any], headers: dict[str, str]
    ) -> tuple[str, float]:
        url = str(
            self.client.generate_presigned_url(
                operation, Params=params, ExpiresIn=round(self.config.url_lifetime)
            )
        )
        # The client must send exactly the signed headers; make sure we told it all of them.
        signed = set(parse_qs(urlsplit(url).query)["X-Amz-SignedHeaders"][0].split(";"))
        told = {h.lower() for h in headers} | {"host"}
        if signed != told:
            raise RuntimeError(f"signed headers {sorted(signed)} differ from {sorted(told)}")
        return url, url_expiry(url)

    def _describe(self, upload: Upload) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "upload_id": upload.id,
            "kind": upload.kind,
            "key": upload.key,
            "size": upload.size,
            "content_type": upload.content_type,
            "state": upload.state,
            "created": _iso(upload.created),
        }
        if upload.kind == MULTIPART:
            answer.update(part_size=upload.part_size, part_count=upload.part_count)
        return answer

    # ----------------------------------------------------------------- finding

    def _get(self, principal: Principal, upload_id: str) -> Upload:
        upload = self.records.get(upload_id, principal.user)
        if upload is None:
            raise not_found()
        return upload

    def _pending(self, principal: Principal, upload_id: str, kind: str) -> Upload:
        upload = self._get(principal, upload_id)
        if upload.state != PENDING:
            raise Refusal(409, "finished", "This upload is already finished")
        if upload.kind != kind:
            raise Refusal(
                409,
                "wrong_kind",
                f"This is a {upload.kind} upload; it has no parts to sign or list",
            )
        return upload

    def _parts(self, upload: Upload) -> Iterator[dict[str, Any]]:
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

    @staticmethod
    def _part_length(upload: Upload, number: int) -> int:
        if number < upload.part_count:
            return upload.part_size
        return upload.size - upload.part_size * (upload.part_count - 1)

    # ----------------------------------------------------------------- completing

    def _complete_multipart(
        self, upload: Upload, principal: Principal, body: dict[str, Any]
    ) -> dict[str, Any]:
        claimed = self._claimed_parts(body)
        try:
            listed = {int(p["PartNumber"]): p for p in self._parts(upload)}
        except Exception as exc:
            if _error_code(exc) != "NoSuchUpload":
                raise
            # Completed by an earlier attempt whose answer was lost, or aborted.
            return self._verify_object(upload, self._head(upload), gone_ok=False)
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
        extra: dict[str, Any] = {}
        if self.config.conditional_writes:
            extra["IfNoneMatch"] = "*"
        try:
            self.client.complete_multipart_upload(
                Bucket=upload.bucket, Key=upload.key, UploadId=upload.s3_upload_id,
                MultipartUpload={"Parts": [
                    {"PartNumber": n, "ETag": listed[n]["ETag"]} for n in sorted(listed)
                ]},
                **extra,
            )  # fmt: skip
        except Exception as exc:
            if _error_code(exc) not in {"PreconditionFailed", "412"}:
                raise
            self._discard(upload)
            self.records.remove(upload)
            self._audit(upload, "upload", result="rejected", error="name taken meanwhile")
            raise Refusal(
                409, "name_taken",
                f"Another file took the name {upload.key.rpartition('/')[2]!r} meanwhile; "
                "start this upload again",
            ) from None  # fmt: skip
        return self._verify_object(upload, self._head(upload), gone_ok=False)

    @staticmethod
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

    def _check_part_sizes(
        self, upload: Upload, principal: Principal, listed: dict[int, dict[str, Any]]
    ) -> None:
        """Abort the upload if what arrived is not what was declared (or over the limit)."""
        total = sum(int(p["Size"]) for p in listed.values())
        limit = principal.policy.max_size
        problem: Refusal | None = None
        if total > limit:
            problem = Refusal(
                413, "too_large",
                f"The parts uploaded add up to {human_size(total)}; the limit is "
                f"{human_size(limit)}. The upload was cancelled",
            )  # fmt: skip
        elif total > upload.size:
            problem = Refusal(
                422, "size_mismatch",
                f"The parts uploaded add up to {total:,} bytes, more than the {upload.size:,} "
                "declared. The upload was cancelled",
            )  # fmt: skip
        else:
            for number, part in sorted(listed.items()):
                if number > upload.part_count:
                    problem = Refusal(
                        422, "size_mismatch",
                        f"Part {number} was uploaded, but this upload has only "
                        f"{upload.part_count} parts. The upload was cancelled",
                    )  # fmt: skip
                    break
                expected = self._part_length(upload, number)
                if int(part["Size"]) != expected:
                    problem = Refusal(
                        422, "size_mismatch",
                        f"Part {number} has {int(part['Size']):,} bytes; it should have "
                        f"{expected:,}. The upload was cancelled",
                    )  # fmt: skip
                    break
        if problem is not None:
            self._discard(upload)
            self.records.remove(upload)
            self._audit(upload, "upload", result="rejected", error=problem.message, size=total)
            raise problem

    def _complete_single(self, upload: Upload, by: str = "client") -> dict[str, Any]:
        return self._verify_object(upload, self._head(upload), gone_ok=True, by=by)

    def _head(self, upload: Upload) -> dict[str, Any] | None:
        try:
            response: dict[str, Any] = self.client.head_object(
                Bucket=upload.bucket, Key=upload.key, ChecksumMode="ENABLED"
            )
        except Exception as exc:
            if _is_missing(exc):
                return None
            raise
        return response

    def _verify_object(
        self, upload: Upload, head: dict[str, Any] | None, *, gone_ok: bool, by: str = "client"
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
        reported = str(head.get(_CHECKSUM_PARAM[upload.checksum_algorithm]) or "")
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
            first = self._read(upload, etag, whole=False)
        elif size <= self.config.verify_download_limit:
            first, checksum = self._read_all(upload, etag)
            if checksum != upload.checksum:
                self._reject(
                    upload, 422, "checksum_mismatch",
                    "The uploaded file's checksum is not the one declared. It was removed; "
                    "upload it again",
                    size=size, by=by,
                )  # fmt: skip
            verified = True
        else:
            first = self._read(upload, etag, whole=False)
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
        self.records.update(upload, state=COMPLETED, result=json.dumps(result), touched=self.clock())
        self._audit(
            upload, "upload", result="ok", size=size, etag=etag.strip('"'),
            checksum_verified=verified, by=by,
        )  # fmt: skip
        return result

    def _read(self, upload: Upload, etag: str, *, whole: bool) -> bytes:
        if upload.size == 0:
            return b""  # a range of an empty object is "not satisfiable"
        extra = {} if whole else {"Range": f"bytes=0-{sniff.HEAD_BYTES - 1}"}
        response = self.client.get_object(
            Bucket=upload.bucket, Key=upload.key, IfMatch=etag, **extra
        )
        with response["Body"] as body:
            data: bytes = body.read(sniff.HEAD_BYTES)
        return data

    def _read_all(self, upload: Upload, etag: str) -> tuple[bytes, str]:
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

    def _reject(
        self, upload: Upload, status: int, code: str, message: str, *, size: int, by: str
    ) -> NoReturn:
        try:
            self.client.delete_object(Bucket=upload.bucket, Key=upload.key)
        finally:
            self.records.remove(upload)
            self._audit(upload, "upload", result="rejected", error=message, size=size, by=by)
        raise Refusal(status, code, message)

    def _discard(self, upload: Upload) -> None:
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
            if _error_code(exc) not in {"NoSuchUpload", "NoSuchKey", "404"}:
                raise

    def _audit(self, upload: Upload, action: str, **fields: Any) -> None:
        entry: dict[str, Any] = {
            "user": upload.user,
            "bucket": upload.bucket,
            "key": upload.key,
            "upload_id": upload.id,
            "kind": upload.kind,
            "declared_size": upload.size,
            "checksum": f"{upload.checksum_algorithm}:{upload.checksum}",
            "content_type": upload.content_type,
        }
        entry.update(fields)
        self.audit.append(action, **entry)
