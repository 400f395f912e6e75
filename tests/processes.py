"""Helpers for tests that run several s3desk processes against one server: the command
line as a subprocess, the proxy holding a holder's requests in flight, and what reached
the server."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from s3desk.core.paths import journal_path
from s3desk.core.storage.endpoint import custom_endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.engine_process import EngineProcess
from s3desk.core.transfer.jobs import JobView
from s3desk.core.transfer.upload.journal import Journal
from tests.cli_runner import ROOT
from tests.faultproxy import FaultPlan, FaultProxy
from tests.helpers import list_keys, multipart_uploads, read_object, wait_for

SIZE = 40 * MiB  # five parts of 8 MiB, the command line's part size

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


def all_parts_held(proxy: FaultProxy) -> None:
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


def collect(engine: EngineProcess, seen: dict[int, JobView]) -> bool:
    for view in engine.drain().jobs:
        seen[view.id] = view
    return engine.is_idle()
