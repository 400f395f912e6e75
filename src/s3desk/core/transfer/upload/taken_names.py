"""Taken names: what an upload does when an object is already under its key.

The conflict policy (skip, rename to a free key, overwrite, ask) and the case of an earlier
run that sent the file and was stopped before noting it, decided from the backend's answers
(HEAD, exists). This module only looks and decides; the upload engine applies the decision
to the job and its books under its lock, and writes the journal.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.phrases import phrase
from s3desk.core.storage.errors import has_code
from s3desk.core.storage.keys import numbered_key
from s3desk.core.transfer.jobs import UploadJob
from s3desk.core.transfer.upload.backends import UploadBackend
from s3desk.core.transfer.upload.object_match import bare_etag, holds_file

ALREADY_THERE = phrase("Already in the bucket (skipped)")
SENT_BEFORE = phrase("Already in the bucket: sent by an earlier run that was interrupted")
EXISTS = phrase("Exists — an object with this name is already in the bucket")


class Verdict(enum.Enum):
    FREE = "free"  # send under ``Decision.key`` (the job's own, or a free one)
    SENT_BEFORE = "sent before"  # an earlier run sent this file there: it is done
    SKIP = "skip"  # taken: the job is skipped
    ASK = "ask"  # taken: the job waits for the user's choice
    RENAME_AGAIN = "rename again"  # our chosen name was taken at the write: look further


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    key: str = ""  # for FREE: the key to send under
    etag: str = ""  # for SENT_BEFORE: what the object under the key has
    checksum: str = ""


class TakenNames:
    """Looks at the destination through the backend and decides what a taken key means.

    ``part_size`` and ``crc32`` are read at each use: the engine's settings and checksum
    mode can change while it runs."""

    def __init__(
        self,
        backend: UploadBackend,
        *,
        part_size: Callable[[], int],
        crc32: Callable[[], bool],
    ) -> None:
        self._backend = backend
        self._part_size = part_size
        self._crc32 = crc32

    def check(self, job: UploadJob, *, sent_earlier: bool) -> Decision:
        """Before uploading under a policy other than overwrite: is the key taken?
        ``sent_earlier``: an earlier run queued the job and did not note it done, so an
        object under the key may be this file. Raises what looking raised."""
        sent: Mapping[str, Any] | None = None  # the object, if an earlier run sent it
        key = job.key
        if job.lost_races and job.conflict is ConflictPolicy.RENAME:
            # The name we chose was taken at the write: number on from there. Without
            # permission to look (HEAD refused), each write's If-None-Match decides.
            key = self.free_key(job.bucket, job.base_key, start=job.lost_races)
            taken = False
        else:
            taken = self.exists(job.bucket, key)
            if taken and sent_earlier:
                sent = self.sent_before(job)
        if taken and sent is None and job.conflict is ConflictPolicy.RENAME:
            key = self.free_key(job.bucket, job.key)
            taken = False
        if sent is not None:
            etag = bare_etag(str(sent.get("ETag", "")))
            checksum = str(sent.get("ChecksumCRC32") or "")
            return Decision(Verdict.SENT_BEFORE, job.key, etag, checksum)
        if not taken:
            return Decision(Verdict.FREE, key)
        if job.conflict is ConflictPolicy.SKIP:
            return Decision(Verdict.SKIP, job.key)
        return Decision(Verdict.ASK, job.key)

    @staticmethod
    def after_lost_race(conflict: ConflictPolicy, *, whole: bool) -> Verdict | None:
        """Someone wrote the key between our check and our write (If-None-Match held).
        ``whole``: the refused request was a whole-file PUT. None: not ours to answer."""
        if conflict is ConflictPolicy.RENAME and whole:
            return Verdict.RENAME_AGAIN
        if conflict is ConflictPolicy.SKIP:
            return Verdict.SKIP
        if conflict is ConflictPolicy.ASK and whole:
            return Verdict.ASK
        return None

    def sent_before(self, job: UploadJob) -> Mapping[str, Any] | None:
        """The object under the job's key (as HEAD describes it) if it is this file: an
        earlier run sent it and was stopped before noting that. None if it is not."""
        head = self.head(job)
        return head if head is not None and holds_file(job, head, self._part_size()) else None

    def head(self, job: UploadJob) -> Mapping[str, Any] | None:
        """HEAD of the job's key, with its stored CRC32 where the service speaks S3's
        checksums; None if there is no object or we may not look."""
        try:
            return self._backend.head(job.bucket, job.key, checksum=self._crc32())
        except Exception as exc:
            if any(has_code(exc, c) for c in ("404", "NoSuchKey", "NotFound", "403")):
                return None
            raise

    def exists(self, bucket: str, key: str) -> bool:
        try:
            return self._backend.exists(bucket, key)
        except Exception as exc:
            if has_code(exc, "403"):
                # Upload-only credentials may not look: If-None-Match still guards the write.
                return False
            raise

    def free_key(self, bucket: str, key: str, start: int = 1) -> str:
        for n in range(start, 10_000):
            candidate = numbered_key(key, n)
            if not self.exists(bucket, candidate):
                return candidate
        raise RuntimeError(f"no free name for {key!r}")
