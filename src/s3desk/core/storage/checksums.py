"""Integrity checksums: what the engine sends for S3 to verify, and checks in the answers.

Two modes per endpoint:
- ``crc32`` (default): S3's flexible checksums. Each request carries x-amz-checksum-crc32,
  which the service verifies; the engine compares what the service reports back, part by
  part and for the whole object (a composite "checksum of checksums" for multipart).
- ``md5``: for services that reject the newer checksum headers (older MinIO, R2, B2 before
  they caught up). Each request carries Content-MD5, which every S3 implementation verifies,
  and the engine compares the returned ETag with its own MD5 where the ETag is one.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from collections.abc import Mapping
from typing import Any

CRC32 = "crc32"
MD5 = "md5"
MODES = (CRC32, MD5)

_MD5_ETAG = re.compile(r"^[0-9a-f]{32}$")


class IntegrityError(Exception):
    """The service reports different bytes than the engine sent."""


def crc32_b64(data: bytes) -> str:
    return b64_crc32(zlib.crc32(data))


def b64_crc32(value: int) -> str:
    """A CRC32 (e.g. one ``zlib.crc32`` carried over a file's spans) as S3 writes it."""
    return base64.b64encode(value.to_bytes(4, "big")).decode()


def multipart_etag(part_md5s: list[bytes]) -> str:
    """S3's ETag of a multipart object: the MD5 of the parts' raw MD5s, and "-N"."""
    raw = b"".join(part_md5s)
    return f"{hashlib.md5(raw, usedforsecurity=False).hexdigest()}-{len(part_md5s)}"


def composite_crc32(part_checksums: list[str]) -> str:
    """S3's checksum of a multipart object: the CRC32 of the parts' raw CRC32s, and "-N"."""
    raw = b"".join(base64.b64decode(c) for c in part_checksums)
    return f"{crc32_b64(raw)}-{len(part_checksums)}"


def request_fields(mode: str, data: bytes) -> tuple[dict[str, Any], str]:
    """Extra PutObject/UploadPart arguments for ``data``, and the checksum to remember."""
    if mode == MD5:
        digest = hashlib.md5(data, usedforsecurity=False).digest()
        return {"ContentMD5": base64.b64encode(digest).decode()}, digest.hex()
    checksum = crc32_b64(data)
    return {"ChecksumAlgorithm": "CRC32", "ChecksumCRC32": checksum}, checksum


def verify_response(mode: str, checksum: str, response: Mapping[str, Any]) -> None:
    """Raise IntegrityError if the service reports a checksum other than ours."""
    if mode == MD5:
        etag = str(response.get("ETag", "")).strip('"')
        if _MD5_ETAG.match(etag) and etag != checksum:
            raise IntegrityError(f"ETag {etag} is not the MD5 {checksum} of the bytes sent")
        return
    reported = response.get("ChecksumCRC32")
    if reported and reported != checksum:
        raise IntegrityError(f"CRC32 {reported} is not the {checksum} of the bytes sent")


def verify_complete(mode: str, part_checksums: list[str], response: Mapping[str, Any]) -> None:
    """Check a completed multipart object's checksum against the parts we sent."""
    reported = str(response.get("ChecksumCRC32") or "")
    composite = "-" in reported or response.get("ChecksumType") == "COMPOSITE"
    if mode != CRC32 or not reported or not composite:
        return  # a full-object or absent checksum: each part was verified already
    expected = composite_crc32(part_checksums)
    if reported.split("-", maxsplit=1)[0] != expected.split("-")[0]:
        raise IntegrityError(f"object checksum {reported} is not {expected}")
