"""What a direction (uploads, downloads) contributes to the shared scheduler: its jobs and
units of work as the scheduler sees them, and the hooks it implements.

``TransferScheduler`` (``scheduler.py``) derives from ``Direction`` and calls the hooks; an
engine derives from the scheduler and implements them. Only ``_carry_out``, ``_tidy`` and
``_record_state`` are called without the lock held.

- ``_start_next()``: plan the next queued job and hand out its first unit.
- ``_part_unit(job, number)``: the unit that moves part ``number`` of a started job.
- ``_carry_out(unit)``: do one unit of work (requests, files); every failure of it goes to
  ``_failed_attempt``.
- ``_unit_done(unit)``, ``_tidy()``: the direction's books once a unit is carried out.
- ``_special_failure(unit, exc)``: failures only this direction knows how to answer.
- ``_give_up(job, exc)``: the job fails for good.
- ``_starts_job(unit)``: whether a unit put back for new credentials re-queues its job.
- ``_prepare_retry(job)``: a failed or cancelled job made ready to go again.
- ``_settle(job)``: what a failed or cancelled job leaves behind is cleaned up.
- ``_record_finish(job, state, error, note)``: what a finished job records (audit log).
- ``_record_state(job_id, state)``: a pause or resume made durable (the upload journal).
- ``_describe(job, speed, eta)``: the job as the status table shows it.
- ``_reconnect()``: new credentials or endpoint: requests build their senders afresh.
- ``_busy_elsewhere()``: work under way outside the workers (scans, aborts) keeps it busy.
- ``_closing()`` and ``_release()``: the direction's part of ``shutdown()``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Generic, Protocol, Self, TypeVar

from s3desk.core.transfer.jobs import JobState, JobView


class Job(Protocol):
    """What the scheduler reads and writes of a job (both directions' jobs have more)."""

    id: int
    state: JobState
    bytes_done: int
    error: str
    note: str
    generation: int

    @property
    def size(self) -> int: ...
    @property
    def bucket(self) -> str: ...
    @property
    def key(self) -> str: ...
    # A job moved in parts: numbers still to hand out (a heap), on their way, and done.
    @property
    def pending(self) -> list[int] | None: ...
    @property
    def in_flight(self) -> set[int] | None: ...
    @property
    def done_parts(self) -> Collection[int] | None: ...


JobT = TypeVar("JobT", bound=Job)
JobT_co = TypeVar("JobT_co", bound=Job, covariant=True)


class Unit(Protocol[JobT_co]):
    """One unit of work: a request, or one part of a job moved in parts (``number`` > 0)."""

    @property
    def job(self) -> JobT_co: ...
    @property
    def number(self) -> int: ...
    @property
    def generation(self) -> int: ...
    @property
    def attempt(self) -> int: ...
    def _replace(self, *, attempt: int = ...) -> Self: ...


UnitT = TypeVar("UnitT", bound=Unit[Any])


class Direction(Generic[JobT, UnitT]):
    """The hooks of one direction; defaults where most directions need nothing."""

    def _start_next(self) -> UnitT | None:
        """(Locked) Plan the next queued job: its first unit, or None if none can start."""
        raise NotImplementedError

    def _part_unit(self, job: JobT, number: int) -> UnitT:
        """(Locked) The unit that moves part ``number`` of a started job."""
        raise NotImplementedError

    def _carry_out(self, unit: UnitT) -> None:
        """Do one unit of work; its failures go to ``_failed_attempt``."""
        raise NotImplementedError

    def _unit_done(self, unit: UnitT) -> bool:
        """(Locked) The direction's books for a unit just carried out; True if ``_tidy``
        is to run (unlocked)."""
        return False

    def _tidy(self) -> None:
        """Housekeeping ``_unit_done`` asked for, outside the lock."""

    def _special_failure(self, unit: UnitT, exc: BaseException) -> bool:
        """(Locked) Failures this direction answers itself; True if it did."""
        return False

    def _give_up(self, job: JobT, exc: BaseException) -> None:
        """(Locked) The job fails for good."""
        raise NotImplementedError

    def _starts_job(self, unit: UnitT) -> bool:
        """Whether ``unit`` is its job's first request (put back, the job is queued again)."""
        return True

    def _prepare_retry(self, job: JobT) -> bool:
        """(Locked) Make a failed or cancelled job ready to go again; False if it cannot."""
        return True

    def _settle(self, job: JobT) -> None:
        """(Locked) Clean up what a failed or cancelled job left, once its work stopped."""

    def _record_finish(self, job: JobT, state: JobState, error: str, note: str) -> None:
        """(Locked) What a finished job records (the audit log)."""

    def _record_state(self, job_id: int, state: str) -> None:
        """A pause or resume made durable, where the direction keeps a record."""

    def _describe(self, job: JobT, speed: float, eta: float | None) -> JobView:
        raise NotImplementedError

    def _reconnect(self) -> None:
        """New credentials or endpoint: the next request builds its senders afresh."""
        raise NotImplementedError

    def _busy_elsewhere(self) -> bool:
        """(Locked) Work outside the workers that keeps the engine from being idle."""
        return False

    def _closing(self) -> None:
        """(Locked) Shutting down: the workers are told to stop."""

    def _release(self) -> None:
        """Shut down: the workers have stopped (or were left behind); let go of the rest."""
