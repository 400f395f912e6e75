"""Issuing uploads: check what a client declares against its policy, give the upload a key of
its own, and sign the URLs it uploads with (one PUT, or a multipart upload's parts).

Nothing is signed before the name, type, size, first bytes and checksum pass; every URL signs
the length (and for a single upload the checksum) it was issued for.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import mimetypes
import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from s3desk.broker import names, sniff
from s3desk.broker.auth import Principal
from s3desk.broker.config import MAX_SINGLE_PUT, BrokerConfig
from s3desk.broker.errors import Refusal, bad_request, not_found
from s3desk.broker.records import COMPLETED, MULTIPART, SINGLE, Upload, UploadRecords
from s3desk.broker.storage import Storage, error_code
from s3desk.core.storage.keys import numbered_key
from s3desk.core.storage.parts import MAX_OBJECT_SIZE, choose_part_size, part_count
from s3desk.core.units import human_size

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import PutObjectRequestTypeDef, UploadPartRequestTypeDef

MAX_PARTS_PER_REQUEST = 100
MAX_RENAMES = 1000
CHECKSUM_LENGTHS = {"crc32": 4, "sha256": 32}  # raw bytes of each algorithm's digest


def _iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat(timespec="seconds")


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


def _declared_checksum(value: object) -> tuple[str, str]:
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


def _requested_parts(upload: Upload, body: dict[str, Any]) -> tuple[list[int], dict[str, Any]]:
    """The part numbers a client asks URLs for, and the MD5s it declares for some of them."""
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
    return numbers, md5s


class Issuer:
    def __init__(
        self,
        config: BrokerConfig,
        storage: Storage,
        records: UploadRecords,
        clock: Callable[[], float],
    ) -> None:
        self.config = config
        self.storage = storage
        self.records = records
        self.clock = clock

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
        algorithm, checksum = _declared_checksum(body.get("checksum"))
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
            return {**self.describe(upload), **self._sign_single(upload)}
        except BaseException:
            self.records.remove(upload)
            raise

    def status(self, upload: Upload) -> dict[str, Any]:
        answer = self.describe(upload)
        if upload.state == COMPLETED:
            answer["result"] = upload.result_json()
        elif upload.kind == SINGLE:
            answer.update(self._sign_single(upload))  # a fresh URL, e.g. after a restart
        return answer

    def sign_parts(self, upload: Upload, body: dict[str, Any]) -> dict[str, Any]:
        """URLs for some parts of a pending multipart upload."""
        numbers, md5s = _requested_parts(upload, body)
        parts = []
        expires = 0.0
        for number in numbers:
            length = upload.part_length(number)
            params: UploadPartRequestTypeDef = {
                "Bucket": upload.bucket, "Key": upload.key, "UploadId": upload.s3_upload_id,
                "PartNumber": number, "ContentLength": length,
            }  # fmt: skip
            headers = {"Content-Length": str(length)}
            md5 = md5s.get(str(number))
            if md5 is not None:
                _b64(md5, f"content_md5 of part {number}", length=16)
                params["ContentMD5"] = headers["Content-MD5"] = md5
            url, expires = self.storage.presign_part(params, headers)
            parts.append({"number": number, "url": url, "method": "PUT", "headers": headers,
                          "size": length})  # fmt: skip
        self.records.update(upload, touched=max(upload.touched, expires))
        return {"upload_id": upload.id, "parts": parts, "expires": _iso(expires)}

    def list_parts(self, upload: Upload) -> dict[str, Any]:
        """The parts of a pending multipart upload that have arrived, to resume it."""
        try:
            listed = list(self.storage.parts(upload))
        except Exception as exc:
            if error_code(exc) == "NoSuchUpload":
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

    def describe(self, upload: Upload) -> dict[str, Any]:
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

    def _reserve(self, upload: Upload, *, fail: bool) -> Upload:
        """``upload`` under its key or, with ``fail`` False, the first free "name (n).ext"."""
        for n in range(MAX_RENAMES):
            key = numbered_key(upload.key, n) if n else upload.key
            candidate = replace(upload, key=names.object_key("", key))
            if self.records.reserve(candidate):
                try:
                    taken = self.storage.exists(candidate.bucket, candidate.key)
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

    def _start_multipart(self, upload: Upload) -> dict[str, Any]:
        s3_upload_id = self.storage.start_multipart(upload)
        upload = self.records.update(upload, s3_upload_id=s3_upload_id)
        return {
            **self.describe(upload),
            "max_parts_per_request": MAX_PARTS_PER_REQUEST,
        }

    def _sign_single(self, upload: Upload) -> dict[str, Any]:
        params: PutObjectRequestTypeDef = {
            "Bucket": upload.bucket, "Key": upload.key, "ContentLength": upload.size,
            "ContentType": upload.content_type,
        }  # fmt: skip
        if upload.checksum_algorithm == "sha256":
            params["ChecksumSHA256"] = upload.checksum
        else:
            params["ChecksumCRC32"] = upload.checksum
        headers = {
            "Content-Length": str(upload.size),
            "Content-Type": upload.content_type,
            f"x-amz-checksum-{upload.checksum_algorithm}": upload.checksum,
        }
        if self.config.conditional_writes:
            params["IfNoneMatch"] = headers["If-None-Match"] = "*"
        url, expires = self.storage.presign_put(params, headers)
        self.records.update(upload, touched=max(upload.touched, expires))
        return {"url": url, "method": "PUT", "headers": headers, "expires": _iso(expires)}
