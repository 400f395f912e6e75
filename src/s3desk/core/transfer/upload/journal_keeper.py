"""The upload engine's writes to its journal: a journal that cannot be written is a warning,
never a stopped upload, and finished jobs leave it in batches.

The engine (and its multipart flow) call this without knowing whether there is a journal;
the batch of finished jobs is kept under the engine's lock, which the engine hands in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from s3desk.core.transfer.jobs import UploadJob
from s3desk.core.transfer.upload.journal import Journal, JournalError, options_json


class JournalKeeper:
    def __init__(
        self, journal: Journal | None, warn: Callable[[str], None], lock: threading.Condition
    ) -> None:
        self.journal = journal
        self._warn = warn
        self._lock = lock
        self._forgotten: list[int] = []  # finished jobs still to drop from the journal

    def call(self, method: str, *args: Any) -> None:
        """``Journal.<method>(*args)``, if there is a journal; its failure is a warning."""
        if self.journal is None:
            return
        try:
            getattr(self.journal, method)(*args)
        except JournalError as exc:
            self._warn(str(exc))

    def add(self, identity: str, jobs: list[UploadJob]) -> None:
        if self.journal is None or not jobs:
            return
        rows = [
            (j.id, j.source, j.bucket, j.key, j.size, j.mtime_ns, options_json(j)) for j in jobs
        ]
        self.call("add_jobs", identity, rows)

    def forget(self, job_id: int) -> None:
        """Drop a finished job from the journal, in batches: one transaction per file would
        cost more than a small upload. Losing a batch in a crash only means a finished file
        is uploaded once more."""
        with self._lock:
            self._forgotten.append(job_id)

    def keep(self, job_id: int) -> None:
        """(Locked) A job to be forgotten goes on after all (it is added again)."""
        if job_id in self._forgotten:
            self._forgotten.remove(job_id)

    def to_forget(self) -> int:
        """(Locked) How many finished jobs wait to be dropped."""
        return len(self._forgotten)

    def flush(self) -> None:
        """Drop the finished jobs noted so far."""
        with self._lock:
            ids, self._forgotten = self._forgotten, []
        if ids:
            self.call("remove", ids)
