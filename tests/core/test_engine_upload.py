"""The upload engine against a real S3 server (moto) over HTTP on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import Destination, JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from tests.conftest import Server
from tests.helpers import SendGate, list_keys, multipart_uploads, read_object, wait_for

# Small multipart settings so multipart paths run on files of a few MiB.
SMALL_PARTS = EngineConfig(concurrency=4, multipart_threshold=5 * MiB, part_size=5 * MiB)


@pytest.fixture
def engine(moto_endpoint: S3Endpoint) -> Iterator[UploadEngine]:
    engine = UploadEngine(moto_endpoint, SMALL_PARTS)
    yield engine
    engine.shutdown(cancel=True)


def _write(path: Path, size: int) -> bytes:
    data = os.urandom(size)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


@pytest.mark.parametrize(
    "size",
    [0, 1, 5 * MiB - 1, 5 * MiB, 5 * MiB + 1, 12 * MiB],
    ids=["0B", "1B", "threshold-1", "one-part", "one-byte-over", "three-parts"],
)
def test_upload_sizes_arrive_byte_identical(
    server: Server, server_bucket: str, tmp_path: Path, size: int
) -> None:
    engine = UploadEngine(server.endpoint, SMALL_PARTS)
    data = _write(tmp_path / "file.bin", size)
    try:
        job_id = engine.submit_file(tmp_path / "file.bin", server_bucket, "dir/file.bin")
        assert engine.wait(60)
        job = engine.job(job_id)
    finally:
        engine.shutdown()
    assert (job.state, job.error) == (JobState.DONE, "")
    assert job.bytes_done == size
    assert read_object(server.client, server_bucket, "dir/file.bin") == data
    assert multipart_uploads(server.client, server_bucket) == []


def test_folder_keeps_structure_under_prefix(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    contents = {
        "project/readme.md": _write(root / "readme.md", 100),
        "project/src/main.py": _write(root / "src" / "main.py", 2000),
        "project/src/deep/er/x.bin": _write(root / "src" / "deep" / "er" / "x.bin", 7 * MiB),
        "project/naïve café/日本 🎉 a+b %20 #1.txt": _write(
            root / "naïve café" / "日本 🎉 a+b %20 #1.txt", 10
        ),
    }
    engine = UploadEngine(server.endpoint, SMALL_PARTS)
    try:
        engine.submit_paths([root], Destination(server_bucket, "backups/2024"))
        assert engine.wait(60)
        totals = engine.totals()
    finally:
        engine.shutdown()
    s3 = server.client
    assert list_keys(s3, server_bucket) == sorted(f"backups/2024/{k}" for k in contents)
    for key, data in contents.items():
        assert read_object(s3, server_bucket, f"backups/2024/{key}") == data
    assert (totals.files_done, totals.files_failed, totals.files_total) == (4, 0, 4)
    assert totals.bytes_done == totals.bytes_total == sum(len(d) for d in contents.values())


def test_missing_bucket_fails_readably_and_others_complete(
    engine: UploadEngine, s3: Any, bucket: str, tmp_path: Path
) -> None:
    good = _write(tmp_path / "good.txt", 10)
    _write(tmp_path / "bad.txt", 10)
    bad_id = engine.submit_file(tmp_path / "bad.txt", "no-such-bucket-here", "bad.txt")
    good_id = engine.submit_file(tmp_path / "good.txt", bucket, "good.txt")
    assert engine.wait(60)
    bad = engine.job(bad_id)
    assert bad.state is JobState.FAILED
    assert bad.error.startswith("Bucket 'no-such-bucket-here' does not exist")
    assert engine.job(good_id).state is JobState.DONE
    assert read_object(s3, bucket, "good.txt") == good


def test_retry_after_fixing_the_cause(
    engine: UploadEngine, s3: Any, bucket: str, tmp_path: Path
) -> None:
    data = _write(tmp_path / "late.txt", 100)
    missing = f"{bucket}-later"
    job_id = engine.submit_file(tmp_path / "late.txt", missing, "late.txt")
    assert engine.wait(60)
    assert engine.job(job_id).state is JobState.FAILED
    assert engine.totals().bytes_total == 0  # a failed file leaves the byte totals

    s3.create_bucket(Bucket=missing)
    assert engine.retry(job_id)
    assert engine.wait(60)
    assert engine.job(job_id).state is JobState.DONE
    assert read_object(s3, missing, "late.txt") == data
    assert engine.totals().bytes_done == 100


def test_cancel_mid_multipart_leaves_nothing_behind(
    engine: UploadEngine, s3: Any, bucket: str, tmp_path: Path
) -> None:
    _write(tmp_path / "big.bin", 16 * MiB)
    gate = SendGate(engine, "UploadPart")
    job_id = engine.submit_file(tmp_path / "big.bin", bucket, "big.bin")
    assert gate.reached.wait(30)
    assert len(multipart_uploads(s3, bucket)) == 1
    engine.cancel(job_id)
    gate.release.set()
    assert engine.wait(60)
    assert engine.job(job_id).state is JobState.CANCELLED
    wait_for(lambda: multipart_uploads(s3, bucket) == [], what="the multipart upload to go")
    assert list_keys(s3, bucket) == []


def test_cancel_queued_job_never_starts(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    engine = UploadEngine(moto_endpoint, EngineConfig(concurrency=1))
    gate = SendGate(engine, "PutObject")
    try:
        _write(tmp_path / "first.txt", 10)
        _write(tmp_path / "second.txt", 10)
        first = engine.submit_file(tmp_path / "first.txt", bucket, "first.txt")
        second = engine.submit_file(tmp_path / "second.txt", bucket, "second.txt")
        assert gate.reached.wait(30)
        engine.cancel(second)
        gate.release.set()
        assert engine.wait(60)
        assert engine.job(first).state is JobState.DONE
        assert engine.job(second).state is JobState.CANCELLED
        assert list_keys(s3, bucket) == ["first.txt"]
    finally:
        gate.release.set()
        engine.shutdown()


def test_file_changed_during_multipart_is_not_stored(
    engine: UploadEngine, s3: Any, bucket: str, tmp_path: Path
) -> None:
    path = tmp_path / "growing.log"
    _write(path, 11 * MiB)
    gate = SendGate(engine, "UploadPart")
    job_id = engine.submit_file(path, bucket, "growing.log")
    assert gate.reached.wait(30)
    with path.open("ab") as f:  # someone appends while we upload
        f.write(b"more lines\n")
    gate.release.set()
    assert engine.wait(60)
    job = engine.job(job_id)
    assert job.state is JobState.FAILED
    assert "changed while it was being uploaded" in job.error
    assert list_keys(s3, bucket) == []
    wait_for(lambda: multipart_uploads(s3, bucket) == [], what="the multipart upload to go")


def test_vanished_file_fails_readably(engine: UploadEngine, bucket: str, tmp_path: Path) -> None:
    path = tmp_path / "temp.txt"
    _write(path, 10)
    gate = SendGate(engine, "PutObject")
    _write(tmp_path / "first.txt", 10)
    engine.config = EngineConfig(concurrency=1)
    first = engine.submit_file(tmp_path / "first.txt", bucket, "first.txt")
    job_id = engine.submit_file(path, bucket, "temp.txt")
    assert gate.reached.wait(30)
    path.unlink()
    gate.release.set()
    assert engine.wait(60)
    assert engine.job(first).state is JobState.DONE
    job = engine.job(job_id)
    assert job.state is JobState.FAILED
    assert job.error == "The file was moved or deleted before it could be uploaded"


def test_bad_names_fail_with_reasons_and_the_rest_uploads(
    engine: UploadEngine, s3: Any, bucket: str, tmp_path: Path
) -> None:
    root = tmp_path / "mixed"
    root.mkdir()
    (root / "fine.txt").write_text("fine")
    bad_name = os.path.join(os.fsencode(root), b"latin1-\xe9t\xe9.txt")
    with open(bad_name, "wb") as f:
        f.write(b"x")
    long_dir = root.joinpath(*(letter * 200 for letter in "defghi"))  # key > 1,024 bytes
    long_dir.mkdir(parents=True)
    (long_dir / "deep.txt").write_text("deep")
    (root / "empty.txt").write_bytes(b"")

    engine.submit_paths([root], Destination(bucket, "in"))
    assert engine.wait(60)
    jobs = {j.key.rsplit("/", 1)[-1]: j for j in engine.jobs()}
    assert jobs["fine.txt"].state is JobState.DONE
    assert jobs["empty.txt"].state is JobState.DONE
    assert "1,024" in jobs["deep.txt"].error
    assert jobs["deep.txt"].state is JobState.FAILED
    bad = next(j for j in jobs.values() if j.key.startswith("in/mixed/latin1"))
    assert bad.state is JobState.FAILED
    assert "not valid UTF-8" in bad.error
    assert list_keys(s3, bucket) == ["in/mixed/empty.txt", "in/mixed/fine.txt"]


def test_drain_reports_each_change_once(engine: UploadEngine, bucket: str, tmp_path: Path) -> None:
    for n in range(20):
        _write(tmp_path / f"f{n:02d}.txt", 100)
    engine.drain()
    engine.submit_paths([tmp_path], Destination(bucket))
    assert engine.wait(60)
    update = engine.drain()
    assert [j.key.rsplit("/", 1)[-1] for j in update.jobs] == [f"f{n:02d}.txt" for n in range(20)]
    assert all(j.state is JobState.DONE for j in update.jobs)
    assert engine.drain().jobs == []  # nothing changed since


def test_a_file_over_5_tib_is_refused_before_any_request(
    engine: UploadEngine, s3: Any, bucket: str, tmp_path: Path
) -> None:
    huge = tmp_path / "disk.img"
    with huge.open("wb") as f:
        f.truncate(5 * 1024**4 + 1)  # sparse: takes no space
    job_id = engine.submit_file(huge, bucket, "disk.img")
    assert engine.wait(30)
    job = engine.job(job_id)
    assert job.state is JobState.FAILED
    assert job.error.startswith("This file is 5.0 TiB; S3 stores objects of at most 5 TiB")
    assert list_keys(s3, bucket) == []
