"""The organisation's managed configuration: one system-wide TOML file, written by IT.

It presets settings, locks any of them (the user, settings.toml and the command line then
cannot change them), caps some (``[limits]``), presets accounts without secrets (listed
as managed; users cannot remove them) and offers endpoints as presets for new accounts.
Every key is described in docs/managed-config.md.

Where it lives: ``/etc/s3desk/managed.toml`` on Linux, ``%ProgramData%\\s3desk\\managed.toml``
on Windows, ``/Library/Application Support/s3desk/managed.toml`` on macOS;
``S3DESK_MANAGED_CONFIG`` names another file (tests). No file means nothing is managed. A
file that is there but wrong is refused whole (ManagedConfigError, with every problem
listed): half-applied locks would be worse than a clear error on the first start.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from s3desk.core.config.accounts import Account, AccountsFileError, Preset, account_from_table
from s3desk.core.config.engine_config import MAX_CONCURRENCY
from s3desk.core.config.file_format import version_problem
from s3desk.core.config.settings import coerce, current_name, lock_names, parse_size
from s3desk.core.phrases import phrase, template
from s3desk.core.storage import checksums
from s3desk.core.units import exact_rate

ENV_VAR = "S3DESK_MANAGED_CONFIG"
MANAGED_VERSION = 1

# A managed account without an id gets one made from its name, the same on every start and
# every computer: its secret (if it has one) is kept in the keyring under that id.
_ACCOUNT_NAMESPACE = uuid.UUID("6f1d1c1e-4a55-5d0b-9a51-53d35e5ac0de")
_SECRET_KEYS = frozenset({
    "secret_access_key", "aws_secret_access_key", "session_token", "aws_session_token",
    "secret", "token", "access_token", "password",
})  # fmt: skip
_ACCOUNT_TYPES = {f.name: bool if f.type == "bool" else str for f in fields(Account)}


class ManagedConfigError(Exception):
    """The managed configuration exists but cannot be used; the message says why."""


def managed_path(platform: str | None = None) -> Path:
    """Where the managed configuration is on ``platform`` (default: this system);
    ``S3DESK_MANAGED_CONFIG`` overrides."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    platform = platform or sys.platform
    if platform == "win32":
        program_data = os.environ.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(program_data, "s3desk", "managed.toml")
    if platform == "darwin":
        return Path("/Library/Application Support/s3desk/managed.toml")
    return Path("/etc/s3desk/managed.toml")


_AT_MOST = template("can be at most {limit} (a limit set by your organisation)")


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on settings. None: no limit."""

    max_concurrency: int | None = None
    max_bandwidth: int | None = None  # bytes per second; also forbids "unlimited" (0)

    def problem(self, name: str, value: Any) -> str:
        """What is wrong with ``value`` for setting ``name`` under these limits, worded to
        follow the setting's label ("can be at most 16 (…)"); empty when it is within."""
        concurrency, bandwidth = self.max_concurrency, self.max_bandwidth
        if name == "concurrency" and concurrency is not None and value > concurrency:
            return phrase(_AT_MOST, limit=str(concurrency))
        if name == "bandwidth_limit" and bandwidth is not None and not 0 < value <= bandwidth:
            return phrase(_AT_MOST, limit=exact_rate(bandwidth))
        return ""

    def clamp(self, name: str, value: Any) -> Any:
        """``value`` brought within the limits."""
        if not self.problem(name, value):
            return value
        if name == "concurrency":
            return self.max_concurrency
        return self.max_bandwidth


@dataclass(frozen=True)
class ManagedConfig:
    """What the organisation set. ``ManagedConfig()`` is "nothing managed"."""

    path: Path | None = None  # the file it came from; None when there is none
    settings: Mapping[str, Any] = field(default_factory=dict)  # presets, checked
    locked: frozenset[str] = frozenset()  # setting names (groups and "*" expanded)
    accounts_locked: bool = False  # users cannot add or remove accounts
    accounts: tuple[Account, ...] = ()  # preset accounts, managed=True
    endpoints: tuple[Preset, ...] = ()  # offered when adding an account
    limits: Limits = Limits()

    @classmethod
    def load(cls, path: Path | None = None) -> ManagedConfig:
        """The managed configuration at ``path`` (default: managed_path()); an empty one
        when the file does not exist. Raises ManagedConfigError when it cannot be used."""
        path = path or managed_path()
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls()
        except OSError as exc:
            raise ManagedConfigError(
                f"Cannot read the managed configuration {path}: {exc.strerror or exc}"
            ) from exc
        import tomllib  # only once there is a file to read

        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ManagedConfigError(
                f"The managed configuration {path} is not valid TOML: {exc}"
            ) from exc
        return cls.from_dict(data, path)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: Path | None = None) -> ManagedConfig:
        """Check a parsed managed configuration; every problem goes into one error."""
        reader = _Reader()
        problem = version_problem(data.get("version", 1), MANAGED_VERSION)
        if problem is not None:
            reader.problems.append(problem)
        reader.unknown(data, "", {"version", "settings", "locked", "limits", "accounts",
                                  "endpoints"})  # fmt: skip
        settings = reader.presets(reader.table(data, "settings"))
        locked, accounts_locked = reader.locks(reader.table(data, "locked"))
        limits = reader.limits(reader.table(data, "limits"))
        for name, value in settings.items():
            problem = limits.problem(name, value)
            if problem:
                reader.problems.append(f"[settings] {name}: the preset {problem}")
        accounts = reader.accounts(reader.array(data, "accounts"))
        endpoints = reader.endpoints(reader.array(data, "endpoints"))
        if reader.problems:
            where = path or "the managed configuration"
            lines = "\n".join(f"  - {p}" for p in reader.problems)
            raise ManagedConfigError(f"The managed configuration {where} cannot be used:\n{lines}")
        return cls(path, settings, locked, accounts_locked, accounts, endpoints, limits)

    def is_locked(self, name: str) -> bool:
        return name in self.locked


def managed_accounts(config: ManagedConfig | None = None) -> list[Account]:
    """The accounts the organisation preset (the system's managed configuration by default),
    each with ``managed=True``."""
    return list((config or ManagedConfig.load()).accounts)


def managed_account_id(name: str) -> str:
    """The id of a managed account that names none: the same for the same name everywhere."""
    return uuid.uuid5(_ACCOUNT_NAMESPACE, name.strip().casefold()).hex


class _Reader:
    """Reads the parts of a managed configuration, collecting problems in plain words."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def unknown(self, table: Mapping[str, Any], where: str, known: set[str]) -> None:
        for key in table:
            if key not in known:
                self.problems.append(f"{where}unknown key '{key}'")

    def table(self, data: Mapping[str, Any], name: str) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            self.problems.append(f"[{name}] must be a table")
            return {}
        return value

    def array(self, data: Mapping[str, Any], name: str) -> list[Any]:
        value = data.get(name, [])
        if not isinstance(value, list):
            self.problems.append(f"[[{name}]] must be an array of tables")
            return []
        return value

    def presets(self, table: dict[str, Any]) -> dict[str, Any]:
        presets: dict[str, Any] = {}
        for old_name, old_value in table.items():
            name, value = current_name(old_name, old_value)
            if name in table and name != old_name:
                continue  # the setting under its own name wins over its old name
            try:
                presets[name] = coerce(name, value)
            except ValueError as exc:
                self.problems.append(f"[settings] {exc}")
        return presets

    def locks(self, table: dict[str, Any]) -> tuple[frozenset[str], bool]:
        self.unknown(table, "[locked] ", {"settings", "accounts"})
        names = table.get("settings", [])
        locked: frozenset[str] = frozenset()
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.problems.append('[locked] settings must be a list of names, e.g. ["concurrency"]')
        else:
            try:
                locked = lock_names(names)
            except ValueError as exc:
                self.problems.append(f"[locked] settings: {exc}")
        accounts = table.get("accounts", False)
        if not isinstance(accounts, bool):
            self.problems.append(f"[locked] accounts must be true or false, not {accounts!r}")
            accounts = False
        return locked, accounts

    def limits(self, table: dict[str, Any]) -> Limits:
        self.unknown(table, "[limits] ", {"max_concurrency", "max_bandwidth"})
        concurrency = table.get("max_concurrency")
        if concurrency is not None:
            bad = isinstance(concurrency, bool) or not isinstance(concurrency, int)
            if bad or not 1 <= concurrency <= MAX_CONCURRENCY:
                self.problems.append(
                    f"[limits] max_concurrency must be a whole number from 1 to "
                    f"{MAX_CONCURRENCY}, not {concurrency!r}"
                )
                concurrency = None
        bandwidth = table.get("max_bandwidth")
        if bandwidth is not None:
            try:
                bandwidth = parse_size(bandwidth, rate=True)
                if bandwidth <= 0:
                    raise ValueError(f"must be more than 0, not {table['max_bandwidth']!r}")
            except ValueError as exc:
                self.problems.append(f"[limits] max_bandwidth {exc}")
                bandwidth = None
        return Limits(concurrency, bandwidth)

    def accounts(self, entries: list[Any]) -> tuple[Account, ...]:
        accounts: list[Account] = []
        for number, entry in enumerate(entries, 1):
            where = f"[[accounts]] #{number}"
            if not isinstance(entry, dict):
                self.problems.append(f"{where} is not a table")
                continue
            where = f"[[accounts]] '{entry.get('name', number)}'"
            secrets = sorted(k for k in entry if k.lower() in _SECRET_KEYS)
            if secrets:
                self.problems.append(
                    f"{where}: {', '.join(secrets)} must not be here — everyone can read this "
                    "file; each user enters secrets in the app, which keeps them in the keyring"
                )
                continue
            known = set(_ACCOUNT_TYPES) - {"managed"}
            self.unknown(entry, f"{where}: ", known)
            wrong = [k for k, v in entry.items() if k in known and type(v) is not _ACCOUNT_TYPES[k]]
            for key in wrong:
                kind = "true or false" if _ACCOUNT_TYPES[key] is bool else "text"
                self.problems.append(f"{where}: {key} must be {kind}, not {entry[key]!r}")
            if wrong or any(k not in known for k in entry):
                continue
            table = {"id": managed_account_id(str(entry.get("name", ""))), **entry}
            try:
                account = account_from_table(table, "the managed configuration", managed=True)
            except AccountsFileError as exc:
                self.problems.append(f"{where}: {exc}")
                continue
            problems = account.problems()
            if problems:
                self.problems.append(f"{where}: {'; '.join(problems)}")
            elif any(a.name.casefold() == account.name.casefold() for a in accounts):
                self.problems.append(f"{where}: two accounts have this name")
            elif any(a.id == account.id for a in accounts):
                self.problems.append(f"{where}: two accounts have the id {account.id}")
            else:
                accounts.append(account)
        return tuple(accounts)

    def endpoints(self, entries: list[Any]) -> tuple[Preset, ...]:
        presets: list[Preset] = []
        keys = {"name", "endpoint_url", "region", "path_style", "checksum_mode", "hint"}
        for number, entry in enumerate(entries, 1):
            if not isinstance(entry, dict):
                self.problems.append(f"[[endpoints]] #{number} is not a table")
                continue
            where = f"[[endpoints]] '{entry.get('name', number)}'"
            before = len(self.problems)
            self.unknown(entry, f"{where}: ", keys)
            name, url = entry.get("name"), entry.get("endpoint_url")
            if not isinstance(name, str) or not name.strip():
                self.problems.append(f"{where}: name must be given as text")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                self.problems.append(f"{where}: endpoint_url must start with https:// or http://")
            for key in ("region", "hint"):
                if not isinstance(entry.get(key, ""), str):
                    self.problems.append(f"{where}: {key} must be text")
            if not isinstance(entry.get("path_style", False), bool):
                self.problems.append(f"{where}: path_style must be true or false")
            if entry.get("checksum_mode", checksums.CRC32) not in checksums.MODES:
                self.problems.append(
                    f"{where}: checksum_mode must be one of {', '.join(checksums.MODES)}"
                )
            if len(self.problems) == before:
                presets.append(
                    Preset(
                        name=entry["name"], endpoint_url=entry["endpoint_url"],
                        region=entry.get("region", ""),
                        path_style=entry.get("path_style", False),
                        checksum_mode=entry.get("checksum_mode", checksums.CRC32),
                        hint=entry.get("hint", ""),
                    )
                )  # fmt: skip
        return tuple(presets)
