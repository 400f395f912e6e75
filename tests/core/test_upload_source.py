"""Reading the spans of a file being uploaded: the exact bytes, with the OS's calls (no
buffered file object per small file), and SourceChanged for a file no longer as queued."""

from __future__ import annotations

import builtins
import os
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.storage.errors import SourceChanged
from s3desk.core.transfer.jobs import UploadJob
from s3desk.core.transfer.upload.source import read_span

DATA = bytes(range(256)) * 40  # 10,240 bytes


def _job(path: Path) -> UploadJob:
    st = path.stat()
    return UploadJob(1, str(path), "b", "k", st.st_size, st.st_mtime_ns)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "data.bin"
    path.write_bytes(DATA)
    return path


def test_spans_are_the_bytes_at_their_offset_without_a_file_object(
    source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _job(source)

    def no_open(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("read_span opened a Python file object")

    monkeypatch.setattr(builtins, "open", no_open)
    assert read_span(job, 0, len(DATA)) == DATA
    assert read_span(job, 1000, 5000) == DATA[1000:6000]
    assert read_span(job, len(DATA) - 7, 7) == DATA[-7:]
    assert read_span(job, 300, 0) == b""


def test_a_read_returning_less_than_asked_is_continued(
    source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _job(source)
    real_pread = os.pread

    def short_pread(fd: int, length: int, offset: int) -> bytes:
        return real_pread(fd, min(length, 1000), offset)  # as a read capped by the OS

    monkeypatch.setattr(os, "pread", short_pread)
    assert read_span(job, 123, 9000) == DATA[123:9123]


def test_without_pread_spans_are_read_after_a_seek(
    source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _job(source)
    monkeypatch.delattr(os, "pread")  # as on Windows
    assert read_span(job, 4000, 3000) == DATA[4000:7000]
    assert read_span(job, 0, 10) == DATA[:10]


def test_a_file_changed_since_it_was_queued_is_refused(source: Path) -> None:
    job = _job(source)
    source.write_bytes(DATA[:-1])  # shorter
    with pytest.raises(SourceChanged):
        read_span(job, 0, 100)
    source.write_bytes(DATA)
    os.utime(source, ns=(job.mtime_ns + 10**9, job.mtime_ns + 10**9))  # same size, newer
    with pytest.raises(SourceChanged):
        read_span(job, 0, 100)


def test_a_missing_file_is_an_os_error_naming_it(tmp_path: Path) -> None:
    job = UploadJob(1, str(tmp_path / "gone.bin"), "b", "k", 10, 0)
    with pytest.raises(FileNotFoundError) as raised:
        read_span(job, 0, 10)
    assert raised.value.filename == job.source
