"""The engine the window uploads with, and the transfer queue it drives through it."""

from __future__ import annotations

import threading
from typing import Any, Protocol

from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.engine_process import EngineProcess
from s3desk.core.transfer.jobs import Totals
from s3desk.core.transfer.queue import Transfers
from s3desk.core.transfer.queue_api import TransferQueue
from s3desk.core.transfer.upload.engine import UploadEngine


class Engine(Protocol):
    """What the window and the account box ask of an engine beyond its queue: the upload
    engine of this process (``UploadEngine``) or the engines' own process
    (``EngineProcess``). The queue itself is ``queue_for(engine)``."""

    @property
    def endpoint(self) -> S3Endpoint: ...

    @property
    def journal(self) -> object:
        """Truthy when unfinished uploads survive a restart."""
        ...

    @property
    def client(self) -> Any:
        """An S3 client for quick queries (listing buckets, browsing)."""
        ...

    def totals(self) -> Totals: ...

    def restore(self) -> int: ...

    def shutdown(self, cancel: bool = True, timeout: float = 30.0) -> None: ...


def queue_for(engine: Engine) -> TransferQueue:
    """Uploads and downloads as one queue: an in-process upload engine gets a download
    engine beside it; an engine process runs both already."""
    if isinstance(engine, UploadEngine):
        return Transfers(engine)
    if isinstance(engine, EngineProcess):
        return engine
    raise TypeError(f"not an engine: {engine!r}")


def retire_downloads(transfers: TransferQueue | None) -> None:
    """Stop the downloads that ``queue_for`` added (the owner of the upload engine shuts
    that one down), without making the UI thread wait."""
    if isinstance(transfers, Transfers) and transfers.has_downloads:
        threading.Thread(
            target=transfers.downloads.shutdown, name="s3desk-retire-downloads", daemon=True
        ).start()
