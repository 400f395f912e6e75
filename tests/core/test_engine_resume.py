"""Pause, resume, and going on after a crash or restart from the parts already sent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.engine import EngineConfig, UploadEngine
from s3desk.core.jobs import Destination, JobState
from s3desk.core.journal import Journal
from s3desk.core.parts import MiB
from s3desk.core.s3 import S3Endpoint
from tests.conftest import Server
from tests.helpers import SendGate, list_keys, multipart_uploads, read_object, wait_for

PARTS = EngineConfig(concurrency=2, multipart_threshold=5 * MiB, part_size=5 * MiB)
SIZE = 5 * 5 * MiB + 123  # six parts, the last one short


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    journal = Journal(tmp_path / "journal.sqlite3")
    yield journal
    journal.close()


@pytest.fixture
def big_file(tmp_path: Path) -> tuple[Path, bytes]:
    data = os.urandom(SIZE)
    path = tmp_path / "video.mov"
    path.write_bytes(data)
    return path, data


def _engine(endpoint: S3Endpoint, journal: Journal | None) -> UploadEngine:
    return UploadEngine(endpoint, PARTS, journal=journal)


def _interrupted(
    endpoint: S3Endpoint, journal: Journal, path: Path, bucket: str, parts: int, key: str = ""
) -> SendGate:
    """Start uploading ``path``, let ``parts`` parts through, then stop the engine as if the
    app died. Returns the gate still holding the next part: release it when done."""
    first = _engine(endpoint, journal)
    gate = SendGate(first, "UploadPart", let_through=parts)
    if key:
        first.submit_file(path, bucket, key)
    else:
        first.submit_paths([path], Destination(bucket, "in/"))
    assert gate.reached.wait(30)
    wait_for(lambda: len(journal.unfinished(endpoint.identity)[0].parts) == parts)
    first.shutdown(cancel=False, timeout=0)
    return gate


def test_pause_and_resume_a_multipart_upload(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, big_file: tuple[Path, bytes], journal: Journal
) -> None:
    path, data = big_file
    engine = _engine(moto_endpoint, journal)
    gate = SendGate(engine, "UploadPart", let_through=2)
    try:
        job_id = engine.submit_file(path, bucket, "video.mov")
        assert gate.reached.wait(30)
        assert engine.pause(job_id)
        assert engine.job(job_id).state is JobState.PAUSED
        gate.remove()
        assert engine.wait(30)  # paused jobs do not keep the engine busy
        paused = engine.job(job_id)
        assert paused.state is JobState.PAUSED
        assert 0 < paused.bytes_done < SIZE
        assert paused.bytes_done % (5 * MiB) == 0  # whole parts only: interrupted ones rewound
        assert journal.unfinished(moto_endpoint.identity)[0].state == "paused"

        assert engine.resume(job_id)
        assert engine.wait(60)
        assert engine.job(job_id).state is JobState.DONE
        assert read_object(s3, bucket, "video.mov") == data
        assert multipart_uploads(s3, bucket) == []
        assert journal.unfinished(moto_endpoint.identity) == []
    finally:
        engine.shutdown()


def test_pause_all_and_resume_all(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    engine = _engine(moto_endpoint, None)
    gate = SendGate(engine, "PutObject", let_through=1)
    try:
        for n in range(5):
            (tmp_path / f"f{n}.txt").write_text(str(n))
        engine.submit_paths([tmp_path / f"f{n}.txt" for n in range(5)], Destination(bucket))
        assert gate.reached.wait(30)
        assert engine.pause_all() >= 4
        gate.remove()
        assert engine.wait(30)
        states = [j.state for j in engine.jobs()]
        assert JobState.PAUSED in states
        assert set(states) <= {JobState.PAUSED, JobState.DONE}
        assert engine.resume_all() == states.count(JobState.PAUSED)
        assert engine.wait(30)
        assert list_keys(s3, bucket) == [f"f{n}.txt" for n in range(5)]
    finally:
        engine.shutdown()


def test_restart_goes_on_from_the_parts_the_server_has(
    server: Server, server_bucket: str, big_file: tuple[Path, bytes], journal: Journal
) -> None:
    moto_endpoint, s3, bucket = server.endpoint, server.client, server_bucket  # either server
    path, data = big_file
    gate = _interrupted(moto_endpoint, journal, path, bucket, parts=3, key="video.mov")
    upload_id = multipart_uploads(s3, bucket)[0]["UploadId"]
    on_server = s3.list_parts(Bucket=bucket, Key="video.mov", UploadId=upload_id)["Parts"]
    assert len(on_server) == 3

    second = _engine(moto_endpoint, journal)
    counter = SendGate(second, "UploadPart", let_through=1000)
    try:
        assert second.restore() == 1
        restored = second.jobs()[0]
        assert restored.bytes_done == 3 * 5 * MiB  # shown at once, before any request
        assert second.wait(60)
        job = second.jobs()[0]
        assert (job.state, job.error) == (JobState.DONE, "")
        assert counter.sent == 6 - 3  # only the parts the server did not have
        assert read_object(s3, bucket, "video.mov") == data
        assert multipart_uploads(s3, bucket) == []
        assert journal.unfinished(moto_endpoint.identity) == []
    finally:
        gate.release.set()
        second.shutdown()


def test_restart_after_the_file_changed_fails_and_aborts(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, big_file: tuple[Path, bytes], journal: Journal
) -> None:
    path, _ = big_file
    gate = _interrupted(moto_endpoint, journal, path, bucket, parts=2, key="video.mov")
    with path.open("r+b") as f:  # edited while the app was closed
        f.write(b"new header")
    os.utime(path, ns=(0, 1_000_000_000))

    second = _engine(moto_endpoint, journal)
    try:
        second.restore()
        assert second.wait(60)
        job = second.jobs()[0]
        assert job.state is JobState.FAILED
        assert "changed" in job.error
        wait_for(lambda: multipart_uploads(s3, bucket) == [], what="the stale upload's abort")
        assert list_keys(s3, bucket) == []
        assert journal.unfinished(moto_endpoint.identity) == []
    finally:
        gate.release.set()
        second.shutdown()


def test_restart_when_the_server_forgot_the_upload_starts_afresh(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, big_file: tuple[Path, bytes], journal: Journal
) -> None:
    path, data = big_file
    gate = _interrupted(moto_endpoint, journal, path, bucket, parts=2, key="video.mov")
    upload = multipart_uploads(s3, bucket)[0]  # e.g. a lifecycle rule removed it
    s3.abort_multipart_upload(Bucket=bucket, Key="video.mov", UploadId=upload["UploadId"])

    second = _engine(moto_endpoint, journal)
    try:
        second.restore()
        assert second.wait(60)
        assert second.jobs()[0].state is JobState.DONE
        assert read_object(s3, bucket, "video.mov") == data
        assert multipart_uploads(s3, bucket) == []
    finally:
        gate.release.set()
        second.shutdown()


def test_submitting_the_same_file_again_resumes_it(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, big_file: tuple[Path, bytes], journal: Journal
) -> None:
    path, data = big_file
    gate = _interrupted(moto_endpoint, journal, path, bucket, parts=4)

    second = _engine(moto_endpoint, journal)
    counter = SendGate(second, "UploadPart", let_through=1000)
    try:
        assert second.load_resumable() == 1
        second.submit_paths([path], Destination(bucket, "in/"))
        assert second.wait(60)
        assert counter.sent == 2
        assert read_object(s3, bucket, "in/video.mov") == data
        assert len(second.jobs()) == 1
    finally:
        gate.release.set()
        second.shutdown()


def test_cancel_of_a_paused_upload_aborts_it(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, big_file: tuple[Path, bytes], journal: Journal
) -> None:
    path, _ = big_file
    engine = _engine(moto_endpoint, journal)
    gate = SendGate(engine, "UploadPart", let_through=1)
    try:
        job_id = engine.submit_file(path, bucket, "video.mov")
        assert gate.reached.wait(30)
        engine.pause(job_id)
        gate.remove()
        assert engine.wait(30)
        assert len(multipart_uploads(s3, bucket)) == 1
        assert engine.cancel(job_id)
        assert engine.wait(30)
        assert engine.job(job_id).state is JobState.CANCELLED
        assert multipart_uploads(s3, bucket) == []
        assert journal.unfinished(moto_endpoint.identity) == []
    finally:
        engine.shutdown()


def test_a_full_disk_for_the_journal_warns_and_uploads_go_on(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    # SQLite's own limit on the file's size gives the same "database or disk is full" error
    # a full disk does, without filling the disk.
    journal._db.execute("PRAGMA max_page_count = 8")
    for n in range(60):
        (tmp_path / f"{n:02d}-{'x' * 150}.txt").write_text(str(n))
    engine = _engine(moto_endpoint, journal)
    try:
        engine.submit_paths([tmp_path / f"{n:02d}-{'x' * 150}.txt" for n in range(60)],
                            Destination(bucket))  # fmt: skip
        assert engine.wait(60)
        update = engine.drain()
    finally:
        engine.shutdown()
        journal.close()
    assert "is full" in update.warning and "would not resume after a crash" in update.warning
    assert update.totals.files_done == 60
    assert len(list_keys(s3, bucket)) == 60
