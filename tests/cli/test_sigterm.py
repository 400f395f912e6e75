"""SIGTERM stops ``s3desk upload``, ``s3desk download`` and the window's engine process as
an orderly quit does: exit status 143 for the commands, unfinished uploads kept in the
journal (the next run goes on from the parts already sent), no partial download left, and
every audit line whole.
"""

from __future__ import annotations

import json
import os
import random
import signal
from pathlib import Path
from typing import Any

from s3desk.core.compliance.audit import audit_path
from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.paths import journal_path
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.engine_process import EngineProcess
from s3desk.core.transfer.jobs import Destination, JobState, JobView
from s3desk.core.transfer.upload.journal import Journal
from tests.faultproxy import FaultProxy
from tests.helpers import list_keys, wait_for
from tests.processes import (
    S3DESK,
    SIZE,
    HeldRequests,
    assert_stored_once,
    collect,
    parts_sent,
    recorded_parts,
    run_process,
    start_process,
    stop_process,
    upload_command,
)

EXIT_TERMINATED = 143


def audit_entries() -> list[dict[str, Any]]:
    """Every entry of the audit log, failing if any line is not whole JSON."""
    if not audit_path().exists():
        return []
    lines = audit_path().read_bytes().split(b"\n")
    assert lines[-1] == b"", "the audit log ends inside a line"
    return [json.loads(line) for line in lines[:-1]]


def test_sigterm_keeps_the_upload_for_the_next_run(
    proxy: FaultProxy, s3: Any, bucket: str, big_file: Path
) -> None:
    held = HeldRequests(proxy)
    command = upload_command(big_file, bucket, proxy.url, "--concurrency", "1")
    first = start_process(command)
    try:
        wait_for(lambda: recorded_parts(proxy) >= 1, timeout=60, what="a part sent")
        held.hold()  # the upload is provably unfinished when the signal comes
        assert held.reached.wait(60)
        first.send_signal(signal.SIGTERM)
        held.let_go()
        out, err = first.communicate(timeout=60)
    finally:
        held.let_go()
        stop_process(first)

    assert first.returncode == EXIT_TERMINATED, out + err
    assert "terminated; unfinished uploads go on" in err
    parts_kept = recorded_parts(proxy)
    assert parts_kept >= 1, "the journal lost the upload"
    starts = [e for e in audit_entries() if e["key"] == "in/big.bin"]
    assert [(e["action"], e["result"]) for e in starts] == [
        ("upload-start", "queued"), ("upload", "interrupted"),  # not cancelled
    ]  # fmt: skip
    requests_before = len(proxy.requests())

    second = run_process(command)

    assert second.returncode == 0, second.stdout + second.stderr
    assert "resuming" in second.stdout
    sent_again = parts_sent(proxy, requests_before)
    assert len(sent_again) <= SIZE // (8 * MiB) - parts_kept, "the upload started over"
    assert_stored_once(s3, bucket, big_file)
    outcomes = [e["result"] for e in audit_entries() if e["action"] == "upload"]
    assert outcomes == ["interrupted", "ok"]


def _many_files(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    paths = [folder / f"f{n:03d}.txt" for n in range(count)]
    for n, path in enumerate(paths):
        path.write_text(f"file {n}")
    return paths


def _outcomes() -> int:
    log = audit_path()
    if not log.exists():
        return 0
    return sum(b'"action":"upload"' in line for line in log.read_bytes().splitlines())


def test_sigterm_at_random_moments_of_a_batch_leaves_whole_audit_lines(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    count = 300
    _many_files(tmp_path / "many", count)
    assert moto_endpoint.endpoint_url
    command = [
        *upload_command(tmp_path / "many", bucket, moto_endpoint.endpoint_url),
        "--concurrency", "4",
    ]  # fmt: skip
    moments = random.Random(20240611)
    for _ in range(3):
        returncode = _terminate_after(command, _outcomes() + moments.randrange(1, 60))
        if returncode == 0:
            break  # it finished before the signal: nothing left to interrupt
        assert returncode == EXIT_TERMINATED
        audit_entries()  # every line whole

    last = run_process(command)
    assert last.returncode == 0, last.stdout + last.stderr
    assert len(list_keys(s3, bucket)) == count
    entries = audit_entries()
    stored = {e["key"] for e in entries if e["action"] == "upload" and e["result"] == "ok"}
    assert len(stored) == count


def _terminate_after(command: list[str], outcomes: int) -> int:
    """Run ``command`` and send it SIGTERM once the audit log has ``outcomes`` upload
    outcomes; its exit status."""
    run = start_process(command)
    try:
        wait_for(lambda: _outcomes() >= outcomes or run.poll() is not None, timeout=120,
                 what="some uploads audited")  # fmt: skip
        run.send_signal(signal.SIGTERM)
        out, err = run.communicate(timeout=60)
    finally:
        stop_process(run)
    assert run.returncode in (0, EXIT_TERMINATED), out + err
    return run.returncode


def test_sigterm_to_the_engine_process_keeps_unfinished_uploads(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    count = 300
    _many_files(tmp_path / "many", count)
    window = EngineProcess(moto_endpoint, EngineConfig(concurrency=4), journal_path())
    try:
        window.submit_paths([str(tmp_path / "many")], Destination(bucket, "k/"))
        wait_for(lambda: _outcomes() >= random.Random(7).randrange(5, 60), timeout=120,
                 what="some uploads audited")  # fmt: skip
        assert window.pid is not None
        os.kill(window.pid, signal.SIGTERM)
        window._process.join(60)
        assert window._process.exitcode == 0, "the engine process did not stop in order"
    finally:
        window.shutdown(cancel=False, timeout=10)
    entries = audit_entries()
    done = {e["key"] for e in entries if e["action"] == "upload" and e["result"] == "ok"}
    assert len(done) < count
    journal = Journal(journal_path())
    try:
        assert len(journal.unfinished(moto_endpoint.identity)) == count - len(done)
    finally:
        journal.close()

    again = EngineProcess(moto_endpoint, EngineConfig(concurrency=4), journal_path())
    seen: dict[int, JobView] = {}
    try:
        again.restore()
        wait_for(lambda: collect(again, seen) and seen, timeout=120, what="the rest uploaded")
    finally:
        again.shutdown(cancel=False, timeout=10)
    assert {v.state for v in seen.values()} == {JobState.DONE}
    assert len(list_keys(s3, bucket)) == count
    audit_entries()


def test_sigterm_stops_a_download_without_leaving_a_partial_file(
    proxy: FaultProxy, s3: Any, bucket: str, tmp_path: Path
) -> None:
    data = random.Random(3).randbytes(24 * MiB)
    s3.put_object(Bucket=bucket, Key="big.bin", Body=data)
    held = HeldRequests(proxy, "GET")
    held.hold()
    dest = tmp_path / "down"
    command = [
        *S3DESK,
        "download",
        f"s3://{bucket}/big.bin",
        str(dest),
        "--endpoint-url",
        proxy.url,
    ]
    run = start_process(command)
    try:
        assert held.reached.wait(60), "the download never started"
        run.send_signal(signal.SIGTERM)
        held.let_go()
        out, err = run.communicate(timeout=60)
    finally:
        held.let_go()
        stop_process(run)
    assert run.returncode == EXIT_TERMINATED, out + err
    assert "terminated; unfinished downloads stop" in err
    assert list(dest.iterdir()) == []  # neither the file nor a temporary one
    audit_entries()
