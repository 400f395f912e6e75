"""The transfer queue as the window drives it, whichever process runs the engines.

``Transfers`` (the engines in this process) and ``EngineProcess`` (the engines in a child
process, driven over a pipe) both implement ``TransferQueue``; mypy holds them to it, and the
engine process's pipe carries exactly its commands (``QUEUE_METHODS`` less what the parent
answers itself).

A command's effect shows in the next ``drain()``. Where a command returns a number, it is how
many jobs it affected when that is known at once (in-process); the engine process, which never
waits for its child, returns 1 once the command is on its way and 0 when it could not be sent.
Either way a truthy result means "updates may follow: keep watching".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.download.plan import DownloadItem
from s3desk.core.transfer.jobs import Destination, Totals
from s3desk.core.transfer.scheduler import Update


class TransferQueue(Protocol):
    # -- adding work ----------------------------------------------------------------------

    def submit_paths(
        self,
        paths: list[str],
        dest: Destination,
        conflict: ConflictPolicy | None = None,
        content_type: str = "",
    ) -> None: ...

    def submit_downloads(
        self,
        items: Iterable[DownloadItem],
        conflict: ConflictPolicy = ConflictPolicy.RENAME,
        folders: Iterable[str] = (),
    ) -> None: ...

    def restore(self) -> int:
        """Queue the uploads an earlier run left unfinished."""
        ...

    # -- one job ----------------------------------------------------------------------------

    def pause(self, job_id: int) -> bool: ...

    def resume(self, job_id: int) -> bool: ...

    def cancel(self, job_id: int) -> bool: ...

    def retry(self, job_id: int) -> bool: ...

    # -- many jobs --------------------------------------------------------------------------

    def pause_all(self) -> int: ...

    def resume_all(self) -> int: ...

    def cancel_all(self) -> int: ...

    def retry_failed(self) -> int: ...

    def resolve_conflicts(self, choice: ConflictPolicy, job_ids: Iterable[int] = ()) -> int:
        """Answer the conflict question for ``job_ids``, or for every asking job if empty."""
        ...

    def set_content_type(self, job_ids: Iterable[int], content_type: str) -> int: ...

    # -- how the queue runs -----------------------------------------------------------------

    def set_bandwidth_limit(self, bytes_per_second: float) -> None: ...

    def reconfigure(
        self,
        *,
        concurrency: int | None = None,
        part_size: int | None = None,
        conflict: ConflictPolicy | None = None,
    ) -> None: ...

    def unblock(self, endpoint: S3Endpoint | None = None) -> None: ...

    def shutdown(self, cancel: bool = True, timeout: float = 30.0) -> None: ...

    # -- observing --------------------------------------------------------------------------

    def drain(self) -> Update: ...

    def totals(self) -> Totals: ...

    def is_idle(self) -> bool: ...

    @property
    def blocked(self) -> str: ...

    @property
    def warning(self) -> str: ...


# Every method and property of the queue, by name.
QUEUE_METHODS = frozenset(
    name
    for name, member in vars(TransferQueue).items()
    if not name.startswith("_") and (callable(member) or isinstance(member, property))
)
