"""Accounts: which storage service to use, and with which credentials.

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
import os
import tempfile
import tomllib
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import tomli_w

from s3desk.core import checksums
from s3desk.core.file_format import version_problem
from s3desk.core.paths import config_dir
from s3desk.core.phrases import phrase
from s3desk.core.s3 import S3Endpoint, custom_endpoint
from s3desk.core.secrets import SecretStore, SecretStoreError

if TYPE_CHECKING:  # managed.py reads its accounts with account_from_table below
    from s3desk.core.managed import ManagedConfig

FILE_VERSION = 1
_SECRET_KEY = "secret_access_key"
_SESSION_TOKEN = "session_token"

log = logging.getLogger(__name__)


class AccountKind(StrEnum):
    ACCESS_KEY = "access-key"  # Amazon S3 with an access key id and secret
    PROFILE = "aws-profile"  # a profile of the shared AWS config: keys, SSO, assume-role
    COMPATIBLE = "s3-compatible"  # another S3 service: endpoint URL, access key and secret
    # An organisation's upload service (s3desk-broker): its address and an access token; no
    # AWS keys on this computer. The service decides where files go.
    UPLOAD_SERVICE = "upload-service"

    @property
    def display_name(self) -> str:
        return {
            AccountKind.ACCESS_KEY: phrase("Amazon S3 — access key"),
            AccountKind.PROFILE: phrase("Amazon S3 — AWS profile (incl. SSO)"),
            AccountKind.COMPATIBLE: phrase("S3-compatible service"),
            AccountKind.UPLOAD_SERVICE: phrase("Organisation upload service (no AWS keys)"),
        }[self]

    @property
    def has_secret(self) -> bool:
        """A secret in the keyring: a secret access key, or an upload service's token."""
        return self is not AccountKind.PROFILE

    @property
    def has_key_id(self) -> bool:
        return self in (AccountKind.ACCESS_KEY, AccountKind.COMPATIBLE)

    @property
    def secret_name(self) -> str:
        return "access token" if self is AccountKind.UPLOAD_SERVICE else "secret access key"


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    kind: AccountKind
    access_key_id: str = ""
    profile: str = ""
    endpoint_url: str = ""
    region: str = ""
    path_style: bool = False
    checksum_mode: str = checksums.CRC32
    bucket: str = ""  # default destination
    prefix: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # Preset by the organisation's managed configuration: not in accounts.toml, not removable.
    managed: bool = False
    # This account's upload rules ([accounts.rules], docs/rules.md) and upload options
    # ([accounts.options]: encryption, storage class, ...); empty: the settings' own.
    rules: dict[str, Any] = field(default_factory=dict, compare=False)
    options: dict[str, Any] = field(default_factory=dict, compare=False)

    def problems(self) -> list[str]:
        """What is missing or malformed, in plain words (empty when the account is usable)."""
        found: list[str] = []
        if not self.name.strip():
            found.append("Give the account a name")
        if self.kind is AccountKind.PROFILE and not self.profile.strip():
            found.append("Choose an AWS profile")
        if self.kind.has_key_id and not self.access_key_id.strip():
            found.append("Enter the access key ID")
        if self.kind is AccountKind.UPLOAD_SERVICE and not self.endpoint_url.strip():
            found.append(
                "Enter the upload service's address (your IT department gives it), "
                "e.g. https://uploads.example.com"
            )
        elif self.kind is AccountKind.COMPATIBLE or self.endpoint_url:
            found.extend(_url_problems(self.endpoint_url))
        if self.checksum_mode not in checksums.MODES:
            found.append(f"Checksum mode must be one of {', '.join(checksums.MODES)}")
        return found


def _url_problems(url: str) -> list[str]:
    url = url.strip()
    if not url:
        return ["Enter the service's endpoint URL, e.g. https://s3.example.com"]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return [f"The endpoint URL needs http:// or https:// in front, e.g. https://{url}"]
    if not parts.hostname:
        return ["The endpoint URL has no host name"]
    if parts.query or parts.fragment:
        return ["The endpoint URL must not contain '?' or '#'"]
    return []


@dataclass(frozen=True, slots=True)
class Preset:
    """A common S3-compatible service: what to fill in, and what the user must supply."""

    name: str
    endpoint_url: str  # may contain {region} or {account_id}
    region: str
    path_style: bool = False
    checksum_mode: str = checksums.CRC32
    hint: str = ""


PRESETS: tuple[Preset, ...] = (
    Preset(
        "Cloudflare R2", "https://{account_id}.r2.cloudflarestorage.com", "auto",
        hint="Replace {account_id} with your Cloudflare account ID",
    ),
    Preset(
        "Backblaze B2", "https://s3.{region}.backblazeb2.com", "us-west-004",
        checksum_mode=checksums.MD5, hint="The region is part of your bucket's endpoint",
    ),
    Preset("Wasabi", "https://s3.{region}.wasabisys.com", "us-east-1"),
    Preset(
        "MinIO", "http://localhost:9000", "us-east-1", path_style=True,
        hint="Older MinIO releases need the MD5 checksum mode",
    ),
    Preset(
        "Ceph Object Gateway", "https://rgw.example.com", "default", path_style=True,
        checksum_mode=checksums.MD5,
    ),
    Preset("DigitalOcean Spaces", "https://{region}.digitaloceanspaces.com", "ams3"),
)  # fmt: skip


class AccountsFileError(Exception):
    """accounts.toml cannot be read or written; the message says which file and why."""


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
            from s3desk.core.managed import ManagedConfig, ManagedConfigError

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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Write a new file and rename it over the old one: a crash leaves one or the other.
        handle, temporary = tempfile.mkstemp(prefix=".accounts-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            raise AccountsFileError(f"Cannot write {self.path}: {exc.strerror or exc}") from exc
        self._accounts, self._default = accounts, default


def _audit(action: str, account: Account, secret_stored: bool = False) -> None:
    """Account changes go to the audit log: which account, what kind, where; never a secret
    (only that one was stored)."""
    from s3desk.core.audit import AuditLog

    try:
        AuditLog().append(
            action, account=account.name, account_id=account.id, kind=account.kind.value,
            endpoint=account.endpoint_url or None, secret_stored=secret_stored or None,
            result="ok",
        )  # fmt: skip
    except OSError as exc:
        log.error("audit entry not written (%s): %s %s", exc, action, account.name)


def endpoint_for(
    account: Account, secret_key: str | None = None, session_token: str | None = None
) -> S3Endpoint:
    """How to reach ``account``'s storage with the given secrets: AccountStore.endpoint passes
    the keyring's, the Accounts dialog's "Test connection" what was typed before saving."""
    if account.kind is AccountKind.UPLOAD_SERVICE:
        return S3Endpoint(
            label=account.name, broker_url=account.endpoint_url.strip(),
            broker_token=secret_key, account_id=account.id,
        )  # fmt: skip
    region = account.region or None
    profile = account.profile or None
    if account.endpoint_url:
        base = custom_endpoint(account.endpoint_url, region=region, profile=profile)
        path_style = account.path_style or base.path_style
    else:
        base = S3Endpoint(region=region, profile=profile)
        path_style = account.path_style
    has_secret = account.kind.has_secret
    return replace(
        base,
        label=account.name,
        access_key=account.access_key_id or None if has_secret else None,
        secret_key=secret_key if has_secret else None,
        session_token=session_token if has_secret else None,
        path_style=path_style,
        checksum_mode=account.checksum_mode,
        account_id=account.id,
    )


def accounts_path() -> Path:
    return config_dir() / "accounts.toml"


def _secret_name(account: Account, what: str) -> str:
    return f"{account.id}/{what}"


_FIELDS = {f.name for f in fields(Account)}


def _account_to(account: Account) -> dict[str, Any]:
    data = asdict(account)
    data["kind"] = account.kind.value
    del data["managed"]  # managed accounts live in the managed configuration only
    # Empty strings and defaults stay out of the file, so it reads like what the user set.
    return {k: v for k, v in data.items() if v not in ("", None, {})}


def account_from_table(
    entry: Any, where: str = "accounts.toml", *, managed: bool = False
) -> Account:
    """An account from an ``[[accounts]]`` table of ``where`` (accounts.toml, or the managed
    configuration with ``managed=True``); unknown fields are ignored."""
    if not isinstance(entry, dict):
        raise AccountsFileError(f"an [[accounts]] entry in {where} is not a table")
    known = {k: v for k, v in entry.items() if k in _FIELDS and k != "managed"}
    try:
        known["kind"] = AccountKind(known.get("kind", ""))
        return Account(**known, managed=managed)
    except (TypeError, ValueError) as exc:
        name = entry.get("name", "?")
        raise AccountsFileError(f"account '{name}' in {where} is malformed: {exc}") from exc
