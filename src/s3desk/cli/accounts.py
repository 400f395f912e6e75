"""``s3desk accounts``: list, add, remove, test accounts, and pick the default.

Secrets are never taken from the command line, where other users could read them in the
process list: ``add`` reads the secret key from standard input (``--secret-stdin``) or asks
for it without echo.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when an accounts command runs, not for every command line
    from s3desk.core.config.account_store import AccountStore
    from s3desk.core.config.accounts import Account

_KINDS = ("access-key", "aws-profile", "s3-compatible", "upload-service")  # AccountKind
_CHECKSUM_MODES = ("crc32", "md5")  # checksums.MODES


def add_accounts_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="list the accounts (no secrets)")

    add = actions.add_parser("add", help="add an account, or update one with the same name")
    add.add_argument("name")
    add.add_argument("--kind", choices=_KINDS, default=_KINDS[0])
    add.add_argument("--access-key-id", default="")
    add.add_argument("--profile", default="", help="AWS profile (for --kind aws-profile)")
    add.add_argument(
        "--endpoint-url",
        default="",
        help="for --kind s3-compatible; the service's address for --kind upload-service",
    )
    add.add_argument("--region", default="")
    add.add_argument("--path-style", action="store_true", help="path-style addressing")
    add.add_argument("--checksum-mode", choices=_CHECKSUM_MODES, default=_CHECKSUM_MODES[0])
    add.add_argument("--bucket", default="", help="default bucket")
    add.add_argument("--prefix", default="", help="default prefix in the bucket")
    add.add_argument(
        "--secret-stdin", action="store_true",
        help="read the secret access key (or access token) from standard input (first line)",
    )  # fmt: skip
    add.add_argument("--default", action="store_true", help="make it the default account")

    for name, text in (("remove", "remove an account and its secrets"),
                       ("default", "make an account the default"),
                       ("test", "test an account's connection")):  # fmt: skip
        action = actions.add_parser(name, help=text)
        action.add_argument("name")
        if name == "test":
            action.add_argument("--bucket", default="", help="also check this bucket")


def run_accounts(args: argparse.Namespace) -> int:
    from s3desk.core.config.account_store import AccountStore
    from s3desk.core.config.accounts import AccountsFileError
    from s3desk.core.config.secrets import SecretStoreError

    try:
        store = AccountStore()
        return _ACTIONS[args.action](store, args)
    except (AccountsFileError, SecretStoreError, ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"s3desk: {message}", file=sys.stderr)
        return 1


def _list(store: AccountStore, _: argparse.Namespace) -> int:
    from s3desk.core.config.accounts import AccountKind

    default = store.default()
    for account in store.accounts():
        mark = "*" if default and account.id == default.id else " "
        where = account.endpoint_url or "Amazon S3"
        who = account.profile if account.kind is AccountKind.PROFILE else account.access_key_id
        dest = f"  s3://{account.bucket}/{account.prefix}" if account.bucket else ""
        print(f"{mark} {account.name}  [{account.kind.value}]  {where}  {who}{dest}")
    if not store.accounts():
        print("No accounts yet. Add one with: s3desk accounts add NAME --access-key-id ID")
    return 0


def _add(store: AccountStore, args: argparse.Namespace) -> int:
    from s3desk.core.config.accounts import Account, AccountKind

    existing = store.find(args.name)
    account = Account(
        name=args.name, kind=AccountKind(args.kind), access_key_id=args.access_key_id,
        profile=args.profile, endpoint_url=args.endpoint_url, region=args.region,
        path_style=args.path_style, checksum_mode=args.checksum_mode, bucket=args.bucket,
        prefix=args.prefix,
    )  # fmt: skip
    if existing is not None:
        from dataclasses import replace  # here: 's3desk --help' need not load dataclasses

        account = replace(account, id=existing.id)
    secret = None
    if account.kind.has_secret and (existing is None or args.secret_stdin):
        secret = _read_secret(args.secret_stdin, account.kind.secret_name)
    store.save(account, secret_key=secret)
    if args.default:
        store.set_default(account.id)
    print(f"{'Updated' if existing else 'Added'} account '{account.name}'")
    return 0


def _read_secret(from_stdin: bool, what: str = "secret access key") -> str:
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        secret = getpass.getpass(f"{what.capitalize()}: ")
    if not secret:
        raise ValueError(f"No {what} given")
    return secret


def _remove(store: AccountStore, args: argparse.Namespace) -> int:
    account = _find(store, args.name)
    store.remove(account.id)
    print(f"Removed account '{account.name}' and its secrets")
    return 0


def _default(store: AccountStore, args: argparse.Namespace) -> int:
    account = _find(store, args.name)
    store.set_default(account.id)
    print(f"'{account.name}' is now the default account")
    return 0


def _test(store: AccountStore, args: argparse.Namespace) -> int:
    from s3desk.core.storage.connection_check import check_connection

    account = _find(store, args.name)
    verdict = check_connection(store.endpoint(account), args.bucket or account.bucket)
    print(verdict.message)
    return 0 if verdict.ok else 1


def _find(store: AccountStore, name: str) -> Account:
    account = store.find(name)
    if account is None:
        names = ", ".join(a.name for a in store.accounts()) or "none yet"
        raise ValueError(f"No account named '{name}' (accounts: {names})")
    return account


_ACTIONS = {"list": _list, "add": _add, "remove": _remove, "default": _default, "test": _test}
