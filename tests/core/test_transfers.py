"""Uploads and downloads as one queue in this process: the answers the window gets from it
match the queue's contract (``TransferQueue``), which the engine process keeps too."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.download.engine import DOWNLOAD_ID_BASE
from s3desk.core.transfer.download.plan import plan_download
from s3desk.core.transfer.jobs import Destination, JobState, JobView
from s3desk.core.transfer.queue import Transfers
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.core.transfer.upload.journal import Journal
from tests.helpers import leave_paused_uploads, read_object, wait_for

CONFIG = EngineConfig(concurrency=2)


@pytest.fixture
def transfers(moto_endpoint: S3Endpoint) -> Iterator[Transfers]:
    queue = Transfers(UploadEngine(moto_endpoint, CONFIG))
    yield queue
    queue.shutdown(cancel=True, timeout=10)


def _collect(queue: Transfers, seen: dict[int, JobView]) -> bool:
    for view in queue.drain().jobs:
        seen[view.id] = view
    return queue.is_idle()


def test_restore_says_how_many_uploads_it_queued(
    moto_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    journal_path = tmp_path / "journal.sqlite3"
    leave_paused_uploads(moto_endpoint, bucket, tmp_path, journal_path)
    journal = Journal(journal_path)
    queue = Transfers(UploadEngine(moto_endpoint, CONFIG, journal=journal))
    try:
        assert queue.restore() == 2
        assert [v.state for v in queue.drain().jobs] == [JobState.PAUSED, JobState.PAUSED]
    finally:
        queue.shutdown(cancel=True, timeout=10)
        journal.close()


def test_downloads_return_no_ids_and_arrive_with_drain(
    transfers: Transfers, s3: Any, bucket: str, tmp_path: Path
) -> None:
    objects = {"get/a.txt": b"a", "get/b.bin": os.urandom(70_000)}
    for key, data in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=data)
    plan = plan_download(s3, bucket, [("get/", 0, "", None)], "", str(tmp_path / "down"))
    # None, as from the engine process, which cannot know the ids without waiting for them.
    assert transfers.submit_downloads(iter(plan.items), folders=iter(plan.folders)) is None
    seen: dict[int, JobView] = {}
    wait_for(lambda: _collect(transfers, seen), timeout=60, what="the downloads")
    assert {v.key: v.state for v in seen.values() if v.id >= DOWNLOAD_ID_BASE} == dict.fromkeys(
        objects, JobState.DONE
    )
    for key, data in objects.items():
        assert (tmp_path / "down" / key).read_bytes() == data


def test_resolve_conflicts_takes_any_iterable_of_ids_and_counts_the_answered(
    transfers: Transfers, s3: Any, bucket: str, tmp_path: Path
) -> None:
    s3.put_object(Bucket=bucket, Key="report.pdf", Body=b"the old report")
    (tmp_path / "report.pdf").write_bytes(b"mine")
    transfers.submit_paths([str(tmp_path / "report.pdf")], Destination(bucket), ConflictPolicy.ASK)
    seen: dict[int, JobView] = {}
    wait_for(lambda: _collect(transfers, seen) and seen, timeout=30, what="the question")
    [job] = seen.values()
    assert job.state is JobState.CONFLICT
    assert transfers.resolve_conflicts(ConflictPolicy.OVERWRITE, iter([job.id])) == 1
    wait_for(lambda: _collect(transfers, seen), timeout=30, what="the upload")
    assert seen[job.id].state is JobState.DONE
    assert read_object(s3, bucket, "report.pdf") == b"mine"


def test_totals_count_the_bytes_each_direction_moved(
    transfers: Transfers, s3: Any, bucket: str, tmp_path: Path
) -> None:
    """The throughput graph draws uploads and downloads apart from these two counters."""
    s3.put_object(Bucket=bucket, Key="get/down.bin", Body=os.urandom(30_000))
    upload = tmp_path / "up.bin"
    upload.write_bytes(os.urandom(50_000))
    transfers.submit_paths([str(upload)], Destination(bucket, "put/"))
    plan = plan_download(s3, bucket, [("get/", 0, "", None)], "", str(tmp_path / "down"))
    transfers.submit_downloads(iter(plan.items), folders=iter(plan.folders))
    seen: dict[int, JobView] = {}
    wait_for(lambda: _collect(transfers, seen), timeout=60, what="both transfers")
    totals = transfers.totals()
    assert (totals.bytes_uploaded, totals.bytes_downloaded) == (50_000, 30_000)
