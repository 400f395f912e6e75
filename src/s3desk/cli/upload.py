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
import sys
from typing import TYPE_CHECKING, TextIO

from s3desk.cli.endpoints import AccountProblem, add_storage_arguments, endpoint_from
from s3desk.cli.flags import add_transfer_arguments
from s3desk.core.config.conflict import ConflictPolicy

# The engine and its modules load when an upload runs, not when the parser is built:
# 's3desk --help' and the other commands never need them.
if TYPE_CHECKING:
    from s3desk.cli.progress import SigTerm
    from s3desk.core.config.engine_config import EngineConfig
    from s3desk.core.storage.endpoint import S3Endpoint
    from s3desk.core.transfer.jobs import Destination
    from s3desk.core.transfer.upload.journal import Journal


def add_upload_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="+", metavar="PATH", help="files or folders to upload")
    parser.add_argument("destination", metavar="s3://BUCKET/PREFIX/", help="where they go")
    add_storage_arguments(parser)
    # --concurrency, --bwlimit and --if-exists default to the settings (_settings_for).
    add_transfer_arguments(parser, "upload")
    parser.add_argument(
        "--if-exists",
        choices=[p.value for p in ConflictPolicy if p is not ConflictPolicy.ASK],
        help="when an object with the name exists: overwrite it, skip the file, or rename: "
        "keep both, as 'name (1).ext'. The default, unless the settings say otherwise, is "
        "overwrite, as 'aws s3 cp' does: running the same upload again brings changed files "
        "up to date (download skips instead: a local file replaced is lost for good)",
    )
    parser.add_argument(
        "--content-type", type=_content_type, metavar="TYPE",
        help="store every file with this Content-Type, e.g. 'text/plain; charset=utf-8' "
        "(default: from each file's name, the account's table, or its first bytes)",
    )  # fmt: skip
    parser.add_argument(
        "--demo", action="store_true",
        help="upload to the local demo storage instead: a rehearsal that needs no account "
        "(any bucket name; everything is gone when the command ends)",
    )  # fmt: skip
    parser.add_argument("--quiet", "-q", action="store_true", help="print only failures")


def _with_account(config: EngineConfig, endpoint: S3Endpoint) -> EngineConfig:
    """The upload rules and options of the account (or the settings) on top of ``config``."""
    from s3desk.core.config.settings_store import SettingsStore, with_account

    account = None
    if endpoint.account_id:
        # Only here: the account store loads the OS keyring, which keys from flags or the
        # environment do not need.
        from s3desk.core.config.account_store import AccountStore
        from s3desk.core.config.accounts import AccountsFileError

        try:
            account = AccountStore().find(endpoint.account_id)
        except AccountsFileError as exc:
            raise AccountProblem(str(exc)) from exc
    return with_account(config, SettingsStore(), account)


def _content_type(text: str) -> str:
    from s3desk.core.compliance import content_types

    try:
        return content_types.check(text)
    except content_types.InvalidContentType as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _settings_for(args: argparse.Namespace) -> EngineConfig | int:
    """The engine's configuration from the settings (settings.toml over the organisation's
    managed configuration) with --concurrency, --bwlimit and --if-exists over them, which
    are filled into ``args``. Instead the exit code, with the reason on stderr, when the
    organisation locked a flag's setting or a value is wrong (2), or when the settings
    cannot be read (1)."""
    from dataclasses import replace

    from s3desk.core.config.managed import ManagedConfigError
    from s3desk.core.config.settings import (
        SettingLocked,
        SettingsFileError,
        engine_config,
        unattended_conflict,
    )
    from s3desk.core.config.settings_store import SettingsStore, apply_cli_overrides

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
    from s3desk.cli.progress import SigTerm
    from s3desk.core.transfer.jobs import Destination
    from s3desk.core.transfer.upload.journal import open_user_journal

    out = out or sys.stdout
    configured = _settings_for(args)
    if isinstance(configured, int):
        return configured
    if args.demo:
        return _upload_to_demo(args, out, configured)
    try:
        dest = Destination.parse(args.destination)
        endpoint = endpoint_from(args)
    except ValueError as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return 2
    except AccountProblem as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return 1
    if args.concurrency < 1 or args.retries < 0:
        print("s3desk: --concurrency must be at least 1, --retries at least 0", file=sys.stderr)
        return 2

    try:
        config = _with_account(configured, endpoint)
    except (ValueError, AccountProblem) as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return 1
    journal, problem = open_user_journal()
    if problem:
        print(f"s3desk: {problem}", file=sys.stderr)
    try:
        with SigTerm() as sigterm:
            return _upload(args, out, config, endpoint, journal, dest, sigterm)
    finally:
        if journal is not None:
            journal.close()  # lets go of this run's claims; unfinished entries stay


def _upload_to_demo(args: argparse.Namespace, out: TextIO, config: EngineConfig) -> int:
    """The upload into the local demo storage, started for this command alone (its bucket
    is the destination's); no journal, as nothing is left to resume once it ends."""
    from s3desk.cli.progress import SigTerm
    from s3desk.core.storage.demo import DemoStorage, demo_available
    from s3desk.core.transfer.jobs import Destination

    if args.account or args.endpoint_url or args.profile:
        print("s3desk: --demo says where to upload already; drop --account, --endpoint-url "
              "and --profile", file=sys.stderr)  # fmt: skip
        return 2
    if not demo_available():
        print("s3desk: the local demo storage is not part of this installation (it needs "
              "moto: pip install 's3desk[demo]')", file=sys.stderr)  # fmt: skip
        return 2
    try:
        dest = Destination.parse(args.destination)
    except ValueError as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return 2
    with DemoStorage(buckets=(dest.bucket,)) as endpoint, SigTerm() as sigterm:
        try:
            code = _upload(args, out, _with_account(config, endpoint), endpoint, None, dest,
                           sigterm)  # fmt: skip
        except (ValueError, AccountProblem) as exc:
            print(f"s3desk: {exc}", file=sys.stderr)
            return 1
    if not args.quiet:
        out.write("(the local demo storage is gone now, with what was uploaded to it)\n")
    return code


def _upload(
    args: argparse.Namespace,
    out: TextIO,
    config: EngineConfig,
    endpoint: S3Endpoint,
    journal: Journal | None,
    dest: Destination,
    sigterm: SigTerm,
) -> int:
    from s3desk.cli.progress import ProgressPrinter, follow
    from s3desk.core.compliance.audit import AuditLog
    from s3desk.core.transfer.upload.engine import UploadEngine

    engine = UploadEngine(endpoint, config, journal=journal, audit=AuditLog())
    # Running the same command again after a crash goes on from the parts already sent.
    engine.load_resumable()
    progress = ProgressPrinter(out, quiet=args.quiet)
    update = follow(
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
