"""What the upload engine asks of the way its uploads reach the storage, and what it gets back.

A backend performs requests and returns their results, or raises (botocore's exception types,
so the engine words and retries failures the same for every backend). It never touches the
engine's lock, queues or job states: it reads the job it is given, and what the engine needs
to know (the key the service chose, a multipart upload's part size) comes back in the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol

from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.bandwidth import BandwidthLimiter
from s3desk.core.transfer.jobs import PartResult, UploadJob


class Start(NamedTuple):
    """How the storage takes a file: in one request, or as a multipart upload (its id, part
    size and part count); and where it goes, which an upload service chooses itself."""

    bucket: str
    key: str
    upload_id: str | None = None  # None: the file goes in one request (``put``)
    part_size: int = 0
    part_count: int = 0
    # What the backend needs for that one request (a pre-signed URL); the engine hands it
    # back to ``put`` as it is.
    ticket: Any = None


class Stored(NamedTuple):
    """The stored object as the storage's answer describes it ("" where it says nothing)."""

    etag: str = ""
    checksum: str = ""  # CRC32, base64


class Sending(NamedTuple):
    """A body going out on the engine's terms."""

    # The job moved on (paused, cancelled, restarted): stop at the next read.
    stale: Callable[[], bool]
    # Bytes that went out; a body that does not get through takes its count back.
    progress: Callable[[int], None]
    # The engine's shared limit, which every body keeps to.
    limiter: BandwidthLimiter


class UploadBackend(Protocol):
    """One way uploads reach the storage: S3 directly with the account's credentials
    (``DirectS3Backend``), or an organisation's upload service (``UploadServiceBackend``)."""

    @property
    def local_rules(self) -> bool:
        """The engine applies the upload rules and the upload options itself. False: the far
        side applies its own (the upload service checks every file it is told of)."""
        ...

    @property
    def chooses_keys(self) -> bool:
        """The backend chooses each file's key and type and never overwrites: the engine's
        conflict policy and content types do not apply, and a name taken at the write means
        starting the file again (the next free name is chosen then)."""
        ...

    @property
    def can_look(self) -> bool:
        """HEAD works (``exists``, ``head``): names are checked before writing, and an object
        stored by a completion whose answer was lost is recognised."""
        ...

    @property
    def can_copy_audit(self) -> bool:
        """It holds S3 credentials, so the audit log's copies can be stored in a bucket."""
        ...

    def begin(self, job: UploadJob, *, multipart: bool, part_size: int, sweep: bool) -> Start:
        """Start the file: as the engine asks (``multipart``, with parts of about
        ``part_size``), or as the far side decides. ``sweep``: an earlier run may have died
        between starting a multipart upload and noting its id; abort the key's empty ones."""
        ...

    def put(self, job: UploadJob, start: Start, sending: Sending) -> Stored:
        """Send the whole file in the one request ``start`` stands for. Backends read the
        bytes they send (SourceChanged if the file is no longer the one queued)."""
        ...

    def send_part(
        self, job: UploadJob, number: int, sending: Sending, due_next: Callable[[int], list[int]]
    ) -> PartResult:
        """Send part ``number``. ``due_next(n)`` gives up to n part numbers to be sent next,
        for a backend that prepares requests ahead."""
        ...

    def list_parts(self, job: UploadJob) -> dict[int, PartResult]:
        """The parts of the job's multipart upload the storage has, of the sizes the job's
        part size gives (NoSuchUpload if the upload is gone)."""
        ...

    def complete(self, job: UploadJob) -> Stored:
        """Complete the job's multipart upload from its done parts (SourceChanged first if the
        file is no longer the one queued)."""
        ...

    def abort(self, job: UploadJob) -> None:
        """Abort the job's multipart upload."""
        ...

    def exists(self, bucket: str, key: str) -> bool:
        """Whether an object is stored under ``key`` (where ``can_look``)."""
        ...

    def head(self, bucket: str, key: str, *, checksum: bool) -> Mapping[str, Any]:
        """HeadObject of ``key``, with its stored CRC32 if ``checksum`` (where ``can_look``)."""
        ...

    def reset(self, endpoint: S3Endpoint) -> None:
        """New credentials or settings: the next request connects afresh, to ``endpoint``."""
        ...

    def close(self) -> None:
        """The engine shuts down: close the connections."""
        ...
