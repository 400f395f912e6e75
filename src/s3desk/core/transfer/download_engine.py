"""The download engine: a pool of workers fetching objects into local files.

Small objects come in one GET; big ones in ranged GETs of ``part_size`` bytes written at
their offsets, several at once. Every request names the ETag the listing showed (If-Match),
so an object replaced mid-download fails clearly instead of producing a file stitched from
two versions. Bytes land in a hidden temporary file next to the target; only a complete,
checked file is moved into place, so a crash or a cancel never leaves a half-written file
under the real name. A local file is never replaced unless the user chose "replace" for it;
one that appears while downloading is kept and the download is renamed.

Where the ETag is a plain MD5 the bytes are checked against it: a small object's body as it
arrives, a big one's parts in order while later parts are still downloading (the worker that
completes the next part in order reads it back from the temporary file and hashes it, and
every consecutive part already there), so once the last part is in only the comparison is
left. A mismatch fetches the whole file again (nothing tells which part was wrong).

GETs go through the lean sender (``lean_s3.py``, as the upload engine's small PUTs do),
without botocore's per-request cost, which dominates for many small files and is a good part
of a big file's: objects up to ``LEAN_GET_MAX`` are read into memory in one piece, bigger
ones and parts streamed into the file. botocore takes over where it does not serve.

Downloads do not survive a restart (unlike uploads there is nothing on the server to resume
from); a paused job keeps its finished parts until the app closes.

It speaks the same language as the upload engine — ``drain()`` snapshots of ``JobView``,
``Totals``, pause, resume, cancel and retry by job id — so both feed one status table.
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import itertools
import logging
import os
import random
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from s3desk.core.compliance.audit import AuditLog
from s3desk.core.config.engine_config import (
    MAX_CONCURRENCY,
    ConflictPolicy,
    EngineConfig,
    pool_size,
)
from s3desk.core.phrases import phrase
from s3desk.core.storage.checksums import IntegrityError
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.errors import (
    describe_error,
    has_code,
    is_credentials_expired,
    is_transient,
    retrying_note,
)
from s3desk.core.storage.lean_s3 import LeanBody, LeanS3, NotServed
from s3desk.core.storage.parts import MiB, choose_part_size, part_count
from s3desk.core.transfer.audit_writer import AuditWriter
from s3desk.core.transfer.download_plan import DownloadItem, free_path
from s3desk.core.transfer.jobs import JobState, JobView, Totals
from s3desk.core.transfer.rate import RateMeter
from s3desk.core.transfer.senders import Senders
from s3desk.core.transfer.upload_engine import Update, surplus_worker

log = logging.getLogger(__name__)

# Download job ids start here, far above any upload's, so one table can hold both.
DOWNLOAD_ID_BASE = 1 << 48
# How much of a response is read and written at a time: progress and cancel granularity.
# 256 KiB rather than 1 MiB: on a 2-core VM the ranged GETs of a 1 GiB object took a third
# less time and half the CPU, likely because each chunk's copies stay in the CPU's cache.
CHUNK = 256 * 1024
# Whole objects up to this size come in one GET through the lean sender, read into memory.
LEAN_GET_MAX = 1 * MiB
# How much of a finished part is read back at a time to hash it in order.
HASH_BLOCK = 1 * MiB
_PLAIN_MD5 = re.compile(r"^[0-9a-f]{32}$")


class _Stopped(Exception):
    """The job was paused or cancelled while this unit was working."""


class _Changed(Exception):
    """The answer carries an ETag other than the listed one: a server that ignored If-Match
    answered with a newer version (rclone does)."""


class _CheckFailed(Exception):
    """Hashing or placing a parted download failed; ``unit`` is the job as it is now (the
    unit that did the work may be from before a pause and resume)."""

    def __init__(self, unit: _Unit, exc: Exception) -> None:
        super().__init__(str(exc))
        self.unit = unit
        self.exc = exc


@dataclass(slots=True, eq=False)
class DownloadJob:
    """One object to fetch. Mutated only under the engine's lock."""

    id: int
    item: DownloadItem
    conflict: ConflictPolicy  # for a local file that exists when the download is done
    state: JobState = JobState.QUEUED
    bytes_done: int = 0
    error: str = ""
    note: str = ""
    generation: int = 0  # bumped by pause, cancel, retry: older units stop and count for nothing
    temp: str = ""  # the hidden file the bytes go to
    part_size: int = 0
    pending: list[int] = field(default_factory=list)  # heap of part numbers still to fetch
    in_flight: set[int] = field(default_factory=set)  # handed out, not yet back
    done_parts: set[int] = field(default_factory=set)
    workers: int = 0  # units working on it right now, stale ones included
    restarts: int = 0  # whole-file checksum failures so far
    saved_as: str = ""  # where the file ended up (a "keep both" name may differ)
    # Parted downloads with a plain-MD5 ETag: the MD5 of parts 1..hashed_parts, hashed in
    # order as they arrive. Reset (with done_parts) whenever the parts are thrown away.
    hasher: Any = None
    hashed_parts: int = 0
    # Held by the one unit that hashes parts or checks and places the file (see _finish_parts).
    checker: object | None = None


class _Unit(NamedTuple):
    job: DownloadJob
    number: int  # part number; 0 for a whole-object GET
    generation: int
    attempt: int = 1


class DownloadEngine:
    def __init__(
        self,
        endpoint: S3Endpoint,
        config: EngineConfig | None = None,
        *,
        audit: AuditLog | None = None,
        account: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoint = endpoint
        self.config = config or EngineConfig()
        # Entries go through a writer thread that commits what is waiting in one fsync.
        self.audit = AuditWriter(audit) if audit is not None else None
        self.account = account or endpoint.label
        # Called with the operation name before each request goes out, on either path
        # (tests hold requests).
        self.request_hooks: list[Callable[[str], None]] = []
        self._senders = Senders(
            endpoint, max_connections=pool_size(self.config.concurrency),
            connect_timeout=self.config.connect_timeout, read_timeout=self.config.read_timeout,
            hooks=self.request_hooks,
        )  # fmt: skip
        # Local folders this engine made or found: each is made once, not once per file.
        self._folders: set[str] = set()
        self._temp_tag = uuid.uuid4().hex[:8]
        self._temp_numbers = itertools.count(1)
        self._clock = clock
        self._random = random.Random()
        lock = threading.RLock()
        self._cond = threading.Condition(lock)  # workers wait here for work
        self._idle_cond = threading.Condition(lock)  # callers of wait() here
        self._ids = itertools.count(DOWNLOAD_ID_BASE)
        self._jobs: dict[int, DownloadJob] = {}
        self._queue: deque[DownloadJob] = deque()
        self._parted: deque[DownloadJob] = deque()  # started, parts still to hand out
        self._delayed: list[tuple[float, int, _Unit]] = []
        self._delay_seq = itertools.count()
        self._dirty: dict[int, DownloadJob] = {}
        self._meters: dict[int, RateMeter] = {}
        self._total_meter = RateMeter()
        self._counts = dict.fromkeys(JobState, 0)
        self._bytes_total = 0
        self._bytes_done = 0
        self._busy_units = 0
        self._workers: list[threading.Thread] = []
        self._closed = False
        self._blocked = ""
        # As in the upload engine: an "expired" answer to a request signed before the
        # last renewal is stale and must not stop the queue again.
        self._renewals = 0
        self._sent_with = threading.local()
        self._no_links: set[str] = set()  # folders on file systems without hard links

    # ----------------------------------------------------------------- submitting

    def submit(
        self,
        items: Iterable[DownloadItem],
        conflict: ConflictPolicy = ConflictPolicy.RENAME,
        folders: Iterable[str] = (),
    ) -> list[int]:
        """Queue ``items``. ``conflict`` is the user's answer for local files that exist
        now: OVERWRITE replaces them, SKIP leaves them and downloads nothing, RENAME keeps
        both ("name (1).ext"). A file that appears later is always kept. ``folders`` are
        created right away."""
        if conflict is ConflictPolicy.ASK:
            raise ValueError("ask the user before submitting; the engine cannot ask")
        for folder in folders:
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError as exc:  # the files inside it fail with their own message
                log.warning("could not create folder %s: %r", folder, exc)
            else:
                self._folders.add(folder)
        ids: list[int] = []
        with self._cond:
            if self._closed:
                raise RuntimeError("the download engine has been shut down")
            for item in items:
                # The user's choice covers files there now; one that appears later is kept.
                exists = os.path.lexists(item.target)
                job = DownloadJob(next(self._ids), item, conflict if exists else _KEEP_BOTH)
                self._jobs[job.id] = job
                self._counts[JobState.QUEUED] += 1
                self._bytes_total += item.size
                if exists and conflict is ConflictPolicy.SKIP:
                    self._finish(job, JobState.SKIPPED, _LOCAL_EXISTS)
                else:
                    self._queue.append(job)
                self._dirty[job.id] = job
                ids.append(job.id)
            self._ensure_workers()
            self._cond.notify_all()
        return ids

    # ----------------------------------------------------------------- controlling

    def pause(self, job_id: int) -> bool:
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None or job.state.finished or job.state is JobState.PAUSED:
                return False
            job.generation += 1
            self._release_in_flight(job)
            self._set_state(job, JobState.PAUSED)
            self._meters.pop(job.id, None)
            return True

    def resume(self, job_id: int) -> bool:
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None or job.state is not JobState.PAUSED:
                return False
            self._requeue(job)
            return True

    def cancel(self, job_id: int) -> bool:
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None or job.state.finished:
                return False
            job.generation += 1
            self._release_in_flight(job)
            self._finish(job, JobState.CANCELLED, "")
            self._discard_temp(job)
            return True

    def retry(self, job_id: int) -> bool:
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None or job.state not in (JobState.FAILED, JobState.CANCELLED):
                return False
            job.error = ""
            job.bytes_done = self._parts_bytes(job)
            self._bytes_total += job.item.size
            self._bytes_done += job.bytes_done
            self._requeue(job)
            return True

    def pause_all(self) -> int:
        return sum(self.pause(i) for i in self._ids_in(_UNFINISHED))

    def resume_all(self) -> int:
        return sum(self.resume(i) for i in self._ids_in((JobState.PAUSED,)))

    def cancel_all(self) -> int:
        return sum(self.cancel(i) for i in self._ids_in((*_UNFINISHED, JobState.PAUSED)))

    def retry_failed(self) -> int:
        return sum(self.retry(i) for i in self._ids_in((JobState.FAILED,)))

    def unblock(self, endpoint: S3Endpoint | None = None) -> None:
        """New credentials (in ``endpoint``, or renewed by the session): go on."""
        with self._cond:
            if endpoint is not None:
                self.endpoint = endpoint
                self._senders.reset(endpoint)
            self._blocked = ""
            self._renewals += 1
            self._cond.notify_all()

    def _ids_in(self, states: Iterable[JobState]) -> list[int]:
        wanted = frozenset(states)
        with self._cond:
            return [j.id for j in self._jobs.values() if j.state in wanted]

    # ----------------------------------------------------------------- observing

    def drain(self) -> Update:
        now = self._clock()
        with self._cond:
            for job_id in self._meters:
                self._dirty.setdefault(job_id, self._jobs[job_id])
            changed = sorted(self._dirty.values(), key=lambda j: j.id)
            self._dirty.clear()
            return Update([self._view(j, now) for j in changed], self._totals(now), self._blocked)

    def totals(self) -> Totals:
        with self._cond:
            return self._totals(self._clock())

    def job(self, job_id: int) -> JobView:
        with self._cond:
            return self._view(self._jobs[job_id], None)

    def is_idle(self) -> bool:
        with self._cond:
            return self._idle()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every queued download has finished or been paused (and its audit
        entry is written)."""
        with self._cond:
            idle = self._idle_cond.wait_for(self._idle, timeout)
        if idle and self.audit is not None:
            return self.audit.flush(timeout)
        return idle

    @property
    def blocked(self) -> str:
        return self._blocked

    def _idle(self) -> bool:
        c = self._counts
        busy = c[JobState.QUEUED] + c[JobState.DOWNLOADING] + c[JobState.RETRYING]
        return not self._busy_units and busy == 0

    def _view(self, job: DownloadJob, now: float | None) -> JobView:
        meter = self._meters.get(job.id)
        speed, eta = 0.0, None
        if meter is not None:
            speed = meter.update(job.bytes_done, now) if now is not None else meter.rate
            eta = meter.eta(job.item.size - job.bytes_done)
        item = job.item
        return JobView(
            job.id, f"s3://{item.bucket}/{item.key}", item.bucket, item.key, item.size,
            job.bytes_done, job.state, job.error, job.note, speed, eta,
            target=job.saved_as or item.target,
        )  # fmt: skip

    def _totals(self, now: float) -> Totals:
        c = self._counts
        speed = self._total_meter.update(self._bytes_done, now)
        active = c[JobState.DOWNLOADING] + c[JobState.RETRYING]
        unfinished = c[JobState.QUEUED] + active
        eta = self._total_meter.eta(self._bytes_total - self._bytes_done) if unfinished else None
        return Totals(
            files_total=sum(c.values()), files_done=c[JobState.DONE],
            files_failed=c[JobState.FAILED], files_active=active,
            files_paused=c[JobState.PAUSED], files_asking=0, bytes_total=self._bytes_total,
            bytes_done=self._bytes_done, speed=speed, eta=eta,
        )  # fmt: skip

    # ----------------------------------------------------------------- stopping

    def shutdown(self, cancel: bool = True, timeout: float = 30.0) -> None:
        """Stop the workers; unfinished downloads are cancelled and their temporary files
        removed (``cancel`` is accepted for symmetry with the upload engine)."""
        deadline = time.monotonic() + timeout
        del cancel  # downloads cannot outlive the app either way
        self.cancel_all()
        with self._cond:
            self._closed = True
            for job in self._jobs.values():
                if job.state is JobState.PAUSED or job.state is JobState.FAILED:
                    self._discard_temp(job)
            self._cond.notify_all()
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        self._senders.close()
        if self.audit is not None:
            self.audit.close()

    # ----------------------------------------------------------------- scheduling

    @property
    def client(self) -> Any:
        return self._senders.client

    def _lean_sender(self) -> LeanS3:
        """The lean sender for GETs, sharing the botocore session's credentials."""
        return self._senders.lean()

    def reconfigure(self, *, concurrency: int | None = None) -> None:
        """The concurrency setting changed: as ``UploadEngine.reconfigure``."""
        if concurrency is None:
            return
        with self._cond:
            self.config = dataclasses.replace(
                self.config, concurrency=max(1, min(MAX_CONCURRENCY, concurrency))
            )
            if self._workers:
                self._ensure_workers()
            self._cond.notify_all()

    def _ensure_workers(self) -> None:
        for n in range(len(self._workers), self.config.concurrency):
            worker = threading.Thread(target=self._work, name=f"s3desk-download-{n}", daemon=True)
            self._workers.append(worker)
            worker.start()

    def _next_unit(self, done: _Unit | None) -> _Unit | None:
        """The next unit of work, after (in the same locked step) the books for ``done``, the
        unit this worker has just finished."""
        with self._cond:
            if done is not None:
                self._unit_done(done)
            while not self._closed:
                if surplus_worker(self._workers, self.config.concurrency):
                    return None
                unit = self._pick_unit()
                if unit is not None:
                    self._busy_units += 1
                    unit.job.workers += 1
                    self._sent_with.renewals = self._renewals
                    return unit
                timeout = None
                if self._delayed and not self._blocked:
                    timeout = max(0.0, self._delayed[0][0] - self._clock())
                self._cond.wait(timeout)
            return None

    def _pick_unit(self) -> _Unit | None:
        if self._blocked:
            return None
        while self._delayed and self._delayed[0][0] <= self._clock():
            unit = heapq.heappop(self._delayed)[2]
            job = unit.job
            if unit.generation != job.generation or not job.state.active:
                continue  # paused or cancelled while waiting
            self._set_state(job, JobState.DOWNLOADING)
            if unit.number:
                job.in_flight.add(unit.number)
            return unit
        while self._parted:
            job = self._parted[0]
            if not job.state.active or not job.pending:
                self._parted.popleft()
                continue
            number = heapq.heappop(job.pending)
            job.in_flight.add(number)
            return _Unit(job, number, job.generation)
        while self._queue:
            job = self._queue.popleft()
            if job.state is not JobState.QUEUED:
                continue
            self._set_state(job, JobState.DOWNLOADING)
            self._meters.setdefault(job.id, RateMeter())
            size = job.item.size
            if size < self.config.multipart_threshold:
                return _Unit(job, 0, job.generation)
            if not job.part_size:
                job.part_size = choose_part_size(size, self.config.part_size)
            count = part_count(size, job.part_size)
            job.pending = [n for n in range(1, count + 1) if n not in job.done_parts]
            heapq.heapify(job.pending)
            if not job.pending:  # every part arrived before a pause: only checks remain
                return _Unit(job, count, job.generation)
            self._parted.append(job)
            self._cond.notify_all()  # its parts are work for every worker
            return self._pick_unit()
        return None

    def _work(self) -> None:
        unit = self._next_unit(None)
        while unit is not None:
            try:
                self._fetch(unit)
            except _Stopped:
                pass
            except Exception as exc:  # every failure becomes the job's state
                self._failed_attempt(unit, exc)
            except BaseException:
                with self._cond:
                    self._unit_done(unit)
                raise
            unit = self._next_unit(unit)

    def _unit_done(self, unit: _Unit) -> None:
        self._busy_units -= 1
        job = unit.job
        job.workers -= 1
        if unit.generation == job.generation:
            job.in_flight.discard(unit.number)
        if job.state.finished and job.state is not JobState.DONE:
            self._discard_temp(job)
        self._note_if_idle()

    # ----------------------------------------------------------------- S3 work

    def _fetch(self, unit: _Unit) -> None:
        job = unit.job
        if not job.part_size:
            self._fetch_whole(unit)
            return
        item = job.item
        with self._cond:
            if not job.temp:
                # Created at full size, so parts can be written at their offsets in any order.
                with self._new_temp(job) as f:
                    f.truncate(item.size)
        token = object()
        if unit.number not in job.done_parts:
            start = (unit.number - 1) * job.part_size
            length = min(job.part_size, item.size - start)
            body = self._open_body(item, (start, start + length - 1))
            try:
                f = open(job.temp, "r+b")  # noqa: SIM115 - closed below
            except BaseException:
                body.close()
                raise
            with f:
                f.seek(start)
                self._read_body(unit, body, f, length, digest=None)
            with self._cond:
                job.done_parts.add(unit.number)
                # In the same locked step: a unit checking now will see this part.
                claimed = self._claim_check(job, token)
        else:  # every part arrived before a pause: only the checks remain
            with self._cond:
                claimed = self._claim_check(job, token)
        if claimed:
            self._finish_parts(unit, token)

    def _fetch_whole(self, unit: _Unit) -> None:
        """An object in one GET: a small one read into memory, a bigger one streamed."""
        job = unit.job
        item = job.item
        if item.size <= LEAN_GET_MAX:
            data = self._lean_get(item)
            if data is not None:
                if unit.generation != job.generation:
                    raise _Stopped
                if len(data) != item.size:
                    raise IntegrityError(f"expected {item.size} bytes, received {len(data)}")
                if _checkable(item) and _md5(data) != item.etag:
                    raise IntegrityError("the bytes received do not match the object's MD5")
                with self._whole_temp(job) as f:
                    f.write(data)
                self._place(unit)  # counts the bytes as done
                return
        digest = hashlib.md5(usedforsecurity=False) if _checkable(item) else None
        body = self._open_body(item, None)
        try:
            f = self._whole_temp(job)
        except BaseException:
            body.close()  # gives the connection back
            raise
        with f:
            self._read_body(unit, body, f, item.size, digest=digest)
        if digest is not None and digest.hexdigest() != item.etag:
            raise IntegrityError("the bytes received do not match the object's MD5")
        self._place(unit)

    def _lean_get(self, item: DownloadItem) -> bytes | None:
        """The object's bytes through the lean sender; None where it does not serve."""
        try:
            answer = self._lean_sender().get(
                item.bucket, item.key, _if_match(item), item.version_id
            )
        except NotServed:
            return None
        _check_etag(item, answer.headers.get("etag", ""))
        return answer.data

    def _open_body(self, item: DownloadItem, part: tuple[int, int] | None) -> Any:
        """GetObject (of bytes ``part``, first to last, for a part) with the body left to
        read: through the lean sender where it serves the request (a LeanBody), else
        botocore's StreamingBody."""
        headers = _if_match(item)
        byte_range = f"bytes={part[0]}-{part[1]}" if part else ""
        if byte_range:
            headers["range"] = byte_range
        body: Any
        try:
            body = self._lean_sender().get_stream(item.bucket, item.key, headers, item.version_id)
            etag, content_range = (
                body.headers.get("etag", ""),
                body.headers.get("content-range", ""),
            )
            length = body.length
        except NotServed:
            args: dict[str, Any] = {"Bucket": item.bucket, "Key": item.key}
            if item.version_id:
                args["VersionId"] = item.version_id
            if byte_range:
                args["Range"] = byte_range
            if item.etag:
                args["IfMatch"] = f'"{item.etag}"'
            response = self.client.get_object(**args)
            body, content_range = response["Body"], response.get("ContentRange", "")
            etag, length = response.get("ETag", ""), response.get("ContentLength", 0)
        try:
            _check_etag(item, etag)
        except _Changed:
            body.close()
            raise
        expected = part[1] - part[0] + 1 if part else item.size
        if part and not content_range.startswith(f"bytes {part[0]}-{part[1]}/"):
            # A server that ignores Range answers with the whole object: those bytes do not
            # belong at this part's offset.
            body.close()
            raise IntegrityError(f"asked for {byte_range}, the server sent {content_range!r}")
        if length != expected:
            body.close()
            raise IntegrityError(f"expected {expected} bytes, the server sends {length}")
        return body

    def _read_body(self, unit: _Unit, body: Any, f: Any, length: int, digest: Any) -> None:
        """Write ``length`` bytes of ``body`` to ``f`` where it stands, and close ``body``."""
        job = unit.job
        if isinstance(body, LeanBody):
            view = memoryview(bytearray(CHUNK))  # one buffer for the whole body

            def next_chunk(size: int) -> Any:
                return view[: body.readinto(view[:size])]

        else:
            next_chunk = body.read
        received = 0
        try:
            while received < length:
                if unit.generation != job.generation:
                    raise _Stopped
                chunk = next_chunk(min(CHUNK, length - received))
                if not chunk:
                    break
                f.write(chunk)
                if digest is not None:
                    digest.update(chunk)
                received += len(chunk)
                self._add_progress(job, unit, len(chunk))
        except BaseException:
            self._add_progress(job, unit, -received)  # the part will be fetched again
            raise
        finally:
            body.close()
        if received != length:
            self._add_progress(job, unit, -received)
            raise IntegrityError(f"expected {length} bytes, received {received}")

    # ----------------------------------------------------------------- temporary files

    def _new_temp(self, job: DownloadJob) -> Any:
        """Create the job's hidden temporary file next to its target, open for writing."""
        folder = os.path.dirname(job.item.target)
        name = os.path.join(folder, f".s3desk-{self._temp_tag}-{next(self._temp_numbers)}.part")
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        try:
            f = open(name, "xb")  # noqa: SIM115 - the caller closes it
        except FileNotFoundError:  # the folder was removed since it was made: make it again
            os.makedirs(folder, exist_ok=True)
            f = open(name, "xb")  # noqa: SIM115
        job.temp = name
        return f

    def _whole_temp(self, job: DownloadJob) -> Any:
        """The temporary file for a whole-object GET, empty: a new one, or the one an earlier
        attempt left (only this job's one unit writes to it)."""
        if job.temp:
            return open(job.temp, "wb")
        return self._new_temp(job)

    # ----------------------------------------------------------------- checking parts

    def _claim_check(self, job: DownloadJob, token: object) -> bool:
        """(Locked) Become the job's one checker, unless another unit is."""
        if job.checker is not None or not job.state.active:
            return False
        job.checker = token
        return True

    def _finish_parts(self, unit: _Unit, token: object) -> None:
        """Holding the job's check: hash the parts that are next in order (plain-MD5 ETags),
        including those that arrive while hashing; once every part is in (and hashed), check
        the MD5 and move the file into place. The check is given back, in the same locked
        step as seeing that nothing is left to do for now, so no arriving part is missed."""
        job = unit.job
        try:
            self._hash_and_place(job, token, unit)
        except _CheckFailed as failed:  # reading back the file, or placing it
            self._failed_attempt(failed.unit, failed.exc)
        finally:
            with self._cond:
                if job.checker is token:
                    job.checker = None

    def _hash_and_place(self, job: DownloadJob, token: object, unit: _Unit) -> None:
        item = job.item
        count = part_count(item.size, job.part_size)
        checkable = _checkable(item)
        buffer: bytearray | None = None
        while True:
            with self._cond:
                if not job.state.active:
                    job.checker = None  # paused, cancelled or failed: a resume checks again
                    return
                # A unit from before a pause and resume carries on for the job as it is now.
                current = unit._replace(generation=job.generation)
                if checkable and job.hasher is None:
                    job.hasher, job.hashed_parts = hashlib.md5(usedforsecurity=False), 0
                hasher = job.hasher
                number = job.hashed_parts + 1 if checkable else count + 1
                if number > count:
                    if len(job.done_parts) < count:
                        job.checker = None  # the unit that brings the last part finishes
                        return
                    break
                if number not in job.done_parts:
                    job.checker = None  # the unit that brings part `number` goes on
                    return
                path = job.temp
            start = (number - 1) * job.part_size
            buffer = buffer or bytearray(HASH_BLOCK)
            try:
                _hash_range(path, start, min(job.part_size, item.size - start), hasher, buffer)
            except Exception as exc:
                raise _CheckFailed(current, exc) from exc
            with self._cond:
                if job.hasher is hasher:  # not thrown away meanwhile
                    job.hashed_parts = number
        try:
            if checkable and hasher.hexdigest() != item.etag:
                self._start_over(current)
                return
            self._place(current, check_size=True)
        except _Stopped:
            raise
        except Exception as exc:
            raise _CheckFailed(current, exc) from exc

    def _place(self, unit: _Unit, check_size: bool = False) -> None:
        """All bytes are in the temporary file, checked: move it into place."""
        job = unit.job
        item = job.item
        if check_size and os.path.getsize(job.temp) != item.size:
            raise IntegrityError("the downloaded file has the wrong size")
        if item.modified is not None:
            stamp = item.modified.timestamp()
            os.utime(job.temp, (stamp, stamp))  # as aws cli and rclone do
        with self._cond:
            if unit.generation != job.generation or job.state.finished:
                raise _Stopped
        # Most files land under a free name. A hard link claims it atomically: a file any
        # program made there meanwhile is never replaced (checking first, then renaming,
        # left a moment for that), and the engine's lock is not held across the calls.
        target, temp = item.target, job.temp
        if self._link_new(temp, target):
            with self._cond:
                current = unit.generation == job.generation and not job.state.finished
                if current:
                    job.temp = ""
                    job.saved_as = target
                    self._finish(job, JobState.DONE, "")
            if not current:  # paused or cancelled while it was linked: as if never placed
                _remove(target)
                raise _Stopped
            _remove(temp)
            self._audit_placed(item, target)
            return
        # The name is taken (or this file system has no hard links): decide under the lock.
        with self._cond:
            if unit.generation != job.generation or job.state.finished:
                raise _Stopped
            if os.path.lexists(target):
                if job.conflict is ConflictPolicy.SKIP:
                    self._finish(job, JobState.SKIPPED, _LOCAL_EXISTS)
                    self._discard_temp(job)
                    return
                if job.conflict is not ConflictPolicy.OVERWRITE or os.path.isdir(target):
                    target = free_path(target)  # appeared meanwhile: keep both
            os.replace(job.temp, target)
            job.temp = ""
            job.saved_as = target
            self._finish(job, JobState.DONE, "")
        self._audit_placed(item, target)

    def _link_new(self, temp: str, target: str) -> bool:
        """Give the file ``temp`` the name ``target`` too, if no file has that name."""
        folder = os.path.dirname(target)
        if folder in self._no_links:
            return False
        try:
            os.link(temp, target)
        except FileExistsError:
            return False
        except OSError as exc:
            # FAT, exFAT and many network shares have no hard links, and each system says
            # so in its own words. Renaming is right everywhere, and reports real problems.
            log.info("no hard links in %s (%r): files are renamed into place", folder, exc)
            self._no_links.add(folder)
            return False
        return True

    def _audit_placed(self, item: DownloadItem, target: str) -> None:
        if self.audit is not None:
            self.audit.put(
                "download", account=self.account, bucket=item.bucket, key=item.key,
                version_id=item.version_id or None, size=item.size, etag=item.etag or None,
                path=target, result="ok",
            )  # fmt: skip

    # ----------------------------------------------------------------- failures

    def _failed_attempt(self, unit: _Unit, exc: BaseException) -> None:
        job = unit.job
        item = job.item
        with self._cond:
            if unit.generation != job.generation or not job.state.active:
                if unit.number and job.state.active:
                    self._return_part(job, unit.number)
                return
            if has_code(exc, "PreconditionFailed") or isinstance(exc, _Changed):
                self._fail(job, _CHANGED, exc)
                return
            if is_credentials_expired(exc):
                if getattr(self._sent_with, "renewals", self._renewals) == self._renewals:
                    self._blocked = describe_error(exc, item.bucket, item.key)
                self._set_state(job, JobState.RETRYING)
                job.note = phrase("Waiting for new credentials")
                self._retry_later(unit, 0.0)
                return
            if is_transient(exc) and unit.attempt < self.config.max_attempts:
                job.note = retrying_note(unit.attempt, self.config.max_attempts, exc)
                self._set_state(job, JobState.RETRYING)
                self._retry_later(unit, self._backoff(unit.attempt))
                return
            self._fail(job, describe_download_error(exc, item), exc)

    def _start_over(self, unit: _Unit) -> None:
        """The assembled file does not match the object's MD5, and nothing tells which part
        was wrong: fetch every part again, once or twice, then give up."""
        job = unit.job
        with self._cond:
            if unit.generation != job.generation or job.state.finished:
                raise _Stopped
            job.restarts += 1
            if job.restarts > _MAX_RESTARTS:
                mismatch = IntegrityError("the downloaded file does not match the object's MD5")
                self._fail(job, describe_download_error(mismatch, job.item), mismatch)
                return
            job.generation += 1
            job.in_flight.clear()
            job.done_parts.clear()
            _reset_hash(job)
            self._bytes_done -= job.bytes_done
            job.bytes_done = 0
            self._set_state(job, JobState.QUEUED)
            job.note = phrase("Fetching again — the file did not match its checksum")
            self._queue.appendleft(job)
            self._cond.notify()

    def _fail(self, job: DownloadJob, message: str, exc: BaseException) -> None:
        job.generation += 1  # the job's other parts stop at their next read
        self._release_in_flight(job)
        self._finish(job, JobState.FAILED, message)
        self._discard_temp(job)
        log.info("download of s3://%s/%s failed: %r", job.item.bucket, job.item.key, exc)
        if self.audit is not None:
            item = job.item
            self.audit.put(
                "download", account=self.account, bucket=item.bucket, key=item.key,
                version_id=item.version_id or None, size=item.size, path=item.target,
                result="failed", error=message,
            )  # fmt: skip

    def _retry_later(self, unit: _Unit, seconds: float) -> None:
        if unit.number:
            unit.job.in_flight.discard(unit.number)
        retry = unit._replace(attempt=unit.attempt + 1)
        heapq.heappush(self._delayed, (self._clock() + seconds, next(self._delay_seq), retry))
        self._cond.notify()

    def _backoff(self, attempt: int) -> float:
        cap = min(self.config.backoff_cap, self.config.backoff_base * 2 ** (attempt - 1))
        return self._random.uniform(cap / 2, cap)

    def _return_part(self, job: DownloadJob, number: int) -> None:
        # A part the current round has in flight already stays with that worker.
        taken = number in job.done_parts or number in job.pending or number in job.in_flight
        if not taken:
            heapq.heappush(job.pending, number)
            if job not in self._parted:
                self._parted.appendleft(job)
            self._cond.notify()

    # ----------------------------------------------------------------- bookkeeping (locked)

    def _add_progress(self, job: DownloadJob, unit: _Unit, n: int) -> None:
        with self._cond:
            if unit.generation != job.generation:
                return  # pause, cancel or failure recounted the job's bytes already
            job.bytes_done += n
            if not job.state.finished:
                self._bytes_done += n
            self._dirty[job.id] = job

    def _release_in_flight(self, job: DownloadJob) -> None:
        """Parts on their way are abandoned: they go back on the list for a resume."""
        for number in job.in_flight:
            if number not in job.done_parts and number not in job.pending:
                heapq.heappush(job.pending, number)
        job.in_flight.clear()
        done = self._parts_bytes(job)
        self._bytes_done += done - job.bytes_done
        job.bytes_done = done

    @staticmethod
    def _parts_bytes(job: DownloadJob) -> int:
        """Bytes of the parts that are safely in the temporary file."""
        if not job.part_size or not job.done_parts:
            return 0
        last = part_count(job.item.size, job.part_size)
        short = job.item.size - (last - 1) * job.part_size  # the last part may be shorter
        return len(job.done_parts) * job.part_size - (
            job.part_size - short if last in job.done_parts else 0
        )

    def _requeue(self, job: DownloadJob) -> None:
        self._set_state(job, JobState.QUEUED)
        self._queue.append(job)
        self._ensure_workers()
        self._cond.notify_all()

    def _set_state(self, job: DownloadJob, state: JobState) -> None:
        self._counts[job.state] -= 1
        self._counts[state] += 1
        job.state = state
        if state is not JobState.RETRYING:
            job.note = ""
        self._dirty[job.id] = job
        self._note_if_idle()

    def _finish(self, job: DownloadJob, state: JobState, error: str) -> None:
        if state is JobState.DONE:
            self._bytes_done += job.item.size - job.bytes_done
            job.bytes_done = job.item.size
        elif not job.state.finished:
            self._bytes_done -= job.bytes_done
            self._bytes_total -= job.item.size
        self._set_state(job, state)
        job.error = error
        self._meters.pop(job.id, None)

    def _discard_temp(self, job: DownloadJob) -> None:
        """Remove the temporary file once no unit writes to it any more."""
        if job.temp and not job.workers:
            _remove(job.temp)
            job.temp = ""
            job.done_parts.clear()
            job.pending.clear()
            _reset_hash(job)

    def _note_if_idle(self) -> None:
        if self._idle():
            self._idle_cond.notify_all()


_UNFINISHED = (JobState.QUEUED, JobState.DOWNLOADING, JobState.RETRYING)


def _remove(path: str) -> None:
    """Remove a file s3desk made; one that is gone already is fine."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("could not remove %s: %r", path, exc)


_MAX_RESTARTS = 2
_KEEP_BOTH = ConflictPolicy.RENAME
_CHANGED = phrase(
    "The object changed in the bucket while it was being downloaded; retry to fetch the new version"
)
_LOCAL_EXISTS = phrase("A local file with this name exists")


def _checkable(item: DownloadItem) -> bool:
    """A plain MD5 ETag: the object was stored in one request without KMS or customer keys.
    (A multipart ETag is an MD5 of part MD5s, which needs the uploader's part size.)"""
    return bool(_PLAIN_MD5.match(item.etag))


def _if_match(item: DownloadItem) -> dict[str, str]:
    return {"if-match": f'"{item.etag}"'} if item.etag else {}


def _check_etag(item: DownloadItem, answered: str) -> None:
    """Raise _Changed if the answer names an ETag other than the listed one."""
    if item.etag and answered:
        answered = answered.removeprefix("W/").strip('"').lower()
        if answered != item.etag.lower():
            raise _Changed(f"listed ETag {item.etag}, answered {answered}")


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _hash_range(path: str, start: int, length: int, digest: Any, buffer: bytearray) -> None:
    """Feed ``length`` bytes of ``path`` from ``start`` to ``digest``."""
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as f:
        f.seek(start)
        while length > 0:
            n = f.readinto(view[: min(len(buffer), length)])
            if not n:
                raise IntegrityError("the temporary file is shorter than the object")
            digest.update(view[:n])  # hashlib lets other threads run while it hashes
            length -= n


def _reset_hash(job: DownloadJob) -> None:
    """The job's parts were thrown away: so is their hash (and the check, if held)."""
    job.hasher = None
    job.hashed_parts = 0
    job.checker = None


def describe_download_error(exc: BaseException, item: DownloadItem) -> str:
    """Like describe_error, worded for reading from the bucket and writing a local file."""
    if has_code(exc, "AccessDenied"):
        return phrase(
            "Access denied: these credentials may not read '{key}' in '{bucket}'",
            key=item.key, bucket=item.bucket,
        )  # fmt: skip
    if has_code(exc, "NoSuchKey") or has_code(exc, "404"):
        return phrase("The object is no longer in the bucket (deleted after the folder was listed)")
    if has_code(exc, "InvalidObjectState"):
        return phrase("The object is archived (e.g. Glacier); restore it before downloading")
    if isinstance(exc, IntegrityError):
        return phrase(
            "The bytes received do not match the object ({detail}); retry later", detail=str(exc)
        )
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError):
        import errno

        where = os.path.dirname(item.target)
        if exc.errno == errno.ENOSPC:
            return phrase("The disk is full: no room for this file in '{folder}'", folder=where)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return phrase("Cannot write to '{folder}': permission denied", folder=where)
        if exc.errno == errno.ENAMETOOLONG:
            return phrase("The local path is too long for this file system")
        return phrase("Cannot write the local file: {reason}", reason=exc.strerror or str(exc))
    return describe_error(exc, item.bucket, item.key)
