"""The engine in its own process: commands over a pipe, snapshots back, same results."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.engine_process import COMMANDS, LOCAL_ONLY, EngineProcess
from s3desk.core.transfer.jobs import Destination, JobState, JobView
from s3desk.core.transfer.queue_api import QUEUE_METHODS
from s3desk.core.transfer.upload.journal import Journal
from tests.helpers import leave_paused_uploads, list_keys, read_object, wait_for

CONFIG = EngineConfig(concurrency=3, multipart_threshold=5 * MiB, part_size=5 * MiB)


@pytest.fixture
def remote(moto_endpoint: S3Endpoint, tmp_path: Path) -> Iterator[EngineProcess]:
    engine = EngineProcess(moto_endpoint, CONFIG, tmp_path / "journal.sqlite3")
    yield engine
    engine.shutdown(cancel=True, timeout=10)


def _collect(engine: EngineProcess, seen: dict[int, JobView]) -> bool:
    for view in engine.drain().jobs:
        seen[view.id] = view
    return engine.is_idle()


def test_uploads_through_the_child_process(
    remote: EngineProcess, s3: Any, bucket: str, tmp_path: Path
) -> None:
    files = {f"f{n}.bin": os.urandom(1000 * n) for n in range(1, 6)}
    files["big.bin"] = os.urandom(12 * MiB)
    for name, data in files.items():
        (tmp_path / "up" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "up" / name).write_bytes(data)
    seen: dict[int, JobView] = {}
    remote.submit_paths([str(tmp_path / "up")], Destination(bucket, "in"))
    assert not remote.is_idle()  # the command is not yet carried out: not idle
    wait_for(lambda: _collect(remote, seen), timeout=60, what="the child to finish")
    assert {v.key: v.state for v in seen.values()} == {f"in/up/{n}": JobState.DONE for n in files}
    assert remote.totals().files_done == len(files)
    for name, data in files.items():
        assert read_object(s3, bucket, f"in/up/{name}") == data


def test_pause_cancel_and_shutdown_keep_the_journal(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "a.bin").write_bytes(os.urandom(30 * MiB))
    (tmp_path / "b.bin").write_bytes(os.urandom(30 * MiB))
    journal_path = tmp_path / "journal.sqlite3"
    engine = EngineProcess(moto_endpoint, CONFIG, journal_path)
    engine.set_bandwidth_limit(2 * MiB)  # slow enough to act while it runs
    seen: dict[int, JobView] = {}
    engine.submit_paths([str(tmp_path / "a.bin"), str(tmp_path / "b.bin")], Destination(bucket))
    wait_for(
        lambda: _collect(engine, seen) or any(v.bytes_done for v in seen.values()),
        timeout=60, what="an upload to start",
    )  # fmt: skip
    ids = sorted(seen)
    engine.pause(ids[0])
    engine.cancel(ids[1])
    wait_for(lambda: _collect(engine, seen), timeout=60, what="the child to settle")
    assert [seen[i].state for i in ids] == [JobState.PAUSED, JobState.CANCELLED]
    engine.shutdown(cancel=False, timeout=10)

    journal = Journal(journal_path)
    try:
        left = journal.unfinished(moto_endpoint.identity)
    finally:
        journal.close()
    assert [(j.key, j.state) for j in left] == [("a.bin", "paused")]
    assert list_keys(s3, bucket) == []


def test_downloads_through_the_child_process_share_the_queue_with_uploads(
    remote: EngineProcess, s3: Any, bucket: str, tmp_path: Path
) -> None:
    from s3desk.core.transfer.download.engine import DOWNLOAD_ID_BASE
    from s3desk.core.transfer.download.plan import plan_download

    objects = {"get/small.txt": b"small", "get/big.bin": os.urandom(11 * MiB)}
    for key, data in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=data)
    (tmp_path / "up.txt").write_bytes(b"up")
    plan = plan_download(s3, bucket, [("get/", 0, "", None)], "", str(tmp_path / "down"))
    seen: dict[int, JobView] = {}
    # No ids: the jobs arrive with the snapshots (an empty list would say "no jobs").
    assert remote.submit_downloads(plan.items, folders=plan.folders) is None
    remote.submit_paths([str(tmp_path / "up.txt")], Destination(bucket, "put/"))
    wait_for(lambda: _collect(remote, seen), timeout=60, what="the child to finish")
    downloads = {v.key: v for v in seen.values() if v.id >= DOWNLOAD_ID_BASE}
    uploads = {v.key: v for v in seen.values() if v.id < DOWNLOAD_ID_BASE}
    assert {k: v.state for k, v in downloads.items()} == dict.fromkeys(objects, JobState.DONE)
    assert {k: v.state for k, v in uploads.items()} == {"put/up.txt": JobState.DONE}
    totals = remote.totals()
    assert totals.files_done == 3
    # Each direction's bytes, apart, for the window's speed graph.
    assert (totals.bytes_uploaded, totals.bytes_downloaded) == (2, 5 + 11 * MiB)
    for key, data in objects.items():
        assert (tmp_path / "down" / key).read_bytes() == data
    assert read_object(s3, bucket, "put/up.txt") == b"up"


def test_content_types_chosen_in_the_window_reach_the_child(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    # One connection and a slow limit, then pause: what has not gone out waits, paused.
    config = EngineConfig(concurrency=1, bandwidth_limit=64 * 1024)
    engine = EngineProcess(moto_endpoint, config, tmp_path / "journal.sqlite3")
    try:
        (tmp_path / "up").mkdir()
        for n in range(3):
            (tmp_path / "up" / f"f{n}.txt").write_bytes(b"x" * 512 * 1024)
        seen: dict[int, JobView] = {}
        engine.submit_paths([str(tmp_path / "up" / f"f{n}.txt") for n in range(3)],
                            Destination(bucket), content_type="text/plain")  # fmt: skip
        wait_for(lambda: [_collect(engine, seen), len(seen) == 3][1], what="the queued jobs")
        engine.pause_all()
        wait_for(lambda: _collect(engine, seen), timeout=30, what="the pause")
        paused = [v.id for v in seen.values() if v.state is JobState.PAUSED]
        assert len(paused) >= 2  # the limit holds back all but the first
        assert all(seen[i].content_type_editable for i in paused)
        with pytest.raises(ValueError, match="not a content type"):
            engine.set_content_type(paused, "csv")
        engine.set_content_type(paused, "text/csv")
        wait_for(
            lambda: [_collect(engine, seen), {seen[i].content_type for i in paused}][1]
            == {"text/csv"},
            timeout=30, what="the new type in the snapshots",
        )  # fmt: skip
        engine.set_bandwidth_limit(0)
        engine.resume_all()
        wait_for(
            lambda: _collect(engine, seen) and all(v.state is JobState.DONE for v in seen.values()),
            timeout=60, what="the uploads to finish",
        )  # fmt: skip
    finally:
        engine.shutdown(cancel=True, timeout=10)
    for view in seen.values():
        stored = s3.head_object(Bucket=bucket, Key=view.key)["ContentType"]
        assert stored == ("text/csv" if view.id in paused else "text/plain")


def test_a_killed_child_is_reported_and_commands_after_it_do_not_raise(
    moto_endpoint: S3Endpoint, tmp_path: Path
) -> None:
    engine = EngineProcess(moto_endpoint, CONFIG, tmp_path / "journal.sqlite3")
    assert engine.pid is not None
    os.kill(engine.pid, signal.SIGKILL)
    engine._process.join(10)  # the child is gone; the parent has not polled yet
    # A command written into the dead pipe must not reach the window as an exception.
    assert engine.pause(1) is False
    assert engine.resume(1) is False
    assert "stopped unexpectedly" in engine.warning
    assert engine.is_idle()
    engine.shutdown(cancel=False, timeout=5)  # what the window does on close


def test_commands_after_an_orderly_shutdown_are_a_programming_error(
    moto_endpoint: S3Endpoint, tmp_path: Path
) -> None:
    engine = EngineProcess(moto_endpoint, CONFIG, tmp_path / "journal.sqlite3")
    engine.shutdown(cancel=False, timeout=5)
    with pytest.raises(RuntimeError, match="shut down"):
        engine.pause(1)


# One call of each command the pipe carries, harmless on an empty queue. A method added to
# TransferQueue is a command unless LOCAL_ONLY names it; it needs a call here to be tested.
SAMPLE_CALLS: dict[str, Any] = {
    "submit_paths": lambda e, d: e.submit_paths([], d),
    "submit_downloads": lambda e, d: e.submit_downloads(iter(()), folders=iter(())),
    "restore": lambda e, d: e.restore(),
    "pause": lambda e, d: e.pause(1),
    "resume": lambda e, d: e.resume(1),
    "cancel": lambda e, d: e.cancel(1),
    "retry": lambda e, d: e.retry(1),
    "pause_all": lambda e, d: e.pause_all(),
    "resume_all": lambda e, d: e.resume_all(),
    "cancel_all": lambda e, d: e.cancel_all(),
    "retry_failed": lambda e, d: e.retry_failed(),
    "resolve_conflicts": lambda e, d: e.resolve_conflicts(ConflictPolicy.SKIP, iter([1])),
    "set_content_type": lambda e, d: e.set_content_type(iter([1]), "text/plain"),
    "set_bandwidth_limit": lambda e, d: e.set_bandwidth_limit(0),
    "reconfigure": lambda e, d: e.reconfigure(concurrency=2, part_size=8 * MiB),
    "unblock": lambda e, d: e.unblock(None),
}


def test_the_pipe_carries_every_command_of_the_queue_and_the_child_carries_it_out(
    remote: EngineProcess, bucket: str
) -> None:
    assert set(LOCAL_ONLY) <= QUEUE_METHODS  # a stale name would hide nothing
    assert set(SAMPLE_CALLS) | {"shutdown"} == COMMANDS  # shutdown: by the fixture
    for command, call in SAMPLE_CALLS.items():
        call(remote, Destination(bucket))
        wait_for(lambda: [remote.drain(), remote.is_idle()][1], what=f"{command} carried out")
        assert remote.warning == "", command  # the child refuses what it cannot carry out


def test_restore_through_the_child_says_updates_follow(
    moto_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    journal_path = tmp_path / "journal.sqlite3"
    leave_paused_uploads(moto_endpoint, bucket, tmp_path, journal_path)
    engine = EngineProcess(moto_endpoint, CONFIG, journal_path)
    try:
        # Truthy, as in-process where it is the count: the window wakes to watch for them.
        assert engine.restore() == 1
        seen: dict[int, JobView] = {}
        wait_for(lambda: _collect(engine, seen) and len(seen) == 2, what="the restored jobs")
        assert [v.state for v in seen.values()] == [JobState.PAUSED, JobState.PAUSED]
    finally:
        engine.shutdown(cancel=True, timeout=10)
    assert EngineProcess(moto_endpoint, CONFIG, None).restore() == 0  # no journal: nothing


def test_conflicts_are_resolved_through_the_child_for_any_iterable_of_ids(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    s3.put_object(Bucket=bucket, Key="report.pdf", Body=b"the old report")
    (tmp_path / "report.pdf").write_bytes(b"mine")
    engine = EngineProcess(moto_endpoint, CONFIG, None)
    try:
        engine.submit_paths([str(tmp_path / "report.pdf")], Destination(bucket), ConflictPolicy.ASK)
        seen: dict[int, JobView] = {}
        wait_for(lambda: _collect(engine, seen) and seen, timeout=30, what="the question")
        [job] = seen.values()
        assert job.state is JobState.CONFLICT
        # 1: sent, as for every counting command here; the answer shows in the snapshots.
        assert engine.resolve_conflicts(ConflictPolicy.OVERWRITE, iter([job.id])) == 1
        wait_for(lambda: _collect(engine, seen), timeout=30, what="the upload")
    finally:
        engine.shutdown(cancel=True, timeout=10)
    assert seen[job.id].state is JobState.DONE
    assert read_object(s3, bucket, "report.pdf") == b"mine"
