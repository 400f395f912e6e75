"""Uploads through an organisation's upload service (``S3Endpoint.upload_service_url``)
instead of S3 credentials: the engine's units, queue, journal and retries stay the same, but
every request to the storage goes to a pre-signed URL the service handed out.

- Starting a file announces it with its size, CRC32 and first bytes. The service checks it
  against the token's rules, chooses the key (its prefix, the file's name, "name (1).ext" if
  taken) and answers with one PUT, or a multipart upload with the part size it chose; the
  engine follows that answer, whatever it asked for.
- Part URLs are asked for in batches, shortly before they are needed (they expire).
- Completing is the service's job: it checks sizes, first bytes and checksums, then
  completes; its refusals are sentences for the user and end up in the row as they are.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import threading
import zlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.body import UploadCancelled
from s3desk.core.transfer.jobs import PartResult, UploadJob
from s3desk.core.transfer.upload.backends.backend import Sending, Start, Stored
from s3desk.core.transfer.upload.source import check_unchanged, part_length, read_span

if TYPE_CHECKING:
    from s3desk.core.storage.upload_service import UploadServiceClient

# What the service looks at to tell a file's type from its content.
HEAD_BYTES = 512
# Part URLs signed per request to the service (it signs at most 100).
SIGN_BATCH = 32
# A URL this close to its expiry is not used: asked for again.
EXPIRY_MARGIN = 60.0
_READ_BLOCK = 4 * 1024 * 1024


class _Single(NamedTuple):
    """The service's answer for a file that goes in one PUT."""

    upload_id: str
    url: str
    headers: dict[str, str]


class UploadServiceBackend:
    """Requests to the upload service and to the URLs it signs. The service applies its rules
    and the upload options, chooses every key and never overwrites; it gives no S3
    credentials, so nothing can be looked at (HEAD) or copied with them."""

    local_rules = False
    chooses_keys = True
    can_look = False
    can_copy_audit = False

    def __init__(
        self,
        endpoint: S3Endpoint,
        *,
        connect_timeout: float,
        read_timeout: float,
        max_connections: int,
        hooks: list[Callable[[str], None]],
        clock: Callable[[], float],
    ) -> None:
        self.endpoint = endpoint
        self._timeouts = (connect_timeout, read_timeout)
        self._max_connections = max_connections
        self._hooks = hooks  # called with the operation name before each request to S3
        self._clock = clock
        self._lock = threading.Lock()
        self._client: UploadServiceClient | None = None
        self._grants: dict[int, dict[int, dict[str, Any]]] = {}  # signed part URLs per job
        self._bucket = ""  # the service's bucket, for the rows (it chooses keys, not us)

    def reset(self, endpoint: S3Endpoint) -> None:
        with self._lock:
            self.endpoint = endpoint
        self.close()

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def _service(self) -> UploadServiceClient:
        with self._lock:
            if self._client is None:
                # Here, not at the top: it loads botocore, which `s3desk --help` does not need.
                from s3desk.core.storage.upload_service import UploadServiceClient

                connect, read = self._timeouts
                self._client = UploadServiceClient(
                    self.endpoint.upload_service_url, self.endpoint.upload_service_token or "",
                    connect_timeout=connect, read_timeout=read,
                    max_connections=self._max_connections,
                )  # fmt: skip
            return self._client

    # ----------------------------------------------------------------- starting a file

    def begin(self, job: UploadJob, *, multipart: bool, part_size: int, sweep: bool) -> Start:
        """Announce the file; the service's answer decides between one PUT and parts (what
        the engine asked for, the part size it would choose and sweeping do not apply)."""
        crc32, head = _crc32_and_head(job)
        if not self._bucket:
            self._bucket = str(self._service().me().get("bucket", ""))
        info = self._service().create(job.name, job.size, crc32, head)
        key, upload_id = str(info["key"]), str(info["upload_id"])
        bucket = self._bucket or job.bucket
        if info.get("kind") == "single":
            return Start(bucket, key, ticket=_Single(upload_id, info["url"], info["headers"]))
        return Start(bucket, key, upload_id, int(info["part_size"]), int(info["part_count"]))

    def put(self, job: UploadJob, start: Start, sending: Sending) -> Stored:
        """PUT to the signed URL, then ask the service to check and keep it. On failure the
        upload is cancelled: the next attempt announces the file afresh."""
        single: _Single = start.ticket
        service = self._service()
        try:
            data = read_span(job, 0, job.size)
            if not sending.limiter.consume(job.size, sending.stale):
                raise UploadCancelled
            self._note_request("PutObject")
            service.put(single.url, single.headers, data, "PutObject")
            service.complete(single.upload_id, None)
        except Exception:
            _abandon(service, single.upload_id)
            raise
        return Stored()

    # ----------------------------------------------------------------- multipart uploads

    def send_part(
        self, job: UploadJob, number: int, sending: Sending, due_next: Callable[[int], list[int]]
    ) -> PartResult:
        data = read_span(job, (number - 1) * job.part_size, part_length(job, number))
        grant = self._part_grant(job, number, due_next)
        if not sending.limiter.consume(len(data), sending.stale):
            raise UploadCancelled
        self._note_request("UploadPart")
        etag = self._service().put(grant["url"], grant["headers"], data, "UploadPart")
        sending.progress(len(data))
        return PartResult(etag, len(data), "")

    def _part_grant(
        self, job: UploadJob, number: int, due_next: Callable[[int], list[int]]
    ) -> dict[str, Any]:
        """The URL for part ``number``: signed earlier with a batch, or now with the next
        parts still to send."""
        now = self._clock()
        with self._lock:
            grant = self._grants.setdefault(job.id, {}).pop(number, None)
        if grant is not None and grant["deadline"] > now:
            return grant
        batch = list(dict.fromkeys([number, *due_next(SIGN_BATCH)]))[:SIGN_BATCH]
        assert job.upload_id is not None
        signed = self._service().sign_parts(job.upload_id, batch)
        lifetime = _seconds_left(signed[number].get("expires"))
        deadline = self._clock() + lifetime - EXPIRY_MARGIN
        with self._lock:
            grants = self._grants.setdefault(job.id, {})
            for n, part in signed.items():
                if n != number:
                    grants[n] = {**part, "deadline": deadline}
        return signed[number]

    def list_parts(self, job: UploadJob) -> dict[int, PartResult]:
        assert job.upload_id is not None
        listed = self._service().list_parts(job.upload_id)
        return {
            number: PartResult(etag, size, "")
            for number, (etag, size) in listed.items()
            if 1 <= number <= job.part_count and size == part_length(job, number)
        }

    def complete(self, job: UploadJob) -> Stored:
        assert job.upload_id is not None and job.done_parts is not None
        check_unchanged(job)
        parts = [(n, job.done_parts[n].etag) for n in sorted(job.done_parts)]
        self._note_request("CompleteMultipartUpload")
        self._service().complete(job.upload_id, parts)
        with self._lock:
            self._grants.pop(job.id, None)
        return Stored()

    def abort(self, job: UploadJob) -> None:
        assert job.upload_id is not None
        with self._lock:
            self._grants.pop(job.id, None)
        self._service().abort(job.upload_id)

    # ----------------------------------------------------------------- not offered

    def exists(self, bucket: str, key: str) -> bool:
        raise NotImplementedError("the upload service lets its clients look at no object")

    def head(self, bucket: str, key: str, *, checksum: bool) -> Mapping[str, Any]:
        raise NotImplementedError("the upload service lets its clients look at no object")

    def _note_request(self, operation: str) -> None:
        for hook in self._hooks:
            hook(operation)


def _crc32_and_head(job: UploadJob) -> tuple[bytes, bytes]:
    """The whole file's CRC32 and its first bytes, as the service wants them announced."""
    check_unchanged(job)
    crc = 0
    head = b""
    with open(job.source, "rb") as f:
        while block := f.read(_READ_BLOCK):
            if not head:
                head = block[:HEAD_BYTES]
            crc = zlib.crc32(block, crc)
    if os.path.getsize(job.source) != job.size:
        check_unchanged(job)  # raises SourceChanged
    return crc.to_bytes(4, "big"), head


def _seconds_left(expires: Any) -> float:
    """Seconds until an ISO 8601 time; a short default when the service gave none."""
    if not isinstance(expires, str):
        return 300.0
    try:
        when = datetime.datetime.fromisoformat(expires)
    except ValueError:
        return 300.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return (when - datetime.datetime.now(datetime.UTC)).total_seconds()


def _abandon(service: UploadServiceClient, upload_id: str) -> None:
    """Cancel an upload that will not be used; the service cleans it up later if this fails."""
    with contextlib.suppress(Exception):  # best effort: the service sweeps what is left
        service.abort(upload_id)
