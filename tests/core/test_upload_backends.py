"""The upload engine's backends: which one an endpoint gets, what each can do, and how direct
S3 starts a file (the engine's own choice: one request, or parts)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.jobs import UploadJob
from s3desk.core.transfer.senders import Senders
from s3desk.core.transfer.upload.backends import (
    DirectS3Backend,
    UploadServiceBackend,
    backend_for,
)

MiB = 1024 * 1024


def _backend(endpoint: S3Endpoint, hooks: list[Any] | None = None) -> Any:
    hooks = [] if hooks is None else hooks
    senders = Senders(endpoint, max_connections=2, connect_timeout=5, read_timeout=30, hooks=hooks)
    return backend_for(endpoint, EngineConfig(), senders=senders, hooks=hooks, clock=lambda: 0.0)


def _capabilities(backend: Any) -> tuple[bool, bool, bool, bool]:
    return backend.local_rules, backend.chooses_keys, backend.can_look, backend.can_copy_audit


def test_an_upload_service_account_gets_the_service_and_none_of_the_s3_capabilities() -> None:
    service = _backend(S3Endpoint(upload_service_url="https://uploads.example.com"))
    assert isinstance(service, UploadServiceBackend)
    # The service applies its rules and chooses keys; no S3 credentials to look or copy with.
    assert _capabilities(service) == (False, True, False, False)
    direct = _backend(S3Endpoint(endpoint_url="http://127.0.0.1:9"))
    assert isinstance(direct, DirectS3Backend)
    assert _capabilities(direct) == (True, False, True, True)


def test_direct_s3_starts_a_file_as_the_engine_asks(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(12 * MiB))
    job = UploadJob(1, str(source), bucket, "in/big.bin", 12 * MiB)
    requests: list[str] = []
    backend = _backend(moto_endpoint, requests)

    single = backend.begin(job, multipart=False, part_size=5 * MiB, sweep=False)
    assert (single.bucket, single.key, single.upload_id) == (bucket, "in/big.bin", None)
    assert requests == []  # the PutObject is the whole upload: nothing to start

    started = backend.begin(job, multipart=True, part_size=5 * MiB, sweep=False)
    assert (started.key, started.part_size, started.part_count) == ("in/big.bin", 5 * MiB, 3)
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert [u["UploadId"] for u in uploads] == [started.upload_id]
