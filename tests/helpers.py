"""Helpers for tests: reading back what reached S3, and waiting on a condition."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


def read_object(s3: Any, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def list_keys(s3: Any, bucket: str, prefix: str = "") -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(obj["Key"] for obj in page.get("Contents", []))
    return sorted(keys)


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> None:
    """Poll ``predicate`` until it is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def multipart_uploads(s3: Any, bucket: str) -> list[dict[str, Any]]:
    """The multipart uploads open in ``bucket``, every page of them.

    Any error is raised, NoSuchUpload too: rclone (which keeps uploads in memory) gives that
    answer without looking for a bucket where it never saw a multipart upload begin, so it
    must never count as "none". Prime rclone buckets first (the fixtures ``server_bucket``
    and ``rclone_bucket`` do): see ``prime_upload_listing``."""
    uploads: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
        uploads.extend(page.get("Uploads", []))
    return uploads


def prime_upload_listing(s3: Any, bucket: str) -> None:
    """Start and abort one multipart upload in ``bucket``. rclone learns of a bucket's
    uploads at its first one; from then on it lists them (possibly none) instead of
    answering NoSuchUpload."""
    key = "prime-upload-listing"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)


class SendGate:
    """Holds chosen requests of an upload engine just before they are sent, through the
    engine's request hooks (which both its botocore and its small-PutObject paths call), so
    a test can act while an upload is provably in flight.

    The first ``let_through`` matching requests pass; later ones wait for ``release``.
    ``sent`` counts every matching request that went out."""

    def __init__(self, engine: Any, operation: str, let_through: int = 0) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        self.sent = 0
        self._let_through = let_through
        self._lock = threading.Lock()
        self._hooks: list[Callable[[str], None]] = engine.request_hooks
        self._operation = operation
        self._hooks.append(self._hold)

    def _hold(self, operation: str) -> None:
        if operation != self._operation:
            return
        with self._lock:
            self.sent += 1
            held = self.sent > self._let_through
        if held:
            self.reached.set()
            assert self.release.wait(30), "gate never released"

    def remove(self) -> None:
        if self._hold in self._hooks:  # may be called again from a test's cleanup
            self._hooks.remove(self._hold)
        self.release.set()


def leave_paused_uploads(endpoint: Any, bucket: str, folder: Any, journal_path: Any) -> None:
    """Two uploads the journal at ``journal_path`` keeps paused, as quitting mid-transfer
    leaves them for the next start to restore."""
    from s3desk.core.config.engine_config import EngineConfig
    from s3desk.core.transfer.jobs import Destination
    from s3desk.core.transfer.upload.engine import UploadEngine
    from s3desk.core.transfer.upload.journal import Journal

    paths = []
    for n in range(2):
        path = folder / f"kept{n}.bin"
        path.write_bytes(b"x" * 4 * 1024 * 1024)
        paths.append(str(path))
    journal = Journal(journal_path)
    slow = EngineConfig(concurrency=2, bandwidth_limit=64 * 1024)  # neither can finish
    engine = UploadEngine(endpoint, slow, journal=journal)
    try:
        engine.submit_paths(paths, Destination(bucket))
        wait_for(lambda: engine.totals().files_active == 2, what="both uploads to start")
        assert engine.pause_all() == 2
        assert engine.wait(30)
    finally:
        engine.shutdown(cancel=False, timeout=10)
        journal.close()
