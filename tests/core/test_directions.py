"""Uploads and downloads share one scheduler and behave alike where the user sees it: each
case runs in both directions against a real server (moto over HTTP, through the fault
proxy where a fault is needed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.download.engine import DownloadEngine
from s3desk.core.transfer.download.plan import DownloadItem
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.queue import Transfers
from s3desk.core.transfer.upload.engine import UploadEngine
from tests.faultproxy import FaultPlan, FaultProxy
from tests.helpers import wait_for

CONFIG = EngineConfig(concurrency=2, max_attempts=3, backoff_base=0.05, backoff_cap=0.1)
DIRECTIONS = ["upload", "download"]

Engine = UploadEngine | DownloadEngine


def _engine(direction: str, endpoint: S3Endpoint) -> Engine:
    if direction == "upload":
        return UploadEngine(endpoint, CONFIG)
    return DownloadEngine(endpoint, CONFIG)


def _submit(engine: Engine, s3: Any, bucket: str, tmp_path: Path, key: str = "a.txt") -> int:
    """One small job: a local file to upload, or an object to download."""
    if isinstance(engine, UploadEngine):
        source = tmp_path / "up" / key
        source.parent.mkdir(exist_ok=True)
        source.write_bytes(b"abc")
        return engine.submit_file(source, bucket, key)
    assert isinstance(engine, DownloadEngine)
    s3.put_object(Bucket=bucket, Key=key, Body=b"abc")
    etag = s3.head_object(Bucket=bucket, Key=key)["ETag"].strip('"')
    item = DownloadItem(bucket, key, 3, etag, str(tmp_path / "down" / key))
    (job_id,) = engine.submit([item])
    return job_id


@pytest.fixture
def proxy(moto_endpoint: S3Endpoint) -> Iterator[FaultProxy]:
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        yield proxy


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_expired_credentials_put_the_job_back_in_the_queue(
    direction: str,
    proxy: FaultProxy,
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
    tmp_path: Path,
) -> None:
    """While the queue waits for new credentials the job is Queued, as every other job
    waiting is; the banner (``blocked``) says why. Nothing claims to be retrying."""
    engine = _engine(direction, replace(moto_endpoint, endpoint_url=proxy.url))
    proxy.plan = FaultPlan(expired=1.0)
    try:
        job_id = _submit(engine, s3, bucket, tmp_path)
        wait_for(lambda: engine.blocked, what="the queue to wait for credentials")
        view = engine.job(job_id)
        assert (view.state, view.note) == (JobState.QUEUED, "")
        assert engine.totals().files_active == 0
        assert not engine.is_idle()
        proxy.plan = FaultPlan()
        engine.unblock()
        assert engine.wait(30)
        assert engine.job(job_id).state is JobState.DONE
    finally:
        engine.shutdown()


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_unblock_builds_the_senders_afresh_without_a_new_endpoint(
    direction: str, moto_endpoint: S3Endpoint
) -> None:
    """Credentials renewed by the session (a profile, a sign-in) must not meet a client
    that still holds the old ones."""
    engine = _engine(direction, moto_endpoint)
    try:
        before = engine.client
        engine.unblock()
        assert engine.client is not before
    finally:
        engine.shutdown()


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_nothing_starts_again_after_shutdown(
    direction: str, moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    """Resume is refused and retry is an error once the engine is shut down (before, a
    download retried then sat queued with no worker to take it)."""
    engine = _engine(direction, moto_endpoint)
    if isinstance(engine, UploadEngine):
        job_id = _submit(engine, s3, "no-such-bucket-for-this-test", tmp_path)
    else:
        assert isinstance(engine, DownloadEngine)
        missing = DownloadItem(bucket, "missing.txt", 3, "", str(tmp_path / "missing.txt"))
        (job_id,) = engine.submit([missing])
    assert engine.wait(30)
    assert engine.job(job_id).state is JobState.FAILED
    engine.shutdown(cancel=False)
    assert engine.resume(job_id) is False
    with pytest.raises(RuntimeError, match="shut down"):
        engine.retry(job_id)
    assert engine.job(job_id).state is JobState.FAILED
    assert engine.is_idle()


def test_the_bandwidth_limit_holds_for_both_directions(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    """Set from the settings through the queue: uploads together, and downloads together,
    at that rate; a download engine made later starts with the limit as it is then."""
    queue = Transfers(UploadEngine(moto_endpoint, EngineConfig(bandwidth_limit=1000)))
    try:
        queue.set_bandwidth_limit(5 * MiB)
        assert queue.uploads.limiter.rate == 5 * MiB
        assert queue.downloads.limiter.rate == 5 * MiB
        queue.set_bandwidth_limit(0)
        assert (queue.uploads.limiter.rate, queue.downloads.limiter.rate) == (0, 0)
    finally:
        queue.shutdown(timeout=10)


def test_a_new_part_size_applies_to_both_directions(moto_endpoint: S3Endpoint) -> None:
    queue = Transfers(UploadEngine(moto_endpoint, EngineConfig(part_size=8 * MiB)))
    try:
        assert queue.downloads.config.part_size == 8 * MiB
        queue.reconfigure(part_size=5 * MiB)
        assert queue.uploads.config.part_size == 5 * MiB
        assert queue.downloads.config.part_size == 5 * MiB
    finally:
        queue.shutdown(timeout=10)
