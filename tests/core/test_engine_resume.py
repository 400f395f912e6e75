"""Pause, resume, and going on after a crash or restart from the parts already sent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.compliance.audit import AuditLog
from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import Destination, JobState, UploadJob
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.core.transfer.upload.journal import Journal, JournalPart, options_json
from tests.conftest import Server
from tests.faultproxy import FaultProxy, Rule
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


# -- completions refused over their parts, and what a failure keeps ------------------------

# Quick retries, so giving up takes a second, not minutes.
QUICK = replace(PARTS, max_attempts=3, backoff_base=0.05, backoff_cap=0.2)
COMPLETE = ("POST", "uploadId=")  # CompleteMultipartUpload (CreateMultipartUpload: ?uploads)


@pytest.fixture
def server_proxy(server: Server) -> Iterator[FaultProxy]:
    assert server.endpoint.endpoint_url
    with FaultProxy.for_url(server.endpoint.endpoint_url) as proxy:
        yield proxy


def _through(server: Server, proxy: FaultProxy) -> S3Endpoint:
    return replace(server.endpoint, endpoint_url=proxy.url)


def _open_upload_ids(s3: Any, bucket: str) -> list[str]:
    """The multipart uploads open in ``bucket``; call only once one was created there
    (rclone answers NoSuchUpload for a bucket that never had one)."""
    return [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]


def test_a_completion_refused_over_its_parts_lists_them_again_and_completes(
    server: Server, server_bucket: str, server_proxy: FaultProxy, big_file: tuple[Path, bytes]
) -> None:
    path, data = big_file
    server_proxy.add_rule(Rule(*COMPLETE, "invalid_part"))
    engine = UploadEngine(_through(server, server_proxy), QUICK)
    try:
        job_id = engine.submit_file(path, server_bucket, "video.mov")
        assert engine.wait(60)
        job = engine.job(job_id)
    finally:
        engine.shutdown()
    assert (job.state, job.error) == (JobState.DONE, "")
    assert read_object(server.client, server_bucket, "video.mov") == data
    assert _open_upload_ids(server.client, server_bucket) == []
    sent = [m for m, t in server_proxy.requests() if "uploadId=" in t]
    assert sent.count("POST") == 2 and sent.count("GET") == 1  # completed, listed, completed


def test_a_part_replaced_on_the_server_is_sent_again_before_completing(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, big_file: tuple[Path, bytes]
) -> None:
    """Someone (or something) put other bytes of the same size under part 2: the service
    refuses the completion, and only that part goes again."""
    path, data = big_file
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        held = proxy.add_rule(Rule(*COMPLETE, "hold"))
        engine = UploadEngine(replace(moto_endpoint, endpoint_url=proxy.url), QUICK)
        try:
            job_id = engine.submit_file(path, bucket, "video.mov")
            assert held.reached.wait(60)
            upload_id = _open_upload_ids(s3, bucket)[0]
            s3.upload_part(Bucket=bucket, Key="video.mov", UploadId=upload_id, PartNumber=2,
                           Body=os.urandom(5 * MiB))  # fmt: skip
            parts_before = len([t for _, t in proxy.requests() if "partNumber=" in t])
            held.release.set()
            assert engine.wait(60)
            job = engine.job(job_id)
        finally:
            engine.shutdown()
        again = [t for _, t in proxy.requests() if "partNumber=" in t][parts_before:]
    assert (job.state, job.error) == (JobState.DONE, "")
    assert [t.rsplit("partNumber=", 1)[1] for t in again] == ["2"]
    assert read_object(s3, bucket, "video.mov") == data
    assert _open_upload_ids(s3, bucket) == []


# moto answers 500 (a KeyError inside) to completing an aborted upload, not NoSuchUpload.
@pytest.mark.parametrize("server", ["rclone"], indirect=True)
def test_an_upload_gone_at_completion_starts_afresh(
    server: Server, server_bucket: str, server_proxy: FaultProxy, big_file: tuple[Path, bytes]
) -> None:
    """As rclone does when it refuses a completion: the upload is gone. The file still
    arrives, from a new multipart upload."""
    path, data = big_file
    s3 = server.client
    held = server_proxy.add_rule(Rule(*COMPLETE, "hold"))
    engine = UploadEngine(_through(server, server_proxy), QUICK)
    try:
        job_id = engine.submit_file(path, server_bucket, "video.mov")
        assert held.reached.wait(60)
        (upload_id,) = _open_upload_ids(s3, server_bucket)
        s3.abort_multipart_upload(Bucket=server_bucket, Key="video.mov", UploadId=upload_id)
        held.release.set()
        assert engine.wait(60)
        job = engine.job(job_id)
    finally:
        engine.shutdown()
    assert (job.state, job.error) == (JobState.DONE, "")
    assert read_object(s3, server_bucket, "video.mov") == data
    assert _open_upload_ids(s3, server_bucket) == []


def test_repeated_refusals_fail_but_keep_the_upload_for_the_next_run(
    server: Server,
    server_bucket: str,
    server_proxy: FaultProxy,
    big_file: tuple[Path, bytes],
    journal: Journal,
) -> None:
    path, data = big_file
    s3 = server.client
    server_proxy.add_rule(Rule(*COMPLETE, "invalid_part", times=100))
    first = UploadEngine(_through(server, server_proxy), QUICK, journal=journal)
    try:
        first.submit_paths([path], Destination(server_bucket, "in/"))
        assert first.wait(60)
        (job,) = first.jobs()
    finally:
        first.shutdown(cancel=False)
    assert job.state is JobState.FAILED
    assert job.error.endswith("what was sent is kept and the next upload of this file resumes it")
    assert len(_open_upload_ids(s3, server_bucket)) == 1
    assert journal.unfinished(_through(server, server_proxy).identity)[0].upload_id

    server_proxy.clear_rules()
    requests_before = len(server_proxy.requests())
    second = UploadEngine(_through(server, server_proxy), QUICK, journal=journal)
    try:
        assert second.load_resumable() == 1
        second.submit_paths([path], Destination(server_bucket, "in/"))
        assert second.wait(60)
        (job,) = second.jobs()
    finally:
        second.shutdown()
    assert (job.state, job.error) == (JobState.DONE, "")
    sent = server_proxy.requests()[requests_before:]
    assert not [t for _, t in sent if "partNumber=" in t]  # every part was on the server
    assert read_object(s3, server_bucket, "in/video.mov") == data
    assert _open_upload_ids(s3, server_bucket) == []
    assert journal.unfinished(_through(server, server_proxy).identity) == []


def test_retries_running_out_keep_the_upload_and_try_again_goes_on_from_it(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, big_file: tuple[Path, bytes], journal: Journal
) -> None:
    path, data = big_file
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        # Every attempt at part 4 meets a server error; the others arrive.
        proxy.add_rule(Rule("PUT", "partNumber=4", "error500", times=100))
        engine = UploadEngine(replace(moto_endpoint, endpoint_url=proxy.url),
                              replace(QUICK, concurrency=1), journal=journal)  # fmt: skip
        try:
            job_id = engine.submit_file(path, bucket, "video.mov")
            assert engine.wait(60)
            failed = engine.job(job_id)
            assert failed.state is JobState.FAILED
            assert "the next upload of this file resumes it" in failed.error
            assert len(_open_upload_ids(s3, bucket)) == 1
            assert journal.unfinished(engine.endpoint.identity)[0].upload_id

            proxy.clear_rules()
            before = len(proxy.requests())
            assert engine.retry(job_id)  # the window's "Try again"
            assert engine.wait(60)
            job = engine.job(job_id)
        finally:
            engine.shutdown()
        again = [t for _, t in proxy.requests()[before:] if "partNumber=" in t]
    assert (job.state, job.error) == (JobState.DONE, "")
    assert [t.rsplit("=", 1)[1] for t in again] == ["4"]  # 5 and 6 went meanwhile
    assert read_object(s3, bucket, "video.mov") == data
    assert _open_upload_ids(s3, bucket) == []
    assert journal.unfinished(engine.endpoint.identity) == []


def test_a_refusal_for_good_aborts_the_upload(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, big_file: tuple[Path, bytes], journal: Journal
) -> None:
    path, _ = big_file
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        proxy.add_rule(Rule("PUT", "partNumber=3", "forbidden", times=100))
        engine = UploadEngine(replace(moto_endpoint, endpoint_url=proxy.url), QUICK,
                              journal=journal)  # fmt: skip
        try:
            job_id = engine.submit_file(path, bucket, "video.mov")
            assert engine.wait(60)
            job = engine.job(job_id)
        finally:
            engine.shutdown()
    assert job.state is JobState.FAILED
    assert job.error.startswith("Access denied") and "kept" not in job.error
    assert _open_upload_ids(s3, bucket) == []
    assert journal.unfinished(engine.endpoint.identity) == []


# -- a file the killed run had sent, though its entry says it is still to go ---------------

KEY = "in/a.bin"


def _queued_by_a_killed_run(
    journal_path: Path, endpoint: S3Endpoint, path: Path, bucket: str, key: str, conflict: str
) -> int:
    """The journal as a run that queued ``path`` for ``key`` and was killed leaves it (that
    run's journal closed: its claims are free). Returns the entry's id."""
    earlier = Journal(journal_path)
    try:
        job = UploadJob(earlier.reserve_ids(1), str(path), bucket, key, path.stat().st_size,
                        path.stat().st_mtime_ns, conflict=ConflictPolicy(conflict))  # fmt: skip
        earlier.add_jobs(endpoint.identity, [(job.id, job.source, bucket, key, job.size,
                                              job.mtime_ns, options_json(job))])  # fmt: skip
        return job.id
    finally:
        earlier.close()


def _run_again(
    endpoint: S3Endpoint, journal_path: Path, path: Path, bucket: str, conflict: str, audit: Path
) -> UploadJob | Any:
    """``s3desk upload`` run again: the same file to the same key, as the policy says."""
    journal, log = Journal(journal_path), AuditLog(audit)
    engine = UploadEngine(endpoint, PARTS, journal=journal, audit=log)
    try:
        assert engine.load_resumable() == 1
        engine.submit_paths([path], Destination(bucket, "in/"), ConflictPolicy(conflict))
        assert engine.wait(60)
        (job,) = engine.jobs()
        return job
    finally:
        engine.shutdown()
        journal.close()


def _writes(proxy: FaultProxy) -> list[tuple[str, str]]:
    return [(m, t) for m, t in proxy.requests() if m in ("PUT", "POST")]


@pytest.mark.parametrize("conflict", ["rename", "skip"])
def test_a_small_file_the_killed_run_sent_is_done_not_sent_again(
    server: Server, server_bucket: str, server_proxy: FaultProxy, tmp_path: Path, conflict: str
) -> None:
    """Killed after its PutObject but before noting it done: the rerun finds the file's
    bytes under its key and neither keeps both nor calls it skipped."""
    path, data = tmp_path / "a.bin", os.urandom(100_000)
    path.write_bytes(data)
    server.client.put_object(Bucket=server_bucket, Key=KEY, Body=data)  # the killed run's
    endpoint, journal_path = _through(server, server_proxy), tmp_path / "journal.sqlite3"
    _queued_by_a_killed_run(journal_path, endpoint, path, server_bucket, KEY, conflict)

    job = _run_again(endpoint, journal_path, path, server_bucket, conflict, tmp_path / "a.jsonl")
    assert (job.state, job.key, job.error) == (JobState.DONE, KEY, "")
    assert list_keys(server.client, server_bucket) == [KEY]
    assert read_object(server.client, server_bucket, KEY) == data
    assert _writes(server_proxy) == []
    (done,) = [e for e in AuditLog(tmp_path / "a.jsonl").entries() if e["action"] == "upload"]
    assert (done["result"], done["key"], done["size"]) == ("ok", KEY, len(data))
    assert "earlier run" in done["note"] and done["etag"]


def test_a_file_the_killed_run_sent_is_done_when_the_window_restores_it(
    server: Server, server_bucket: str, server_proxy: FaultProxy, tmp_path: Path
) -> None:
    """The window takes up what the earlier run left (restore) instead of a new submission."""
    path, data = tmp_path / "a.bin", os.urandom(100_000)
    path.write_bytes(data)
    server.client.put_object(Bucket=server_bucket, Key=KEY, Body=data)
    endpoint, journal_path = _through(server, server_proxy), tmp_path / "journal.sqlite3"
    _queued_by_a_killed_run(journal_path, endpoint, path, server_bucket, KEY, "rename")
    journal = Journal(journal_path)
    engine = UploadEngine(endpoint, PARTS, journal=journal)
    try:
        assert engine.restore() == 1
        assert engine.wait(60)
        (job,) = engine.jobs()
    finally:
        engine.shutdown()
        journal.close()
    assert (job.state, job.key, job.error) == (JobState.DONE, KEY, "")
    assert list_keys(server.client, server_bucket) == [KEY]
    assert _writes(server_proxy) == []


@pytest.mark.parametrize("conflict", ["rename", "skip"])
def test_other_bytes_under_the_key_are_someone_elses_and_the_policy_holds(
    server: Server, server_bucket: str, server_proxy: FaultProxy, tmp_path: Path, conflict: str
) -> None:
    path, data = tmp_path / "a.bin", os.urandom(100_000)
    path.write_bytes(data)
    other = os.urandom(len(data))  # the same size, other bytes
    server.client.put_object(Bucket=server_bucket, Key=KEY, Body=other)
    endpoint, journal_path = _through(server, server_proxy), tmp_path / "journal.sqlite3"
    _queued_by_a_killed_run(journal_path, endpoint, path, server_bucket, KEY, conflict)

    job = _run_again(endpoint, journal_path, path, server_bucket, conflict, tmp_path / "a.jsonl")
    assert read_object(server.client, server_bucket, KEY) == other
    if conflict == "rename":
        assert (job.state, job.key) == (JobState.DONE, "in/a (1).bin")
        assert list_keys(server.client, server_bucket) == ["in/a (1).bin", KEY]
        assert read_object(server.client, server_bucket, "in/a (1).bin") == data
    else:
        assert (job.state, job.error) == (JobState.SKIPPED, "Already in the bucket (skipped)")
        assert list_keys(server.client, server_bucket) == [KEY]


def _send_in_parts(s3: Any, bucket: str, key: str, data: bytes, journal: Journal | None,
                   job_id: int) -> None:  # fmt: skip
    """A multipart upload of ``data`` in 5 MiB parts, completed; noted in ``journal`` as the
    engine notes it (id, then each part) where one is given."""
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    if journal is not None:
        journal.set_multipart(job_id, upload_id, 5 * MiB)
    parts = []
    for number, offset in enumerate(range(0, len(data), 5 * MiB), start=1):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number,
                              Body=data[offset : offset + 5 * MiB])["ETag"]  # fmt: skip
        if journal is not None:
            journal.add_part(job_id, JournalPart(number, etag))
        parts.append({"PartNumber": number, "ETag": etag})
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                 MultipartUpload={"Parts": parts})  # fmt: skip


@pytest.mark.parametrize("conflict", ["rename", "skip"])
@pytest.mark.parametrize("noted", [True, False], ids=["upload-noted", "upload-not-noted"])
def test_a_multipart_upload_the_killed_run_completed_is_done_not_sent_again(
    server: Server,
    server_bucket: str,
    server_proxy: FaultProxy,
    big_file: tuple[Path, bytes],
    tmp_path: Path,
    conflict: str,
    noted: bool,
) -> None:
    """Its CompleteMultipartUpload got there just before the kill. Whether or not the
    journal had its upload id (noted, or forgotten when it started afresh), the rerun finds
    the file under its key: rclone answers its MD5 as the ETag, moto the multipart one."""
    path, data = big_file
    endpoint, journal_path = _through(server, server_proxy), tmp_path / "journal.sqlite3"
    key = "in/video.mov"
    job_id = _queued_by_a_killed_run(journal_path, endpoint, path, server_bucket, key, conflict)
    earlier = Journal(journal_path)
    try:
        _send_in_parts(server.client, server_bucket, key, data, earlier if noted else None,
                       job_id)  # fmt: skip
    finally:
        earlier.close()

    job = _run_again(endpoint, journal_path, path, server_bucket, conflict, tmp_path / "a.jsonl")
    assert (job.state, job.key, job.error) == (JobState.DONE, key, "")
    assert list_keys(server.client, server_bucket) == [key]
    assert read_object(server.client, server_bucket, key) == data
    assert _writes(server_proxy) == []
    assert _open_upload_ids(server.client, server_bucket) == []
