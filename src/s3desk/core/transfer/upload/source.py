"""Reading the files being uploaded, and refusing a file that is not the one that was queued."""

from __future__ import annotations

import os

from s3desk.core.storage.errors import SourceChanged
from s3desk.core.transfer.jobs import UploadJob


def part_length(job: UploadJob, number: int) -> int:
    return min(job.part_size, job.size - (number - 1) * job.part_size)


def read_span(job: UploadJob, offset: int, length: int) -> bytes:
    """Read ``length`` bytes at ``offset``; SourceChanged if the file changed since queued."""
    with open(job.source, "rb") as f:
        check_unchanged(job, os.fstat(f.fileno()))
        f.seek(offset)
        data = f.read(length)
        # A writer may have started while we read: the span must come from one version.
        check_unchanged(job, os.fstat(f.fileno()))
    if len(data) != length:
        raise SourceChanged
    return data


def check_unchanged(job: UploadJob, st: os.stat_result | None = None) -> None:
    st = st or os.stat(job.source)
    if st.st_size != job.size or st.st_mtime_ns != job.mtime_ns:
        raise SourceChanged
