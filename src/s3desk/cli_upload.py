"""``s3desk upload``: the same engine as the app, with a text progress line.

SIGTERM stops it as closing the window does: uploads are interrupted and stay in the journal,
so running the same command again goes on from the parts already sent; the audit entries
are complete; the exit status is 143 (128 + 15, as a shell reports a process SIGTERM ended).
Ctrl+C (SIGINT) instead cancels the unfinished uploads and removes their partial uploads
from the server (exit status 130).

An unfinished upload that another live s3desk process is working on (the window, or another
``s3desk upload``) is left to it: its line says which process has it, and the exit status
is 1.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Protocol, TextIO

from s3desk.core import content_types
from s3desk.core.engine import Update, UploadEngine
from s3desk.core.engine_config import EngineConfig
from s3desk.core.jobs import ConflictPolicy, Destination, JobState, JobView, Totals
from s3desk.core.journal import Journal, open_user_journal
from s3desk.core.s3 import S3Endpoint, custom_endpoint
from s3desk.core.units import human_duration, human_rate, human_size

# How often the progress line is redrawn.
_REFRESH_SECONDS = 0.2

# The exit status after SIGTERM: 128 + the signal's number, as shells report it.
EXIT_TERMINATED = 128 + 15


class _SigTerm:
    """While entered (in the main thread), SIGTERM only sets ``received``: the progress loop
    looks at it on every turn and stops in order. (An exception raised by the handler could
    land inside a lock's ``with`` and leave the lock broken.)"""

    def __init__(self) -> None:
        self.received = False
        self._previous: Callable[[int, FrameType | None], object] | int | None = None
        self._installed = False

    def __enter__(self) -> _SigTerm:
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


def add_upload_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="+", metavar="PATH", help="files or folders to upload")
    parser.add_argument("destination", metavar="s3://BUCKET/PREFIX/", help="where they go")
    parser.add_argument(
        "--account", help="an account from 's3desk accounts' (default: the standard AWS chain)"
    )
    parser.add_argument("--endpoint-url", help="S3-compatible service (default: AWS)")
    parser.add_argument("--profile", help="AWS profile (default: the standard AWS chain)")
    parser.add_argument("--region", help="region (default: from the profile or us-east-1)")
    # --concurrency, --bwlimit and --if-exists default to the settings (_settings_for).
    parser.add_argument(
        "--concurrency", type=int, help="parallel requests (default: the settings', 10)"
    )
    parser.add_argument(
        "--retries", type=int, default=7, help="retries per request on network or server errors"
    )
    parser.add_argument(
        "--bwlimit", type=_rate, metavar="RATE",
        help="bandwidth limit for all uploads together, e.g. 500K or 20M (bytes per second; "
        "default: the settings', none)",
    )  # fmt: skip
    parser.add_argument(
        "--if-exists",
        choices=[p.value for p in ConflictPolicy if p is not ConflictPolicy.ASK],
        help="when an object with the name exists: overwrite it (default, unless the "
        "settings say otherwise), skip the file, or rename: keep both, as 'name (1).ext'",
    )
    parser.add_argument(
        "--content-type", type=_content_type, metavar="TYPE",
        help="store every file with this Content-Type, e.g. 'text/plain; charset=utf-8' "
        "(default: from each file's name, the account's table, or its first bytes)",
    )  # fmt: skip
    parser.add_argument("--quiet", "-q", action="store_true", help="print only failures")


def _endpoint_from(args: argparse.Namespace, says: str = "where to upload") -> S3Endpoint:
    if args.account and (args.endpoint_url or args.profile):
        raise ValueError(f"--account says {says} already; drop --endpoint-url/--profile")
    if args.account:
        return _account_endpoint(args.account)
    if args.endpoint_url:
        return custom_endpoint(args.endpoint_url, region=args.region, profile=args.profile)
    return S3Endpoint(region=args.region, profile=args.profile)


class _AccountProblem(Exception):
    """The named account cannot be used (unknown, unreadable file, keyring trouble)."""


def _account_endpoint(name: str) -> S3Endpoint:
    from s3desk.core.account_store import AccountStore
    from s3desk.core.accounts import AccountsFileError
    from s3desk.core.secrets import SecretStoreError

    try:
        store = AccountStore()
        account = store.find(name)
        if account is None:
            names = ", ".join(a.name for a in store.accounts()) or "none yet"
            raise _AccountProblem(f"No account named '{name}' (accounts: {names})")
        return store.endpoint(account)
    except (AccountsFileError, SecretStoreError) as exc:
        raise _AccountProblem(str(exc)) from exc
    except KeyError as exc:
        raise _AccountProblem(exc.args[0] if exc.args else str(exc)) from exc


def _with_account(config: EngineConfig, endpoint: S3Endpoint) -> EngineConfig:
    """The upload rules and options of the account (or the settings) on top of ``config``."""
    from s3desk.core.account_store import AccountStore
    from s3desk.core.accounts import AccountsFileError
    from s3desk.core.settings_store import SettingsStore, with_account

    account = None
    if endpoint.account_id:
        try:
            account = AccountStore().find(endpoint.account_id)
        except AccountsFileError as exc:
            raise _AccountProblem(str(exc)) from exc
    return with_account(config, SettingsStore(), account)


def _content_type(text: str) -> str:
    try:
        return content_types.check(text)
    except content_types.InvalidContentType as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _rate(text: str) -> float:
    multiplier = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(text[-1:].upper(), 1)
    try:
        return float(text[:-1] if multiplier > 1 else text) * multiplier
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a rate: {text!r} (try 500K or 20M)") from None


def _settings_for(args: argparse.Namespace) -> EngineConfig | int:
    """The engine's configuration from the settings (settings.toml over the organisation's
    managed configuration) with --concurrency, --bwlimit and --if-exists over them, which
    are filled into ``args``. Instead the exit code, with the reason on stderr, when the
    organisation locked a flag's setting or a value is wrong (2), or when the settings
    cannot be read (1)."""
    from dataclasses import replace

    from s3desk.core.managed import ManagedConfigError
    from s3desk.core.settings import (
        SettingLocked,
        SettingsFileError,
        engine_config,
        unattended_conflict,
    )
    from s3desk.core.settings_store import SettingsStore, apply_cli_overrides

    flags = {"concurrency": args.concurrency, "bandwidth_limit": args.bwlimit,
             "conflict": args.if_exists}  # fmt: skip
    try:
        store = SettingsStore()
        given = {name: value for name, value in flags.items() if value is not None}
        settings = apply_cli_overrides(store.effective(), given, store.managed)
    except (SettingLocked, ValueError) as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return 2
    except (SettingsFileError, ManagedConfigError) as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return 1
    conflict = settings.conflict
    if args.if_exists is None:  # nobody can be asked here
        conflict = unattended_conflict(settings, store.is_locked("conflict"))
    args.concurrency, args.bwlimit = settings.concurrency, settings.bandwidth_limit
    args.if_exists = conflict.value
    return replace(engine_config(settings), conflict=conflict, max_attempts=args.retries + 1)


def run_upload(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    configured = _settings_for(args)
    if isinstance(configured, int):
        return configured
    try:
        dest = Destination.parse(args.destination)
        endpoint = _endpoint_from(args)
    except ValueError as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return 2
    except _AccountProblem as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return 1
    if args.concurrency < 1 or args.retries < 0:
        print("s3desk: --concurrency must be at least 1, --retries at least 0", file=sys.stderr)
        return 2

    try:
        config = _with_account(configured, endpoint)
    except (ValueError, _AccountProblem) as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return 1
    journal, problem = open_user_journal()
    if problem:
        print(f"s3desk: {problem}", file=sys.stderr)
    try:
        with _SigTerm() as sigterm:
            return _upload(args, out, config, endpoint, journal, dest, sigterm)
    finally:
        if journal is not None:
            journal.close()  # lets go of this run's claims; unfinished entries stay


def _upload(
    args: argparse.Namespace,
    out: TextIO,
    config: EngineConfig,
    endpoint: S3Endpoint,
    journal: Journal | None,
    dest: Destination,
    sigterm: _SigTerm,
) -> int:
    from s3desk.core.audit import AuditLog

    engine = UploadEngine(endpoint, config, journal=journal, audit=AuditLog())
    # Running the same command again after a crash goes on from the parts already sent.
    engine.load_resumable()
    progress = _ProgressPrinter(out, quiet=args.quiet)
    update = _follow(
        engine,
        progress,
        lambda: engine.submit_paths(args.sources, dest, content_type=args.content_type or ""),
        sigterm,
    )
    if isinstance(update, int):
        return update
    engine.shutdown(cancel=False)
    if update.warning:
        print(f"s3desk: {update.warning}", file=sys.stderr)
    return progress.finish(update.totals)


class _Engine(Protocol):
    """What the progress loop needs: the upload and the download engine both have it."""

    def wait(self, timeout: float | None = None) -> bool: ...
    def drain(self) -> Update: ...
    def shutdown(self, cancel: bool = True, timeout: float = 30.0) -> None: ...


def _follow(
    engine: _Engine, progress: _ProgressPrinter, start: Callable[[], object], sigterm: _SigTerm
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


def _terminated(engine: _Engine, progress: _ProgressPrinter) -> int:
    """Stop after SIGTERM as quitting the window does: uploads stay in the journal."""
    print(f"\ns3desk: terminated; {progress.after_stop()}", file=sys.stderr)
    engine.shutdown(cancel=False)
    return EXIT_TERMINATED


class _ProgressPrinter:
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
            if job.state in (JobState.FAILED, JobState.SKIPPED):
                if job.state is JobState.FAILED:
                    self.failed.append(job)
                self._print(f"{job.state.value.upper()}: {job.source}: {job.error}")
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
        skipped = totals.files_total - totals.files_done - totals.files_failed
        summary = (
            f"{totals.files_done} {self.verb}ed, {totals.files_failed} failed"
            + (f", {skipped} skipped" if skipped else "")
            + f"; {human_size(totals.bytes_done)} in {human_duration(elapsed)}"
        )
        self._out.write(summary + "\n")
        self._out.flush()
        if self.failed:
            print(f"s3desk: {len(self.failed)} file(s) failed to {self.verb}", file=sys.stderr)
            return 1
        return 0


def _summary(t: Totals) -> str:
    eta = f" · ETA {human_duration(t.eta)}" if t.eta else ""
    return (
        f"{t.files_done}/{t.files_total} files · {human_size(t.bytes_done)} of "
        f"{human_size(t.bytes_total)} · {human_rate(t.speed)}{eta}"
    )
