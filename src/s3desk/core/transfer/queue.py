"""Uploads and downloads as one queue: what the window, and the engine process, drive.

Each direction keeps its own engine (uploads have a journal and conflict questions,
downloads temporary files); this puts them behind one set of methods, ``TransferQueue``.
Download job ids start at DOWNLOAD_ID_BASE, so a job id alone says which engine it belongs to.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from s3desk.core.compliance.audit import AuditLog
from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer import rate
from s3desk.core.transfer.download.engine import DOWNLOAD_ID_BASE, DownloadEngine
from s3desk.core.transfer.download.plan import DownloadItem
from s3desk.core.transfer.jobs import Destination, Totals
from s3desk.core.transfer.queue_api import TransferQueue
from s3desk.core.transfer.scheduler import Update
from s3desk.core.transfer.upload.engine import UploadEngine


class Transfers:
    def __init__(self, uploads: UploadEngine) -> None:
        self.uploads = uploads
        self._downloads: DownloadEngine | None = None  # made on the first download

    @property
    def downloads(self) -> DownloadEngine:
        if self._downloads is None:
            # The settings as they are now (reconfigure replaces the uploads' config too).
            self._downloads = DownloadEngine(
                self.uploads.endpoint, self.uploads.config, audit=AuditLog()
            )
            self._downloads.set_bandwidth_limit(self.uploads.limiter.rate)
        return self._downloads

    @property
    def has_downloads(self) -> bool:
        return self._downloads is not None

    # -- what only one direction does --------------------------------------------------------

    @property
    def endpoint(self) -> S3Endpoint:
        return self.uploads.endpoint

    @property
    def journal(self) -> Any:
        return self.uploads.journal

    @property
    def client(self) -> Any:
        return self.uploads.client

    def submit_paths(
        self,
        paths: list[str],
        dest: Destination,
        conflict: ConflictPolicy | None = None,
        content_type: str = "",
    ) -> None:
        self.uploads.submit_paths(paths, dest, conflict, content_type)

    def submit_downloads(
        self,
        items: Iterable[DownloadItem],
        conflict: ConflictPolicy = ConflictPolicy.RENAME,
        folders: Iterable[str] = (),
    ) -> None:
        # No job ids: the engine process cannot know them either; the jobs come with drain().
        self.downloads.submit(items, conflict, folders)

    def restore(self) -> int:
        return self.uploads.restore()

    def resolve_conflicts(self, choice: ConflictPolicy, job_ids: Iterable[int] = ()) -> int:
        return self.uploads.resolve_conflicts(choice, job_ids)

    def set_bandwidth_limit(self, bytes_per_second: float) -> None:
        """The limit holds for each direction: uploads together, downloads together."""
        for engine in self._both():
            engine.set_bandwidth_limit(bytes_per_second)

    def reconfigure(
        self,
        *,
        concurrency: int | None = None,
        part_size: int | None = None,
        conflict: ConflictPolicy | None = None,
    ) -> None:
        self.uploads.reconfigure(concurrency=concurrency, part_size=part_size, conflict=conflict)
        if self._downloads is not None:
            self._downloads.reconfigure(concurrency=concurrency, part_size=part_size)

    def set_content_type(self, job_ids: Iterable[int], content_type: str) -> int:
        return self.uploads.set_content_type(job_ids, content_type)

    # -- per job: the id says which engine ---------------------------------------------------

    def _owner(self, job_id: int) -> UploadEngine | DownloadEngine | None:
        if job_id < DOWNLOAD_ID_BASE:
            return self.uploads
        return self._downloads

    def pause(self, job_id: int) -> bool:
        owner = self._owner(job_id)
        return owner is not None and owner.pause(job_id)

    def resume(self, job_id: int) -> bool:
        owner = self._owner(job_id)
        return owner is not None and owner.resume(job_id)

    def cancel(self, job_id: int) -> bool:
        owner = self._owner(job_id)
        return owner is not None and owner.cancel(job_id)

    def retry(self, job_id: int) -> bool:
        owner = self._owner(job_id)
        return owner is not None and owner.retry(job_id)

    # -- both ---------------------------------------------------------------------------

    def _both(self) -> list[UploadEngine | DownloadEngine]:
        return [self.uploads] if self._downloads is None else [self.uploads, self._downloads]

    def pause_all(self) -> int:
        return sum(engine.pause_all() for engine in self._both())

    def resume_all(self) -> int:
        return sum(engine.resume_all() for engine in self._both())

    def cancel_all(self) -> int:
        return sum(engine.cancel_all() for engine in self._both())

    def retry_failed(self) -> int:
        return sum(engine.retry_failed() for engine in self._both())

    def unblock(self, endpoint: S3Endpoint | None = None) -> None:
        for engine in self._both():
            engine.unblock(endpoint)

    def drain(self) -> Update:
        up = self.uploads.drain()
        if self._downloads is None:
            return up
        down = self._downloads.drain()
        return Update(
            up.jobs + down.jobs,
            add_totals(up.totals, down.totals),
            up.blocked or down.blocked,
            up.warning,
        )

    def totals(self) -> Totals:
        if self._downloads is None:
            return self.uploads.totals()
        return add_totals(self.uploads.totals(), self._downloads.totals())

    def is_idle(self) -> bool:
        return all(engine.is_idle() for engine in self._both())

    def wait(self, timeout: float | None = None) -> bool:
        return all(engine.wait(timeout) for engine in self._both())

    @property
    def blocked(self) -> str:
        down = self._downloads.blocked if self._downloads is not None else ""
        return self.uploads.blocked or down

    @property
    def warning(self) -> str:
        return self.uploads.warning

    def shutdown(self, cancel: bool = True, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout  # one budget for both directions
        if self._downloads is not None:
            self._downloads.shutdown(cancel, timeout)
        self.uploads.shutdown(cancel, max(0.0, deadline - time.monotonic()))


_QUEUE: type[TransferQueue] = Transfers  # mypy holds Transfers to the queue's methods


def add_totals(a: Totals, b: Totals) -> Totals:
    remaining = a.bytes_total - a.bytes_done + b.bytes_total - b.bytes_done
    speed = a.speed + b.speed
    running = a.eta is not None or b.eta is not None
    return Totals(
        files_total=a.files_total + b.files_total,
        files_done=a.files_done + b.files_done,
        files_failed=a.files_failed + b.files_failed,
        files_cancelled=a.files_cancelled + b.files_cancelled,
        files_skipped=a.files_skipped + b.files_skipped,
        files_active=a.files_active + b.files_active,
        files_paused=a.files_paused + b.files_paused,
        files_asking=a.files_asking + b.files_asking,
        bytes_total=a.bytes_total + b.bytes_total,
        bytes_done=a.bytes_done + b.bytes_done,
        speed=speed,
        eta=rate.eta(remaining, speed) if running else None,
        bytes_uploaded=a.bytes_uploaded + b.bytes_uploaded,
        bytes_downloaded=a.bytes_downloaded + b.bytes_downloaded,
    )
