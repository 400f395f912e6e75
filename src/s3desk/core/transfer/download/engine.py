"""The download engine: a pool of workers fetching objects into local files.

Small objects come in one GET; big ones in ranged GETs of ``part_size`` bytes written at
their offsets, several at once. Every request names the ETag the listing showed (If-Match),
so an object replaced mid-download fails clearly instead of producing a file stitched from
two versions. Bytes land in a hidden temporary file next to the target; only a complete,
checked file is moved into place, so a crash or a cancel never leaves a half-written file
under the real name. A local file is never replaced unless the user chose "replace" for it;
one that appears while downloading is kept and the download is renamed.

Where the ETag is a plain MD5 the bytes are checked against it: a small object's body as it
arrives, a big one's parts in order while later parts are still downloading: the part the
hash needs next is hashed as its bytes arrive (from the first byte of the object on), and
parts that arrived meanwhile are read back from the temporary file and hashed by the unit
that finished the part before them, so once the last part is in little more than the
comparison is left. Where parts arrive faster than the hash takes them (a fast link, few
cores), a job's further parts wait while the hash lags ``HASH_BACKLOG`` parts behind: the
hash alone decides when the file is done, and keeps a core.

A multipart ETag is the MD5 of the uploaded parts' MD5s: the engine asks for the uploader's
part size (HeadObject of parts 1 and N), fetches the same ranges and each worker takes its
part's MD5 as it arrives, in parallel, nothing read back; where the sizes are not told (or
do not add up) such an object cannot be checked, as before. A mismatch fetches the whole
file again (nothing tells which part was wrong).

GETs go through the lean sender (``lean_s3.py``, as the upload engine's small PUTs do),
without botocore's per-request cost, which dominates for many small files and is a good part
of a big file's: objects up to ``LEAN_GET_MAX`` are read into memory in one piece, bigger
ones and parts streamed into the file. botocore takes over where it does not serve.

Downloads do not survive a restart (unlike uploads there is nothing on the server to resume
from); a paused job keeps its finished parts until the app closes.

The scheduling (workers, pause, resume, cancel, retry, credentials, ``drain()``) is the
upload engine's too, in ``scheduler.py``, so both feed one status table and behave alike;
the GETs are in ``download_requests.py``, the local files in ``download_files.py``.

Of ``EngineConfig`` downloads read the concurrency, the part size and threshold, the
attempts and backoff, the bandwidth limit and the timeouts; the rest is for uploads.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

from s3desk.core.compliance.audit import AuditLog
from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig, pool_size
from s3desk.core.phrases import phrase
from s3desk.core.storage.checksums import IntegrityError
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.errors import describe_error, has_code
from s3desk.core.storage.parts import MiB, choose_part_size, part_count
from s3desk.core.transfer.audit_writer import AuditWriter
from s3desk.core.transfer.download.files import LocalFiles, Stopped, copy_body, hash_range, remove
from s3desk.core.transfer.download.job import (
    DownloadJob,
    Unit,
    checkable,
    etag_parts,
    hash_lags,
    parts_etag,
    reset_hash,
)
from s3desk.core.transfer.download.listing import LeanLister
from s3desk.core.transfer.download.plan import DownloadItem, free_path
from s3desk.core.transfer.download.reader import ObjectChanged, ObjectReader
from s3desk.core.transfer.jobs import JobState, JobView
from s3desk.core.transfer.scheduler import TransferScheduler
from s3desk.core.transfer.senders import Senders

log = logging.getLogger(__name__)

# Download job ids start here, far above any upload's, so one table can hold both.
DOWNLOAD_ID_BASE = 1 << 48
# Whole objects up to this size come in one GET through the lean sender, read into memory.
LEAN_GET_MAX = 1 * MiB
# How much of a finished part is read back at a time to hash it in order.
HASH_BLOCK = 1 * MiB


class _CheckFailed(Exception):
    """Hashing or placing a parted download failed; ``unit`` is the job as it is now (the
    unit that did the work may be from before a pause and resume)."""

    def __init__(self, unit: Unit, exc: Exception) -> None:
        super().__init__(str(exc))
        self.unit = unit
        self.exc = exc


class DownloadEngine(TransferScheduler[DownloadJob, Unit]):
    direction = "download"
    working = JobState.DOWNLOADING
    survives_restart = False  # nothing on the server to go on from

    def __init__(
        self,
        endpoint: S3Endpoint,
        config: EngineConfig | None = None,
        *,
        audit: AuditLog | None = None,
        account: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(endpoint, config, clock)
        # Entries go through a writer thread that commits what is waiting in one fsync.
        self.audit = AuditWriter(audit) if audit is not None else None
        self.account = account or endpoint.label
        self._senders = Senders(
            endpoint, max_connections=pool_size(self.config.concurrency),
            connect_timeout=self.config.connect_timeout, read_timeout=self.config.read_timeout,
            hooks=self.request_hooks,
        )  # fmt: skip
        self._reader = ObjectReader(self._senders)
        self._files = LocalFiles()
        self._ids = itertools.count(DOWNLOAD_ID_BASE)

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
        self._files.make_folders(folders)
        ids: list[int] = []
        with self._cond:
            self._check_open()
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

    @property
    def client(self) -> Any:
        return self._senders.client

    def lister(self, attempts: int = 3) -> LeanLister:
        """ListObjectsV2 and HeadObject for planning downloads, on this engine's session and
        connections: no botocore client of its own where the lean sender serves."""
        return LeanLister(self._senders, attempts)

    # ----------------------------------------------------------------- scheduling hooks

    def _pick_unit(self) -> Unit | None:
        unit = super()._pick_unit()
        if unit is not None:
            unit.job.workers += 1  # its temporary file stays until the last one is back
        return unit

    def _start_next(self) -> Unit | None:
        while self._queue:
            job = self._queue.popleft()
            if job.state is not JobState.QUEUED:
                continue
            self._start_active(job)
            size = job.item.size
            if size < self.config.multipart_threshold:
                return Unit(job, 0, job.generation)
            if not job.part_size:
                if etag_parts(job.item) and not job.layout_asked:
                    return Unit(job, 0, job.generation)  # asks for the parts as uploaded
                job.part_size = choose_part_size(size, self.config.part_size)
            count = part_count(size, job.part_size)
            job.pending = [n for n in range(1, count + 1) if n not in job.done_parts]
            heapq.heapify(job.pending)
            if not job.pending:  # every part arrived before a pause: only checks remain
                return Unit(job, count, job.generation)
            self._multipart.append(job)
            self._cond.notify_all()  # its parts are work for every worker
            return self._next_part()
        return None

    def _next_part(self) -> Unit | None:
        """The scheduler's choice, except that a job whose MD5 lags its arrived parts by
        ``HASH_BACKLOG`` parts gets no more for now (other jobs do): where the network
        outruns the hash (a fast link, few cores) the hash, which alone decides when the
        file is done, keeps a core instead of sharing it with workers fetching parts that
        would wait for it anyway. Where the hash keeps up, nothing is held back."""
        held: list[DownloadJob] = []
        unit = None
        while self._multipart:
            job = self._multipart[0]
            if job.state.active and job.pending and hash_lags(job):
                held.append(self._multipart.popleft())
                continue
            unit = super()._next_part()
            break
        self._multipart.extendleft(reversed(held))
        return unit

    def _part_unit(self, job: DownloadJob, number: int) -> Unit:
        return Unit(job, number, job.generation)

    def _carry_out(self, unit: Unit) -> None:
        try:
            self._fetch(unit)
        except Stopped:
            pass
        except Exception as exc:  # every failure becomes the job's state
            self._failed_attempt(unit, exc)

    def _unit_done(self, unit: Unit) -> bool:
        job = unit.job
        job.workers -= 1
        if unit.generation == job.generation:
            job.in_flight.discard(unit.number)
        self._settle(job)
        return False

    def _stop_work(self, job: DownloadJob) -> None:
        super()._stop_work(job)
        self._release_in_flight(job)

    def _prepare_retry(self, job: DownloadJob) -> bool:
        job.bytes_done = self._parts_bytes(job)  # parts kept in the temporary file
        return True

    def _settle(self, job: DownloadJob) -> None:
        if job.state.finished and job.state is not JobState.DONE:
            self._discard_temp(job)

    def _describe(self, job: DownloadJob, speed: float, eta: float | None) -> JobView:
        item = job.item
        return JobView(
            job.id, f"s3://{item.bucket}/{item.key}", item.bucket, item.key, item.size,
            job.bytes_done, job.state, job.error, job.note, speed, eta,
            target=job.saved_as or item.target,
        )  # fmt: skip

    def _record_finish(self, job: DownloadJob, state: JobState, error: str, note: str) -> None:
        if self.audit is None or state not in (JobState.DONE, JobState.FAILED):
            return
        item = job.item
        if state is JobState.DONE:
            self.audit.put(
                "download", account=self.account, bucket=item.bucket, key=item.key,
                version_id=item.version_id or None, size=item.size, etag=item.etag or None,
                path=job.saved_as, result="ok",
            )  # fmt: skip
        else:
            self.audit.put(
                "download", account=self.account, bucket=item.bucket, key=item.key,
                version_id=item.version_id or None, size=item.size, path=item.target,
                result="failed", error=error,
            )  # fmt: skip

    def _reconnect(self) -> None:
        self._senders.reset(self.endpoint)

    def _closing(self) -> None:
        for job in self._jobs.values():
            if job.state is JobState.PAUSED or job.state is JobState.FAILED:
                self._discard_temp(job)

    def _release(self) -> None:
        self._senders.close()

    # ----------------------------------------------------------------- S3 work

    def _fetch(self, unit: Unit) -> None:
        job = unit.job
        if not job.part_size:
            if job.size >= self.config.multipart_threshold and not job.layout_asked:
                self._ask_layout(unit)
            else:
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
            claimed = self._fetch_part(unit, token)
        else:  # every part arrived before a pause: only the checks remain
            with self._cond:
                claimed = self._claim_check(job, token)
        if claimed:
            self._finish_parts(unit, token)

    def _fetch_part(self, unit: Unit, token: object) -> bool:
        """Write the unit's part at its offset in the temporary file, hashing it as it
        arrives where that helps the check; True if this unit now holds the job's check."""
        job, item = unit.job, unit.job.item
        start = (unit.number - 1) * job.part_size
        length = min(job.part_size, item.size - start)
        with self._cond:
            # The part next in line for the hash is hashed as it arrives, not read back.
            base = self._claim_lead(job, unit.number, token)
        try:
            digest = base.copy() if base is not None else None  # undone if this fails
            if job.by_parts:  # an uploaded part: its own MD5, whatever arrives when
                digest = hashlib.md5(usedforsecurity=False)
            body = self._reader.open(item, (start, start + length - 1))
            try:
                f = open(job.temp, "r+b")  # noqa: SIM115 - closed below
            except BaseException:
                body.close()
                raise
            with f:
                f.seek(start)
                self._read_body(unit, body, f, length, digest=digest)
        except BaseException:
            if base is not None:
                with self._cond:
                    if job.checker is token:
                        job.checker = None
            raise
        with self._cond:
            job.done_parts.add(unit.number)
            if job.by_parts and digest is not None:
                job.part_md5s[unit.number] = digest.digest()
            if base is not None and job.checker is token and job.hasher is base:
                job.hasher, job.hashed_parts = digest, unit.number
                self._cond.notify()  # a part held back for the hash may go now
            # In the same locked step: a unit checking now will see this part.
            return job.checker is token or self._claim_check(job, token)

    def _ask_layout(self, unit: Unit) -> None:
        """Find the part size a multipart object was uploaded with, so that its parts come
        in the same ranges and their MD5s, taken in parallel as they arrive, give its ETag.
        Then the job goes back to the front of the queue to be fetched in parts."""
        job = unit.job
        try:
            size = self._reader.part_size(job.item, etag_parts(job.item))
        except Exception as exc:  # the ETag cannot be checked; the GETs say what is wrong
            log.info("no part sizes for s3://%s/%s: %r", job.bucket, job.key, exc)
            size = None
        with self._cond:
            if unit.generation != job.generation or not job.state.active:
                raise Stopped
            job.layout_asked = True
            if size is not None and not job.part_size:
                job.part_size, job.by_parts = size, True
            self._set_state(job, JobState.QUEUED)
            self._queue.appendleft(job)
            self._cond.notify()

    def _fetch_whole(self, unit: Unit) -> None:
        """An object in one GET: a small one read into memory, a bigger one streamed."""
        job = unit.job
        item = job.item
        if item.size <= LEAN_GET_MAX:
            data = self._reader.get(item)
            if data is not None:
                if not self.limiter.consume(len(data), _stale(unit)):
                    raise Stopped
                if unit.generation != job.generation:
                    raise Stopped
                if len(data) != item.size:
                    raise IntegrityError(f"expected {item.size} bytes, received {len(data)}")
                if checkable(item) and _md5(data) != item.etag:
                    raise IntegrityError("the bytes received do not match the object's MD5")
                with self._whole_temp(job) as f:
                    f.write(data)
                self._place(unit)  # counts the bytes as done
                return
        digest = hashlib.md5(usedforsecurity=False) if checkable(item) else None
        body = self._reader.open(item, None)
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

    def _read_body(self, unit: Unit, body: Any, f: Any, length: int, digest: Any) -> None:
        """Write ``length`` bytes of ``body`` to ``f`` where it stands, and close ``body``."""
        job = unit.job
        copy_body(
            body, f, length, digest, stopped=_stale(unit), limiter=self.limiter,
            progress=lambda n: self._add_progress(job, n, unit.generation),
        )  # fmt: skip

    # ----------------------------------------------------------------- temporary files

    def _new_temp(self, job: DownloadJob) -> BinaryIO:
        """Create the job's hidden temporary file next to its target, open for writing."""
        job.temp, f = self._files.new_temp(job.item.target)
        return f

    def _whole_temp(self, job: DownloadJob) -> BinaryIO:
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

    def _claim_lead(self, job: DownloadJob, number: int, token: object) -> Any:
        """(Locked) If part ``number`` is the next one the in-order MD5 needs and no unit is
        hashing, become the job's checker and return the hash so far (the unit feeds a copy
        of it as the part arrives); else None. So hashing starts with the first bytes, not
        once the first part is complete, and no part before the first gap is read back."""
        if not checkable(job.item) or not self._claim_check(job, token):
            return None
        if job.hasher is None:
            job.hasher, job.hashed_parts = hashlib.md5(usedforsecurity=False), 0
        if job.hashed_parts + 1 != number:
            job.checker = None
            return None
        return job.hasher

    def _finish_parts(self, unit: Unit, token: object) -> None:
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

    def _hash_and_place(self, job: DownloadJob, token: object, unit: Unit) -> None:
        item = job.item
        count = part_count(item.size, job.part_size)
        plain_md5 = checkable(item)
        buffer: bytearray | None = None
        while True:
            with self._cond:
                if not job.state.active:
                    job.checker = None  # paused, cancelled or failed: a resume checks again
                    return
                # A unit from before a pause and resume carries on for the job as it is now.
                current = unit._replace(generation=job.generation)
                if plain_md5 and job.hasher is None:
                    job.hasher, job.hashed_parts = hashlib.md5(usedforsecurity=False), 0
                hasher = job.hasher
                number = job.hashed_parts + 1 if plain_md5 else count + 1
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
                hash_range(path, start, min(job.part_size, item.size - start), hasher, buffer)
            except Exception as exc:
                raise _CheckFailed(current, exc) from exc
            with self._cond:
                if job.hasher is hasher:  # not thrown away meanwhile
                    job.hashed_parts = number
                    self._cond.notify()  # a part held back for the hash may go now
        try:
            if plain_md5 and hasher.hexdigest() != item.etag:
                self._start_over(current)
                return
            if job.by_parts and parts_etag(job, count) != item.etag.lower():
                self._start_over(current)
                return
            self._place(current, check_size=True)
        except Stopped:
            raise
        except Exception as exc:
            raise _CheckFailed(current, exc) from exc

    def _place(self, unit: Unit, check_size: bool = False) -> None:
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
                raise Stopped
        # Most files land under a free name. A hard link claims it atomically: a file any
        # program made there meanwhile is never replaced (checking first, then renaming,
        # left a moment for that), and the engine's lock is not held across the calls.
        target, temp = item.target, job.temp
        if self._files.link_new(temp, target):
            with self._cond:
                current = unit.generation == job.generation and not job.state.finished
                if current:
                    job.temp = ""
                    job.saved_as = target
                    self._finish(job, JobState.DONE, "")
            if not current:  # paused or cancelled while it was linked: as if never placed
                remove(target)
                raise Stopped
            remove(temp)
            return
        # The name is taken (or this file system has no hard links): decide under the lock.
        with self._cond:
            if unit.generation != job.generation or job.state.finished:
                raise Stopped
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

    # ----------------------------------------------------------------- failures

    def _special_failure(self, unit: Unit, exc: BaseException) -> bool:
        if has_code(exc, "PreconditionFailed") or isinstance(exc, ObjectChanged):
            self._fail(unit.job, _CHANGED, exc)
            return True
        return False

    def _give_up(self, job: DownloadJob, exc: BaseException) -> None:
        self._fail(job, describe_download_error(exc, job.item), exc)

    def _start_over(self, unit: Unit) -> None:
        """The assembled file does not match the object's MD5, and nothing tells which part
        was wrong: fetch every part again, once or twice, then give up."""
        job = unit.job
        with self._cond:
            if unit.generation != job.generation or job.state.finished:
                raise Stopped
            job.restarts += 1
            if job.restarts > _MAX_RESTARTS:
                mismatch = IntegrityError("the downloaded file does not match the object's MD5")
                self._fail(job, describe_download_error(mismatch, job.item), mismatch)
                return
            job.generation += 1
            job.in_flight.clear()
            job.done_parts.clear()
            reset_hash(job)
            self._bytes_done -= job.bytes_done
            job.bytes_done = 0
            self._set_state(job, JobState.QUEUED)
            job.note = phrase("Fetching again — the file did not match its checksum")
            self._queue.appendleft(job)
            self._cond.notify()

    def _fail(self, job: DownloadJob, message: str, exc: BaseException) -> None:
        """(Locked) The job fails: its other parts stop at their next read."""
        self._stop_work(job)
        self._finish(job, JobState.FAILED, message)
        self._settle(job)
        log.info("download of s3://%s/%s failed: %r", job.item.bucket, job.item.key, exc)

    # ----------------------------------------------------------------- bookkeeping (locked)

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

    def _discard_temp(self, job: DownloadJob) -> None:
        """Remove the temporary file once no unit writes to it any more."""
        if job.temp and not job.workers:
            remove(job.temp)
            job.temp = ""
            job.done_parts.clear()
            job.pending.clear()
            reset_hash(job)


_MAX_RESTARTS = 2
_KEEP_BOTH = ConflictPolicy.RENAME
_CHANGED = phrase(
    "The object changed in the bucket while it was being downloaded; retry to fetch the new version"
)
_LOCAL_EXISTS = phrase("A local file with this name exists")


def _stale(unit: Unit) -> Callable[[], bool]:
    """Whether the unit's job was paused, cancelled or failed since it was handed out."""
    return lambda: unit.generation != unit.job.generation


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


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
