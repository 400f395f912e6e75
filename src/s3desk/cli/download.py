"""``s3desk download``: the app's download planner and engine, with a text progress line.

A source ending in "/" (or a bucket alone) is a folder: everything under it arrives below
DEST_DIR with the paths it has below that folder, as ``aws s3 cp --recursive`` and
``rclone copy`` do. Any other source is one object, or a folder if no object has that name
but objects exist under it + "/".

SIGTERM stops it in order (once the listing is done, if it comes during the listing):
downloads under way stop and leave no partial file, finished ones and their audit entries
are complete; the exit status is 143.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, TextIO, cast

from s3desk.cli.endpoints import AccountProblem, add_storage_arguments, endpoint_from
from s3desk.cli.flags import add_transfer_arguments
from s3desk.core.config.conflict import ConflictPolicy

# The engine, the planner and botocore load when a download runs, not when the parser is
# built: 's3desk --help' and the other commands never need them.
if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from s3desk.cli.progress import SigTerm
    from s3desk.core.config.settings import Settings
    from s3desk.core.storage.endpoint import S3Endpoint
    from s3desk.core.transfer.download.plan import DownloadPlan


class _NothingThere(Exception):
    """The source names neither an object nor a folder with objects in it."""


def add_download_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        metavar="s3://BUCKET/KEY-OR-PREFIX[/]",
        help="one object, or a folder (ending in '/', or a bucket alone) with all it holds",
    )
    parser.add_argument(
        "destination", metavar="DEST_DIR", help="local folder they go to (made if missing)"
    )
    add_storage_arguments(parser)
    # --concurrency and --bwlimit default to the settings (_settings).
    add_transfer_arguments(parser, "download")
    parser.add_argument(
        "--if-exists",
        choices=[p.value for p in ConflictPolicy if p is not ConflictPolicy.ASK],
        default="skip",
        help="when a local file with the name exists: skip the object, overwrite the file, "
        "or rename: keep both, saving the download as 'name (1).ext'. The default is skip: "
        "a local file may hold changes of its own and is lost for good once replaced, and "
        "running the same download again fetches only what is missing (upload overwrites "
        "instead, as 'aws s3 cp' does)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="print only failures")


def parse_source(url: str) -> tuple[str, str]:
    """``s3://bucket/key-or-prefix`` -> (bucket, key-or-prefix)."""
    if not url.startswith("s3://"):
        raise ValueError(
            f"The source must look like s3://bucket/key or s3://bucket/folder/, not {url!r}"
        )
    bucket, _, key = url[len("s3://") :].partition("/")
    if not bucket:
        raise ValueError(f"The source {url!r} names no bucket")
    return bucket, key


def _settings(args: argparse.Namespace) -> Settings | str:
    """The settings with --concurrency and --bwlimit over them, within the organisation's
    locks and limits; a message instead when a flag is refused."""
    from s3desk.core.config.managed import ManagedConfigError
    from s3desk.core.config.settings import SettingLocked, SettingsFileError
    from s3desk.core.config.settings_store import SettingsStore, apply_cli_overrides

    flags = {"concurrency": args.concurrency, "bandwidth_limit": args.bwlimit}
    try:
        store = SettingsStore()
        given = {name: value for name, value in flags.items() if value is not None}
        return apply_cli_overrides(store.effective(), given, store.managed)
    except (SettingLocked, ValueError, SettingsFileError, ManagedConfigError) as exc:
        return str(exc)


def run_download(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from s3desk.cli.progress import SigTerm

    out = out or sys.stdout
    try:
        bucket, key = parse_source(args.source)
        endpoint = endpoint_from(args, says="which storage to download from")
    except ValueError as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return 2
    except AccountProblem as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return 1
    settings = _settings(args)
    if isinstance(settings, str):
        print(f"s3desk: {settings}", file=sys.stderr)
        return 2
    args.concurrency, args.bwlimit = settings.concurrency, settings.bandwidth_limit
    if args.concurrency < 1 or args.retries < 0:
        print("s3desk: --concurrency must be at least 1, --retries at least 0", file=sys.stderr)
        return 2
    dest = os.path.abspath(args.destination)
    if os.path.exists(dest) and not os.path.isdir(dest):
        print(f"s3desk: {args.destination} exists and is not a folder", file=sys.stderr)
        return 2
    with SigTerm() as sigterm:
        return _download(args, out, endpoint, bucket, key, dest, sigterm)


def _download(
    args: argparse.Namespace,
    out: TextIO,
    endpoint: S3Endpoint,
    bucket: str,
    key: str,
    dest: str,
    sigterm: SigTerm,
) -> int:
    from s3desk.cli.progress import ProgressPrinter, follow
    from s3desk.core.compliance.audit import AuditLog
    from s3desk.core.config.engine_config import EngineConfig
    from s3desk.core.transfer.download.engine import DownloadEngine

    config = EngineConfig(
        concurrency=args.concurrency,
        bandwidth_limit=float(args.bwlimit),
        max_attempts=args.retries + 1,
    )
    # Every download goes to the audit log, as the app's do.
    engine = DownloadEngine(endpoint, config, audit=AuditLog())
    try:
        # Listed on the engine's session and connections, without a botocore client where
        # the lean sender serves: one session per command, and no service model to load.
        client = cast("S3Client", engine.lister(attempts=args.retries + 1))
        plan = _plan(client, bucket, key, dest)
    except BaseException as exc:
        engine.shutdown()  # nothing was submitted: closes its connections
        if isinstance(exc, KeyboardInterrupt):
            print("\ns3desk: interrupted", file=sys.stderr)
            return 130
        if isinstance(exc, _NothingThere):
            print(f"s3desk: {exc}", file=sys.stderr)
            return 1
        if not isinstance(exc, Exception):
            raise
        # every S3 or network failure becomes one sentence
        print(f"s3desk: {_describe_listing_error(exc, bucket, key)}", file=sys.stderr)
        return 1

    refused = _refused_objects(plan)
    for refused_key, why in refused:
        print(f"s3desk: cannot save '{refused_key}' in {dest}: {why}", file=sys.stderr)
    os.makedirs(dest, exist_ok=True)
    conflict = ConflictPolicy(args.if_exists)
    progress = ProgressPrinter(out, quiet=args.quiet, verb="download", resumable=False)
    update = follow(
        engine, progress, lambda: engine.submit(plan.items, conflict, plan.folders), sigterm
    )
    if isinstance(update, int):
        return update
    engine.shutdown(cancel=False)
    code = progress.finish(update.totals)
    totals = update.totals
    skipped = totals.files_total - totals.files_done - totals.files_failed
    if skipped and conflict is ConflictPolicy.SKIP and not args.quiet:
        out.write(
            f"{skipped} file(s) exist in {dest} already and were left as they are; "
            "--if-exists overwrite replaces them, --if-exists rename keeps both\n"
        )
    if refused:
        print(
            f"s3desk: {len(refused)} object(s) were not downloaded: their names cannot be "
            "local file names (see above)",
            file=sys.stderr,
        )
        return max(code, 1)
    return code


def _plan(client: S3Client, bucket: str, key: str, dest: str) -> DownloadPlan:
    """What downloading ``key`` (an object or a folder) into ``dest`` means: the same
    planner the app uses, given what the app's Browse tab would show selected."""
    from s3desk.core.bucket.browse import iter_pages
    from s3desk.core.storage.errors import has_code
    from s3desk.core.transfer.download.plan import plan_download

    forbidden: Exception | None = None
    if key and not key.endswith("/"):
        try:
            head = client.head_object(Bucket=bucket, Key=key)
        except Exception as exc:
            # A HEAD answers a bare 403 for a bad key pair, for a missing object when the
            # credentials may not list the bucket, and for an unreadable one: the listing
            # below tells them apart.
            if has_code(exc, "403"):
                forbidden = exc
            elif not (has_code(exc, "404") or has_code(exc, "NoSuchKey")):
                raise
        else:
            size, etag = int(head.get("ContentLength", 0)), str(head.get("ETag", ""))
            single = [(key, size, etag, head.get("LastModified"))]
            # The object's own folder is the base: it lands as DEST_DIR/name.
            folder = key[: key.rfind("/") + 1]
            return plan_download(client, bucket, single, folder, dest)
        # No object by that name: a folder, if anything is under it.
        key += "/"
    # Every entry of the folder, as "select all" in the Browse tab gives them; subfolders
    # are then listed by the planner.
    selection = [
        (entry.key, entry.size, entry.etag, entry.modified)
        for page in iter_pages(client, bucket, key)
        for entry in page.entries
    ]
    if not selection and forbidden is not None:
        raise forbidden
    if not selection and key:
        raise _NothingThere(f"No object or folder 's3://{bucket}/{key.rstrip('/')}' to download")
    return plan_download(client, bucket, selection, key, dest)


def _refused_objects(plan: DownloadPlan) -> list[tuple[str, str]]:
    """plan.refused without folders whose objects are refused too: those say it already."""
    refused = sorted(plan.refused)
    return [
        (key, why)
        for n, (key, why) in enumerate(refused)
        if not (key.endswith("/") and n + 1 < len(refused) and refused[n + 1][0].startswith(key))
    ]


def _describe_listing_error(exc: BaseException, bucket: str, key: str) -> str:
    from s3desk.core.storage.errors import describe_error, has_code

    if has_code(exc, "NoSuchBucket"):
        return f"Bucket '{bucket}' does not exist"
    if has_code(exc, "AccessDenied") or has_code(exc, "403"):
        return f"Access denied: these credentials may not read 's3://{bucket}/{key}'"
    return describe_error(exc, bucket, key)


def main(argv: list[str] | None = None) -> int:
    """``s3desk download`` on its own: ``python -m s3desk.cli.download SOURCE DEST_DIR``."""
    parser = argparse.ArgumentParser(
        prog="s3desk download",
        description="Download an object, or a folder with everything in it.",
    )
    add_download_arguments(parser)
    args = parser.parse_args(argv)
    from s3desk.core.logs import configure_logging

    configure_logging()
    return run_download(args)


if __name__ == "__main__":
    sys.exit(main())
