"""Audit entries from the transfer engines, written by a thread of their own.

Workers hand an entry over (an append to a queue, while they may hold the engine's lock) and
go on; this thread appends what is waiting to the audit log in one write, flushed and
fsynced (a group commit). After a write it lets ``gather`` seconds pass before the next, so
that the entries of many small files finishing meanwhile share one write and one fsync
instead of each waking the thread; an entry after a quiet spell is written at once. A crash
can lose at most the entries of those last moments, never a line half-written; ``flush()``
skips the pause and waits until every entry handed over is on disk, which the engines do
before they report themselves idle to a caller of ``wait()`` and at shutdown.
"""

from __future__ import annotations

import datetime
import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

from s3desk.core.compliance.audit import AuditLog

log = logging.getLogger(__name__)

_BATCH = 512  # entries per write at most
GATHER_SECONDS = 0.05  # the least time between two writes, unless a caller waits


class AuditWriter:
    def __init__(
        self,
        audit: AuditLog,
        copy_to: Callable[[str, bytes], None] | None = None,
        *,
        gather: float = GATHER_SECONDS,
    ) -> None:
        """``copy_to(name, data)``, when given, also stores each entry elsewhere (an audit
        bucket); a failure there is logged and does not stop anything."""
        self.audit = audit
        self.copy_to = copy_to
        self.gather = gather
        # Entries (action, fields), and the events of flush() calls, in the order handed
        # over. A deque's append is atomic: put() takes no lock unless the thread sleeps.
        self._pending: deque[tuple[str, dict[str, Any]] | threading.Event] = deque()
        self._cond = threading.Condition(threading.Lock())
        self._asleep = False  # the thread waits for entries: put() wakes it
        self._hurry = False  # a flush() waits: no pause before the next write
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stamps = _Stamps()

    def put(self, action: str, **fields: Any) -> None:
        """Hand an entry over; returns at once."""
        if self._thread is None:
            self._start()
        fields["time"] = time.time()  # when it happened, not when the batch is written
        self._pending.append((action, fields))
        if self._asleep:
            with self._cond:
                self._cond.notify()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every entry handed over so far is written; False on timeout."""
        with self._lock:
            if self._thread is None:
                return True
        done = threading.Event()
        self._pending.append(done)
        with self._cond:
            self._hurry = True
            self._cond.notify()
        return done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        self.flush(timeout)
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            with self._cond:
                self._stopping = True
                self._cond.notify()
            thread.join(timeout)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._stopping = False
                self._thread = threading.Thread(target=self._run, name="s3desk-audit", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        last_write = -self.gather
        while True:
            with self._cond:
                self._asleep = True
                while not self._pending and not self._stopping:
                    self._cond.wait()
                self._asleep = False
                if not self._pending:
                    return  # stopping, and everything is written
                # Entries arriving within ``gather`` of the last write join the next one
                # (a full batch waiting has gathered enough).
                due = last_write + self.gather
                while not self._hurry and not self._stopping and len(self._pending) < _BATCH:
                    left = due - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                self._hurry = False  # before taking the batch: a later flush() hurries again
            last_write = time.monotonic()
            self._write_batch()

    def _write_batch(self) -> None:
        entries: list[tuple[str, dict[str, Any]]] = []
        waiting: list[threading.Event] = []
        while self._pending and len(entries) < _BATCH:
            item = self._pending.popleft()
            if isinstance(item, threading.Event):
                waiting.append(item)
            else:
                item[1]["time"] = self._stamps.format(item[1]["time"])
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


class _Stamps:
    """Times (``time.time()``) as the audit log writes them, UTC to the millisecond
    ("2026-05-04T10:20:30.123+00:00", as ``isoformat(timespec="milliseconds")``); the date
    and time of day are formatted once per second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def format(self, when: float) -> str:
        second = int(when // 1)
        micros = round((when - second) * 1_000_000)  # to the microsecond, as datetime does
        if micros >= 1_000_000:
            second, micros = second + 1, 0
        if second != self._second:
            moment = datetime.datetime.fromtimestamp(second, datetime.UTC)
            self._second, self._prefix = second, moment.strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._prefix}.{micros // 1000:03d}+00:00"
