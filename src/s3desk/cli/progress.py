"""Following a transfer engine from the command line: a text progress line, the summary
and exit status at the end, and an orderly stop on SIGTERM or Ctrl+C. ``s3desk upload``
and ``s3desk download`` share it."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Protocol, TextIO

from s3desk.core.transfer.jobs import JobState, JobView, Totals
from s3desk.core.transfer.scheduler import Update
from s3desk.core.units import human_duration, human_rate, human_size

# How often the progress line is redrawn.
_REFRESH_SECONDS = 0.2

# The exit status after SIGTERM: 128 + the signal's number, as shells report it.
EXIT_TERMINATED = 128 + 15


class SigTerm:
    """While entered (in the main thread), SIGTERM only sets ``received``: the progress loop
    looks at it on every turn and stops in order. (An exception raised by the handler could
    land inside a lock's ``with`` and leave the lock broken.)"""

    def __init__(self) -> None:
        self.received = False
        self._previous: Callable[[int, FrameType | None], object] | int | None = None
        self._installed = False

    def __enter__(self) -> SigTerm:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._handle)
            self._installed = True
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._installed:
            # None: a handler Python did not install, which it cannot put back either.
            previous = signal.SIG_DFL if self._previous is None else self._previous
            signal.signal(signal.SIGTERM, previous)
            self._installed = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received = True


class _Engine(Protocol):
    """What the progress loop needs: the upload and the download engine both have it."""

    def wait(self, timeout: float | None = None) -> bool: ...
    def drain(self) -> Update: ...
    def shutdown(self, cancel: bool = True, timeout: float = 30.0) -> None: ...


def follow(
    engine: _Engine, progress: ProgressPrinter, start: Callable[[], object], sigterm: SigTerm
) -> Update | int:
    """Call ``start`` (which queues the work), then show progress until the engine is idle.
    Returns the last update, or the exit code when the queue is stuck waiting for new
    credentials (1), the user interrupted (130) or SIGTERM arrived (EXIT_TERMINATED); the
    engine is shut down in those cases."""
    try:
        if sigterm.received:  # before anything started
            return _terminated(engine, progress)
        start()
        while not engine.wait(_REFRESH_SECONDS):
            update = engine.drain()
            progress.show(update.jobs, update.totals)
            if sigterm.received:
                return _terminated(engine, progress)
            if update.blocked:
                print(f"\ns3desk: {update.blocked}", file=sys.stderr)
                engine.shutdown(cancel=True, timeout=10)
                return 1
    except KeyboardInterrupt:
        print(f"\ns3desk: interrupted; cancelling unfinished {progress.verb}s", file=sys.stderr)
        engine.shutdown(cancel=True)
        return 130
    update = engine.drain()
    progress.show(update.jobs, update.totals)
    return update


def _terminated(engine: _Engine, progress: ProgressPrinter) -> int:
    """Stop after SIGTERM as quitting the window does: uploads stay in the journal."""
    print(f"\ns3desk: terminated; {progress.after_stop()}", file=sys.stderr)
    engine.shutdown(cancel=False)
    return EXIT_TERMINATED


class ProgressPrinter:
    def __init__(
        self, out: TextIO, quiet: bool, verb: str = "upload", resumable: bool = True
    ) -> None:
        self._out = out
        self._quiet = quiet
        self.verb = verb  # "upload" or "download": the wording of every line
        # Uploads go on from an earlier run's parts; downloads always start afresh, so bytes
        # already done at first sight are this run's.
        self._resumable = resumable
        self._live = out.isatty() and not quiet
        self._line_shown = False
        self._started = time.monotonic()
        self._seen: set[int] = set()
        self.failed: list[JobView] = []
        self._first_with_error: dict[str, str] = {}  # error -> the first file that failed so

    def after_stop(self) -> str:
        """What becomes of unfinished transfers when the command is stopped in order."""
        if self._resumable:
            return (
                "unfinished uploads go on from where they stopped when the same command runs again"
            )
        return "unfinished downloads stop and leave no partial file"

    def show(self, jobs: list[JobView], totals: Totals) -> None:
        for job in jobs:
            if job.id not in self._seen:
                self._seen.add(job.id)
                resumed = self._resumable and job.bytes_done and not job.state.finished
                if resumed and not self._quiet:
                    self._print(
                        f"resuming {job.source}: {human_size(job.bytes_done)} of "
                        f"{human_size(job.size)} were uploaded before"
                    )
            if job.state is JobState.FAILED:
                self.failed.append(job)
                # An error every file meets (no credentials, no such bucket) is said once.
                first = self._first_with_error.setdefault(str(job.error), job.source)
                error = job.error if first == job.source else f"the same error as {first}"
                self._print(f"FAILED: {job.source}: {error}")
            elif job.state is JobState.SKIPPED:
                self._print(f"SKIPPED: {job.source}: {job.error}")
            elif job.state is JobState.DONE and not self._quiet:
                # A download's target is the local file; an upload's is the object.
                where = job.target or f"s3://{job.bucket}/{job.key}"
                self._print(f"{self.verb}ed {job.source} -> {where}")
        if self._live:
            self._out.write("\r\033[K" + _summary(totals))
            self._out.flush()
            self._line_shown = True

    def _print(self, line: str) -> None:
        if self._line_shown:
            self._out.write("\r\033[K")
            self._line_shown = False
        self._out.write(line + "\n")

    def finish(self, totals: Totals) -> int:
        if self._line_shown:
            self._out.write("\n")
        elapsed = time.monotonic() - self._started
        summary = (
            f"{totals.files_done} {self.verb}ed, {totals.files_failed} failed"
            + "".join(f", {n} {what}" for what, n in _other_ends(totals) if n)
            + f"; {human_size(totals.bytes_done)} in {human_duration(elapsed)}"
        )
        self._out.write(summary + "\n")
        self._out.flush()
        if self.failed:
            print(f"s3desk: {len(self.failed)} file(s) failed to {self.verb}", file=sys.stderr)
            return 1
        return 0


def _other_ends(t: Totals) -> list[tuple[str, int]]:
    """How the files neither done nor failed ended, each counted once: a cancelled file was
    not skipped, and one still unfinished (stopped, say) is neither."""
    ended = t.files_done + t.files_failed + t.files_cancelled + t.files_skipped
    return [
        ("cancelled", t.files_cancelled),
        ("skipped", t.files_skipped),
        ("not finished", max(0, t.files_total - ended)),
    ]


def _summary(t: Totals) -> str:
    eta = f" · ETA {human_duration(t.eta)}" if t.eta else ""
    return (
        f"{t.files_done}/{t.files_total} files · {human_size(t.bytes_done)} of "
        f"{human_size(t.bytes_total)} · {human_rate(t.speed)}{eta}"
    )
