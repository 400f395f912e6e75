"""Reading the files being uploaded, and refusing a file that is not the one that was queued."""

from __future__ import annotations

import os

from s3desk.core.storage.errors import SourceChanged
from s3desk.core.transfer.jobs import UploadJob


def part_length(job: UploadJob, number: int) -> int:
    return min(job.part_size, job.size - (number - 1) * job.part_size)


def read_span(job: UploadJob, offset: int, length: int) -> bytes:
    """Read ``length`` bytes at ``offset``; SourceChanged if the file changed since queued.
    Read with the OS's calls, not a buffered file object: for thousands of small files the
    object and its buffer cost more than the read itself."""
    fd = os.open(job.source, os.O_RDONLY | _O_BINARY)
    try:
        check_unchanged(job, os.fstat(fd))
        data = _read_at(fd, offset, length)
        # A writer may have started while we read: the span must come from one version.
        check_unchanged(job, os.fstat(fd))
    finally:
        os.close(fd)
    if len(data) != length:
        raise SourceChanged
    return data


_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def _read_at(fd: int, offset: int, length: int) -> bytes:
    """Up to ``length`` bytes at ``offset``: fewer only where the file ends."""
    chunks: list[bytes] = []
    done = 0
    while done < length:
        # One read may return less than asked (Linux stops at about 2 GiB).
        if hasattr(os, "pread"):
            chunk = os.pread(fd, length - done, offset + done)
        else:  # Windows
            os.lseek(fd, offset + done, os.SEEK_SET)
            chunk = os.read(fd, length - done)
        if not chunk:
            break
        if not chunks and len(chunk) == length:
            return chunk  # the usual case: no copy
        chunks.append(chunk)
        done += len(chunk)
    return b"".join(chunks)


def check_unchanged(job: UploadJob, st: os.stat_result | None = None) -> None:
    st = st or os.stat(job.source)
    if st.st_size != job.size or st.st_mtime_ns != job.mtime_ns:
        raise SourceChanged
