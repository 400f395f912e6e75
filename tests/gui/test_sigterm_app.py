"""SIGTERM to the app: the real ``s3desk`` window process (offscreen) quits as closing the
window does, without asking: exit status 0, its engine process gone, the unfinished upload
kept in the journal for next time, every audit line whole."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.compliance.audit import audit_path
from s3desk.core.paths import journal_path
from s3desk.core.storage.endpoint import S3Endpoint, custom_endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.upload.journal import Journal
from tests.faultproxy import FaultProxy
from tests.helpers import multipart_uploads, wait_for
from tests.processes import (
    HeldRequests,
    recorded_parts,
    start_process,
    stop_process,
    upload_command,
)

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds the engine process through /proc"
)


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name, or None if there is none."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _engine_processes(parent: int) -> list[int]:
    """The engine processes ``parent`` started (multiprocessing's spawned children)."""
    found = []
    for entry in Path("/proc").iterdir():
        fields = _stat(int(entry.name)) if entry.name.isdigit() else None
        if fields is None or int(fields[1]) != parent:
            continue
        try:
            if b"spawn_main" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _running(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"  # a zombie has ended


def test_sigterm_quits_the_busy_window_in_order(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(40 * MiB))
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        # An unfinished upload in the journal: a command killed after its first part.
        command = start_process(upload_command(source, bucket, proxy.url, "--concurrency", "1"))
        try:
            wait_for(lambda: recorded_parts(proxy) >= 1, timeout=60, what="a part sent")
        finally:
            stop_process(command)
        # The window resumes it at start; its parts wait at the proxy, so it is busy.
        held = HeldRequests(proxy)
        held.hold()
        app = subprocess.Popen(
            [sys.executable, "-m", "s3desk", "--endpoint-url", proxy.url, "--bucket", bucket],
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert held.reached.wait(120), "the window did not resume the upload"
            engines = _engine_processes(app.pid)
            assert len(engines) == 1
            app.send_signal(signal.SIGTERM)
            held.let_go()
            out, err = app.communicate(timeout=60)
        finally:
            held.let_go()
            stop_process(app)
        assert app.returncode == 0, out + err
        wait_for(lambda: not _running(engines[0]), timeout=30, what="the engine process to end")

        journal = Journal(journal_path())
        try:
            (kept,) = journal.unfinished(custom_endpoint(proxy.url).identity)
        finally:
            journal.close()
    assert kept.upload_id == multipart_uploads(s3, bucket)[0]["UploadId"]
    assert kept.parts, "the parts sent before are still recorded"
    lines = audit_path().read_bytes().split(b"\n")
    assert lines[-1] == b""
    entries = [json.loads(line) for line in lines[:-1]]
    assert [(e["action"], e["result"]) for e in entries] == [
        ("upload-start", "queued"), ("upload", "interrupted"),  # goes on next time
    ]  # fmt: skip
    assert entries[1]["resumes"] is True
