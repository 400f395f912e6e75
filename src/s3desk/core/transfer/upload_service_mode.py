"""The upload engine's requests when an organisation's upload service stands in for S3
credentials (``S3Endpoint.broker_url``): the same units, queue, journal and retries, but
every request to the storage goes to a pre-signed URL the service handed out.

- Starting a file (a _PUT or _START unit) announces it with its size, CRC32 and first bytes.
  The service checks it against the token's rules, chooses the key (its prefix, the file's
  name, "name (1).ext" if taken) and answers with one PUT, or a multipart upload with the
  part size it chose. The key and the service's upload id go to the journal, so an upload
  goes on from its parts after a restart.
- Part URLs are asked for in batches, shortly before they are needed (they expire).
- Completing is the service's job: it checks sizes, first bytes and checksums, then
  completes; its refusals are sentences for the user and end up in the row as they are.
"""

from __future__ import annotations

import contextlib
import datetime
import heapq
import os
import zlib
from typing import TYPE_CHECKING, Any

from s3desk.core.storage.errors import has_code
from s3desk.core.transfer.body import UploadCancelled
from s3desk.core.transfer.jobs import PartResult, UploadJob
from s3desk.core.transfer.source import check_unchanged, read_span

if TYPE_CHECKING:
    from s3desk.core.storage.upload_service import BrokerClient
    from s3desk.core.transfer.upload_engine import UploadEngine, _Unit

# What the service looks at to tell a file's type from its content.
HEAD_BYTES = 512
# Part URLs signed per request to the service (it signs at most 100).
SIGN_BATCH = 32
# A URL this close to its expiry is not used: asked for again.
EXPIRY_MARGIN = 60.0
_READ_BLOCK = 4 * 1024 * 1024


class BrokerUploads:
    """The engine's requests through the service; the engine calls these in place of its
    S3 requests when its endpoint names an upload service."""

    def __init__(self, engine: UploadEngine) -> None:
        self.engine = engine
        self.client: BrokerClient | None = None
        self.grants: dict[int, dict[int, dict[str, Any]]] = {}  # signed part URLs per job
        self.bucket = ""  # the service's bucket, for the rows (it chooses keys, not us)

    def close(self) -> None:
        """New credentials or settings: the next request connects afresh."""
        if self.client is not None:
            self.client.close()
            self.client = None

    def _client(self) -> BrokerClient:
        with self.engine._cond:
            if self.client is None:
                from s3desk.core.storage.upload_service import BrokerClient

                self.client = BrokerClient(
                    self.engine.endpoint.broker_url, self.engine.endpoint.broker_token or "",
                    connect_timeout=self.engine.config.connect_timeout,
                    read_timeout=self.engine.config.read_timeout,
                    max_connections=self.engine.config.concurrency + 2,
                )  # fmt: skip
            client: BrokerClient = self.client
            return client

    def begin(self, unit: _Unit) -> None:
        """A _PUT or _START unit: announce the file, then follow the service's answer."""
        job = unit.job
        starting = unit.kind == "start"
        try:
            crc32, head = _crc32_and_head(job)
            if not self.bucket:
                self.bucket = str(self._client().me().get("bucket", ""))
            info = self._client().create(job.name, job.size, crc32, head)
        except Exception as exc:
            if starting:
                self._started()
            self.engine._failed_attempt(unit, exc)
            return
        key, upload_id = str(info["key"]), str(info["upload_id"])
        if key != job.key:
            self.engine._journal_call("set_key", job.id, key)
        with self.engine._cond:
            job.key = key
            job.bucket = self.bucket or job.bucket
            self.engine._dirty[job.id] = job
        if info.get("kind") == "single":
            if starting:
                self._started()
            self._single(unit, upload_id, info)
            return
        part_size = int(info["part_size"])
        # Durable before any part goes out: an upload id lost in a crash would be orphaned.
        self.engine._journal_call("set_multipart", job.id, upload_id, part_size)
        with self.engine._cond:
            if starting:
                self.engine._starting -= 1
            job.upload_id, job.part_size = upload_id, part_size
            job.part_count = int(info["part_count"])
            job.done_parts = {}
            self.engine._plan_parts(job)
            if unit.generation == job.generation and job.state.active:
                self.engine._multipart.append(job)
            else:
                self.engine._abort_if_quiet(job)
            self.engine._cond.notify_all()

    def _started(self) -> None:
        with self.engine._cond:
            self.engine._starting -= 1
            self.engine._cond.notify_all()

    def _single(self, unit: _Unit, upload_id: str, info: Any) -> None:
        job = unit.job
        broker = self._client()
        try:
            data = read_span(job, 0, job.size)
            stale = lambda: job.generation != unit.generation  # noqa: E731
            if not self.engine.limiter.consume(job.size, stale):
                raise UploadCancelled
            self._note_request("PutObject")
            broker.put(info["url"], info["headers"], data, "PutObject")
            broker.complete(upload_id, None)
        except Exception as exc:
            _abandon(broker, upload_id)  # the next attempt announces the file afresh
            if has_code(exc, "PreconditionFailed"):
                # The name was taken between the service's choice and our write: ask again,
                # and the service picks the next free name.
                with self.engine._cond:
                    if unit.generation == job.generation and job.state.active:
                        self.engine._delay(unit._replace(attempt=unit.attempt + 1), 0.0)
                return
            self.engine._failed_attempt(unit, exc)
            return
        with self.engine._cond:
            self.engine._completed(job)
        self.engine._forget(job.id)

    def send_part(self, unit: _Unit, data: bytes) -> PartResult:
        job, number = unit.job, unit.number
        grant = self._part_grant(job, number)
        stale = lambda: job.generation != unit.generation  # noqa: E731
        if not self.engine.limiter.consume(len(data), stale):
            raise UploadCancelled
        self._note_request("UploadPart")
        etag = self._client().put(grant["url"], grant["headers"], data, "UploadPart")
        self.engine._add_progress(job, len(data))
        return PartResult(etag, len(data), "")

    def _part_grant(self, job: UploadJob, number: int) -> dict[str, Any]:
        """The URL for part ``number``: signed earlier with a batch, or now with the next
        parts still to send."""
        now = self.engine._clock()
        with self.engine._cond:
            grants = self.grants.setdefault(job.id, {})
            grant = grants.pop(number, None)
            if grant is not None and grant["deadline"] > now:
                return grant
            batch = [number] + [n for n in heapq.nsmallest(SIGN_BATCH, job.pending or [])]
            batch = list(dict.fromkeys(batch))[:SIGN_BATCH]
            upload_id = job.upload_id
        assert upload_id is not None
        signed = self._client().sign_parts(upload_id, batch)
        lifetime = _seconds_left(signed[number].get("expires"))
        deadline = self.engine._clock() + lifetime - EXPIRY_MARGIN
        with self.engine._cond:
            grants = self.grants.setdefault(job.id, {})
            for n, part in signed.items():
                if n != number:
                    grants[n] = {**part, "deadline": deadline}
        return signed[number]

    def list_parts(self, job: UploadJob) -> dict[int, PartResult]:
        from s3desk.core.transfer.source import part_length

        assert job.upload_id is not None
        listed = self._client().list_parts(job.upload_id)
        return {
            number: PartResult(etag, size, "")
            for number, (etag, size) in listed.items()
            if 1 <= number <= job.part_count and size == part_length(job, number)
        }

    def complete(self, job: UploadJob) -> None:
        assert job.upload_id is not None and job.done_parts is not None
        check_unchanged(job)
        parts = [(n, job.done_parts[n].etag) for n in sorted(job.done_parts)]
        self._note_request("CompleteMultipartUpload")
        self._client().complete(job.upload_id, parts)
        with self.engine._cond:
            self.grants.pop(job.id, None)

    def abort(self, job: UploadJob) -> None:
        assert job.upload_id is not None
        with self.engine._cond:
            self.grants.pop(job.id, None)
        self._client().abort(job.upload_id)

    def _note_request(self, operation: str) -> None:
        for hook in self.engine.request_hooks:
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


def _abandon(broker: BrokerClient, upload_id: str) -> None:
    """Cancel an upload that will not be used; the service cleans it up later if this fails."""
    with contextlib.suppress(Exception):  # best effort: the service sweeps what is left
        broker.abort(upload_id)
