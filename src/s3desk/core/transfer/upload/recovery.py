"""What an earlier run left unfinished, taken back for this upload engine: the journal's
entries claimed (one live process per file), held rows for files another process has, and
job ids that never repeat one the journal knows.

The upload engine owns the queue; this module only reads and claims journal entries and
turns them into jobs, so every journal failure is one warning here and never a lost upload
(the entries as read are used, as before there were claims).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from s3desk.core.transfer.jobs import JobState, UploadJob
from s3desk.core.transfer.upload.journal import (
    Claim,
    Holder,
    Journal,
    JournalError,
    JournalJob,
    job_from_record,
)
from s3desk.core.transfer.upload.scan import FoundFile, Skipped

log = logging.getLogger(__name__)

# A dropped item (found or skipped by the scan) with its bucket and key.
Item = tuple[FoundFile | Skipped, str, str]


class UploadRecovery:
    def __init__(self, journal: Journal | None, identity: str, warn: Callable[[str], None]) -> None:
        self.journal = journal
        self._identity = identity
        self._warn = warn
        self._lock = threading.Lock()
        self._last_id = 0
        # Unfinished multipart uploads from earlier runs that a new submission may pick up.
        self._resumable: dict[tuple[str, str, str], JournalJob] = {}
        # Failed rows for files another live s3desk process is uploading; retry claims again.
        self._held: set[int] = set()

    # ---------------------------------------------------------------------------- ids

    def allocate_ids(self, count: int) -> range:
        """``count`` fresh job ids, reserved in the journal so no other run reuses them."""
        with self._lock:
            first = 0
            if self.journal is not None and count:
                try:
                    first = self.journal.reserve_ids(count)
                except JournalError as exc:
                    self._warn(str(exc))
            first = max(first, self._last_id + 1)
            self._last_id = max(self._last_id, first + count - 1)
            return range(first, first + count)

    # ------------------------------------------------------------ an earlier run's entries

    def unfinished(self) -> list[JournalJob]:
        """The journal's unfinished entries for this storage, as an earlier run left them."""
        if self.journal is None:
            return []
        try:
            records = self.journal.unfinished(self._identity)
        except JournalError as exc:
            self._warn(str(exc))
            return []
        with self._lock:
            self._last_id = max([self._last_id, *(r.id for r in records)])
        return records

    def load_resumable(self) -> int:
        """Remember the unfinished entries, so that submitting the same file to the same key
        goes on from its multipart upload; returns how many there are."""
        for record in self.unfinished():
            self._resumable[(record.source, record.bucket, record.key)] = record
        return len(self._resumable)

    def claim(self, records: list[JournalJob]) -> Claim:
        """Take these entries from the journal for this engine (see Journal.claim). If the
        journal fails, the records as read are taken, as before there were claims."""
        if self.journal is None or not records:
            return Claim({r.id: r for r in records})
        try:
            return self.journal.claim(r.id for r in records)
        except JournalError as exc:
            self._warn(str(exc))
            return Claim({r.id: r for r in records})

    def match(
        self, items: list[Item]
    ) -> tuple[list[tuple[FoundFile | Skipped, str, str, JournalJob | None]], list[UploadJob]]:
        """Each item with the earlier run's entry for it, now claimed by this engine and
        read afresh (None: no entry, or its holder finished it); and failed rows for the
        items another live process is uploading."""
        found = [(*item, self._resumable.pop((item[0].path, *item[1:]), None)) for item in items]
        claim = self.claim([record for *_, record in found if record is not None])
        mine: list[tuple[FoundFile | Skipped, str, str, JournalJob | None]] = []
        held: list[UploadJob] = []
        for item, bucket, key, record in found:
            if record is not None and record.id in claim.held:
                held.append(self.held_job(record, claim.held[record.id]))
            else:
                fresh = claim.records.get(record.id) if record is not None else None
                mine.append((item, bucket, key, fresh))
        return mine, held

    # ------------------------------------------------------- files another process has

    def held_job(self, record: JournalJob, holder: Holder) -> UploadJob:
        """A failed row for a file another live process is uploading: nothing is sent from
        here, and retrying it claims the entry again."""
        job = job_from_record(record)
        job.upload_id, job.done_parts, job.part_count, job.bytes_done = None, None, 0, 0
        job.verify_parts = False
        job.state, job.error = JobState.FAILED, holder.describe()
        with self._lock:
            self._held.add(job.id)
        log.info("%s is being uploaded by process %d; left to it", job.source, holder.pid)
        return job

    def is_held(self, job_id: int) -> bool:
        with self._lock:
            return job_id in self._held

    def not_held(self, jobs: Iterable[UploadJob]) -> list[UploadJob]:
        with self._lock:
            return [j for j in jobs if j.id not in self._held]

    def claim_held(self, job_id: int) -> Claim | None:
        """Claim a held entry again. None if the journal failed (the row stays as it is);
        the entry is no longer held by this engine unless the claim says another process
        still has it."""
        assert self.journal is not None  # only entries of the journal are held
        try:
            claim = self.journal.claim([job_id])
        except JournalError as exc:
            self._warn(str(exc))
            return None
        if job_id not in claim.held:
            with self._lock:
                self._held.discard(job_id)
        return claim
