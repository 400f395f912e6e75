"""The global bandwidth limit, driven by a fake clock: no test waits in real time."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.bandwidth import BandwidthLimiter
from s3desk.core.transfer.download.engine import DownloadEngine
from s3desk.core.transfer.download.plan import DownloadItem
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from tests.helpers import read_object


class FakeTime:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


def test_unlimited_never_sleeps() -> None:
    t = FakeTime()
    limiter = BandwidthLimiter(0, clock=t.clock, sleep=t.sleep)
    for _ in range(100):
        assert limiter.consume(1 << 20)
    assert t.slept == 0


def test_rate_is_held_over_many_reads() -> None:
    t = FakeTime()
    limiter = BandwidthLimiter(1_000_000, clock=t.clock, sleep=t.sleep)
    for _ in range(1000):
        limiter.consume(10_000)  # 10 MB in all
    # 10 s at 1 MB/s, less the short burst allowance.
    assert 9.7 <= t.slept <= 10.0


def test_rate_change_takes_effect_at_once() -> None:
    t = FakeTime()
    limiter = BandwidthLimiter(1_000_000, clock=t.clock, sleep=t.sleep)
    for _ in range(100):
        limiter.consume(10_000)
    before = t.slept
    limiter.rate = 4_000_000
    for _ in range(400):
        limiter.consume(10_000)  # 4 MB at the new rate: about one second
    assert 0.7 <= t.slept - before <= 1.0


def test_a_wait_in_progress_follows_a_lifted_or_changed_limit() -> None:
    t = FakeTime()
    limiter = BandwidthLimiter(1000, clock=t.clock, sleep=t.sleep)
    assert limiter.consume(100_000)  # the link is now busy for 100 s at this rate
    lift_after = 0.3

    def sleep(seconds: float) -> None:
        t.sleep(seconds)
        if t.slept >= lift_after and limiter.rate == 1000:
            limiter.rate = 0  # the person turned the limit off from the settings

    limiter._sleep = sleep
    assert limiter.consume(500)
    assert t.slept < 1.0  # went on when the limit was lifted, not after 100 s

    limiter.rate = 1000
    assert limiter.consume(100_000)
    start, lift_after = t.slept, t.slept + 0.3

    def faster(seconds: float) -> None:
        t.sleep(seconds)
        if t.slept >= lift_after and limiter.rate == 1000:
            limiter.rate = 1_000_000

    limiter._sleep = faster
    assert limiter.consume(500_000)  # planned afresh at 1 MB/s: about half a second more
    assert t.slept - start < 1.5


def test_stop_interrupts_the_wait() -> None:
    t = FakeTime()
    limiter = BandwidthLimiter(1000, clock=t.clock, sleep=t.sleep)
    assert limiter.consume(100_000)  # goes at once; the link is now busy for 100 s
    assert not limiter.consume(100, should_stop=lambda: t.slept > 0.3)
    assert t.slept < 1.0  # gave up within a slice, not after 100 s


def test_engine_uploads_through_the_limiter(
    moto_endpoint: S3Endpoint, s3: object, bucket: str, tmp_path: Path
) -> None:
    data = os.urandom(3 * MiB)
    (tmp_path / "f.bin").write_bytes(data)
    t = FakeTime()
    engine = UploadEngine(moto_endpoint, EngineConfig(concurrency=2, bandwidth_limit=1))
    engine.limiter = BandwidthLimiter(0, clock=t.clock, sleep=t.sleep)
    engine.set_bandwidth_limit(1 * MiB)
    try:
        job_id = engine.submit_file(tmp_path / "f.bin", bucket, "f.bin")
        assert engine.wait(60)
        assert engine.job(job_id).state is JobState.DONE
    finally:
        engine.shutdown()
    assert 2.5 <= t.slept <= 3.0  # three MiB at one MiB per second, on the fake clock
    assert read_object(s3, bucket, "f.bin") == data


class RecordingLimiter(BandwidthLimiter):
    """Notes every amount it is asked to let through."""

    asked: list[int]

    def consume(self, n: int, should_stop: Any = lambda: False) -> bool:
        self.asked.append(n)
        return super().consume(n, should_stop)


def test_engine_downloads_through_the_limiter(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    """As uploads do: every chunk read waits for its share of the limit (streamed bodies,
    and small objects read in one piece)."""
    big, small = os.urandom(3 * MiB), os.urandom(512 * 1024)
    s3.put_object(Bucket=bucket, Key="big.bin", Body=big)
    s3.put_object(Bucket=bucket, Key="small.bin", Body=small)
    items = [
        DownloadItem(bucket, key, len(data), hashlib.md5(data).hexdigest(), str(tmp_path / key))
        for key, data in (("big.bin", big), ("small.bin", small))
    ]
    t = FakeTime()
    engine = DownloadEngine(moto_endpoint, EngineConfig(concurrency=1, bandwidth_limit=1))
    limiter = engine.limiter = RecordingLimiter(0, clock=t.clock, sleep=t.sleep)
    limiter.asked = []
    engine.set_bandwidth_limit(1 * MiB)
    try:
        ids = engine.submit(items)
        assert engine.wait(60)
        assert [engine.job(i).state for i in ids] == [JobState.DONE, JobState.DONE]
    finally:
        engine.shutdown()
    assert sum(limiter.asked) == len(big) + len(small)
    # 3.5 MiB at one MiB per second on the fake clock, less the burst allowance and the last
    # read (a wait comes before the bytes it is for are used up).
    assert 2.5 <= t.slept <= 3.5
    assert (tmp_path / "big.bin").read_bytes() == big
    assert (tmp_path / "small.bin").read_bytes() == small
