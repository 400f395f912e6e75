"""Two s3desk processes meeting the same unfinished upload: one sends it, the other says
which process has it and sends nothing; a killed holder frees the upload at once.

Real processes (``s3desk upload`` and the window's engine process) against the test
server, through the fault proxy, which holds the holder's part uploads so that it is
provably still in flight while the other process tries.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from s3desk.core.engine import EngineConfig
from s3desk.core.engine_process import EngineProcess
from s3desk.core.jobs import ConflictPolicy, Destination, JobState, JobView
from s3desk.core.journal import Journal
from s3desk.core.parts import MiB
from s3desk.core.paths import journal_path
from s3desk.core.s3 import custom_endpoint
from tests.cli.conftest import SIZE
from tests.cli.test_upload_cli import ROOT
from tests.faultproxy import FaultPlan, FaultProxy
from tests.helpers import list_keys, multipart_uploads, read_object, wait_for

_PART = re.compile(r"[?&]partNumber=(\d+)")


class HeldRequests:
    """Holds every request with ``method`` (PUT: the part uploads) at the proxy once
    ``hold()`` is called, until ``let_go()``: the held requests are then answered 500 and
    sent again unhindered."""

    def __init__(self, proxy: FaultProxy, method: str = "PUT") -> None:
        self.proxy = proxy
        self.method = method
        self.reached = threading.Event()
        self._release = threading.Event()
        proxy.before_error = self._wait

    def hold(self) -> None:
        self.proxy.plan = FaultPlan(error500=1.0, only_methods=frozenset({self.method}))

    def let_go(self) -> None:
        self.proxy.plan = FaultPlan()
        self._release.set()

    def _wait(self, kind: str, method: str, target: str) -> None:
        self.reached.set()
        self._release.wait(120)


S3DESK = [sys.executable, str(ROOT / "tools" / "without_qt.py"), "-m", "s3desk"]


def upload_command(source: Path, bucket: str, url: str, *extra: str) -> list[str]:
    return [*S3DESK, "upload", str(source), f"s3://{bucket}/in/", "--endpoint-url", url, *extra]


def start_process(command: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_process(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def recorded_parts(proxy: FaultProxy) -> int:
    journal = Journal(journal_path())
    try:
        return sum(len(j.parts) for j in journal.unfinished(custom_endpoint(proxy.url).identity))
    finally:
        journal.close()


def parts_sent(proxy: FaultProxy, since: int) -> set[int]:
    return {
        int(m.group(1))
        for method, target in proxy.requests()[since:]
        if method == "PUT" and (m := _PART.search(target))
    }


def _all_parts_held(proxy: FaultProxy) -> None:
    """Wait until every part of the holder's upload waits at the proxy: from then on a
    request the proxy sees comes from somebody else."""
    wait_for(lambda: len(parts_sent(proxy, 0)) == SIZE // (8 * MiB), timeout=60,
             what="every part to be held")  # fmt: skip


def stop_process(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=30)


def assert_stored_once(s3: Any, bucket: str, source: Path) -> None:
    assert list_keys(s3, bucket) == ["in/big.bin"]
    assert read_object(s3, bucket, "in/big.bin") == source.read_bytes()
    assert multipart_uploads(s3, bucket) == []


def test_a_second_command_leaves_an_upload_in_flight_to_the_first(
    proxy: FaultProxy, s3: Any, bucket: str, big_file: Path
) -> None:
    held = HeldRequests(proxy)
    held.hold()
    command = upload_command(big_file, bucket, proxy.url)
    first = start_process(command)
    try:
        _all_parts_held(proxy)
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


def collect(engine: EngineProcess, seen: dict[int, JobView]) -> bool:
    for view in engine.drain().jobs:
        seen[view.id] = view
    return engine.is_idle()


def test_the_command_leaves_the_windows_upload_to_the_window(
    proxy: FaultProxy, s3: Any, bucket: str, big_file: Path
) -> None:
    held = HeldRequests(proxy)
    held.hold()
    window = EngineProcess(custom_endpoint(proxy.url), EngineConfig(), journal_path())
    try:
        window.submit_paths([str(big_file)], Destination(bucket, "in/"))
        _all_parts_held(proxy)
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
        _all_parts_held(proxy)
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
