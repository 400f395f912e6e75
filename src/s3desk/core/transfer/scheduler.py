"""What every transfer engine shares: one scheduler for jobs, whichever way their bytes go.

An engine is a pool of worker threads taking units of work (one request, or one part) from
one scheduler, so every job of a direction shares the same ``concurrency`` connections.
``TransferScheduler`` owns the lock, the jobs and their counts, byte totals and speed
meters, the set of jobs changed since the last ``drain()``, the retries waiting for their
time, the workers, the wait for new credentials, pause/resume/cancel/retry, and what a
failed request means. The upload and download engines derive from it and add only what
differs, through named hooks (as s3transfer has one coordinator and a submission task
per direction, but progress is coalesced here: callers poll ``drain()``, never one event
per chunk).

Each job carries a generation number that pause, resume, cancel and retry bump. A unit
remembers the generation it was handed out under; its body stops at the next read once the
generation moved on, and its outcome then no longer decides the job's state.

What a direction contributes, and the hooks it implements, are in ``direction.py``.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from s3desk.core.config.engine_config import MAX_CONCURRENCY, EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.errors import (
    describe_error,
    is_credentials_expired,
    is_transient,
    retrying_note,
)
from s3desk.core.transfer.audit_writer import AuditWriter
from s3desk.core.transfer.bandwidth import BandwidthLimiter
from s3desk.core.transfer.direction import Direction, JobT, UnitT
from s3desk.core.transfer.jobs import JobState, JobView, Totals
from s3desk.core.transfer.rate import RateMeter

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Update:
    """What changed since the previous ``drain()``: jobs in id order, then the totals."""

    jobs: list[JobView]
    totals: Totals
    # Set while the queue waits for new credentials; the message says what happened.
    blocked: str = ""
    # A problem that does not stop transfers, e.g. a journal that cannot be written.
    warning: str = ""


_RETRYABLE = (JobState.FAILED, JobState.CANCELLED)


class TransferScheduler(Direction[JobT, UnitT]):
    """The scheduler both engines share; what differs, a direction adds (``Direction``).

    Longer than most classes here (about 500 lines, many of them docstrings): all of it is
    one state machine over the state below, changed under one lock; the job and unit types
    and the hooks stand apart in ``direction.py``."""

    # "upload" or "download": in thread names, messages and the log.
    direction: ClassVar[str]
    # The state of a job holding a connection: UPLOADING or DOWNLOADING.
    working: ClassVar[JobState]
    # Whether unfinished jobs can go on after the app closes (shutdown without cancel).
    survives_restart: ClassVar[bool] = False

    def __init__(
        self,
        endpoint: S3Endpoint,
        config: EngineConfig | None,
        clock: Callable[[], float],
    ) -> None:
        self.endpoint = endpoint
        self.config = config or EngineConfig()
        self.audit: AuditWriter | None = None
        # One limit per direction, changed at once for transfers already running (0 = none).
        self.limiter = BandwidthLimiter(self.config.bandwidth_limit)
        # Called with the operation name before each request goes out, on either path.
        self.request_hooks: list[Callable[[str], None]] = []
        self._clock = clock
        self._random = random.Random()
        # One lock, two conditions: workers wait for work on _cond, callers of wait() for
        # idleness on _idle_cond, so finishing a job does not wake every worker.
        lock = threading.RLock()
        self._cond = threading.Condition(lock)
        self._idle_cond = threading.Condition(lock)
        self._jobs: dict[int, JobT] = {}
        self._queue: deque[JobT] = deque()  # waiting to start (stale entries skipped)
        self._multipart: deque[JobT] = deque()  # started, parts still to hand out
        self._delayed: list[tuple[float, int, UnitT]] = []  # retries, by due time
        self._delay_seq = itertools.count()
        self._dirty: dict[int, JobT] = {}
        self._meters: dict[int, RateMeter] = {}
        self._total_meter = RateMeter()
        self._counts = dict.fromkeys(JobState, 0)
        self._bytes_total = 0
        self._bytes_done = 0
        # Bytes moved so far, for the totals' meter: unlike ``_bytes_done`` it keeps what
        # cancelled or failed jobs moved, so their leaving is not read as bytes going back.
        self._bytes_moved = 0
        self._busy_units = 0  # units being worked on right now
        self._workers: list[threading.Thread] = []
        self._closed = False
        self._blocked = ""
        self._warning = ""
        # Renewals of the credentials so far, and (per worker) the count when its current
        # request was sent: an "expired" answer to a request signed before a renewal is
        # stale and must not stop the queue again.
        self._renewals = 0
        self._sent_with = threading.local()

    # ----------------------------------------------------------------- controlling jobs

    def pause(self, job_id: int) -> bool:
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None or job.state.finished or job.state is JobState.PAUSED:
                return False
            self._stop_work(job)
            self._set_state(job, JobState.PAUSED)
        self._record_state(job_id, "paused")
        return True

    def resume(self, job_id: int) -> bool:
        """Queue a paused job again; refused once the engine is shut down."""
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None or job.state is not JobState.PAUSED or self._closed:
                return False
            job.generation += 1
            self._set_state(job, JobState.QUEUED)
            self._enqueue(job)
        self._record_state(job_id, "queued")
        return True

    def cancel(self, job_id: int) -> bool:
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None or job.state.finished:
                return False
            self._stop_work(job)
            self._finish(job, JobState.CANCELLED, "")
            self._settle(job)
        return True

    def retry(self, job_id: int) -> bool:
        """Queue a failed or cancelled job again; False if it cannot be. RuntimeError once
        the engine is shut down."""
        with self._cond:
            self._check_open()
            job = self._jobs.get(job_id)
            if job is None or job.state not in _RETRYABLE or not self._prepare_retry(job):
                return False
            job.generation += 1
            job.error = ""
            self._set_state(job, JobState.QUEUED)
            self._bytes_total += job.size  # failed jobs left the totals in _finish
            self._bytes_done += job.bytes_done
            self._enqueue(job)
        return True

    def pause_all(self) -> int:
        return sum(self.pause(i) for i in self._ids_in((JobState.QUEUED, *self._running)))

    def resume_all(self) -> int:
        return sum(self.resume(i) for i in self._ids_in((JobState.PAUSED,)))

    def cancel_all(self) -> int:
        states = (JobState.QUEUED, *self._running, JobState.PAUSED)
        return sum(self.cancel(i) for i in self._ids_in(states))

    def retry_failed(self) -> int:
        return sum(self.retry(i) for i in self._ids_in((JobState.FAILED,)))

    def reconfigure(self, *, concurrency: int | None = None, part_size: int | None = None) -> None:
        """Settings changed while running: more workers start at once, surplus ones stop
        after their current request; a new part size applies to jobs not yet started."""
        self._reconfigure(concurrency=concurrency, part_size=part_size)

    def _reconfigure(self, **changes: Any) -> None:
        """Apply the settings given (None: unchanged) to ``config``."""
        fields = {name: value for name, value in changes.items() if value is not None}
        if "concurrency" in fields:
            fields["concurrency"] = max(1, min(MAX_CONCURRENCY, fields["concurrency"]))
        with self._cond:
            self.config = dataclasses.replace(self.config, **fields)
            if self._workers:
                self._ensure_workers()
            self._cond.notify_all()

    def set_bandwidth_limit(self, bytes_per_second: float) -> None:
        """Change this direction's limit at once, for transfers already running (0 = none)."""
        self.limiter.rate = bytes_per_second

    def unblock(self, endpoint: S3Endpoint | None = None) -> None:
        """Go on after the credentials were renewed (optionally with a new endpoint). The
        senders are built afresh either way: the old ones may hold the old credentials."""
        with self._cond:
            if endpoint is not None:
                self.endpoint = endpoint
            self._reconnect()
            self._blocked = ""
            self._renewals += 1
            self._cond.notify_all()

    def warn(self, message: str) -> None:
        """Show a problem that does not stop transfers (it reaches the next update)."""
        with self._cond:
            self._warning = message

    def _ids_in(self, states: Iterable[JobState]) -> list[int]:
        wanted = frozenset(states)
        with self._cond:
            return [j.id for j in self._jobs.values() if j.state in wanted]

    @property
    def _running(self) -> tuple[JobState, JobState]:
        return (self.working, JobState.RETRYING)

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
            return Update(views, self._totals(now), self._blocked, self._warning)

    def totals(self) -> Totals:
        """The totals as of the last ``drain()``'s speed: the meters are sampled only there,
        so rows and totals are measured at the same moments."""
        with self._cond:
            return self._totals(None)

    def job(self, job_id: int) -> JobView:
        with self._cond:
            return self._view(self._jobs[job_id], None)

    def jobs(self) -> list[JobView]:
        with self._cond:
            return [self._view(job, None) for job in self._jobs.values()]

    @property
    def blocked(self) -> str:
        return self._blocked

    @property
    def warning(self) -> str:
        return self._warning

    def is_idle(self) -> bool:
        with self._cond:
            return self._idle()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every queued job has finished or been paused (and its audit entry
        is written)."""
        with self._cond:
            idle = self._idle_cond.wait_for(self._idle, timeout)
        if idle and self.audit is not None:
            return self.audit.flush(timeout)
        return idle

    def _idle(self) -> bool:
        """Nothing left to do but what waits on the user (paused jobs, questions)."""
        c = self._counts
        return (
            not self._busy_units
            and c[JobState.QUEUED] + c[self.working] + c[JobState.RETRYING] == 0
            and not self._busy_elsewhere()
        )

    def _view(self, job: JobT, now: float | None) -> JobView:
        meter = self._meters.get(job.id)
        speed, eta = 0.0, None
        if meter is not None:
            speed = meter.update(job.bytes_done, now) if now is not None else meter.rate
            eta = meter.eta(job.size - job.bytes_done)
        return self._describe(job, speed, eta)

    def _totals(self, now: float | None) -> Totals:
        """The counts and bytes, and the speed: sampled at ``now``, or as last sampled."""
        c = self._counts
        meter = self._total_meter
        if self._idle():
            meter.stop()  # the next busy spell is measured from its own start
        elif now is not None and meter.started:
            meter.update(self._bytes_moved, now)
        speed = meter.rate
        active = c[self.working] + c[JobState.RETRYING]
        unfinished = c[JobState.QUEUED] + active
        eta = meter.eta(self._bytes_total - self._bytes_done) if unfinished else None
        uploads = self.working is JobState.UPLOADING
        return Totals(
            files_total=sum(c.values()),
            files_done=c[JobState.DONE],
            files_failed=c[JobState.FAILED],
            files_cancelled=c[JobState.CANCELLED],
            files_skipped=c[JobState.SKIPPED],
            files_active=active,
            files_paused=c[JobState.PAUSED],
            files_asking=c[JobState.CONFLICT],
            bytes_total=self._bytes_total,
            bytes_done=self._bytes_done,
            speed=speed,
            eta=eta,
            bytes_uploaded=self._bytes_moved if uploads else 0,
            bytes_downloaded=0 if uploads else self._bytes_moved,
        )

    # ----------------------------------------------------------------- stopping

    def shutdown(self, cancel: bool = True, timeout: float = 30.0) -> None:
        """Stop the workers. With ``cancel`` (always, for a direction whose jobs cannot
        outlive the app) unfinished jobs are cancelled; without, they are interrupted."""
        deadline = time.monotonic() + timeout  # one budget for waiting and joining
        if cancel or not self.survives_restart:
            self.cancel_all()  # thousands of queued jobs take a while: inside the budget
            self.wait(max(0.0, deadline - time.monotonic()))
        with self._cond:
            self._closed = True
            for job in self._jobs.values():
                if job.state.active:
                    job.generation += 1  # stop in-flight bodies at their next read
            self._closing()
            self._cond.notify_all()
            self._idle_cond.notify_all()
        # A request stuck on a silent server cannot be interrupted; its thread is a daemon
        # and is left behind rather than holding up the app's exit.
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        self._release()
        if self.audit is not None:
            self.audit.close()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"the {self.direction} engine has been shut down")

    # ----------------------------------------------------------------- scheduling

    def _ensure_workers(self) -> None:
        for n in range(len(self._workers), self.config.concurrency):
            worker = threading.Thread(
                target=self._work, name=f"s3desk-{self.direction}-{n}", daemon=True
            )
            self._workers.append(worker)
            worker.start()

    def _enqueue(self, job: JobT) -> None:
        """(Locked) The job waits at the end of the queue, and a worker wakes for it."""
        self._queue.append(job)
        self._ensure_workers()
        self._cond.notify_all()

    def _next_unit(self) -> UnitT | None:
        with self._cond:
            while not self._closed:
                if surplus_worker(self._workers, self.config.concurrency):
                    return None
                unit = self._pick_unit()
                if unit is not None:
                    self._busy_units += 1
                    self._sent_with.renewals = self._renewals
                    return unit
                timeout = None
                if self._delayed and not self._blocked:
                    timeout = max(0.0, self._delayed[0][0] - self._clock())
                self._cond.wait(timeout)
            return None

    def _pick_unit(self) -> UnitT | None:
        """Retries that are due first, then parts of started jobs (so they finish before
        new ones begin), then the queue."""
        if self._blocked:
            return None
        unit = self._due_retry()
        if unit is None:
            unit = self._next_part()
        return unit if unit is not None else self._start_next()

    def _due_retry(self) -> UnitT | None:
        while self._delayed and self._delayed[0][0] <= self._clock():
            unit = heapq.heappop(self._delayed)[2]
            if self._revive(unit):
                return unit
        return None

    def _next_part(self) -> UnitT | None:
        while self._multipart:
            job = self._multipart[0]
            if not job.state.active or not job.pending:
                self._multipart.popleft()
                continue
            assert job.in_flight is not None
            number = heapq.heappop(job.pending)
            job.in_flight.add(number)
            return self._part_unit(job, number)
        return None

    def _revive(self, unit: UnitT) -> bool:
        """(Locked) A retry whose time has come: False if its job was paused or cancelled
        while it waited (a resume recomputes its work)."""
        job = unit.job
        if unit.generation != job.generation or not job.state.active:
            return False
        self._set_state(job, self.working)
        if unit.number:
            assert job.in_flight is not None
            job.in_flight.add(unit.number)
        return True

    def _work(self) -> None:
        while (unit := self._next_unit()) is not None:
            try:
                self._carry_out(unit)
            finally:
                with self._cond:
                    self._busy_units -= 1
                    tidy = self._unit_done(unit)
                    self._note_if_idle()
                if tidy:
                    self._tidy()

    # ----------------------------------------------------------------- failures

    def _failed_attempt(self, unit: UnitT, exc: BaseException) -> None:
        """Decide what a failed request means: nothing (stale), retry, wait, or fail."""
        job = unit.job
        with self._cond:
            if unit.generation != job.generation or not job.state.active:
                # Paused, cancelled or restarted meanwhile: that decided the state. Work a
                # resumed job still needs goes back on its list.
                if unit.number and job.state.active:
                    self._return_part(job, unit.number)
                self._settle(job)
                return
            if self._special_failure(unit, exc):
                return
            if unit.number:
                assert job.in_flight is not None
                job.in_flight.discard(unit.number)  # it goes back on the list, or waits
            if is_credentials_expired(exc):
                if getattr(self._sent_with, "renewals", self._renewals) == self._renewals:
                    self._blocked = describe_error(exc, job.bucket, job.key)
                    log.info("%ss wait for new credentials: %r", self.direction, exc)
                # else it was sent with the credentials renewed since: just send it again
                self._requeue(unit)
                return
            if is_transient(exc) and unit.attempt < self.config.max_attempts:
                job.note = retrying_note(unit.attempt, self.config.max_attempts, exc)
                self._set_state(job, JobState.RETRYING)
                self._delay(unit._replace(attempt=unit.attempt + 1), self._backoff(unit))
                return
            self._give_up(job, exc)

    def _requeue(self, unit: UnitT) -> None:
        """Put a unit's work back, to be done once the queue is unblocked: a part on its
        job's list, a job's first request in the queue (the row shows it Queued, the banner
        why), any other request among the retries."""
        job = unit.job
        if unit.number:
            self._return_part(job, unit.number)
        elif self._starts_job(unit):
            self._set_state(job, JobState.QUEUED)
            self._queue.appendleft(job)
            self._cond.notify()
        else:
            self._delay(unit, 0.0)

    def _return_part(self, job: JobT, number: int) -> None:
        """(Locked) Part ``number`` is to be moved again. One the current round has on its
        way already stays with that worker."""
        pending, done, in_flight = job.pending, job.done_parts, job.in_flight
        assert pending is not None and done is not None
        if number in done or number in pending or (in_flight and number in in_flight):
            return
        heapq.heappush(pending, number)
        if job not in self._multipart:
            self._multipart.appendleft(job)
        self._cond.notify()

    def _backoff(self, unit: UnitT) -> float:
        cap = min(self.config.backoff_cap, self.config.backoff_base * 2 ** (unit.attempt - 1))
        return self._random.uniform(cap / 2, cap)  # "equal jitter": never zero, never in step

    def _delay(self, unit: UnitT, seconds: float) -> None:
        due = self._clock() + seconds
        heapq.heappush(self._delayed, (due, next(self._delay_seq), unit))
        self._cond.notify()

    # ----------------------------------------------------------------- bookkeeping (locked)

    def _start_active(self, job: JobT) -> None:
        """(Locked) The job begins to move: its meter starts now, and so does the totals'
        unless other jobs keep it going."""
        self._set_state(job, self.working)
        now = self._clock()
        if job.id not in self._meters:
            meter = self._meters[job.id] = RateMeter()
            meter.start(job.bytes_done, now)
        if not self._total_meter.started:
            self._total_meter.start(self._bytes_moved, now)

    def _stop_work(self, job: JobT) -> None:
        """Interrupt whatever the job has in flight (bodies stop at their next read)."""
        job.generation += 1  # interrupted bodies take their bytes back as they stop
        self._meters.pop(job.id, None)

    def _add_progress(self, job: JobT, n: int, generation: int | None = None) -> None:
        """``n`` more bytes moved (fewer, if negative); not counted for a finished job, nor
        for work of an older ``generation`` (pause or cancel recounted the job already)."""
        with self._cond:
            if job.state.finished or generation not in (None, job.generation):
                return
            job.bytes_done += n
            self._bytes_done += n
            self._bytes_moved += n
            self._dirty[job.id] = job

    def _set_state(self, job: JobT, state: JobState) -> None:
        self._counts[job.state] -= 1
        self._counts[state] += 1
        job.state = state
        if state not in (JobState.RETRYING, JobState.CONFLICT):
            job.note = ""
        self._dirty[job.id] = job
        self._note_if_idle()

    def _note_if_idle(self) -> None:
        if self._idle():
            self._idle_cond.notify_all()

    def _finish(self, job: JobT, state: JobState, error: str, note: str = "") -> None:
        if state is JobState.DONE and job.bytes_done != job.size:
            # Small bodies may finish between progress steps; count them fully.
            self._bytes_done += job.size - job.bytes_done
            self._bytes_moved += max(0, job.size - job.bytes_done)
            job.bytes_done = job.size
        elif state is not JobState.DONE and not job.state.finished:
            # Jobs that will not arrive leave the totals; the row keeps how far it got.
            self._bytes_done -= job.bytes_done
            self._bytes_total -= job.size
        self._set_state(job, state)
        job.error, job.note = error, note
        self._meters.pop(job.id, None)
        self._record_finish(job, state, error, note)


def surplus_worker(workers: list[threading.Thread], concurrency: int) -> bool:
    """After the concurrency was lowered: the calling worker leaves (and says so) when there
    are more than it allows. Call under the engine's lock."""
    if len(workers) <= concurrency:
        return False
    workers.remove(threading.current_thread())
    return True
