"""Which storage a command talks to: ``--account``, or ``--endpoint-url``, ``--profile`` and
``--region``, as ``s3desk upload``, ``s3desk download`` and ``s3desk admin check`` take them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from s3desk.core.storage.endpoint import S3Endpoint


def add_storage_arguments(parser: argparse.ArgumentParser) -> None:
    """The options ``endpoint_from`` reads, worded alike for every command."""
    parser.add_argument(
        "--account", help="an account from 's3desk accounts' (default: the standard AWS chain)"
    )
    parser.add_argument("--endpoint-url", help="S3-compatible service (default: AWS)")
    parser.add_argument("--profile", help="AWS profile (default: the standard AWS chain)")
    parser.add_argument("--region", help="region (default: from the profile or us-east-1)")


def endpoint_from(args: argparse.Namespace, says: str = "where to upload") -> S3Endpoint:
    from s3desk.core.storage.endpoint import S3Endpoint, custom_endpoint

    if args.account and (args.endpoint_url or args.profile):
        raise ValueError(f"--account says {says} already; drop --endpoint-url/--profile")
    if args.account:
        return _account_endpoint(args.account)
    if args.endpoint_url:
        return custom_endpoint(args.endpoint_url, region=args.region, profile=args.profile)
    return S3Endpoint(region=args.region, profile=args.profile)


class AccountProblem(Exception):
    """The named account cannot be used (unknown, unreadable file, keyring trouble)."""


def _account_endpoint(name: str) -> S3Endpoint:
    from s3desk.core.config.account_store import AccountStore
    from s3desk.core.config.accounts import AccountsFileError
    from s3desk.core.config.secrets import SecretStoreError

    try:
        store = AccountStore()
        account = store.find(name)
        if account is None:
            names = ", ".join(a.name for a in store.accounts()) or "none yet"
            raise AccountProblem(f"No account named '{name}' (accounts: {names})")
        return store.endpoint(account)
    except (AccountsFileError, SecretStoreError) as exc:
        raise AccountProblem(str(exc)) from exc
    except KeyError as exc:
        raise AccountProblem(exc.args[0] if exc.args else str(exc)) from exc
