"""The ``s3desk`` command: the desktop app by default, ``s3desk upload`` for scripts."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from s3desk import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="s3desk",
        description="Upload files to Amazon S3 and S3-compatible storage.",
        epilog=_desktop_options(),
        formatter_class=argparse.RawDescriptionHelpFormatter,  # the epilog is laid out
    )
    parser.add_argument("--version", action="version", version=f"s3desk {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this installation works here (Qt, keyring, boto3, the window), "
        "print what was checked and exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", help="open the desktop app (the default)")
    _add_gui_arguments(gui)

    from s3desk.cli.upload import add_upload_arguments

    upload = commands.add_parser(
        "upload",
        help="upload files and folders without opening a window",
        description="Upload files and folders; folders keep their relative paths.",
    )
    add_upload_arguments(upload)

    from s3desk.cli.download import add_download_arguments

    download = commands.add_parser(
        "download",
        help="download objects and folders without opening a window",
        description="Download an object, or a folder with everything in it.",
    )
    add_download_arguments(download)

    from s3desk.cli.accounts import add_accounts_arguments

    accounts = commands.add_parser(
        "accounts",
        help="list, add, remove and test accounts (secrets go to the OS keyring)",
        description="Manage the accounts the app and 's3desk upload --account' use.",
    )
    add_accounts_arguments(accounts)

    from s3desk.cli.admin import add_admin_arguments

    admin = commands.add_parser(
        "admin",
        help="IAM policies, CORS rules and a bucket settings check for administrators",
        description="Print least-privilege IAM policies and CORS rules, and check a "
        "bucket's settings (--fix applies the recommended ones).",
    )
    add_admin_arguments(admin)
    return parser


def _add_gui_arguments(parser: argparse._ActionsContainer) -> None:
    parser.add_argument(
        "--demo", action="store_true", help="use the local demo storage even if AWS is set up"
    )
    parser.add_argument("--account", help="start on this account (default: the default one)")
    parser.add_argument(
        "--endpoint-url", metavar="URL", help="S3-compatible service to use instead of AWS"
    )
    parser.add_argument("--bucket", help="bucket to show as the destination")


def _desktop_options() -> str:
    """The desktop app's options for ``s3desk --help``: "s3desk --demo" opens the app, so
    they belong on its first page, not only under "s3desk gui --help". Laid out by argparse
    from the same definitions, so the two never differ."""
    listing = argparse.ArgumentParser(prog="s3desk", usage=argparse.SUPPRESS, add_help=False)
    _add_gui_arguments(listing.add_argument_group("desktop app (s3desk without a COMMAND, or gui)"))
    return (
        listing.format_help().strip("\n")
        + "\n\n's3desk COMMAND --help' lists a command's options: upload and download\n"
        "take --account, --endpoint-url, --profile and --region too, and upload\n"
        "takes --demo, a rehearsal on the local demo storage."
    )


_TOP_LEVEL = frozenset(
    {"gui", "upload", "download", "accounts", "admin", "-h", "--help", "--version", "--self-test"}
)
_NO_DEMO = (
    "The local demo storage is not part of this installation: installers leave out the S3 "
    "server it runs on (moto). Add an account (Accounts…, or 's3desk accounts add') or use "
    "--endpoint-url; installed from source, pip install 's3desk[demo]' adds it."
)


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    if not args_list or args_list[0] not in _TOP_LEVEL:
        args_list = ["gui", *args_list]  # "s3desk --demo" opens the app
    args = parser.parse_args(args_list)
    from s3desk.core.logs import configure_logging

    configure_logging()
    if args.self_test:
        from s3desk.self_test import run_self_test

        return run_self_test()
    if args.command in _COMMANDS:
        code = _COMMANDS[args.command](args)
        if argv is None:  # the process is this command, and it ends now
            _skip_the_last_collection()
        return code
    from s3desk.core.storage.demo import demo_available

    if args.demo and not demo_available():
        print(_NO_DEMO, file=sys.stderr)
        return 2
    from s3desk.ui.app import run_gui

    return run_gui(
        demo=args.demo, endpoint_url=args.endpoint_url, bucket=args.bucket, account=args.account
    )


def _run_upload(args: argparse.Namespace) -> int:
    from s3desk.cli.upload import run_upload

    return run_upload(args)


def _run_download(args: argparse.Namespace) -> int:
    from s3desk.cli.download import run_download

    return run_download(args)


def _run_accounts(args: argparse.Namespace) -> int:
    from s3desk.cli.accounts import run_accounts

    return run_accounts(args)


def _run_admin(args: argparse.Namespace) -> int:
    from s3desk.cli.admin import run_admin

    return run_admin(args)


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "upload": _run_upload,
    "download": _run_download,
    "accounts": _run_accounts,
    "admin": _run_admin,
}


def _skip_the_last_collection() -> None:
    """Python's exit ends with a garbage collection over every object still alive: for a
    one-file upload about 10 ms spent walking what the imports made, with nothing left to
    find (the command has closed its journal, its connections and its files; atexit
    closes the log). Frozen objects are left out of that walk; the process ends anyway."""
    import gc

    gc.freeze()
