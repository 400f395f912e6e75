"""Accounts: which storage service to use, and with which credentials.

An Account names a service and how to sign in to it; its secrets (secret access keys,
session tokens, tokens) are never part of it but live in the OS keyring. Where accounts
are kept and how they are listed and changed is account_store.py; the organisation's
managed configuration (managed.py) reads its preset accounts with ``account_from_table``.
"""

from __future__ import annotations

import difflib
import re
import uuid
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from s3desk.core.phrases import phrase
from s3desk.core.storage import checksums
from s3desk.core.storage.endpoint import S3Endpoint, custom_endpoint


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
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return _scheme_problems(url)
    if not parts.hostname:
        return ["The endpoint URL has no host name"]
    if any(ch.isspace() for ch in parts.netloc):
        return [_space_problem(parts.netloc)]
    if parts.query or parts.fragment:
        return ["The endpoint URL must not contain '?' or '#'"]
    return []


# What was typed where http:// or https:// belongs: "htps//", "https:/", "ftp://".
_TYPED_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*)(://?|:?//?)(.*)", re.IGNORECASE)


def _scheme_problems(url: str) -> list[str]:
    """For a URL without http:// or https:// in front: what is wrong, and the URL it was
    most likely meant to be, when that one would be usable."""
    typed = _TYPED_SCHEME.fullmatch(url)
    scheme, rest = "https", url
    problem = "The endpoint URL needs http:// or https:// in front"
    if typed:
        start = typed[1] + typed[2]
        close = difflib.get_close_matches(typed[1].lower(), ["https", "http"], n=1, cutoff=0.6)
        if close:  # a typing slip: "htps//", "https:/"
            scheme, rest = close[0], typed[3]
            problem = f"The endpoint URL starts with '{start}', not https:// or http://"
        elif typed[2] == "://":
            return [f"The endpoint URL must start with https:// or http://, not '{start}'"]
    netloc = urlsplit(f"{scheme}://{rest}").netloc
    if any(ch.isspace() for ch in netloc):  # no guess then: a dot or a dash left out?
        return [problem, _space_problem(netloc)]
    if rest != url:  # a slip corrected
        return [f"{problem}: did you mean {scheme}://{rest}?"]
    return [f"{problem}, e.g. {scheme}://{rest}"]


def _space_problem(netloc: str) -> str:
    host, _, port = netloc.rpartition("@")[2].rpartition(":")
    if not (host and port.isdigit()):
        host = netloc.rpartition("@")[2]
    return f"The host name '{host}' contains a space; host names have none"


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


def endpoint_for(
    account: Account, secret_key: str | None = None, session_token: str | None = None
) -> S3Endpoint:
    """How to reach ``account``'s storage with the given secrets: AccountStore.endpoint passes
    the keyring's, the Accounts dialog's "Test connection" what was typed before saving."""
    if account.kind is AccountKind.UPLOAD_SERVICE:
        return S3Endpoint(
            label=account.name, upload_service_url=account.endpoint_url.strip(),
            upload_service_token=secret_key, account_id=account.id,
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


_FIELDS = {f.name for f in fields(Account)}


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
