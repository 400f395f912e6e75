"""The transfer engines (uploads and downloads) in a process of their own, driven over a pipe.

Worker threads doing S3 requests hold Python's global lock most of the time they are not
waiting on the network. In the app's process they starve the UI thread: measured with
10,000 small files on a local server, the window's event loop fell seconds behind. Here the
engine runs in a child process; the app sends it commands (never waiting for an answer) and
reads the snapshots it publishes a few times a second, so the UI thread only ever does a
non-blocking read of a pipe.

SIGTERM sent to the child itself (a session ending, ``kill``) stops it as the window's
quit does: transfers are interrupted, unfinished uploads stay in the journal to resume next
time, and the audit entries written so far are complete.

``EngineProcess`` implements ``TransferQueue``, as ``Transfers`` does in-process, with the same
meaning; commands that return a count in-process return "accepted" here (1, or 0 when the
child is gone), and the effect shows in the next snapshots. The pipe carries every method of
``TransferQueue`` but those the parent answers itself (``LOCAL_ONLY``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from s3desk.core.compliance import content_types
from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.phrases import phrase
from s3desk.core.storage.endpoint import S3Endpoint, make_client
from s3desk.core.transfer.download.plan import DownloadItem
from s3desk.core.transfer.jobs import Destination, JobView, Totals
from s3desk.core.transfer.queue_api import QUEUE_METHODS, TransferQueue
from s3desk.core.transfer.scheduler import Update
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.core.transfer.upload.journal import HOLDER_WINDOW, Journal, JournalError

# How often the child publishes what changed.
PUBLISH_SECONDS = 0.1


@dataclass(frozen=True, slots=True)
class _Snapshot:
    update: Update
    idle: bool
    acked: int  # the number of the last command the child has carried out


class EngineProcess:
    def __init__(
        self,
        endpoint: S3Endpoint,
        config: EngineConfig | None = None,
        journal_path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.config = config or EngineConfig()
        self.journal_path = os.fspath(journal_path) if journal_path is not None else None
        context = multiprocessing.get_context("spawn")  # no fork of a process running Qt
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(child_conn, endpoint, self.config, self.journal_path),
            name="s3desk-engine",
            daemon=True,
        )
        self._process.start()
        child_conn.close()
        self._sent = 0
        self._acked = 0
        self._idle = True
        self._blocked = ""
        self._warning = ""
        self._totals = Totals(
            files_total=0, files_done=0, files_failed=0, files_active=0, files_paused=0,
            files_asking=0, bytes_total=0, bytes_done=0, speed=0.0, eta=None,
        )  # fmt: skip
        self._client: Any = None
        self._closed = False
        self._gone = False  # the child died rather than being shut down

    # -- commands (fire and forget) -----------------------------------------------------

    def _send(self, command: str, *args: Any, **kwargs: Any) -> bool:
        if self._closed:
            if self._gone:
                return False  # the window already says the process stopped
            raise RuntimeError("the upload engine has been shut down")
        try:
            self._conn.send((self._sent + 1, command, args, kwargs))
        except OSError:  # the child died before the next poll noticed
            self._lost()
            return False
        self._sent += 1
        return True

    def submit_paths(
        self,
        paths: list[str],
        dest: Destination,
        conflict: ConflictPolicy | None = None,
        content_type: str = "",
    ) -> None:
        self._send("submit_paths", [os.fspath(p) for p in paths], dest, conflict, content_type)

    def submit_downloads(
        self,
        items: Iterable[DownloadItem],
        conflict: ConflictPolicy = ConflictPolicy.RENAME,
        folders: Iterable[str] = (),
    ) -> None:
        self._send("submit_downloads", list(items), conflict, list(folders))

    def restore(self) -> int:
        if self.journal_path is None:
            return 0  # nothing kept to restore
        return int(self._send("restore"))  # the restored jobs arrive with the next snapshots

    def pause(self, job_id: int) -> bool:
        return self._send("pause", job_id)

    def resume(self, job_id: int) -> bool:
        return self._send("resume", job_id)

    def cancel(self, job_id: int) -> bool:
        return self._send("cancel", job_id)

    def retry(self, job_id: int) -> bool:
        return self._send("retry", job_id)

    def pause_all(self) -> int:
        return int(self._send("pause_all"))

    def resume_all(self) -> int:
        return int(self._send("resume_all"))

    def cancel_all(self) -> int:
        return int(self._send("cancel_all"))

    def retry_failed(self) -> int:
        return int(self._send("retry_failed"))

    def resolve_conflicts(self, choice: ConflictPolicy, job_ids: Iterable[int] = ()) -> int:
        return int(self._send("resolve_conflicts", choice, list(job_ids)))

    def set_bandwidth_limit(self, bytes_per_second: float) -> None:
        self._send("set_bandwidth_limit", bytes_per_second)

    def reconfigure(
        self,
        *,
        concurrency: int | None = None,
        part_size: int | None = None,
        conflict: ConflictPolicy | None = None,
    ) -> None:
        self._send("reconfigure", concurrency=concurrency, part_size=part_size, conflict=conflict)

    def set_content_type(self, job_ids: Iterable[int], content_type: str) -> int:
        content_type = content_types.check(content_type)  # refused here, not in the child
        return int(self._send("set_content_type", list(job_ids), content_type))

    def unblock(self, endpoint: S3Endpoint | None = None) -> None:
        self._send("unblock", endpoint)

    # -- observing (never blocks) -----------------------------------------------------------

    def drain(self) -> Update:
        """Everything the child published since the last call, merged into one update."""
        changed: dict[int, JobView] = {}
        while not self._closed and self._conn.poll():
            try:
                snapshot: _Snapshot = self._conn.recv()
            except (EOFError, OSError):
                self._lost()
                break
            for view in snapshot.update.jobs:
                changed[view.id] = view
            self._totals = snapshot.update.totals
            self._blocked, self._warning = snapshot.update.blocked, snapshot.update.warning
            self._idle, self._acked = snapshot.idle, snapshot.acked
        if not self._closed and not self._process.is_alive() and not self._conn.poll():
            self._lost()
        jobs = [changed[i] for i in sorted(changed)]
        return Update(jobs, self._totals, self._blocked, self._warning)

    def is_idle(self) -> bool:
        """Idle by the last snapshot, and every command sent since has been carried out."""
        return self._idle and self._acked == self._sent

    def totals(self) -> Totals:
        return self._totals

    @property
    def blocked(self) -> str:
        return self._blocked

    @property
    def warning(self) -> str:
        return self._warning

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def journal(self) -> str | None:
        """Truthy when unfinished uploads survive a restart (as ``UploadEngine.journal``)."""
        return self.journal_path

    @property
    def client(self) -> Any:
        """A client of this process's own, for quick queries such as listing buckets."""
        if self._client is None:
            self._client = make_client(self.endpoint, 4)
        return self._client

    def _lost(self) -> None:
        self._closed = self._gone = True
        self._idle, self._acked = True, self._sent
        self._warning = phrase("The upload process stopped unexpectedly; restart s3desk to go on")

    # -- stopping -------------------------------------------------------------------------

    def shutdown(self, cancel: bool = True, timeout: float = 30.0) -> None:
        if not self._closed:
            self._send("shutdown", cancel, timeout)
            self._closed = True
        self._process.join(timeout + 5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)
        self._conn.close()
        self._idle, self._acked = True, self._sent  # nothing runs any more


def _serve(
    conn: Connection, endpoint: S3Endpoint, config: EngineConfig, journal_path: str | None
) -> None:
    """The child: run the engine, carry out commands, publish what changed."""
    from s3desk.core.logs import configure_logging

    configure_logging()  # a spawned process starts without the parent's logging setup

    terminated = _on_sigterm()
    journal, warning = _open_journal(journal_path)
    from s3desk.core.compliance.audit import AuditLog
    from s3desk.core.transfer.queue import Transfers

    uploads = UploadEngine(endpoint, config, journal=journal, audit=AuditLog())
    if warning:
        uploads.warn(warning)
    engine = Transfers(uploads)
    acked = 0
    last_published: tuple[Totals, str, str, bool, int] | None = None
    next_publish = time.monotonic()
    try:
        while True:
            if terminated.is_set():
                engine.shutdown(cancel=False, timeout=_SIGTERM_TIMEOUT)  # keep the journal
                break
            timeout = max(0.0, next_publish - time.monotonic())
            if conn.poll(timeout):
                number, command, args, kwargs = conn.recv()
                if command == "shutdown":
                    engine.shutdown(*args, **kwargs)
                    break
                try:
                    _carry_out(engine, command, args, kwargs)
                except Exception as exc:  # one bad command must not end every transfer
                    logging.getLogger(__name__).exception("engine command %s failed", command)
                    uploads.warn(f"An internal error stopped one action: {exc}")
                acked = number
                continue
            next_publish = time.monotonic() + PUBLISH_SECONDS
            update = engine.drain()
            idle = engine.is_idle()
            state = (update.totals, update.blocked, update.warning, idle, acked)
            if update.jobs or state != last_published:
                conn.send(_Snapshot(update, idle, acked))
                last_published = state
    except (EOFError, OSError):
        engine.shutdown(cancel=False, timeout=5)  # the app went away: keep the journal
    finally:
        if journal is not None:
            journal.close()
        conn.close()


def _open_journal(journal_path: str | None) -> tuple[Journal | None, str]:
    """The journal, as the window's holder of entries; or None and why not."""
    if journal_path is None:
        return None, ""
    try:
        return Journal(journal_path, HOLDER_WINDOW), ""
    except JournalError as exc:
        return None, phrase("{problem}; uploads will not resume after a crash", problem=str(exc))


# Seconds a SIGTERM'd child gives transfers to stop before it leaves them behind.
_SIGTERM_TIMEOUT = 10.0


def _on_sigterm() -> threading.Event:
    """An event SIGTERM sets; the command loop, which looks at least every
    PUBLISH_SECONDS, then stops the engine in order."""
    terminated = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: terminated.set())
    return terminated


def _carry_out(
    engine: TransferQueue, command: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    if command not in COMMANDS:
        raise ValueError(f"unknown engine command {command!r}")
    getattr(engine, command)(*args, **kwargs)


# The queue's methods the parent answers from the snapshots, never sending them; why each.
LOCAL_ONLY = {
    "drain": "merges the snapshots the child published",
    "totals": "the last snapshot's totals",
    "is_idle": "the last snapshot, and whether the child has carried out every command since",
    "blocked": "the last snapshot's",
    "warning": "the last snapshot's, or that the child died",
}

# What the pipe carries: every other method of the queue.
COMMANDS = QUEUE_METHODS - LOCAL_ONLY.keys()

_QUEUE: type[TransferQueue] = EngineProcess  # mypy holds EngineProcess to the queue's methods
