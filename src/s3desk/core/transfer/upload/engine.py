"""The upload engine: a pool of worker threads sharing one connection budget.

Work is cut into units — one PutObject, one CreateMultipartUpload, one UploadPart, one
CompleteMultipartUpload, one abort — and every worker takes the next unit from one
scheduler, so a big file's parts and many small files share the same ``concurrency``
connections. Parts of a multipart upload that has started go first, so started uploads
finish before new ones begin. The requests themselves are a backend's (``upload_backends``):
S3 with the account's credentials, or an organisation's upload service.

The scheduler (``scheduler.py``) is the download engine's too: jobs and their generations
(cooperative cancel), pause, resume, cancel, retry, the wait for new credentials, and
``drain()``, which callers poll (the GUI on a timer, the CLI in a loop) for the jobs that
changed and the totals. What is only the upload's is here: the journal, conflict questions,
multipart uploads and their aborts, and the hooks of ``direction.py``. What a taken key
means is decided in ``taken_names.py``, what a refused listing or completion of a multipart
upload means in ``multipart.py``; the engine applies their decisions. Its journal writes go
through ``journal_keeper.py``.
"""

from __future__ import annotations

import dataclasses
import heapq
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from s3desk.core.compliance import content_types
from s3desk.core.compliance.audit import AuditLog
from s3desk.core.config.engine_config import (
    ConflictPolicy,
    EngineConfig,
    pool_size,
)
from s3desk.core.phrases import phrase
from s3desk.core.storage import checksums
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.errors import (
    SourceChanged,
    describe_error,
    has_code,
    is_transient,
    refuses_for_good,
    rejects_flexible_checksums,
)
from s3desk.core.storage.keys import InvalidKey, check_key, join_key
from s3desk.core.transfer.audit_writer import AuditWriter
from s3desk.core.transfer.body import UploadCancelled, register_engine_handlers
from s3desk.core.transfer.jobs import (
    Destination,
    JobState,
    JobView,
    UploadJob,
)
from s3desk.core.transfer.scheduler import TransferScheduler
from s3desk.core.transfer.senders import Senders
from s3desk.core.transfer.upload.backends import Sending, Start, backend_for
from s3desk.core.transfer.upload.intake import Item, UploadIntake, audit_starts
from s3desk.core.transfer.upload.journal import (
    Journal,
    JournalPart,
    job_from_record,
    options_json,
)
from s3desk.core.transfer.upload.journal_keeper import JournalKeeper
from s3desk.core.transfer.upload.multipart import MAX_COMPLETE_ROUNDS, MultipartChecks, Next
from s3desk.core.transfer.upload.recovery import UploadRecovery
from s3desk.core.transfer.upload.scan import FoundFile
from s3desk.core.transfer.upload.taken_names import (
    ALREADY_THERE,
    EXISTS,
    SENT_BEFORE,
    TakenNames,
    Verdict,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = logging.getLogger(__name__)

_PUT, _START, _PART, _COMPLETE = "put", "start", "part", "complete"
_ABORT, _VERIFY, _CHECK = "abort", "verify", "check"


class _Unit(NamedTuple):
    kind: str
    job: UploadJob
    number: int = 0  # part number, for _PART
    generation: int = 0
    attempt: int = 1


_UNFINISHED = (JobState.QUEUED, JobState.UPLOADING, JobState.RETRYING, JobState.PAUSED)


class UploadEngine(TransferScheduler[UploadJob, _Unit]):
    """The upload direction on the shared scheduler.

    Longer than most classes here (about 840 lines, many of them docstrings): every unit of
    an upload (check, PUT, start, part, completion, abort) ends in a change to the
    scheduler's state under its one lock (the queue, the parts handed out, the urgent
    units, the byte totals), interleaved with its requests, so the flow stays with that
    state. What stands apart with a narrow interface does: submission (``intake.py``), an
    earlier run's entries (``recovery.py``), the requests (``backends/``), taken names
    (``taken_names.py``), a multipart upload's refusals (``multipart.py``) and the journal
    writes (``journal_keeper.py``)."""

    direction = "upload"
    working = JobState.UPLOADING
    survives_restart = True  # unfinished uploads stay in the journal

    def __init__(
        self,
        endpoint: S3Endpoint,
        config: EngineConfig | None = None,
        *,
        journal: Journal | None = None,
        audit: AuditLog | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(endpoint, config, clock)
        self.journal = journal
        # Its writes: a failure is a warning; finished jobs leave it in batches.
        self._journal = JournalKeeper(journal, self.warn, self._cond)
        self._senders = Senders(
            endpoint, max_connections=pool_size(self.config.concurrency),
            connect_timeout=self.config.connect_timeout, read_timeout=self.config.read_timeout,
            hooks=self.request_hooks, sign_payload=False, prepare_client=register_engine_handlers,
        )  # fmt: skip
        # How requests reach the storage: S3 itself, or an organisation's upload service.
        self._backend = backend_for(
            endpoint, self.config, senders=self._senders, hooks=self.request_hooks, clock=clock
        )
        # Every upload's start, completion (size, checksum) and failure (reason), if given.
        # Copies in a bucket need S3 credentials (an upload service account has none).
        copies = self.config.audit_bucket and self._backend.can_copy_audit
        copy_to = self._copy_audit if copies else None
        self.audit = AuditWriter(audit, copy_to) if audit is not None else None
        # How drops become jobs, and what an earlier run left (upload_intake/_recovery.py).
        self._intake = UploadIntake(
            self.config,
            local_rules=self._backend.local_rules,
            chooses_keys=self._backend.chooses_keys,
        )
        self._recovery = UploadRecovery(journal, endpoint.identity, self.warn)
        # What a taken key means (conflict policy, or a file an earlier run sent).
        self._taken = TakenNames(
            self._backend, part_size=lambda: self.config.part_size, crc32=lambda: self._crc32
        )
        # What a refused listing or completion of a multipart upload means.
        self._multipart_checks = MultipartChecks(
            self._backend, self._taken, part_size=lambda: self.config.part_size
        )
        # Jobs whose earlier run may have died between CreateMultipartUpload and noting
        # its id: their key's empty uploads are that run's, to abort before starting.
        self._sweep: set[int] = set()
        # Jobs an earlier run queued and did not note done: it may have sent them all the
        # same, so an object under the key may be theirs (checked before renaming/skipping).
        self._again: set[int] = set()
        self._urgent: deque[_Unit] = deque()  # aborts, served before anything else
        self._scans_running = 0
        self._starting = 0  # CreateMultipartUpload calls in flight
        self._aborts_pending = 0
        self._flushing = 0

    # ----------------------------------------------------------------- submitting work

    def submit_paths(
        self,
        paths: Iterable[str | os.PathLike[str]],
        dest: Destination,
        conflict: ConflictPolicy | None = None,
        content_type: str = "",
    ) -> None:
        """Queue every file below ``paths`` for ``dest``; folders are walked on a background
        thread so a drop of 100,000 files returns at once. ``content_type`` stores them all
        with that type instead of the detected one."""
        paths = [os.fspath(p) for p in paths]
        if content_type:
            content_type = content_types.check(content_type)
        with self._cond:
            self._check_open()
            self._scans_running += 1
        threading.Thread(
            target=self._scan_into_queue,
            args=(paths, dest, conflict or self.config.conflict, content_type),
            name="s3desk-scan",
            daemon=True,
        ).start()

    def submit_file(
        self,
        path: str | os.PathLike[str],
        bucket: str,
        key: str,
        conflict: ConflictPolicy | None = None,
    ) -> int:
        """Queue one file under an exact key; returns the job id."""
        item = self._intake.one(path, bucket, key)
        return self._add_items([item], conflict or self.config.conflict)[0]

    def _scan_into_queue(
        self, paths: list[str], dest: Destination, conflict: ConflictPolicy, content_type: str
    ) -> None:
        try:
            for batch in self._intake.batches(paths, dest):
                self._add_items(batch, conflict, content_type)
        finally:
            with self._cond:
                self._scans_running -= 1
                self._note_if_idle()

    def _add_items(
        self, items: list[Item], conflict: ConflictPolicy, content_type: str = ""
    ) -> list[int]:
        fresh: list[Item] = []
        stale_records: list[int] = []
        again: set[str] = set()  # queued by an earlier run that did not finish them
        found, jobs = self._recovery.match(items)
        for item, bucket, key, record in found:
            if record is not None and record.upload_id and isinstance(item, FoundFile):
                job = job_from_record(record)  # goes on from the parts already sent
                job.state = JobState.QUEUED
                jobs.append(job)
                continue
            if record is not None:
                stale_records.append(record.id)
                again.add(item.path)
            fresh.append((item, bucket, key))
        ids = iter(self._recovery.allocate_ids(len(fresh)))
        for item, bucket, key in fresh:
            job = self._intake.new_job(next(ids), item, bucket, key, conflict, content_type)
            if item.path in again and job.size >= self.config.multipart_threshold:
                self._sweep.add(job.id)
            jobs.append(job)
        self._again.update(j.id for j in jobs if j.source in again)
        if stale_records:
            self._journal.call("remove", stale_records)
        # Recorded before anyone can start (and finish) them, so no finished job is left over.
        queued = [j for j in jobs if j.state is JobState.QUEUED and not j.upload_id]
        self._journal.add(self.endpoint.identity, queued)
        audit_starts(self.audit, self.endpoint.label, self._recovery.not_held(jobs))
        with self._cond:
            if self._closed:
                return [j.id for j in jobs]
            for job in jobs:
                self._jobs[job.id] = job
                self._counts[job.state] += 1
                self._dirty[job.id] = job
                if job.state is JobState.QUEUED:
                    self._bytes_total += job.size
                    self._bytes_done += job.bytes_done
                    self._queue.append(job)
            self._ensure_workers()
            self._cond.notify_all()
        return [j.id for j in jobs]

    def _copy_audit(self, name: str, data: bytes) -> None:
        key = join_key(self.config.audit_prefix, name)
        self.client.put_object(
            Bucket=self.config.audit_bucket, Key=key, Body=data,
            ContentType="application/json", **self.config.options.boto_fields(),
        )  # fmt: skip

    def load_resumable(self) -> int:
        """Let submissions of the same file to the same key go on from an earlier run's
        multipart upload (as ``s3desk upload`` does when run again after a crash)."""
        return self._recovery.load_resumable()

    def restore(self) -> int:
        """Queue every upload an earlier run left unfinished (crash, kill, quit); returns how
        many. Multipart uploads go on from the parts the server confirms it has."""
        saved = self._recovery.unfinished()
        claim = self._recovery.claim(saved)
        with self._cond:
            for record in saved:
                held = claim.held.get(record.id)
                if held is not None:
                    job = self._recovery.held_job(record, held)
                    self._jobs[job.id] = job
                    self._counts[job.state] += 1
                    self._dirty[job.id] = job
                    continue
                if record.id not in claim.records:
                    continue  # finished by its holder meanwhile
                job = job_from_record(claim.records[record.id])
                if job.upload_id is None:
                    self._again.add(job.id)
                self._jobs[job.id] = job
                self._counts[job.state] += 1
                self._dirty[job.id] = job
                self._bytes_total += job.size
                self._bytes_done += job.bytes_done
                if job.state is JobState.QUEUED:
                    self._queue.append(job)
            self._ensure_workers()
            self._cond.notify_all()
        return len(saved)

    def _retry_held(self, job_id: int) -> bool:
        """Retry a file another process had: go on from its parts if that process stopped,
        upload it anew (as the if-exists setting says) if it finished, wait if it runs."""
        claim = self._recovery.claim_held(job_id)
        if claim is None:
            return False
        with self._cond:
            job = self._jobs[job_id]
            if job_id in claim.held:
                job.error = claim.held[job_id].describe()
                self._dirty[job_id] = job
                return False
            record = claim.records.get(job_id)
            if record is None or not record.upload_id:
                # Sent anew from here: as this engine treats a taken name (the window asks).
                self._intake.retry_conflict(job)
                job.key_checked = False
            else:
                resumed = job_from_record(record)
                job.upload_id, job.part_size = resumed.upload_id, resumed.part_size
                job.part_count, job.done_parts = resumed.part_count, resumed.done_parts
                job.bytes_done, job.verify_parts = resumed.bytes_done, True
                job.error = job.note = ""
                job.generation += 1
                self._set_state(job, JobState.QUEUED)
                self._bytes_total += job.size
                self._bytes_done += job.bytes_done
                self._queue.append(job)
                self._ensure_workers()
                self._cond.notify_all()
        if record is None or not record.upload_id:
            return self.retry(job_id)
        self._journal.call("set_state", job_id, "queued")
        return True

    # ----------------------------------------------------------------- controlling jobs

    def retry(self, job_id: int) -> bool:
        """Queue a failed or cancelled job again: from the start, or from the parts the
        server has where its multipart upload was kept. False if it cannot be."""
        with self._cond:
            self._check_open()
            held = self._recovery.is_held(job_id)
        if held:
            return self._retry_held(job_id)
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None or job.state not in (JobState.FAILED, JobState.CANCELLED):
                return False
            if job.upload_id is not None and job.keep_upload and job.state is JobState.FAILED:
                self._resume_kept(job)
                return True
            if job.upload_id is not None:  # its abort is still on the way
                return False
            try:
                check_key(job.key)
                st = os.stat(job.source)
            except (InvalidKey, OSError) as exc:
                job.error = describe_error(exc) if isinstance(exc, OSError) else str(exc)
                self._dirty[job.id] = job
                return False
            job.generation += 1
            self._journal.keep(job.id)  # it is back in the journal below
            self._set_state(job, JobState.QUEUED)
            self._bytes_total += st.st_size  # failed jobs left the totals in _finish
            job.size, job.mtime_ns = st.st_size, st.st_mtime_ns
            job.error, job.note, job.bytes_done = "", "", 0
            job.pending = job.in_flight = job.done_parts = None
            job.part_count, job.abort_scheduled = 0, False
        self._journal.add(self.endpoint.identity, [job])
        with self._cond:
            self._enqueue(job)
        return True

    def _resume_kept(self, job: UploadJob) -> None:
        """Go on with a failed job's kept multipart upload (still in the journal) from the
        parts the server confirms; a file changed since fails there, and is aborted."""
        job.generation += 1
        job.keep_upload, job.verify_parts, job.complete_rounds = False, True, 0
        job.error, job.note, job.bytes_done, job.pending = "", "", 0, None
        self._set_state(job, JobState.QUEUED)
        self._bytes_total += job.size  # failed jobs left the totals in _finish
        self._enqueue(job)

    def resolve_conflict(self, job_id: int, choice: ConflictPolicy) -> bool:
        """The user's answer for a job whose key exists: overwrite, skip or keep both."""
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None or job.state is not JobState.CONFLICT or choice is ConflictPolicy.ASK:
                return False
            job.conflict = choice
            if choice is ConflictPolicy.SKIP:
                self._finish(job, JobState.SKIPPED, ALREADY_THERE)
            else:
                job.key_checked = choice is ConflictPolicy.OVERWRITE
                self._set_state(job, JobState.QUEUED)
                self._enqueue(job)
        if choice is ConflictPolicy.SKIP:
            self._journal.forget(job_id)
        return True

    def resolve_conflicts(self, choice: ConflictPolicy, job_ids: Iterable[int] = ()) -> int:
        """Answer for the given jobs, or for every job that asks when none are given."""
        ids = list(job_ids) or self._ids_in((JobState.CONFLICT,))
        return sum(self.resolve_conflict(i, choice) for i in ids)

    def set_content_type(self, job_ids: Iterable[int], content_type: str) -> int:
        """Store these uploads with ``content_type``; returns how many changed. Uploads
        being sent, finished or with a multipart upload started keep theirs (the window
        offers the change only where it can be made)."""
        content_type = content_types.check(content_type)
        changed: list[UploadJob] = []
        with self._cond:
            for job_id in job_ids:
                job = self._jobs.get(job_id)
                if job is not None and _type_editable(job) and job.content_type != content_type:
                    job.content_type = content_type
                    self._dirty[job.id] = job
                    changed.append(job)
        for job in changed:
            self._journal.call("set_options", job.id, options_json(job))
        return len(changed)

    def reconfigure(
        self,
        *,
        concurrency: int | None = None,
        part_size: int | None = None,
        conflict: ConflictPolicy | None = None,
    ) -> None:
        """Settings changed while running: more workers start at once, surplus ones stop
        after their current request; a new part size applies to multipart uploads not yet
        started, a new conflict policy to files queued from now on."""
        self._reconfigure(concurrency=concurrency, part_size=part_size, conflict=conflict)

    # ----------------------------------------------------------------- scheduler hooks

    def _describe(self, job: UploadJob, speed: float, eta: float | None) -> JobView:
        return JobView(
            job.id, job.source, job.bucket, job.key, job.size, job.bytes_done,
            job.state, job.error, job.note, speed, eta,
            content_type=job.content_type, content_type_editable=_type_editable(job),
        )  # fmt: skip

    def _busy_elsewhere(self) -> bool:
        """Scans still queueing files, aborts and journal clean-ups under way."""
        return bool(self._scans_running or self._aborts_pending or self._flushing)

    def _record_state(self, job_id: int, state: str) -> None:
        self._journal.call("set_state", job_id, state)

    def _closing(self) -> None:
        """Shutting down without cancelling (quitting): the uploads cut off on their way
        are interrupted, not cancelled. Each gets an audit entry saying so; with a journal
        they go on at the next start. Uploads that had not started stay queued (their
        "queued" entry still says what they are), paused ones stay paused; files another
        process uploads are its own."""
        if self.audit is None:
            return
        resumes = self.journal is not None
        for job in self._jobs.values():
            started = job.state.active or job.bytes_done > 0 or job.upload_id is not None
            if job.state.finished or job.state is JobState.PAUSED or not started:
                continue
            if self._recovery.is_held(job.id):
                continue
            self.audit.put(
                "upload", account=self.endpoint.label, bucket=job.bucket, key=job.key,
                size=job.size, path=job.source, result="interrupted", resumes=resumes,
                note=_RESUMES_NOTE if resumes else _LOST_NOTE,
                renamed_from=job.requested_key or None,
            )  # fmt: skip

    def _release(self) -> None:
        self._flush_forgotten(counted=False)
        # What is left unfinished is another engine's to take up, even in this process.
        self._journal.call("release_claims")
        self._senders.close()
        self._backend.close()

    # ----------------------------------------------------------------- scheduling

    @property
    def _crc32(self) -> bool:
        return self.endpoint.checksum_mode == checksums.CRC32

    @property
    def client(self) -> S3Client:
        """The botocore client, made on first use: small files may never need one."""
        client: S3Client = self._senders.client
        return client

    def _reconnect(self) -> None:
        """New credentials or settings: the next request connects afresh."""
        self._senders.reset(self.endpoint)
        self._backend.reset(self.endpoint)

    def _pick_unit(self) -> _Unit | None:
        if self._urgent:
            return self._urgent.popleft()
        return super()._pick_unit()

    def _revive(self, unit: _Unit) -> bool:
        if unit.kind == _ABORT:
            return True
        if not super()._revive(unit):
            return False
        if unit.kind == _START:
            self._starting += 1
        return True

    def _part_unit(self, job: UploadJob, number: int) -> _Unit:
        return _Unit(_PART, job, number, job.generation)

    def _start_next(self) -> _Unit | None:
        while self._queue:
            job = self._queue[0]
            if job.state is not JobState.QUEUED:  # paused or cancelled while waiting
                self._queue.popleft()
                continue
            if job.upload_id is not None:  # resumed: its multipart upload exists already
                self._queue.popleft()
                self._start_active(job)
                if job.verify_parts:
                    return _Unit(_VERIFY, job, 0, job.generation)
                self._plan_parts(job)
                if not job.pending and not job.in_flight:
                    return _Unit(_COMPLETE, job, 0, job.generation)
                self._multipart.append(job)
                self._cond.notify_all()  # its parts are work for every worker
                return self._pick_unit()
            if job.conflict is not ConflictPolicy.OVERWRITE and not job.key_checked:
                self._queue.popleft()
                self._start_active(job)
                return _Unit(_CHECK, job, 0, job.generation)
            big = job.size >= self.config.multipart_threshold
            if big and self._starting:
                # Another big file is being started and will soon have parts for every
                # worker: wait for those instead of starting yet another file.
                return None
            self._queue.popleft()
            self._start_active(job)
            if big:
                self._starting += 1
                return _Unit(_START, job, 0, job.generation)
            return _Unit(_PUT, job, 0, job.generation)
        return None

    def _carry_out(self, unit: _Unit) -> None:
        handlers: dict[str, Callable[[_Unit], None]] = {
            _CHECK: self._check_key,
            _PUT: self._put_object,
            _START: self._start_multipart,
            _VERIFY: self._verify_parts,
            _PART: self._upload_part,
            _COMPLETE: self._complete_multipart,
            _ABORT: self._abort_multipart,
        }
        handlers[unit.kind](unit)

    def _unit_done(self, unit: _Unit) -> bool:
        # A full batch, or the last worker out once no file waits to start, cleans finished
        # jobs out of the journal (not after every file while one worker works through the
        # queue alone); _flushing keeps wait() from returning before that is done.
        waiting = self._journal.to_forget()
        last_out = self._busy_units == 0 and not self._counts[JobState.QUEUED]
        flush = bool(waiting) and (last_out or waiting >= 256)
        if flush:
            self._flushing += 1
        return flush

    def _tidy(self) -> None:
        self._flush_forgotten()

    def _flush_forgotten(self, counted: bool = True) -> None:
        try:
            self._journal.flush()
        finally:
            if counted:
                with self._cond:
                    self._flushing -= 1
                    self._note_if_idle()

    # ----------------------------------------------------------------- storage work

    def _sending(self, unit: _Unit) -> Sending:
        """A unit's body stops once its job moved on, counts its bytes to the job, and keeps
        to the bandwidth limit."""
        job = unit.job
        return Sending(_stale(job, unit), lambda n: self._add_progress(job, n), self.limiter)

    def _due_next(self, job: UploadJob) -> Callable[[int], list[int]]:
        """The job's next parts to send, for a backend that prepares their requests ahead."""

        def due_next(n: int) -> list[int]:
            with self._cond:
                return heapq.nsmallest(n, job.pending or [])

        return due_next

    def _check_key(self, unit: _Unit) -> None:
        """Before uploading under a policy other than overwrite: is the key taken?"""
        job = unit.job
        try:
            decision = self._taken.check(job, sent_earlier=job.id in self._again)
        except Exception as exc:
            self._failed_attempt(unit, exc)
            return
        if decision.key != job.key:
            self._journal.call("set_key", job.id, decision.key)
        with self._cond:
            if unit.generation != job.generation or not job.state.active:
                return
            self._again.discard(job.id)
            if decision.verdict is Verdict.SENT_BEFORE:
                job.etag, job.checksum = decision.etag, decision.checksum
                self._finish(job, JobState.DONE, "", note=SENT_BEFORE)
            elif decision.verdict is Verdict.FREE:
                self._rename(job, job.bucket, decision.key)
                job.key_checked = True
                self._set_state(job, JobState.QUEUED)
                self._queue.appendleft(job)
                self._cond.notify()
            elif decision.verdict is Verdict.SKIP:
                self._finish(job, JobState.SKIPPED, ALREADY_THERE)
            else:
                self._ask(job)
        if decision.verdict in (Verdict.SENT_BEFORE, Verdict.SKIP):
            self._journal.forget(job.id)

    def _put_object(self, unit: _Unit) -> None:
        self._begin(unit)

    def _start_multipart(self, unit: _Unit) -> None:
        self._begin(unit)

    def _begin(self, unit: _Unit) -> None:
        """A _PUT or _START unit: the backend starts the file as asked (an upload service as
        it decides), then it goes in one request, or its parts are planned."""
        job = unit.job
        starting = unit.kind == _START
        sweep = starting and job.id in self._sweep
        if sweep:
            self._sweep.discard(job.id)  # once: a retry finds the id noted, or none sent
        try:
            start = self._backend.begin(
                job, multipart=starting, part_size=self.config.part_size, sweep=sweep
            )
        except Exception as exc:
            if starting:
                self._started()
            self._failed_attempt(unit, exc)
            return
        if start.key != job.key:
            self._journal.call("set_key", job.id, start.key)
        if (start.bucket, start.key) != (job.bucket, job.key):
            with self._cond:
                self._rename(job, start.bucket, start.key)
                self._dirty[job.id] = job
        if start.upload_id is None:
            if starting:
                self._started()
            self._put_whole(unit, start)
            return
        # Durable before any part goes out: an upload id lost in a crash would be orphaned.
        self._journal.call("set_multipart", job.id, start.upload_id, start.part_size)
        with self._cond:
            if starting:
                self._starting -= 1
            job.upload_id, job.part_size = start.upload_id, start.part_size
            job.part_count = start.part_count
            job.done_parts = {}
            self._plan_parts(job)
            if unit.generation == job.generation and job.state.active:
                self._multipart.append(job)
            else:
                self._abort_if_quiet(job)  # cancelled while starting; paused keeps its id
            self._cond.notify_all()

    def _started(self) -> None:
        with self._cond:
            self._starting -= 1
            self._cond.notify_all()

    def _put_whole(self, unit: _Unit, start: Start) -> None:
        job = unit.job
        try:
            stored = self._backend.put(job, start, self._sending(unit))
        except Exception as exc:
            if self._backend.chooses_keys and has_code(exc, "PreconditionFailed"):
                # The name was taken between the backend's choice and our write: start again,
                # and the next free name is chosen.
                with self._cond:
                    if unit.generation == job.generation and job.state.active:
                        self._delay(unit._replace(attempt=unit.attempt + 1), 0.0)
                return
            self._failed_attempt(unit, exc)
            return
        with self._cond:
            job.etag, job.checksum = stored.etag, stored.checksum
            self._completed(job)
        self._journal.forget(job.id)

    def _verify_parts(self, unit: _Unit) -> None:
        """After a restart, or a completion refused over its parts: keep the parts the
        server confirms (``MultipartChecks.confirmed_parts``), send the rest."""
        job = unit.job
        try:
            confirmed = self._multipart_checks.confirmed_parts(job)
        except Exception as exc:
            step = self._multipart_checks.after_listing(job, exc)
            if step is Next.DONE:
                self._completed_multipart(job)
            elif step is Next.RESTART:
                self._restart_multipart(job)
            elif step is Next.FAIL:
                self._fail_now(job, exc)
            else:
                self._failed_attempt(unit, exc)
            return
        with self._cond:
            if unit.generation != job.generation or not job.state.active:
                return
            job.verify_parts = False
            job.done_parts = confirmed
            done_bytes = sum(p.size for p in confirmed.values())
            self._bytes_done += done_bytes - job.bytes_done
            job.bytes_done = done_bytes
            self._dirty[job.id] = job
            self._plan_parts(job)
            if not job.pending:
                self._urgent.append(_Unit(_COMPLETE, job, 0, job.generation))
            else:
                self._multipart.append(job)
            self._cond.notify_all()

    def _fail_now(self, job: UploadJob, exc: BaseException) -> None:
        """The file changed or cannot be read: the job fails, its multipart upload goes."""
        with self._cond:
            self._finish(job, JobState.FAILED, describe_error(exc, job.bucket, job.key))
            self._abort_if_quiet(job)

    def _completed_multipart(self, job: UploadJob) -> None:
        with self._cond:
            job.upload_id, job.done_parts, job.pending, job.in_flight = None, None, None, None
            job.verify_parts = False
            self._completed(job)
        self._journal.forget(job.id)

    def _restart_multipart(self, job: UploadJob) -> None:
        """The server no longer knows the upload (expired or aborted): start it afresh."""
        self._journal.call("set_multipart", job.id, None, 0)
        with self._cond:
            self._bytes_done -= job.bytes_done
            job.bytes_done = 0
            job.upload_id, job.done_parts, job.pending, job.in_flight = None, None, None, None
            job.verify_parts = False
            if job.state.active:
                self._set_state(job, JobState.QUEUED)
                self._queue.appendleft(job)
            self._cond.notify_all()

    def _upload_part(self, unit: _Unit) -> None:
        job, number = unit.job, unit.number
        try:
            result = self._backend.send_part(job, number, self._sending(unit), self._due_next(job))
        except Exception as exc:
            with self._cond:
                assert job.in_flight is not None
                job.in_flight.discard(number)
            self._failed_attempt(unit, exc)
            return
        # A part that reached the server counts even if the job was paused meanwhile.
        self._journal.call("add_part", job.id, JournalPart(number, result.etag, result.checksum))
        with self._cond:
            assert job.in_flight is not None and job.done_parts is not None
            job.in_flight.discard(number)
            if job.state in (JobState.CANCELLED, JobState.FAILED):
                self._abort_if_quiet(job)
                return
            job.done_parts[number] = result
            if job.state.active and len(job.done_parts) == job.part_count and not job.in_flight:
                self._urgent.append(_Unit(_COMPLETE, job, 0, job.generation))
                self._cond.notify()

    def _complete_multipart(self, unit: _Unit) -> None:
        job = unit.job
        try:
            stored = self._backend.complete(job)
            job.etag, job.checksum = stored.etag, stored.checksum
        except Exception as exc:
            step = self._multipart_checks.after_completing(job, exc, unit.attempt)
            if step is Next.FAIL:
                self._fail_now(job, exc)
                return
            if step is Next.CHECK_PARTS:
                self._check_parts_again(unit, exc)
                return
            if step is not Next.DONE:
                self._failed_attempt(unit, exc)
                return
        self._completed_multipart(job)

    def _check_parts_again(self, unit: _Unit, exc: BaseException) -> None:
        """The completion was refused over its parts (or the upload is gone): list them
        again after a pause, send again those in doubt, then complete again. Services
        that drop an upload they refuse (rclone) make that a fresh start."""
        job = unit.job
        with self._cond:
            stale = unit.generation != job.generation or not job.state.active
        if stale:  # paused or cancelled meanwhile: that decides
            self._failed_attempt(unit, exc)
            return
        with self._cond:
            job.complete_rounds += 1
            log.info(
                "completing s3://%s/%s was refused (%r); checking its parts again (%d/%d)",
                job.bucket, job.key, exc, job.complete_rounds, MAX_COMPLETE_ROUNDS,
            )  # fmt: skip
            self._delay(_Unit(_VERIFY, job, 0, job.generation), self._backoff(unit))

    def _abort_multipart(self, unit: _Unit) -> None:
        job = unit.job
        try:
            self._backend.abort(job)
        except Exception as exc:
            if is_transient(exc) and unit.attempt < self.config.max_attempts:
                with self._cond:
                    self._delay(unit._replace(attempt=unit.attempt + 1), self._backoff(unit))
                return
            if not has_code(exc, "NoSuchUpload"):
                with self._cond:
                    note = f"the partial upload could not be removed: {describe_error(exc)}"
                    job.error = f"{job.error}; {note}" if job.error else note.capitalize()
                    self._dirty[job.id] = job
        with self._cond:
            job.upload_id, job.done_parts, job.pending, job.in_flight = None, None, None, None
            job.abort_scheduled = False
            self._aborts_pending -= 1
            self._dirty[job.id] = job
            self._note_if_idle()
        self._journal.forget(job.id)

    # ----------------------------------------------------------------- failures

    def _special_failure(self, unit: _Unit, exc: BaseException) -> bool:
        if isinstance(exc, UploadCancelled):
            return True
        if has_code(exc, "PreconditionFailed") and self._lost_race(unit):
            return True
        if rejects_flexible_checksums(exc) and unit.attempt < self.config.max_attempts:
            if self._crc32:  # several requests may be refused before the switch
                self._switch_to_md5()
            self._delay(unit._replace(attempt=unit.attempt + 1), 0.0)
            return True
        return False

    def _give_up(self, job: UploadJob, exc: BaseException) -> None:
        """The job fails. Its multipart upload is aborted only if the destination refused
        for good (or the file is no longer the one queued); otherwise what was sent stays,
        on the server and in the journal, for the next upload of the file to go on from."""
        error = describe_error(exc, job.bucket, job.key)
        source_gone = isinstance(exc, SourceChanged | OSError)  # changed, moved, unreadable
        if job.upload_id is not None and not source_gone and not refuses_for_good(exc):
            job.keep_upload = True
            error = phrase(
                "{error}; what was sent is kept and the next upload of this file resumes it",
                error=error,
            )
        self._finish(job, JobState.FAILED, error)
        log.info("upload of %s to s3://%s/%s failed: %r", job.source, job.bucket, job.key, exc)
        self._abort_if_quiet(job)
        if job.upload_id is None:
            self._journal.forget(job.id)

    def _switch_to_md5(self) -> None:
        """Compatibility mode for this endpoint: Content-MD5 instead of flexible checksums."""
        self.endpoint = dataclasses.replace(self.endpoint, checksum_mode=checksums.MD5)
        self._reconnect()  # the next request builds a client without those headers
        self._warning = phrase(
            "This storage service rejects S3's newer checksum headers; s3desk switched to "
            "Content-MD5 checks for it (set this in the account to skip the first refusal)"
        )

    def _lost_race(self, unit: _Unit) -> bool:
        """Someone wrote the key between our check and our write (If-None-Match held)."""
        job = unit.job
        verdict = TakenNames.after_lost_race(job.conflict, whole=unit.kind == _PUT)
        if verdict is Verdict.RENAME_AGAIN:
            job.key_checked = False  # look for the next free name
            job.base_key = job.base_key or job.key
            job.lost_races += 1
            self._set_state(job, JobState.QUEUED)
            self._queue.appendleft(job)
            self._cond.notify()
            return True
        if verdict is Verdict.SKIP:
            self._finish(job, JobState.SKIPPED, ALREADY_THERE)
            self._abort_if_quiet(job)
            return True
        if verdict is Verdict.ASK:
            self._ask(job)
            return True
        return False

    def _ask(self, job: UploadJob) -> None:
        """The key is taken: the job waits for the user's choice."""
        self._meters.pop(job.id, None)
        self._set_state(job, JobState.CONFLICT)
        job.note = EXISTS

    def _starts_job(self, unit: _Unit) -> bool:
        return unit.kind in (_PUT, _START)

    def _settle(self, job: UploadJob) -> None:
        self._abort_if_quiet(job)

    # ----------------------------------------------------------------- bookkeeping (locked)

    def _plan_parts(self, job: UploadJob) -> None:
        """Every part not yet on the server and not on its way goes on the to-send heap."""
        done = job.done_parts or {}
        job.in_flight = job.in_flight or set()
        job.pending = [
            n for n in range(1, job.part_count + 1) if n not in done and n not in job.in_flight
        ]
        heapq.heapify(job.pending)

    def _abort_if_quiet(self, job: UploadJob) -> None:
        """Once a failed or cancelled multipart job has no part in flight, abort it."""
        if (
            job.upload_id
            and job.state in (JobState.FAILED, JobState.CANCELLED)
            and not (job.keep_upload and job.state is JobState.FAILED)
            and not job.in_flight
            and not job.abort_scheduled
        ):
            job.abort_scheduled = True
            self._aborts_pending += 1
            self._urgent.append(_Unit(_ABORT, job, 0, job.generation))
            self._cond.notify()

    def _completed(self, job: UploadJob) -> None:
        """The object is stored. A job the user cancelled meanwhile stays cancelled."""
        if not job.state.finished:
            self._finish(job, JobState.DONE, "")

    def _rename(self, job: UploadJob, bucket: str, key: str) -> None:
        """(Locked) The object is to be stored under ``key`` in ``bucket``: the audit log
        says so when that is not the key asked for, so the History can show the key stored
        for every entry of the upload."""
        if (bucket, key) == (job.bucket, job.key):
            return
        job.requested_key = job.requested_key or job.key
        job.bucket, job.key = bucket, key
        if self.audit is not None:
            self.audit.put(
                "upload-renamed", account=self.endpoint.label, bucket=bucket, key=key,
                renamed_from=job.requested_key, size=job.size, path=job.source, result="ok",
            )  # fmt: skip

    def _record_finish(self, job: UploadJob, state: JobState, error: str, note: str) -> None:
        if self.audit is not None and state is not JobState.SKIPPED:
            self.audit.put(
                "upload", account=self.endpoint.label, bucket=job.bucket, key=job.key,
                size=job.size, etag=job.etag or None, checksum=job.checksum or None,
                path=job.source, result=_AUDIT_RESULTS[state], error=error or None,
                note=note or None, renamed_from=job.requested_key or None,
            )  # fmt: skip
        if state is JobState.CANCELLED and job.upload_id is None:
            # A multipart job leaves the journal once its abort is done.
            self._journal.forget(job.id)


# The audit log's words for an upload stopped by quitting (the History shows its own).
_RESUMES_NOTE = "Stopped when s3desk quit; it goes on at the next start"
_LOST_NOTE = "Stopped when s3desk quit; it does not go on (no journal keeps it)"

_AUDIT_RESULTS = {
    JobState.DONE: "ok", JobState.FAILED: "failed", JobState.CANCELLED: "cancelled",
}  # fmt: skip


def _type_editable(job: UploadJob) -> bool:
    """Not being sent, not stored yet, and no multipart upload started (its type was fixed
    when it was created)."""
    return bool(job.content_type) and job.state in _TYPE_EDITABLE and job.upload_id is None


_TYPE_EDITABLE = frozenset(
    {JobState.QUEUED, JobState.PAUSED, JobState.CONFLICT, JobState.FAILED, JobState.CANCELLED}
)


def _stale(job: UploadJob, unit: _Unit) -> Callable[[], bool]:
    return lambda: job.generation != unit.generation
