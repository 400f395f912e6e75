"""Settings changed while the engines run: concurrency grows and shrinks at once, a new part
size applies to uploads not yet started, a new conflict policy to files queued afterwards."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.engine_process import EngineProcess
from s3desk.core.transfer.jobs import Destination, JobState, JobView
from s3desk.core.transfer.upload.engine import UploadEngine
from tests.helpers import SendGate, wait_for


def _upload_workers() -> int:
    return sum(t.name.startswith("s3desk-upload-") for t in threading.enumerate())


def test_concurrency_grows_and_shrinks_while_uploading(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    for n in range(8):
        (tmp_path / f"f{n}.txt").write_text(str(n))
    engine = UploadEngine(moto_endpoint, EngineConfig(concurrency=1))
    gate = SendGate(engine, "PutObject")
    try:
        before = _upload_workers()
        engine.submit_paths([tmp_path], Destination(bucket))
        assert gate.reached.wait(30)
        assert gate.sent == 1  # one connection: the others wait

        engine.reconfigure(concurrency=3)
        wait_for(lambda: gate.sent == 3, what="two more uploads to start at once")

        engine.reconfigure(concurrency=1)
        gate.remove()  # the three in flight finish; then one worker is left for the rest
        wait_for(lambda: _upload_workers() - before == 1, what="surplus workers to stop")
        assert engine.wait(30)
        assert {v.state for v in engine.jobs()} == {JobState.DONE}
    finally:
        gate.remove()
        engine.shutdown()
    assert len(s3.list_objects_v2(Bucket=bucket)["Contents"]) == 8


def test_part_size_and_conflict_policy_apply_to_what_comes_next(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "big.bin").write_bytes(os.urandom(12 * MiB))
    config = EngineConfig(
        multipart_threshold=5 * MiB, part_size=5 * MiB, conflict=ConflictPolicy.OVERWRITE
    )
    engine = UploadEngine(moto_endpoint, config)
    try:
        engine.reconfigure(part_size=6 * MiB, conflict=ConflictPolicy.SKIP)
        engine.submit_paths([tmp_path / "big.bin"], Destination(bucket))
        assert engine.wait(60)
        assert s3.head_object(Bucket=bucket, Key="big.bin")["ETag"].endswith('-2"')  # 6+6 MiB
        engine.submit_paths([tmp_path / "big.bin"], Destination(bucket))
        assert engine.wait(60)
        assert [v.state for v in engine.jobs()] == [JobState.DONE, JobState.SKIPPED]
    finally:
        engine.shutdown()


def test_the_engine_process_takes_new_settings(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("new")
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"old")
    engine = EngineProcess(
        moto_endpoint, EngineConfig(conflict=ConflictPolicy.OVERWRITE), tmp_path / "journal"
    )
    seen: dict[int, JobView] = {}

    def finished() -> bool:
        seen.update((v.id, v) for v in engine.drain().jobs)
        return bool(seen) and engine.is_idle()

    try:
        engine.reconfigure(concurrency=4, conflict=ConflictPolicy.SKIP)
        engine.submit_paths([str(tmp_path / "a.txt")], Destination(bucket))
        wait_for(finished, timeout=60, what="the child to finish")
    finally:
        engine.shutdown(cancel=True, timeout=10)
    assert [v.state for v in seen.values()] == [JobState.SKIPPED]
    assert s3.get_object(Bucket=bucket, Key="a.txt")["Body"].read() == b"old"
