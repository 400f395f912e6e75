"""Kill ``s3desk upload`` mid-way with SIGKILL, run it again: it goes on where it stopped.

The fault proxy (with no faults) stands between the command and the server only to log
which parts each run sent.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from tests.cli_runner import ROOT
from tests.faultproxy import FaultProxy
from tests.helpers import multipart_uploads, wait_for

SIZE = 320 * MiB  # 40 parts of 8 MiB
CONCURRENCY = 4
_PART = re.compile(r"[?&]partNumber=(\d+)")


def _parts_sent(proxy: FaultProxy, since: int = 0) -> list[int]:
    """Part numbers of the UploadPart requests the proxy saw, from request ``since`` on."""
    return [
        int(m.group(1))
        for method, target in proxy.requests()[since:]
        if method == "PUT" and (m := _PART.search(target))
    ]


@pytest.mark.slow
def test_killed_upload_resumes_without_resending_finished_parts(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "archive.tar"
    with source.open("wb") as f:
        for _ in range(SIZE // (8 * MiB)):
            f.write(os.urandom(8 * MiB))
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        command = [
            sys.executable, str(ROOT / "tools" / "without_qt.py"), "-m", "s3desk", "upload",
            str(source), f"s3://{bucket}/backups/", "--endpoint-url", proxy.url,
            "--concurrency", str(CONCURRENCY),
        ]  # fmt: skip
        first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            wait_for(lambda: len(set(_parts_sent(proxy))) >= 12, timeout=120, what="12 parts")
        finally:
            first.send_signal(signal.SIGKILL)
            first.communicate(timeout=30)
        assert first.returncode == -signal.SIGKILL

        upload = multipart_uploads(s3, bucket)
        assert len(upload) == 1, "the killed run leaves its multipart upload behind"
        listed = s3.list_parts(Bucket=bucket, Key="backups/archive.tar",
                               UploadId=upload[0]["UploadId"])["Parts"]  # fmt: skip
        done_at_kill = {p["PartNumber"] for p in listed}
        started_first = set(_parts_sent(proxy))
        in_flight_at_kill = started_first - done_at_kill
        assert len(in_flight_at_kill) <= CONCURRENCY
        requests_before = len(proxy.requests())

        second = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "resuming" in second.stdout
        sent_second = _parts_sent(proxy, since=requests_before)

    assert not (set(sent_second) & done_at_kill), "a part the server had was sent again"
    sent_again = set(sent_second) & started_first
    assert sent_again <= in_flight_at_kill
    assert multipart_uploads(s3, bucket) == []
    body = s3.get_object(Bucket=bucket, Key="backups/archive.tar")["Body"]
    with source.open("rb") as original:
        while chunk := body.read(8 * MiB):
            assert chunk == original.read(len(chunk))
        assert original.read(1) == b""
