"""Cancelling uploads and tidying up after clients that went away.

A client cancels a pending upload (``abort``); what clients leave unfinished is handled by
``sweep``, run every ``sweep_interval``: multipart uploads are aborted, single uploads whose
bytes arrived are checked as on completion (accepted or deleted), and completed uploads are
forgotten, each once ``abandon_after`` has passed since its last URL expired.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from s3desk.broker.audit import UploadAudit
from s3desk.broker.completion import Completion
from s3desk.broker.errors import Refusal
from s3desk.broker.records import MULTIPART, PENDING, Upload, UploadRecords
from s3desk.broker.storage import Storage


class Housekeeping:
    def __init__(
        self,
        storage: Storage,
        records: UploadRecords,
        audit: UploadAudit,
        completion: Completion,
        *,
        abandon_after: float,
        clock: Callable[[], float],
    ) -> None:
        self.storage = storage
        self.records = records
        self.audit = audit
        self.completion = completion
        self.abandon_after = abandon_after
        self.clock = clock

    def abort(self, upload: Upload) -> dict[str, Any]:
        if upload.state != PENDING:
            raise Refusal(409, "finished", "This upload is finished; it can no longer be cancelled")
        self.storage.discard(upload)
        self.records.remove(upload)
        self.audit.record(upload, "upload-abort", result="ok")
        return {"upload_id": upload.id, "aborted": True}

    def sweep(self) -> dict[str, int]:
        """Tidy up after clients that went away: abort multipart uploads and verify (or
        delete) single uploads not completed within ``abandon_after`` of their last URL's
        expiry, and forget completed uploads as old. Returns counts for the log."""
        now = self.clock()
        counts = {"aborted": 0, "verified": 0, "rejected": 0, "forgotten": 0, "failed": 0}
        for upload in self.records.all():
            if now <= upload.touched + self.abandon_after:
                continue
            try:
                self._sweep_one(upload, counts)
            except Exception:
                counts["failed"] += 1  # storage trouble: the next sweep tries again
        return counts

    def _sweep_one(self, upload: Upload, counts: dict[str, int]) -> None:
        if upload.state != PENDING:
            self.records.remove(upload)
            counts["forgotten"] += 1
        elif upload.kind == MULTIPART:
            self.storage.discard(upload)
            self.records.remove(upload)
            self.audit.record(upload, "upload-abort", result="abandoned")
            counts["aborted"] += 1
        else:
            try:
                self.completion.complete_single(upload, by="sweep")
                counts["verified"] += 1
            except Refusal as refusal:
                if refusal.code != "not_uploaded":
                    counts["rejected"] += 1
                    return
                self.records.remove(upload)  # nothing arrived: forget it
                counts["forgotten"] += 1
