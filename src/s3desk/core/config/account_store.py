"""The accounts in use: ``accounts.toml`` and the managed configuration's, with secrets
from the OS keyring.

Account metadata (names, endpoints, regions, access key ids, default destinations) lives in
``accounts.toml`` in the user's config folder (format documented in docs/accounts.md).
Secrets — secret access keys and session tokens — never go there: they live in the OS
keyring under the account's id, through SecretStore, and are read only when an account's
endpoint is built.

The organisation's managed configuration (managed.py) may preset accounts: AccountStore
lists them first, marked ``managed``; they are never written to accounts.toml and cannot be
changed or removed, only given their secret. It may also lock the list against additions
and removals.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import tomli_w

from s3desk.core.config.accounts import Account, AccountsFileError, account_from_table, endpoint_for
from s3desk.core.config.file_format import version_problem, write_privately
from s3desk.core.config.managed import ManagedConfig, ManagedConfigError
from s3desk.core.config.secrets import SecretStore, SecretStoreError
from s3desk.core.paths import config_dir
from s3desk.core.storage.endpoint import S3Endpoint

FILE_VERSION = 1
_SECRET_KEY = "secret_access_key"
_SESSION_TOKEN = "session_token"

log = logging.getLogger(__name__)


_LOCKED = "Your organisation manages the accounts on this computer: accounts cannot be {}"


class AccountStore:
    """Accounts from ``accounts.toml`` and the managed configuration (default: the system's;
    a broken one raises AccountsFileError), secrets from the OS keyring."""

    def __init__(
        self,
        path: Path | None = None,
        secrets: SecretStore | None = None,
        managed: ManagedConfig | None = None,
    ) -> None:
        if managed is None:
            try:
                managed = ManagedConfig.load()
            except ManagedConfigError as exc:
                raise AccountsFileError(str(exc)) from exc
        self.managed = managed
        self._managed = list(managed.accounts)
        self.path = path or accounts_path()
        self.secrets = secrets or SecretStore()
        self._accounts: list[Account] = []
        self._default = ""
        self.reload()

    # ----------------------------------------------------------------- reading

    def reload(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self._accounts, self._default = [], ""
            return
        except OSError as exc:
            raise AccountsFileError(f"Cannot read {self.path}: {exc.strerror or exc}") from exc
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise AccountsFileError(f"{self.path} is not valid TOML: {exc}") from exc
        problem = version_problem(data.get("version", 1), FILE_VERSION)
        if problem is not None:
            raise AccountsFileError(f"{self.path}: {problem}. The file is left as it is.")
        self._accounts = [account_from_table(entry) for entry in data.get("accounts", [])]
        self._default = str(data.get("default", ""))

    def accounts(self) -> list[Account]:
        """The managed accounts, then the user's (but for one with a managed one's id or
        name, which stays in the file, hidden)."""
        taken = {a.id for a in self._managed} | {a.name.casefold() for a in self._managed}
        own = [a for a in self._accounts if not {a.id, a.name.casefold()} & taken]
        return [*self._managed, *own]

    def find(self, name_or_id: str) -> Account | None:
        accounts = self.accounts()
        for account in accounts:
            if name_or_id in (account.id, account.name):
                return account
        folded = name_or_id.casefold()
        matches = [a for a in accounts if a.name.casefold() == folded]
        return matches[0] if len(matches) == 1 else None

    def default(self) -> Account | None:
        found = self.find(self._default) if self._default else None
        accounts = self.accounts()
        return found or (accounts[0] if accounts else None)

    def endpoint(self, account: Account) -> S3Endpoint:
        """How to reach ``account``'s storage, with its secrets read from the keyring.

        Raises SecretStoreError when the keyring cannot be used, and KeyError when the
        account's secret is not in it (e.g. removed by hand)."""
        secret = token = None
        if account.kind.has_secret:
            secret = self.secrets.get(_secret_name(account, _SECRET_KEY))
            if secret is None:
                raise KeyError(
                    f"The {account.kind.secret_name} of account '{account.name}' is not in the "
                    "keyring; edit the account and enter it again"
                )
            token = self.secrets.get(_secret_name(account, _SESSION_TOKEN))
        return endpoint_for(account, secret, token)

    # ----------------------------------------------------------------- changing

    def save(
        self,
        account: Account,
        *,
        secret_key: str | None = None,
        session_token: str | None = None,
    ) -> Account:
        """Add ``account`` or replace the one with its id. A secret of None keeps the one
        stored; an empty session token removes it. Secrets go to the keyring first, so a
        keyring failure leaves the file unchanged.

        A managed account can only be given its secrets (passed unchanged, or ValueError);
        a new account is refused (ValueError) while the organisation locks the list."""
        preset = next((a for a in self._managed if a.id == account.id), None)
        if preset is not None and replace(account, managed=True) != preset:
            raise ValueError(f"'{preset.name}' is set by your organisation and cannot be changed")
        account = preset or replace(account, managed=False)
        problems = account.problems()
        if problems:
            raise ValueError("; ".join(problems))
        clash = self.find(account.name)
        if clash is not None and clash.id != account.id:
            raise ValueError(f"An account named '{account.name}' exists already")
        own = any(a.id == account.id for a in self._accounts)
        known = own or preset is not None
        if not known and self.managed.accounts_locked:
            raise ValueError(_LOCKED.format("added"))
        if account.kind.has_secret:
            if secret_key is not None:
                self.secrets.set(_secret_name(account, _SECRET_KEY), secret_key)
            elif not known or self.secrets.get(_secret_name(account, _SECRET_KEY)) is None:
                raise ValueError(f"Enter the {account.kind.secret_name}")
            if session_token:
                self.secrets.set(_secret_name(account, _SESSION_TOKEN), session_token)
            elif session_token == "":
                self.secrets.delete(_secret_name(account, _SESSION_TOKEN))
        elif known:
            self._forget_secrets(account)  # it may have had a key before
        if preset is not None:
            return preset  # its secrets were all the user had to give
        accounts = [account if a.id == account.id else a for a in self._accounts]
        if not own:
            accounts.append(account)
        # The first account becomes the default, unless the organisation's come first.
        self._write(accounts, self._default or ("" if self._managed else account.id))
        secret_stored = secret_key is not None or bool(session_token)
        _audit("account-changed" if own else "account-added", account, secret_stored)
        return account

    def remove(self, account_id: str) -> None:
        account = self.find(account_id)
        if account is None:
            return
        if account.managed:
            raise ValueError(f"'{account.name}' is set by your organisation and cannot be removed")
        if self.managed.accounts_locked:
            raise ValueError(_LOCKED.format("removed"))
        self._forget_secrets(account)
        remaining = [a for a in self._accounts if a.id != account.id]
        default = self._default if self._default != account.id else ""
        self._write(remaining, default)
        _audit("account-removed", account)

    def set_default(self, account_id: str) -> None:
        account = self.find(account_id)
        if account is None:
            raise KeyError(account_id)
        self._write(self._accounts, account.id)

    def _forget_secrets(self, account: Account) -> None:
        try:
            for name in (_SECRET_KEY, _SESSION_TOKEN):
                self.secrets.delete(_secret_name(account, name))
        except SecretStoreError:
            # A profile account keeps nothing in the keyring: an unusable keyring must not
            # stop it from being changed or removed. A key account's secret must go, though.
            if account.kind.has_secret:
                raise

    def _write(self, accounts: Iterable[Account], default: str) -> None:
        accounts = list(accounts)
        document: dict[str, Any] = {"version": FILE_VERSION, "default": default}
        document["accounts"] = [_account_to(a) for a in accounts]
        text = tomli_w.dumps(document)
        try:
            write_privately(self.path, text)
        except OSError as exc:
            raise AccountsFileError(f"Cannot write {self.path}: {exc.strerror or exc}") from exc
        self._accounts, self._default = accounts, default


def _audit(action: str, account: Account, secret_stored: bool = False) -> None:
    """Account changes go to the audit log: which account, what kind, where; never a secret
    (only that one was stored)."""
    from s3desk.core.compliance.audit import AuditLog

    try:
        AuditLog().append(
            action, account=account.name, account_id=account.id, kind=account.kind.value,
            endpoint=account.endpoint_url or None, secret_stored=secret_stored or None,
            result="ok",
        )  # fmt: skip
    except OSError as exc:
        log.error("audit entry not written (%s): %s %s", exc, action, account.name)


def accounts_path() -> Path:
    return config_dir() / "accounts.toml"


def _secret_name(account: Account, what: str) -> str:
    return f"{account.id}/{what}"


def _account_to(account: Account) -> dict[str, Any]:
    data = asdict(account)
    data["kind"] = account.kind.value
    del data["managed"]  # managed accounts live in the managed configuration only
    # Empty strings and defaults stay out of the file, so it reads like what the user set.
    return {k: v for k, v in data.items() if v not in ("", None, {})}
