"""Audit entries from the transfer engines, written by a thread of their own.

Workers hand an entry over (a queue put, while they may hold the engine's lock) and go on;
this thread appends what is waiting to the audit log in one write, flushed and fsynced. A crash can
lose at most the entries of the last moments that were still in the queue, never a line
half-written; ``flush()`` waits until every entry handed over is on disk, which the engines
do before they report themselves idle to a caller of ``wait()`` and at shutdown.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import uuid
from collections.abc import Callable
from typing import Any

from s3desk.core.compliance.audit import AuditLog

log = logging.getLogger(__name__)

_BATCH = 512  # entries per write at most


class AuditWriter:
    def __init__(
        self, audit: AuditLog, copy_to: Callable[[str, bytes], None] | None = None
    ) -> None:
        """``copy_to(name, data)``, when given, also stores each entry elsewhere (an audit
        bucket); a failure there is logged and does not stop anything."""
        self.audit = audit
        self.copy_to = copy_to
        self._queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def put(self, action: str, **fields: Any) -> None:
        """Hand an entry over; returns at once."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="s3desk-audit", daemon=True)
                self._thread.start()
        fields["time"] = _now()  # when it happened, not when the batch is written
        self._queue.put((action, fields))

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every entry handed over so far is written; False on timeout."""
        done = threading.Event()
        with self._lock:
            if self._thread is None:
                return True
        self._queue.put(("", {"_done": done}))
        return done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        self.flush(timeout)
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def _run(self) -> None:
        stop = False
        while not stop:
            # Everything waiting goes in one write and one fsync: entries arrive faster than
            # a disk syncs when many small files finish at once.
            batch = [self._queue.get()]
            while len(batch) < _BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            entries: list[tuple[str, dict[str, Any]]] = []
            waiting: list[threading.Event] = []
            for item in batch:
                if item is None:
                    stop = True
                elif not item[0]:
                    waiting.append(item[1]["_done"])
                else:
                    entries.append(item)
            if entries:
                self._write(entries)
            for done in waiting:
                done.set()

    def _write(self, entries: list[tuple[str, dict[str, Any]]]) -> None:
        try:
            written = self.audit.append_many(entries)
        except Exception as exc:  # a full disk must not stop transfers; the log says so
            for action, fields in entries:
                log.error("audit entry not written (%s): %s %s", exc, action, fields.get("key"))
            return
        if self.copy_to is not None:
            for entry in written:
                self._copy(entry)

    def _copy(self, entry: dict[str, Any]) -> None:
        assert self.copy_to is not None
        stamp = str(entry["time"])
        name = f"{stamp[:10]}/{stamp}-{uuid.uuid4().hex[:8]}.json"
        data = json.dumps(entry, ensure_ascii=False).encode("utf-8")
        try:
            self.copy_to(name, data)
        except Exception as exc:  # the local log has the entry; the copy is extra
            log.warning("audit entry not copied to the audit bucket: %r", exc)


def _now() -> str:
    import datetime

    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
