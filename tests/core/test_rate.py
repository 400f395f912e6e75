"""Speed and ETA: one meter, one definition, for every row and the totals, on a fake clock."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import JobState, JobView, Totals
from s3desk.core.transfer.rate import RateMeter
from s3desk.core.transfer.upload.engine import UploadEngine
from tests.helpers import SendGate

KiB = 1024
TICK = 0.15  # as often as the window asks for a snapshot


def test_the_speed_is_what_moved_in_the_last_window() -> None:
    meter = RateMeter(window=5.0, settle=1.0)
    meter.start(0, now=0.0)
    assert meter.update(500, now=0.5) == 0.0  # the first bytes: measured from here on
    assert meter.eta(1000) is None
    moved = 500
    for step in range(2, 41):  # 1,000 bytes a second for 10 s, then 3,000 for 10 s
        moved += 500 if step <= 20 else 1500
        meter.update(moved, now=step * 0.5)
        if step == 2:
            assert meter.rate == 0.0  # too early to tell
        if step == 4:
            assert meter.rate == pytest.approx(1000)  # measured since the first bytes
        if step == 25:
            assert meter.rate == pytest.approx(2000)  # half the window at each speed
    assert meter.rate == pytest.approx(3000)  # only the last five seconds count
    assert meter.eta(6000) == pytest.approx(2.0)


def test_a_burst_at_the_start_is_not_taken_for_the_speed() -> None:
    meter = RateMeter(window=5.0, settle=1.0)
    meter.start(0, now=0.0)
    meter.update(0, now=0.1)  # the request is on its way
    meter.update(1_500_000, now=0.2)  # a throttle's allowance and the buffers, at once
    rates = []
    for step in range(1, 31):
        meter.update(1_500_000 + step * 10_000, now=0.2 + step * 0.1)  # then 100 kB/s
        rates.append(meter.rate)
    assert rates[:9] == [0.0] * 9  # not told before a second of it
    assert rates[9:] == pytest.approx([100_000] * 21)


def test_bytes_taken_back_restart_the_measure() -> None:
    meter = RateMeter(window=5.0, settle=1.0)
    meter.start(0, now=0.0)
    meter.update(2000, now=2.0)
    meter.update(0, now=2.5)  # a retry took the bytes back
    meter.update(500, now=3.0)
    meter.update(2000, now=4.5)
    assert meter.rate == pytest.approx(1000)  # as moved since the retry's first bytes


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _tick(engine: UploadEngine, clock: FakeClock, job_id: int, n: int) -> tuple[JobView, Totals]:
    """``n`` more bytes counted (as a request body counts them), then one snapshot."""
    if n:
        engine._add_progress(engine._jobs[job_id], n)
    clock.now += TICK
    update = engine.drain()
    [row] = [view for view in update.jobs if view.id == job_id] or [engine.job(job_id)]
    return row, update.totals


def test_a_row_and_the_totals_agree_with_one_upload_running(
    moto_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    """After an upload paused and the queue stood idle, the one running upload's speed and
    time left are the totals' too, from its first moment on."""
    (tmp_path / "f.bin").write_bytes(os.urandom(4 * MiB))
    clock = FakeClock()
    engine = UploadEngine(moto_endpoint, EngineConfig(concurrency=2), clock=clock)
    gate = SendGate(engine, "PutObject")
    try:
        job_id = engine.submit_file(tmp_path / "f.bin", bucket, "f.bin")
        assert gate.reached.wait(30)
        for _ in range(20):  # three seconds at 400 KiB/s
            _tick(engine, clock, job_id, 60 * KiB)
        assert engine.pause(job_id)
        gate.remove()
        held = SendGate(engine, "PutObject")  # the resumed request waits here
        gate.release.set()
        assert engine.wait(30)
        for _ in range(60):  # the queue stands idle for nine seconds
            _tick(engine, clock, job_id, 0)
        assert engine.resume(job_id)
        assert held.reached.wait(30)
        seen = []
        for _ in range(50):  # 200 KiB/s from now on
            row, totals = _tick(engine, clock, job_id, 30 * KiB)
            assert row.state is JobState.UPLOADING
            assert row.speed == pytest.approx(totals.speed)
            assert row.eta == pytest.approx(totals.eta)
            seen.append(row.speed)
        assert seen[0] == 0.0  # not told before a second has passed
        assert seen[-1] == pytest.approx(30 * KiB / TICK)
        assert engine.totals().speed == pytest.approx(seen[-1])  # as the last snapshot said
    finally:
        engine.cancel_all()
        gate.release.set()
        held.release.set()
        engine.shutdown()


def test_the_totals_count_cancelled_and_skipped_files(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    s3.put_object(Bucket=bucket, Key="taken.txt", Body=b"there")
    for name in ("taken.txt", "held.bin"):
        (tmp_path / name).write_bytes(b"new")
    config = EngineConfig(conflict=ConflictPolicy.SKIP)
    engine = UploadEngine(moto_endpoint, config)
    gate = SendGate(engine, "PutObject")
    try:
        engine.submit_file(tmp_path / "taken.txt", bucket, "taken.txt")
        held = engine.submit_file(tmp_path / "held.bin", bucket, "held.bin")
        assert gate.reached.wait(30)
        assert engine.cancel(held)
        gate.release.set()
        assert engine.wait(30)
        totals = engine.totals()
    finally:
        gate.release.set()
        engine.shutdown()
    assert (totals.files_total, totals.files_done, totals.files_failed) == (2, 0, 0)
    assert (totals.files_cancelled, totals.files_skipped) == (1, 1)
