"""The upload engine's upload-service backend against a real service: the service, not what
the engine asked for, decides whether a file goes in one PUT or in parts."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.transfer.bandwidth import BandwidthLimiter
from s3desk.core.transfer.jobs import UploadJob
from s3desk.core.transfer.senders import Senders
from s3desk.core.transfer.upload.backends import Sending, UploadServiceBackend, backend_for
from tests.broker.conftest import MiB, Running, jpeg, service_endpoint
from tests.helpers import read_object


def _job(job_id: int, path: Path) -> UploadJob:
    st = path.stat()
    return UploadJob(job_id, str(path), "", path.name, st.st_size, st.st_mtime_ns)


def test_the_service_decides_between_one_put_and_parts(
    broker: Running, s3: Any, bucket: str, tmp_path: Path
) -> None:
    endpoint = service_endpoint(broker, "alice")
    senders = Senders(endpoint, max_connections=2, connect_timeout=5, read_timeout=30, hooks=[])
    backend = backend_for(endpoint, EngineConfig(), senders=senders, hooks=[], clock=time.monotonic)
    assert isinstance(backend, UploadServiceBackend)
    photo, film = jpeg(2 * MiB, 1), jpeg(13 * MiB, 2)  # under and over the service's 6 MiB
    (tmp_path / "photo.jpg").write_bytes(photo)
    (tmp_path / "film.jpg").write_bytes(film)
    small, big = _job(1, tmp_path / "photo.jpg"), _job(2, tmp_path / "film.jpg")
    try:
        # Asked for parts, told one PUT; and the other way round.
        one = backend.begin(small, multipart=True, part_size=8 * MiB, sweep=False)
        assert (one.bucket, one.key, one.upload_id) == (bucket, "uploads/alice/photo.jpg", None)
        parts = backend.begin(big, multipart=False, part_size=8 * MiB, sweep=False)
        assert (parts.key, parts.part_size, parts.part_count) == (
            "uploads/alice/film.jpg",
            5 * MiB,
            3,
        )
        assert parts.upload_id

        sending = Sending(lambda: False, lambda n: None, BandwidthLimiter(0))
        backend.put(dataclasses.replace(small, bucket=one.bucket, key=one.key), one, sending)
        assert read_object(s3, bucket, "uploads/alice/photo.jpg") == photo
        backend.abort(dataclasses.replace(big, upload_id=parts.upload_id))
        assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    finally:
        backend.close()
