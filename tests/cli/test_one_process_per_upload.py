"""Two s3desk processes meeting the same unfinished upload: one sends it, the other says
which process has it and sends nothing; a killed holder frees the upload at once.

Real processes (``s3desk upload`` and the window's engine process) against the test
server, through the fault proxy, which holds the holder's part uploads so that it is
provably still in flight while the other process tries.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.paths import journal_path
from s3desk.core.storage.endpoint import custom_endpoint
from s3desk.core.transfer.engine_process import EngineProcess
from s3desk.core.transfer.jobs import Destination, JobState, JobView
from tests.faultproxy import FaultProxy
from tests.helpers import multipart_uploads, wait_for
from tests.processes import (
    HeldRequests,
    all_parts_held,
    assert_stored_once,
    collect,
    parts_sent,
    recorded_parts,
    run_process,
    start_process,
    stop_process,
    upload_command,
)


def test_a_second_command_leaves_an_upload_in_flight_to_the_first(
    proxy: FaultProxy, s3: Any, bucket: str, big_file: Path
) -> None:
    held = HeldRequests(proxy)
    held.hold()
    command = upload_command(big_file, bucket, proxy.url)
    first = start_process(command)
    try:
        all_parts_held(proxy)
        requests_before = len(proxy.requests())

        second = run_process(command)

        assert second.returncode == 1, second.stdout + second.stderr
        assert f"Being uploaded by 's3desk upload' (process {first.pid})" in second.stdout
        assert str(big_file) in second.stdout
        assert proxy.requests()[requests_before:] == [], "the second command sent requests"
        held.let_go()
        out, err = first.communicate(timeout=120)
    finally:
        held.let_go()
        stop_process(first)
    assert first.returncode == 0, out + err
    assert_stored_once(s3, bucket, big_file)


def test_once_the_holder_is_killed_the_next_command_resumes_its_upload(
    proxy: FaultProxy, s3: Any, bucket: str, big_file: Path
) -> None:
    held = HeldRequests(proxy)
    command = upload_command(big_file, bucket, proxy.url, "--concurrency", "1")
    first = start_process(command)
    try:
        wait_for(lambda: recorded_parts(proxy) >= 1, timeout=60, what="a part sent")
        held.hold()  # parts after the one in flight now wait at the proxy
        assert held.reached.wait(60)
        refused = run_process(command)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert f"(process {first.pid})" in refused.stdout
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)
    finally:
        held.let_go()
        stop_process(first)
    (upload,) = multipart_uploads(s3, bucket)
    listed = s3.list_parts(Bucket=bucket, Key="in/big.bin", UploadId=upload["UploadId"])
    done_at_kill = {p["PartNumber"] for p in listed.get("Parts", [])}
    assert done_at_kill
    requests_before = len(proxy.requests())

    resumed = run_process(command)

    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "resuming" in resumed.stdout
    assert not parts_sent(proxy, requests_before) & done_at_kill, "a stored part sent again"
    assert_stored_once(s3, bucket, big_file)


def test_the_command_leaves_the_windows_upload_to_the_window(
    proxy: FaultProxy, s3: Any, bucket: str, big_file: Path
) -> None:
    held = HeldRequests(proxy)
    held.hold()
    window = EngineProcess(custom_endpoint(proxy.url), EngineConfig(), journal_path())
    try:
        window.submit_paths([str(big_file)], Destination(bucket, "in/"))
        all_parts_held(proxy)
        requests_before = len(proxy.requests())

        command = run_process(upload_command(big_file, bucket, proxy.url))

        assert command.returncode == 1, command.stdout + command.stderr
        assert f"Being uploaded by the s3desk window (process {window.pid})" in command.stdout
        assert proxy.requests()[requests_before:] == []
        held.let_go()
        seen: dict[int, JobView] = {}
        wait_for(lambda: collect(window, seen), timeout=120, what="the window's upload")
        assert [v.state for v in seen.values()] == [JobState.DONE]
    finally:
        held.let_go()
        window.shutdown(cancel=False, timeout=10)
    assert_stored_once(s3, bucket, big_file)


def test_the_window_shows_the_commands_upload_as_held_and_retries_it_later(
    proxy: FaultProxy, s3: Any, bucket: str, big_file: Path
) -> None:
    held = HeldRequests(proxy)
    held.hold()
    command = start_process(upload_command(big_file, bucket, proxy.url))
    config = EngineConfig(conflict=ConflictPolicy.ASK)  # as the window runs it
    window = EngineProcess(custom_endpoint(proxy.url), config, journal_path())
    seen: dict[int, JobView] = {}
    try:
        all_parts_held(proxy)
        requests_before = len(proxy.requests())
        window.restore()  # the window starts while the command is uploading
        wait_for(lambda: collect(window, seen) and seen, timeout=60, what="the restored row")
        ((job_id, row),) = seen.items()
        assert row.state is JobState.FAILED
        assert f"Being uploaded by 's3desk upload' (process {command.pid})" in row.error
        window.retry(job_id)  # still held: nothing happens but the same answer
        wait_for(lambda: collect(window, seen), timeout=60, what="the retry to be answered")
        assert seen[job_id].state is JobState.FAILED
        assert proxy.requests()[requests_before:] == [], "the window sent requests"

        held.let_go()
        out, err = command.communicate(timeout=120)
        assert command.returncode == 0, out + err
        window.retry(job_id)  # now the file is in the bucket: the window asks, as always
        wait_for(lambda: collect(window, seen), timeout=60, what="the retry")
        assert seen[job_id].state is JobState.CONFLICT
    finally:
        held.let_go()
        stop_process(command)
        window.shutdown(cancel=True, timeout=10)
    assert_stored_once(s3, bucket, big_file)
