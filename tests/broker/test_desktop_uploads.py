"""The desktop engine uploading through the service, with a token and no AWS keys: the same
queue, progress, resume after a restart, and the service's refusals in the rows' words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.transfer.jobs import Destination, JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.core.transfer.upload.journal import Journal
from tests.broker.conftest import ELF_HEAD, MiB, Running, StartBroker, jpeg, service_endpoint
from tests.helpers import SendGate, read_object, wait_for

CONFIG = EngineConfig(concurrency=3)


@pytest.fixture
def engine(broker: Running) -> Iterator[UploadEngine]:
    engine = UploadEngine(service_endpoint(broker, "alice"), CONFIG)
    yield engine
    engine.shutdown()


def _states(engine: UploadEngine) -> dict[str, tuple[JobState, str, str]]:
    return {Path(v.source).name: (v.state, v.key, v.error or v.note) for v in engine.jobs()}


def test_small_and_multipart_files_go_up_through_the_service(
    engine: UploadEngine, s3: Any, bucket: str, tmp_path: Path
) -> None:
    files = {
        "photo.jpg": jpeg(150_000, 1),
        "notes.txt": b"plain words\n",
        "film.jpg": jpeg(13 * MiB, 2),  # over the service's 6 MiB: three parts of 5 MiB
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    seen: list[str] = []
    engine.request_hooks.append(seen.append)
    # The destination folder is the service's to choose: it files uploads under the user.
    engine.submit_paths([str(tmp_path / n) for n in files], Destination(bucket, "ignored/"))
    assert engine.wait(60)
    states = _states(engine)
    for name, data in files.items():
        assert states[name][:2] == (JobState.DONE, f"uploads/alice/{name}"), states[name]
        assert read_object(s3, bucket, f"uploads/alice/{name}") == data
    assert seen.count("UploadPart") == 3
    assert seen.count("CompleteMultipartUpload") == 1
    assert engine.totals().bytes_done == sum(len(d) for d in files.values())


def test_a_taken_name_is_kept_and_the_upload_numbered(
    engine: UploadEngine, s3: Any, bucket: str, tmp_path: Path
) -> None:
    s3.put_object(Bucket=bucket, Key="uploads/alice/photo.jpg", Body=b"already there")
    (tmp_path / "photo.jpg").write_bytes(jpeg(1000))
    engine.submit_paths([str(tmp_path / "photo.jpg")], Destination(bucket))
    assert engine.wait(60)
    assert _states(engine)["photo.jpg"][:2] == (JobState.DONE, "uploads/alice/photo (1).jpg")
    assert read_object(s3, bucket, "uploads/alice/photo.jpg") == b"already there"


def test_the_services_refusals_reach_the_rows_and_the_rest_goes_up(
    start_broker: StartBroker, s3: Any, bucket: str, tmp_path: Path
) -> None:
    broker = start_broker()
    files = {
        "setup.exe": b"MZ" + bytes(300),  # a type the policy does not allow
        "holiday.jpg": ELF_HEAD + bytes(500),  # a program named .jpg
        "huge.jpg": jpeg(13 * MiB),  # over carol's 12 MiB limit
        "fine.jpg": jpeg(2000),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    engine = UploadEngine(service_endpoint(broker, "carol"), CONFIG)
    try:
        engine.submit_paths([str(tmp_path / n) for n in files], Destination(bucket))
        assert engine.wait(60)
        states = _states(engine)
    finally:
        engine.shutdown()
    assert states["setup.exe"][0] is JobState.FAILED
    assert states["setup.exe"][2].startswith("Files of type .exe are not allowed")
    assert states["holiday.jpg"][0] is JobState.FAILED
    assert "Linux program" in states["holiday.jpg"][2]
    assert states["huge.jpg"][0] is JobState.FAILED
    assert states["huge.jpg"][2] == "This file is 13.0 MiB; the limit is 12.0 MiB"
    assert states["fine.jpg"][:2] == (JobState.DONE, "small/carol/fine.jpg")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == ["small/carol/fine.jpg"]


def test_an_interrupted_multipart_upload_goes_on_from_its_parts_after_a_restart(
    broker: Running, s3: Any, bucket: str, tmp_path: Path
) -> None:
    data = jpeg(16 * MiB, 3)  # four parts of 5 MiB (the last one short)
    (tmp_path / "scan.jpg").write_bytes(data)
    endpoint = service_endpoint(broker, "alice")
    one_at_a_time = EngineConfig(concurrency=1)
    journal = Journal(tmp_path / "journal.sqlite3")
    first = UploadEngine(endpoint, one_at_a_time, journal=journal)
    gate = SendGate(first, "UploadPart", let_through=2)
    first.submit_paths([str(tmp_path / "scan.jpg")], Destination(bucket))
    assert gate.reached.wait(30)  # two parts are in; the app quits during the third
    first.shutdown(cancel=False, timeout=0)
    gate.release.set()
    journal.close()

    journal = Journal(tmp_path / "journal.sqlite3")
    second = UploadEngine(endpoint, one_at_a_time, journal=journal)
    sent: list[str] = []
    second.request_hooks.append(sent.append)
    try:
        assert second.restore() == 1
        assert second.wait(60)
        (job,) = second.jobs()
    finally:
        second.shutdown()
        journal.close()
    assert (job.state, job.key) == (JobState.DONE, "uploads/alice/scan.jpg"), job.error
    # Parts 1 and 2 are not sent again; part 3 may have arrived after the quit.
    assert sent.count("UploadPart") in (1, 2)
    assert read_object(s3, bucket, "uploads/alice/scan.jpg") == data


def test_a_refused_token_holds_the_queue_until_a_new_one_is_given(
    broker: Running, s3: Any, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("waiting")
    engine = UploadEngine(service_endpoint(broker, "alice", token="s3db_revoked"), CONFIG)
    try:
        engine.submit_paths([str(tmp_path / "a.txt")], Destination(bucket))
        wait_for(lambda: engine.blocked, what="the queue to wait for a new token")
        assert "access token is not valid" in engine.blocked
        engine.unblock(service_endpoint(broker, "alice"))
        assert engine.wait(60)
        assert _states(engine)["a.txt"][:2] == (JobState.DONE, "uploads/alice/a.txt")
    finally:
        engine.shutdown()
    assert read_object(s3, bucket, "uploads/alice/a.txt") == b"waiting"


def test_the_app_killed_mid_upload_goes_on_from_its_parts(
    broker: Running, s3: Any, bucket: str, tmp_path: Path
) -> None:
    """The engine as the app runs it, in a process of its own, killed with SIGKILL while a
    multipart upload is half-way; the next start resumes through the service."""
    import os
    import signal

    from s3desk.core.transfer.engine_process import EngineProcess

    data = jpeg(40 * MiB, 4)  # eight parts of 5 MiB
    (tmp_path / "big.jpg").write_bytes(data)
    endpoint = service_endpoint(broker, "alice")
    journal_path = tmp_path / "journal.sqlite3"
    # Slow enough to stop half-way: about 8 MiB/s.
    slow = EngineConfig(concurrency=2, bandwidth_limit=8 * MiB)
    app = EngineProcess(endpoint, slow, journal_path)

    def parts_recorded() -> int:
        journal = Journal(journal_path)
        try:
            return sum(len(job.parts) for job in journal.unfinished(endpoint.identity))
        finally:
            journal.close()

    try:
        app.submit_paths([str(tmp_path / "big.jpg")], Destination(bucket))
        wait_for(lambda: parts_recorded() >= 2, timeout=60, what="two parts in the journal")
        assert app.pid is not None
        os.kill(app.pid, signal.SIGKILL)
    finally:
        app.shutdown(cancel=False, timeout=5)
    done_before = parts_recorded()
    assert 2 <= done_before < 8

    journal = Journal(journal_path)
    second = UploadEngine(endpoint, CONFIG, journal=journal)
    sent: list[str] = []
    second.request_hooks.append(sent.append)
    try:
        assert second.restore() == 1
        assert second.wait(60)
        (job,) = second.jobs()
    finally:
        second.shutdown()
        journal.close()
    assert (job.state, job.key) == (JobState.DONE, "uploads/alice/big.jpg"), job.error
    assert sent.count("UploadPart") <= 8 - done_before  # recorded parts are not sent again
    assert read_object(s3, bucket, "uploads/alice/big.jpg") == data
