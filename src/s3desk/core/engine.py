"""The upload engine: a pool of worker threads sharing one connection budget.

Work is cut into units — one PutObject, one CreateMultipartUpload, one UploadPart, one
abort — and every worker takes the next unit from one scheduler, so a big file's parts and
many small files share the same ``concurrency`` connections. Parts of a multipart upload
that has started go first, so started uploads finish before new ones begin.

Nothing here talks to a UI. Callers poll ``drain()`` (the GUI on a timer, the CLI in a
loop) and get the jobs that changed since the last call plus the totals: progress is
coalesced here, never one event per chunk.
"""

from __future__ import annotations

import itertools
import mimetypes
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from s3desk.core.body import ProgressBody, UploadCancelled, register_progress_handlers
from s3desk.core.errors import SourceChanged, describe_error
from s3desk.core.jobs import Destination, JobState, JobView, Totals, UploadJob
from s3desk.core.keys import InvalidKey, check_key, join_key
from s3desk.core.parts import MiB, choose_part_size, part_count
from s3desk.core.rate import RateMeter
from s3desk.core.s3 import S3Endpoint, make_client
from s3desk.core.scan import FoundFile, Skipped, scan


@dataclass(frozen=True, slots=True)
class EngineConfig:
    concurrency: int = 10
    multipart_threshold: int = 16 * MiB
    part_size: int = 8 * MiB


@dataclass(frozen=True, slots=True)
class Update:
    """What changed since the previous ``drain()``: jobs in id order, then the totals."""

    jobs: list[JobView]
    totals: Totals


_PUT, _START, _PART, _ABORT = "put", "start", "part", "abort"
_Unit = tuple[str, UploadJob, int]


class UploadEngine:
    def __init__(
        self,
        endpoint: S3Endpoint,
        config: EngineConfig | None = None,
        *,
        client_factory: Callable[[S3Endpoint, int], Any] = make_client,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoint = endpoint
        self.config = config or EngineConfig()
        self._client_factory = client_factory
        self._client: Any = None
        self._clock = clock

        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._jobs: dict[int, UploadJob] = {}
        self._queue: deque[UploadJob] = deque()  # not started yet
        self._multipart: deque[UploadJob] = deque()  # started, parts still to hand out
        self._urgent: deque[_Unit] = deque()  # aborts, served before anything else
        self._dirty: dict[int, UploadJob] = {}
        self._meters: dict[int, RateMeter] = {}
        self._total_meter = RateMeter()
        self._counts = dict.fromkeys(JobState, 0)
        self._bytes_total = 0
        self._bytes_done = 0
        self._scans_running = 0
        self._starting = 0  # CreateMultipartUpload calls in flight
        self._workers: list[threading.Thread] = []
        self._closed = False

    # ----------------------------------------------------------------- submitting work

    def submit_paths(self, paths: Iterable[str | os.PathLike[str]], dest: Destination) -> None:
        """Queue every file below ``paths`` for ``dest``; folders are walked on a background
        thread so a drop of 100,000 files returns at once."""
        paths = [os.fspath(p) for p in paths]
        with self._cond:
            self._check_open()
            self._scans_running += 1
        threading.Thread(
            target=self._scan_into_queue, args=(paths, dest), name="s3desk-scan", daemon=True
        ).start()

    def submit_file(self, path: str | os.PathLike[str], bucket: str, key: str) -> int:
        """Queue one file under an exact key; returns the job id."""
        path = os.path.abspath(os.fspath(path))
        items = list(scan([path]))
        item = items[0]
        with self._cond:
            self._check_open()
            if isinstance(item, FoundFile):
                return self._add_job(item.path, bucket, key, item.size, item.mtime_ns).id
            return self._add_skipped(item, bucket, key).id

    def _scan_into_queue(self, paths: list[str], dest: Destination) -> None:
        try:
            batch: list[FoundFile | Skipped] = []
            for item in scan(paths):
                batch.append(item)
                if len(batch) >= 500:
                    self._add_scanned(batch, dest)
                    batch = []
            self._add_scanned(batch, dest)
        finally:
            with self._cond:
                self._scans_running -= 1
                self._cond.notify_all()

    def _add_scanned(self, batch: list[FoundFile | Skipped], dest: Destination) -> None:
        with self._cond:
            if self._closed:
                return
            for item in batch:
                key = join_key(dest.prefix, item.relative)
                if isinstance(item, FoundFile):
                    self._add_job(item.path, dest.bucket, key, item.size, item.mtime_ns)
                else:
                    self._add_skipped(item, dest.bucket, key)

    def _add_job(self, path: str, bucket: str, key: str, size: int, mtime_ns: int) -> UploadJob:
        job = UploadJob(next(self._ids), path, bucket, key, size, mtime_ns)
        self._jobs[job.id] = job
        self._counts[JobState.QUEUED] += 1
        self._bytes_total += size
        self._dirty[job.id] = job
        try:
            check_key(key)
        except InvalidKey as exc:
            self._finish(job, JobState.FAILED, str(exc))
            return job
        self._queue.append(job)
        self._ensure_workers()
        self._cond.notify()
        return job

    def _add_skipped(self, item: Skipped, bucket: str, key: str) -> UploadJob:
        state = JobState.FAILED if item.failed else JobState.SKIPPED
        job = UploadJob(next(self._ids), item.path, bucket, key, 0, state=state)
        job.error = item.reason
        self._jobs[job.id] = job
        self._counts[state] += 1
        self._dirty[job.id] = job
        self._cond.notify_all()
        return job

    # ----------------------------------------------------------------- controlling jobs

    def cancel(self, job_id: int) -> None:
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None or job.state.finished:
                return
            job.cancel_requested = True
            if job.state is JobState.QUEUED:
                self._finish(job, JobState.CANCELLED, "")
            elif job.upload_id and job.parts_in_flight == 0:
                # Between parts: nobody will notice the flag, so abort now.
                self._finish(job, JobState.CANCELLED, "")
                self._schedule_abort(job)

    def cancel_all(self) -> None:
        with self._cond:
            ids = [j.id for j in self._jobs.values() if not j.state.finished]
        for job_id in ids:
            self.cancel(job_id)

    def retry(self, job_id: int) -> bool:
        """Queue a failed or cancelled job again from the start. False if it cannot be."""
        with self._cond:
            self._check_open()
            job = self._jobs.get(job_id)
            if job is None or job.state not in (JobState.FAILED, JobState.CANCELLED):
                return False
            if job.upload_id is not None:  # an abort is still on its way
                return False
            try:
                check_key(job.key)
                st = os.stat(job.source)
            except (InvalidKey, OSError) as exc:
                job.error = describe_error(exc) if isinstance(exc, OSError) else str(exc)
                self._dirty[job.id] = job
                return False
            self._counts[job.state] -= 1
            self._counts[JobState.QUEUED] += 1
            self._bytes_total += st.st_size  # failed jobs left the totals in _finish
            job.size, job.mtime_ns = st.st_size, st.st_mtime_ns
            job.state, job.error, job.bytes_done = JobState.QUEUED, "", 0
            job.cancel_requested = False
            job.etags, job.next_part, job.part_count = None, 1, 0
            self._dirty[job.id] = job
            self._queue.append(job)
            self._ensure_workers()
            self._cond.notify()
            return True

    def retry_failed(self) -> int:
        with self._cond:
            ids = [j.id for j in self._jobs.values() if j.state is JobState.FAILED]
        return sum(self.retry(job_id) for job_id in ids)

    # ----------------------------------------------------------------- observing

    def drain(self) -> Update:
        """The jobs that changed since the last call, and the totals. Cheap to call often."""
        now = self._clock()
        with self._cond:
            for job_id in self._meters:
                self._dirty.setdefault(job_id, self._jobs[job_id])
            changed = sorted(self._dirty.values(), key=lambda j: j.id)
            self._dirty.clear()
            views = [self._view(job, now) for job in changed]
            totals = self._totals(now)
        return Update(views, totals)

    def totals(self) -> Totals:
        with self._cond:
            return self._totals(self._clock())

    def job(self, job_id: int) -> JobView:
        with self._cond:
            return self._view(self._jobs[job_id], self._clock())

    def jobs(self) -> list[JobView]:
        now = self._clock()
        with self._cond:
            return [self._view(job, now) for job in self._jobs.values()]

    def _view(self, job: UploadJob, now: float) -> JobView:
        meter = self._meters.get(job.id)
        speed, eta = 0.0, None
        if meter is not None:
            speed = meter.update(job.bytes_done, now)
            eta = meter.eta(job.size - job.bytes_done)
        return JobView(
            job.id, job.source, job.bucket, job.key, job.size, job.bytes_done,
            job.state, job.error, speed, eta,
        )  # fmt: skip

    def _totals(self, now: float) -> Totals:
        c = self._counts
        speed = self._total_meter.update(self._bytes_done, now)
        unfinished = c[JobState.QUEUED] + c[JobState.UPLOADING]
        eta = self._total_meter.eta(self._bytes_total - self._bytes_done) if unfinished else None
        return Totals(
            files_total=sum(c.values()),
            files_done=c[JobState.DONE],
            files_failed=c[JobState.FAILED],
            files_active=c[JobState.UPLOADING],
            bytes_total=self._bytes_total,
            bytes_done=self._bytes_done,
            speed=speed,
            eta=eta,
        )

    def is_idle(self) -> bool:
        with self._cond:
            return self._idle()

    def _idle(self) -> bool:
        c = self._counts
        return (
            not self._scans_running
            and not self._urgent
            and c[JobState.QUEUED] + c[JobState.UPLOADING] == 0
        )

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every queued file has finished (done, failed, cancelled or skipped)."""
        with self._cond:
            return self._cond.wait_for(self._idle, timeout)

    def shutdown(self, cancel: bool = True, timeout: float = 30.0) -> None:
        """Stop the workers; with ``cancel`` unfinished uploads are cancelled and aborted."""
        if cancel:
            self.cancel_all()
            self.wait(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        deadline = self._clock() + timeout
        for worker in self._workers:
            worker.join(max(0.0, deadline - self._clock()))

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the upload engine has been shut down")

    # ----------------------------------------------------------------- scheduling

    def _ensure_workers(self) -> None:
        missing = self.config.concurrency - len(self._workers)
        for n in range(missing):
            worker = threading.Thread(
                target=self._work, name=f"s3desk-upload-{len(self._workers) + n}", daemon=True
            )
            self._workers.append(worker)
            worker.start()

    @property
    def client(self) -> Any:
        with self._cond:
            if self._client is None:
                self._client = self._client_factory(self.endpoint, self.config.concurrency + 2)
                register_progress_handlers(self._client)
            return self._client

    def _next_unit(self) -> _Unit | None:
        with self._cond:
            while not self._closed:
                if self._urgent:
                    return self._urgent.popleft()
                while self._multipart:
                    job = self._multipart[0]
                    if job.cancel_requested or job.state.finished or job.next_part > job.part_count:
                        self._multipart.popleft()
                        continue
                    number = job.next_part
                    job.next_part += 1
                    job.parts_in_flight += 1
                    return (_PART, job, number)
                while self._queue:
                    job = self._queue[0]
                    if job.state is not JobState.QUEUED:  # cancelled while waiting
                        self._queue.popleft()
                        continue
                    big = job.size >= self.config.multipart_threshold
                    if big and self._starting:
                        # Another big file is being started and will soon have parts for
                        # every worker: wait for those instead of starting a third file.
                        break
                    self._queue.popleft()
                    self._set_state(job, JobState.UPLOADING)
                    self._meters[job.id] = RateMeter()
                    if big:
                        self._starting += 1
                        return (_START, job, 0)
                    return (_PUT, job, 0)
                self._cond.wait()
            return None

    def _work(self) -> None:
        while (unit := self._next_unit()) is not None:
            kind, job, number = unit
            if kind == _PUT:
                self._put_object(job)
            elif kind == _START:
                self._start_multipart(job)
            elif kind == _PART:
                self._upload_part(job, number)
            else:
                self._abort_multipart(job)

    # ----------------------------------------------------------------- S3 work

    def _body(self, job: UploadJob, data: bytes) -> ProgressBody:
        return ProgressBody(
            data,
            on_progress=lambda n: self._add_progress(job, n),
            should_stop=lambda: job.cancel_requested,
        )

    def _put_object(self, job: UploadJob) -> None:
        try:
            data = _read_exactly(job, 0, job.size)
            self.client.put_object(
                Bucket=job.bucket,
                Key=job.key,
                Body=self._body(job, data),
                ContentType=_content_type(job.key),
            )
        except UploadCancelled:
            self._end(job, JobState.CANCELLED, "")
        except Exception as exc:  # every failure becomes a readable row, never a dead worker
            self._end(job, JobState.FAILED, describe_error(exc, job.bucket, job.key))
        else:
            self._end(job, JobState.DONE, "")

    def _start_multipart(self, job: UploadJob) -> None:
        try:
            part_size = choose_part_size(job.size, self.config.part_size)
            response = self.client.create_multipart_upload(
                Bucket=job.bucket, Key=job.key, ContentType=_content_type(job.key)
            )
        except Exception as exc:
            with self._cond:
                self._starting -= 1
            self._end(job, JobState.FAILED, describe_error(exc, job.bucket, job.key))
            return
        with self._cond:
            self._starting -= 1
            job.upload_id = response["UploadId"]
            job.part_size = part_size
            job.part_count = part_count(job.size, part_size)
            job.next_part = 1
            job.etags = {}
            if job.cancel_requested:
                self._finish(job, JobState.CANCELLED, "")
                self._schedule_abort(job)
            else:
                self._multipart.append(job)
                self._cond.notify_all()

    def _upload_part(self, job: UploadJob, number: int) -> None:
        offset = (number - 1) * job.part_size
        length = min(job.part_size, job.size - offset)
        error: tuple[JobState, str] | None = None
        etag = ""
        try:
            data = _read_exactly(job, offset, length)
            response = self.client.upload_part(
                Bucket=job.bucket,
                Key=job.key,
                UploadId=job.upload_id,
                PartNumber=number,
                Body=self._body(job, data),
            )
            etag = response["ETag"]
        except UploadCancelled:
            error = (JobState.CANCELLED, "")
        except Exception as exc:
            error = (JobState.FAILED, describe_error(exc, job.bucket, job.key))

        with self._cond:
            job.parts_in_flight -= 1
            if error and not job.state.finished:
                self._finish(job, *error)
            if job.state.finished:  # failed or cancelled: the last part out aborts
                if job.parts_in_flight == 0:
                    self._schedule_abort(job)
                return
            assert job.etags is not None
            job.etags[number] = etag
            if len(job.etags) < job.part_count:
                return
        self._complete_multipart(job)

    def _complete_multipart(self, job: UploadJob) -> None:
        assert job.etags is not None
        parts = [{"PartNumber": n, "ETag": job.etags[n]} for n in sorted(job.etags)]
        try:
            _check_unchanged(job)
            self.client.complete_multipart_upload(
                Bucket=job.bucket,
                Key=job.key,
                UploadId=job.upload_id,
                MultipartUpload={"Parts": parts},
            )
        except Exception as exc:
            with self._cond:
                self._finish(job, JobState.FAILED, describe_error(exc, job.bucket, job.key))
                self._schedule_abort(job)
            return
        with self._cond:
            job.upload_id = None
            job.etags = None
            self._finish(job, JobState.DONE, "")

    def _abort_multipart(self, job: UploadJob) -> None:
        try:
            self.client.abort_multipart_upload(
                Bucket=job.bucket, Key=job.key, UploadId=job.upload_id
            )
        except Exception as exc:
            with self._cond:
                note = f"the partial upload could not be removed: {describe_error(exc)}"
                job.error = f"{job.error}; {note}" if job.error else note.capitalize()
        with self._cond:
            job.upload_id = None
            job.etags = None
            self._dirty[job.id] = job
            self._cond.notify_all()

    # ----------------------------------------------------------------- bookkeeping (locked)

    def _schedule_abort(self, job: UploadJob) -> None:
        if job.upload_id:
            self._urgent.append((_ABORT, job, 0))
            self._cond.notify()

    def _add_progress(self, job: UploadJob, n: int) -> None:
        with self._cond:
            if job.state.finished:  # a part still in flight after the job failed
                return
            job.bytes_done += n
            self._bytes_done += n
            self._dirty[job.id] = job

    def _set_state(self, job: UploadJob, state: JobState) -> None:
        self._counts[job.state] -= 1
        self._counts[state] += 1
        job.state = state
        self._dirty[job.id] = job

    def _finish(self, job: UploadJob, state: JobState, error: str) -> None:
        if state is JobState.DONE and job.bytes_done != job.size:
            # Small bodies may finish between progress steps; count them fully.
            self._bytes_done += job.size - job.bytes_done
            job.bytes_done = job.size
        elif state is not JobState.DONE and not job.state.finished:
            # Files that will not arrive leave the totals; the row keeps how far it got.
            self._bytes_done -= job.bytes_done
            self._bytes_total -= job.size
        self._set_state(job, state)
        job.error = error
        self._meters.pop(job.id, None)
        self._cond.notify_all()

    def _end(self, job: UploadJob, state: JobState, error: str) -> None:
        with self._cond:
            if job.state.finished:
                return
            if job.cancel_requested and state is JobState.FAILED:
                state, error = JobState.CANCELLED, ""  # the user stopped it; the error is moot
            self._finish(job, state, error)


def _read_exactly(job: UploadJob, offset: int, length: int) -> bytes:
    """Read a span of the source, refusing if the file is not the one that was queued."""
    with open(job.source, "rb") as f:
        _check_unchanged(job, os.fstat(f.fileno()))
        f.seek(offset)
        data = f.read(length)
        # A writer may have started while we read: the span must come from one version.
        _check_unchanged(job, os.fstat(f.fileno()))
    if len(data) != length:
        raise SourceChanged
    return data


def _check_unchanged(job: UploadJob, st: os.stat_result | None = None) -> None:
    st = st or os.stat(job.source)
    if st.st_size != job.size or st.st_mtime_ns != job.mtime_ns:
        raise SourceChanged


def _content_type(key: str) -> str:
    guessed, _ = mimetypes.guess_type(key, strict=False)
    return guessed or "application/octet-stream"
