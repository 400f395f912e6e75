"""The ways an upload reaches the storage: S3 directly with the account's credentials, or an
organisation's upload service that hands out pre-signed URLs. The upload engine keeps the
queue, the jobs and their states, and calls one of these through ``UploadBackend``; what
differs between them beyond requests is a named capability of the backend."""

from __future__ import annotations

from collections.abc import Callable

from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.senders import Senders
from s3desk.core.transfer.upload.backends.backend import Sending, Start, Stored, UploadBackend
from s3desk.core.transfer.upload.backends.direct_s3 import DirectS3Backend
from s3desk.core.transfer.upload.backends.upload_service import UploadServiceBackend

__all__ = [
    "DirectS3Backend",
    "Sending",
    "Start",
    "Stored",
    "UploadBackend",
    "UploadServiceBackend",
    "backend_for",
]


def backend_for(
    endpoint: S3Endpoint,
    config: EngineConfig,
    *,
    senders: Senders,
    hooks: list[Callable[[str], None]],
    clock: Callable[[], float],
) -> UploadBackend:
    """The upload service the endpoint names, or S3 through the engine's ``senders``. Chosen
    once per engine: new credentials for the same account reach the backend by ``reset``."""
    if endpoint.upload_service_url:
        return UploadServiceBackend(
            endpoint, connect_timeout=config.connect_timeout, read_timeout=config.read_timeout,
            max_connections=config.concurrency + 2, hooks=hooks, clock=clock,
        )  # fmt: skip
    return DirectS3Backend(endpoint, senders, config.options)
