"""What one upload is: its source, its destination, and where it stands."""

from __future__ import annotations

import enum
from dataclasses import dataclass

# A job carries the policy it was queued with; the settings define it.
from s3desk.core.config.engine_config import ConflictPolicy


class JobState(enum.Enum):
    QUEUED = "Queued"
    UPLOADING = "Uploading"
    DOWNLOADING = "Downloading"
    RETRYING = "Retrying"
    PAUSED = "Paused"
    CONFLICT = "Exists"  # the key is taken; waits for the user to choose what to do
    DONE = "Done"
    FAILED = "Failed"
    CANCELLED = "Cancelled"
    SKIPPED = "Skipped"

    @property
    def finished(self) -> bool:
        return self in _FINISHED

    @property
    def active(self) -> bool:
        """Holding or waiting for a connection right now."""
        return self in _ACTIVE


_FINISHED = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED, JobState.SKIPPED})
_ACTIVE = frozenset({JobState.UPLOADING, JobState.DOWNLOADING, JobState.RETRYING})


@dataclass(frozen=True, slots=True)
class Destination:
    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, url: str) -> Destination:
        """Parse ``s3://bucket/prefix/``; the prefix is kept exactly as given."""
        if not url.startswith("s3://"):
            raise ValueError(f"Destination must look like s3://bucket/prefix/, not {url!r}")
        bucket, _, prefix = url[len("s3://") :].partition("/")
        if not bucket:
            raise ValueError(f"Destination {url!r} names no bucket")
        return cls(bucket, prefix)

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


@dataclass(frozen=True, slots=True)
class PartResult:
    etag: str
    size: int
    checksum: str = ""


@dataclass(slots=True, eq=False)
class UploadJob:
    """One file to upload. Mutated only by the engine, under its lock."""

    id: int
    source: str
    bucket: str
    key: str
    size: int
    mtime_ns: int = 0
    state: JobState = JobState.QUEUED
    bytes_done: int = 0
    error: str = ""
    note: str = ""  # e.g. "Retrying (3/8) — connection reset"
    # Bumped by pause, resume, cancel and retry: work handed out under an older generation
    # stops at its next read, and its outcome no longer decides the job's state.
    generation: int = 0
    # Multipart bookkeeping; None for single-request uploads.
    upload_id: str | None = None
    part_size: int = 0
    part_count: int = 0
    pending: list[int] | None = None  # heap of part numbers still to send
    in_flight: set[int] | None = None
    done_parts: dict[int, PartResult] | None = None
    # Restored from the journal: confirm the parts with the server before going on.
    verify_parts: bool = False
    abort_scheduled: bool = False
    # Refused completions answered by listing the parts again and sending those in doubt.
    complete_rounds: int = 0
    # Failed for a reason a later run may not meet: its multipart upload stays on the
    # server and in the journal, to go on from.
    keep_upload: bool = False
    conflict: ConflictPolicy = ConflictPolicy.OVERWRITE
    key_checked: bool = False  # the HEAD for the conflict policy has been done
    # "Keep both": how often the chosen name turned out taken at the write (If-None-Match
    # failed), and the name the numbering starts from.
    lost_races: int = 0
    base_key: str = ""
    # The key asked for, once the object is to be stored under another (keep both, or a
    # service that chose the name); "" while it is the job's own.
    requested_key: str = ""
    # What the service reported for the stored object, for the audit log.
    etag: str = ""
    checksum: str = ""
    # The Content-Type it is stored with; chosen when queued, editable until it is sent.
    content_type: str = ""

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1] or self.key


@dataclass(frozen=True, slots=True)
class JobView:
    """An immutable copy of a job's visible state, handed to the UI and the CLI."""

    id: int
    source: str
    bucket: str
    key: str
    size: int
    bytes_done: int
    state: JobState
    error: str
    note: str
    speed: float  # bytes per second over the last seconds (rate.py)
    eta: float | None  # seconds, when it can be estimated
    # Downloads: ``source`` is the object's s3:// URL and ``target`` the local file.
    target: str = ""
    # Uploads to S3: the Content-Type; "" where the app does not choose it.
    content_type: str = ""
    # Whether it can still be changed: not sent yet, and not a started multipart upload.
    content_type_editable: bool = False

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1] or self.key

    @property
    def fraction(self) -> float:
        if self.state is JobState.DONE:
            return 1.0
        return self.bytes_done / self.size if self.size else 0.0


@dataclass(frozen=True, slots=True)
class Totals:
    files_total: int
    files_done: int
    files_failed: int
    files_active: int
    files_paused: int
    files_asking: int  # keys that exist, waiting for the user's choice
    bytes_total: int
    bytes_done: int
    speed: float
    eta: float | None
    files_cancelled: int = 0
    files_skipped: int = 0  # the key was taken and the policy (or the user) said skip
    # Bytes moved by each direction since its engine started, what failed or was cancelled
    # included (fewer when a retry takes bytes back): the throughput graph's source.
    bytes_uploaded: int = 0
    bytes_downloaded: int = 0
