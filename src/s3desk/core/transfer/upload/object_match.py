"""Whether what the storage holds is this file: an object under its key (sent by a run that
was stopped before noting it, or completed by a request whose answer was lost), or the parts
of its multipart upload after a completion was refused over them. Each reads the file again
(SourceChanged if it is not the one queued) and compares S3's sums: MD5 ETags, CRC32s, and
their multipart forms.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from typing import Any, NamedTuple

from s3desk.core.storage import checksums
from s3desk.core.storage.parts import choose_part_size, part_count
from s3desk.core.transfer.jobs import PartResult, UploadJob
from s3desk.core.transfer.upload.source import part_length, read_span


def holds_file(job: UploadJob, head: Mapping[str, Any], part_size: int) -> bool:
    """Whether the object ``head`` describes holds this file: its size, and its ETag or
    stored CRC32 as the file gives them, sent whole or in parts of the size this job had
    or would choose with ``part_size`` (a KMS-encrypted object's ETag is no MD5: its CRC32
    can tell)."""
    if int(head.get("ContentLength", -1)) != job.size:
        return False
    etag, crc = bare_etag(str(head.get("ETag", ""))), str(head.get("ChecksumCRC32") or "")
    sizes = sorted({job.part_size, choose_part_size(job.size, part_size)} - {0})
    parts = _parts_named(etag) or _parts_named(crc)
    # Sums of the whole file (no "-N") come out the same with any part size.
    sizes = [s for s in sizes if part_count(job.size, s) == parts] if parts else sizes[:1]
    return any(_file_sums(job, size).matches(etag, crc) for size in sizes)


def own_parts(job: UploadJob, listed: dict[int, PartResult]) -> dict[int, PartResult]:
    """The listed parts whose bytes are the file's. Where the service's ETags are MD5s
    (any part's matches) each must match; elsewhere a part must keep the ETag we got
    when we sent it. A listed CRC32 must match too; ours is filled in where missing."""
    known = job.done_parts or {}
    digests = {n: _digests(job, n) for n in listed}
    md5_etags = any(bare_etag(p.etag) == digests[n][0] for n, p in listed.items())
    kept: dict[int, PartResult] = {}
    for number, part in listed.items():
        md5, crc = digests[number]
        if md5_etags:
            same = bare_etag(part.etag) == md5
        else:
            ours = known.get(number)
            same = ours is None or bare_etag(ours.etag) == bare_etag(part.etag)
        if same and part.checksum in ("", crc):
            kept[number] = PartResult(part.etag, part.size, crc)
    return kept


def bare_etag(etag: str) -> str:
    """An ETag as S3 lists it, without quotes, in lower case."""
    return etag.strip('"').lower()


def parts_etag(job: UploadJob) -> str:
    """The multipart ETag the job's sent parts make ("" unless all are known, as MD5s)."""
    parts = job.done_parts or {}
    if len(parts) != job.part_count:
        return ""
    try:
        return checksums.multipart_etag(
            [bytes.fromhex(bare_etag(parts[n].etag)) for n in sorted(parts)]
        )
    except ValueError:
        return ""  # not MD5 ETags: nothing to compare with


def _parts_named(value: str) -> int:
    """The N of a multipart ETag or checksum ("...-N"); 0 for an object sent whole."""
    count = value.rpartition("-")[2] if "-" in value else ""
    return int(count) if count.isdigit() else 0


class _FileSums(NamedTuple):
    """A file's MD5 and CRC32 as S3 gives them for an object sent whole, and in parts."""

    md5: str
    crc32: str
    multipart_etag: str
    composite_crc32: str

    def matches(self, etag: str, crc32: str) -> bool:
        return etag in (self.md5, self.multipart_etag) or crc32 in (
            self.crc32, self.composite_crc32,
        )  # fmt: skip


def _file_sums(job: UploadJob, part_size: int) -> _FileSums:
    """Read the file once, a part at a time (SourceChanged if it is not the one queued)."""
    whole, crc = hashlib.md5(usedforsecurity=False), 0
    md5s: list[bytes] = []
    crcs: list[str] = []
    for offset in range(0, job.size, part_size):
        data = read_span(job, offset, min(part_size, job.size - offset))
        whole.update(data)
        crc = zlib.crc32(data, crc)
        md5s.append(hashlib.md5(data, usedforsecurity=False).digest())
        crcs.append(checksums.crc32_b64(data))
    return _FileSums(
        whole.hexdigest(), checksums.b64_crc32(crc),
        checksums.multipart_etag(md5s), checksums.composite_crc32(crcs),
    )  # fmt: skip


def _digests(job: UploadJob, number: int) -> tuple[str, str]:
    """The MD5 (hex) and CRC32 (base64) of part ``number`` as the file holds it now."""
    data = read_span(job, (number - 1) * job.part_size, part_length(job, number))
    return hashlib.md5(data, usedforsecurity=False).hexdigest(), checksums.crc32_b64(data)
