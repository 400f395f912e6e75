"""The user's settings: typed values with defaults, kept in ``settings.toml``.

Three layers make the settings in effect (``SettingsStore.effective()``), each over the one
before: the defaults below, the presets of the organisation's managed configuration
(managed.py), and the user's own choices from ``settings.toml``. A setting the organisation
locked takes its preset (or the default) whatever the user's file says, and the managed
limits cap what is left (docs/managed-config.md).

``settings.toml`` holds only what the user chose, so a changed default or a new preset
reaches everyone who did not choose otherwise. It starts with ``version = N``; older files
are upgraded on reading by the migrations at the end of this module and written in the new
format on the next ``save()``; a file from a newer s3desk is refused and left alone.
"""

from __future__ import annotations

import copy
import enum
import logging
import math
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from s3desk.core.content_types import check_table
from s3desk.core.engine_config import MAX_CONCURRENCY, EngineConfig
from s3desk.core.file_format import version_problem
from s3desk.core.jobs import ConflictPolicy
from s3desk.core.parts import MAX_PART_SIZE, MIN_PART_SIZE, MiB
from s3desk.core.paths import config_dir
from s3desk.core.phrases import phrase
from s3desk.core.upload_options import STORAGE_CLASSES, UploadOptions

if TYPE_CHECKING:  # managed.py builds on this module; it is imported when a store needs it
    from s3desk.core.accounts import Account
    from s3desk.core.managed import ManagedConfig

log = logging.getLogger(__name__)

SETTINGS_VERSION = 2
LOCK_REASON = phrase("Set by your organisation")


class Encryption(StrEnum):
    """Server-side encryption asked for on each upload."""

    NONE = "none"  # nothing asked: the bucket's default encryption applies
    SSE_S3 = "SSE-S3"  # AES256 with keys S3 manages
    SSE_KMS = "SSE-KMS"  # a KMS key: ``kms_key_id``, or the account's aws/s3 key when empty


@dataclass(frozen=True)
class Settings:
    """Every setting with its default. Values are checked on construction (ValueError)."""

    concurrency: int = 10  # parallel requests for all uploads together
    part_size: int = 8 * MiB  # multipart part size in bytes (larger when S3's limits need it)
    bandwidth_limit: int = 0  # bytes per second for all uploads together; 0 = unlimited
    conflict: ConflictPolicy = ConflictPolicy.ASK  # when an object with the name exists
    notifications: bool = True  # a desktop notification when a batch finishes
    theme_follows_system: bool = True  # light or dark as the system is
    # Options of every upload, which the organisation may preset and lock.
    encryption: Encryption = Encryption.NONE
    kms_key_id: str = ""  # for SSE-KMS: key id, alias or ARN; empty = the aws/s3 key
    require_encryption: bool = False  # uploads must end up encrypted at rest
    storage_class: str = ""  # empty = the bucket's default (STANDARD)
    cache_control: str = ""  # the Cache-Control header stored with each object
    content_disposition: str = ""  # the Content-Disposition header stored with each object
    metadata: dict[str, str] = field(default_factory=dict)  # x-amz-meta-* user metadata
    tags: dict[str, str] = field(default_factory=dict)  # object tags
    # Extension → Content-Type, before the system's table: {"log" = "text/plain"}.
    content_types: dict[str, str] = field(default_factory=dict)
    audit_bucket: str = ""  # also copy audit entries to this bucket; empty = only locally
    audit_prefix: str = ""
    # The upload rules table, read by rules.py (UploadRules.from_dict); opaque here.
    rules: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Checked, and in normal form: "skip" becomes ConflictPolicy.SKIP, "20M" 20971520,
        # and the tables are copies of their own.
        for f in fields(self):
            object.__setattr__(self, f.name, coerce(f.name, getattr(self, f.name)))

    def to_dict(self) -> dict[str, Any]:
        """Plain values (enums as their strings), as settings.toml would hold them."""
        return {f.name: to_plain(getattr(self, f.name)) for f in fields(self)}


SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Settings))

# Locking the first name locks the others with it: choosing another KMS key, or another
# prefix in the audit bucket, would undo the lock.
LOCK_GROUPS: dict[str, tuple[str, ...]] = {
    "encryption": ("encryption", "kms_key_id"),
    "audit_bucket": ("audit_bucket", "audit_prefix"),
}

# The `s3desk upload` flag of each setting it can override; others read --name-with-dashes.
CLI_FLAGS: dict[str, str] = {
    "concurrency": "--concurrency",
    "bandwidth_limit": "--bwlimit",
    "conflict": "--if-exists",
}


class SettingsFileError(Exception):
    """settings.toml cannot be read or written; the message says which file and why."""


class SettingLocked(Exception):
    """The organisation locked this setting. ``flag`` is the command-line flag, if one was
    used to try to change it."""

    def __init__(self, name: str, message: str = "", flag: str = "") -> None:
        self.name = name
        self.flag = flag
        super().__init__(
            message or f"{name} is set by your organisation and cannot be changed here"
        )


# --------------------------------------------------------------------------- values


def coerce(name: str, value: object) -> Any:
    """``value`` checked and in the type of setting ``name``: "20M" for a size becomes
    20971520, "skip" for ``conflict`` becomes ConflictPolicy.SKIP. Raises ValueError with
    the setting's name and what is wrong."""
    check = _CHECKS.get(name)
    if check is None:
        raise ValueError(f"There is no setting named '{name}'")
    try:
        return check(value)
    except ValueError as exc:
        raise ValueError(f"{name} {exc}") from None


def to_plain(value: Any) -> Any:
    """A setting's value as TOML holds it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return copy.deepcopy(value)
    return value


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", re.IGNORECASE)
_UNIT = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_size(value: object) -> int:
    """Bytes from an int, a float (rounded down) or a string like "500K", "20M", "8 MiB"
    (binary units). Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number of bytes, not {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str):
        match = _SIZE.fullmatch(value)
        if match:
            return int(float(match[1]) * _UNIT[match[2].upper()])
    raise ValueError(f'must be a number of bytes such as 8388608 or "8M", not {value!r}')


def _whole(low: int, high: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}, not {value!r}")
        return value

    return check


def _size(low: int, high: int, what: str) -> Callable[[object], int]:
    def check(value: object) -> int:
        size = parse_size(value)
        if not low <= size <= high:
            raise ValueError(f"must be {what}, not {value!r}")
        return size

    return check


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {value!r}")
    return value


def _conflict(value: object) -> ConflictPolicy:
    if isinstance(value, ConflictPolicy):
        return value
    choices = ["ask", "overwrite", "skip", "rename"]
    if isinstance(value, str) and value.strip().lower() in choices:
        return ConflictPolicy(value.strip().lower())
    raise ValueError(f"must be one of {', '.join(choices)}, not {value!r}")


def _encryption(value: object) -> Encryption:
    for choice in Encryption:
        if isinstance(value, str) and value.strip().casefold() == choice.value.casefold():
            return choice
    choices = ", ".join(e.value for e in Encryption)
    raise ValueError(f"must be one of {choices}, not {value!r}")


def _header_text(value: object) -> str:
    """Text that can go into an HTTP header as it is: printable ASCII."""
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {value!r}")
    if not all(" " <= ch <= "~" for ch in value):
        raise ValueError(f"may hold only printable ASCII characters, not {value!r}")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {value!r}")
    return value


def _storage_class(value: object) -> str:
    text = _text(value).strip().upper()
    if text not in STORAGE_CLASSES:
        choices = ", ".join(c for c in STORAGE_CLASSES if c)
        raise ValueError(f"must be empty (the bucket's default) or one of {choices}, not {value!r}")
    return text


# Metadata and tags are checked as the upload options check them (upload_options.py), so
# that settings which load are settings the engine takes.


def _metadata(value: object) -> dict[str, str]:
    table = _string_table(value)
    _options_problems(UploadOptions(metadata=tuple(sorted(table.items()))))
    return table


def _tags(value: object) -> dict[str, str]:
    table = _string_table(value)
    _options_problems(UploadOptions(tags=tuple(sorted(table.items()))))
    if any(key.lower().startswith("aws:") for key in table):
        raise ValueError("may not use the reserved aws: prefix")
    return table


def _content_types(value: object) -> dict[str, str]:
    return dict(check_table(_string_table(value)))


def _options_problems(options: UploadOptions) -> None:
    problems = options.problems()
    if problems:
        raise ValueError("is not accepted: " + "; ".join(problems))


def _string_table(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a table of names and texts, not {value!r}")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError("must map names to texts")
    return dict(value)


_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def _bucket(value: object) -> str:
    text = _text(value).strip()
    if text.startswith("s3://"):
        raise ValueError(f"is a bucket's name alone, without s3://, not {value!r}")
    if text and (not _BUCKET.fullmatch(text) or ".." in text):
        raise ValueError(f"must be a bucket name (3-63 lower-case letters, digits, '.' and "
                         f"'-'), not {value!r}")  # fmt: skip
    return text


def _prefix(value: object) -> str:
    return _text(value).lstrip("/")


def _rules(value: object) -> dict[str, Any]:
    """The rules table stays opaque (rules.py reads it); it must be a table TOML can hold."""
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a table, not {value!r}")
    table = copy.deepcopy(dict(value))
    try:
        tomli_w.dumps({"rules": table})
    except (TypeError, ValueError) as exc:
        raise ValueError(f"holds something a TOML file cannot: {exc}") from None
    return table


_CHECKS: dict[str, Callable[[object], Any]] = {
    "concurrency": _whole(1, MAX_CONCURRENCY),
    "part_size": _size(MIN_PART_SIZE, MAX_PART_SIZE, "from 5 MiB to 5 GiB (S3's limits)"),
    "bandwidth_limit": _size(0, 2**53, "0 (unlimited) or more bytes per second"),
    "conflict": _conflict,
    "notifications": _flag,
    "theme_follows_system": _flag,
    "encryption": _encryption,
    "kms_key_id": _header_text,
    "require_encryption": _flag,
    "storage_class": _storage_class,
    "cache_control": _header_text,
    "content_disposition": _header_text,
    "metadata": _metadata,
    "tags": _tags,
    "content_types": _content_types,
    "audit_bucket": _bucket,
    "audit_prefix": _prefix,
    "rules": _rules,
}
assert set(_CHECKS) == set(SETTING_NAMES), "every setting needs a check"
DEFAULTS = Settings()


def lock_names(names: Iterable[str]) -> frozenset[str]:
    """The settings that locking ``names`` locks: "*" is all of them, and a group's first
    name brings the rest (LOCK_GROUPS). Raises ValueError for a name that is no setting."""
    locked: set[str] = set()
    for name in names:
        if name == "*":
            locked.update(SETTING_NAMES)
        elif name in _CHECKS:
            locked.update(LOCK_GROUPS.get(name, (name,)))
        else:
            raise ValueError(f"There is no setting named '{name}'")
    return frozenset(locked)


# --------------------------------------------------------------------------- the store


class SettingsStore:
    """The user's settings from ``settings.toml`` over the managed configuration.

    ``managed`` defaults to the system's managed configuration (ManagedConfig.load()), and
    reading it may raise ManagedConfigError. Reading settings.toml raises SettingsFileError
    when it is unreadable, not TOML or from a newer s3desk; values that cannot be used
    (unknown names, bad values, values the organisation locked) are left out, each with a
    line in ``notes``, and dropped from the file on the next ``save()``."""

    def __init__(self, path: Path | None = None, managed: ManagedConfig | None = None) -> None:
        if managed is None:
            from s3desk.core.managed import ManagedConfig

            managed = ManagedConfig.load()
        self.path = path or settings_path()
        self.managed = managed
        self.notes: list[str] = []
        self._values: dict[str, Any] = {}  # the user's own choices, checked
        self.reload()

    def reload(self) -> None:
        data = _read(self.path)
        notes: list[str] = []
        values: dict[str, Any] = {}
        for name, raw in data.items():
            if name not in _CHECKS:
                notes.append(f"{self.path.name}: unknown setting '{name}' is ignored")
                continue
            try:
                value = coerce(name, raw)
            except ValueError as exc:
                notes.append(f"{self.path.name}: {exc}; using the default instead")
                continue
            if self.is_locked(name):
                notes.append(
                    f"{self.path.name}: {name} is set by your organisation; "
                    f"the value there ({raw!r}) is ignored"
                )
                continue
            limit = self.managed.limits.problem(name, value)
            if limit:
                notes.append(f"{self.path.name}: {name} {limit}; using the limit")
                value = self.managed.limits.clamp(name, value)
            values[name] = value
        for note in notes:
            log.warning("%s", note)
        self._values, self.notes = values, notes

    def effective(self) -> Settings:
        """The settings in effect: defaults, then the organisation's presets, then the
        user's choices for what is not locked, all within the organisation's limits."""
        values = {name: getattr(DEFAULTS, name) for name in SETTING_NAMES}
        values.update(self.managed.settings)
        values.update({k: v for k, v in self._values.items() if not self.is_locked(k)})
        values = {k: self.managed.limits.clamp(k, copy.deepcopy(v)) for k, v in values.items()}
        return Settings(**values)

    def is_locked(self, name: str) -> bool:
        _known(name)
        return name in self.managed.locked

    def lock_reason(self, name: str) -> str:
        """Why ``name`` cannot be changed, for the settings dialog; empty when it can."""
        return LOCK_REASON if self.is_locked(name) else ""

    def set(self, name: str, value: object) -> None:
        """Choose ``value`` for ``name`` (saved by ``save()``). Raises SettingLocked when the
        organisation locked it, ValueError for a value it cannot have."""
        _known(name)
        if self.is_locked(name):
            raise SettingLocked(name)
        checked = coerce(name, value)
        limit = self.managed.limits.problem(name, checked)
        if limit:
            raise ValueError(f"{name} {limit}")
        self._values[name] = checked

    def reset(self, name: str) -> None:
        """Forget the user's choice: the organisation's preset or the default applies."""
        _known(name)
        if self.is_locked(name):
            raise SettingLocked(name)
        self._values.pop(name, None)

    def user_values(self) -> dict[str, Any]:
        """What the user chose (what save() writes), without presets or defaults."""
        return {k: to_plain(v) for k, v in self._values.items()}

    def save(self) -> None:
        """Write the user's choices to settings.toml: a new file renamed over the old one,
        so a crash leaves one or the other. A file a newer s3desk wrote meanwhile is left
        alone (SettingsFileError)."""
        _read(self.path)  # refuses a newer or damaged file rather than replacing it
        document: dict[str, Any] = {"version": SETTINGS_VERSION}
        plain = self.user_values()
        # Scalars first: TOML puts tables (metadata, tags, rules) after them anyway.
        document.update({k: v for k, v in plain.items() if not isinstance(v, dict)})
        document.update({k: v for k, v in plain.items() if isinstance(v, dict)})
        _write_atomically(self.path, tomli_w.dumps(document))


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def _known(name: str) -> None:
    if name not in _CHECKS:
        raise ValueError(f"There is no setting named '{name}'")


def _read(path: Path) -> dict[str, Any]:
    """settings.toml's values upgraded to this version's format, without ``version``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsFileError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsFileError(f"{path} is not valid TOML: {exc}") from exc
    version = data.pop("version", 1)
    problem = version_problem(version, SETTINGS_VERSION)
    if problem is not None:
        raise SettingsFileError(f"{path}: {problem}. The file is left as it is.")
    return migrate(data, version)


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".settings-", dir=path.parent)
    except OSError as exc:
        raise SettingsFileError(f"Cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise SettingsFileError(f"Cannot write {path}: {exc.strerror or exc}") from exc


# --------------------------------------------------------------------------- migrations


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 kept sizes in the units its dialog showed and named a theme:

    ``bandwidth_kib`` (KiB per second, 0 = unlimited) became ``bandwidth_limit`` in bytes
    per second; ``part_size_mib`` became ``part_size`` in bytes; ``theme`` ("system",
    "light" or "dark") became ``theme_follows_system`` (the app's own style when false)."""
    data = dict(data)
    if "bandwidth_kib" in data:
        kib = data.pop("bandwidth_kib")
        data["bandwidth_limit"] = _scaled(kib, 1024)
    if "part_size_mib" in data:
        data["part_size"] = _scaled(data.pop("part_size_mib"), MiB)
    if "theme" in data:
        data["theme_follows_system"] = data.pop("theme") == "system"
    return data


def _scaled(value: Any, unit: int) -> Any:
    """``value`` units in bytes; something that is not a number is passed on for the
    value check to report."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value * unit)
    return value


# MIGRATIONS[n] turns a version-n file's values into version n + 1's.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}
assert all(n in MIGRATIONS for n in range(1, SETTINGS_VERSION)), "a migration is missing"


def migrate(data: Mapping[str, Any], version: int) -> dict[str, Any]:
    """A version-``version`` file's values (without ``version``) in this version's form."""
    values = dict(data)
    for step in range(version, SETTINGS_VERSION):
        values = MIGRATIONS[step](values)
    return values


# --------------------------------------------------------------------------- uses


def apply_cli_overrides(
    settings: Settings, overrides: Mapping[str, object], managed: ManagedConfig | None = None
) -> Settings:
    """``settings`` with the command line's values for some of them (by setting name, e.g.
    {"concurrency": 4}). Raises SettingLocked naming the flag when the organisation locked
    one, ValueError naming the flag for a value the setting cannot have or over a limit.
    ``managed`` defaults to the system's managed configuration."""
    if managed is None:
        from s3desk.core.managed import ManagedConfig

        managed = ManagedConfig.load()
    changes: dict[str, Any] = {}
    for name, value in overrides.items():
        _known(name)
        flag = CLI_FLAGS.get(name, "--" + name.replace("_", "-"))
        if name in managed.locked:
            shown = to_plain(getattr(settings, name))
            raise SettingLocked(
                name,
                f"{flag} cannot be used: your organisation has set {name} to {shown!r} "
                "and locked it",
                flag,
            )
        try:
            checked = coerce(name, value)
        except ValueError as exc:
            raise ValueError(f"{flag}: {exc}") from None
        limit = managed.limits.problem(name, checked)
        if limit:
            raise ValueError(f"{flag}: {name} {limit}")
        changes[name] = checked
    return replace(settings, **changes)


def engine_config(settings: Settings) -> EngineConfig:
    """The upload engine's configuration from the settings — concurrency, part size,
    bandwidth, the conflict policy and the options every object carries; the rest keeps
    its defaults. A KMS key goes along only with SSE-KMS."""
    return EngineConfig(
        concurrency=settings.concurrency,
        part_size=settings.part_size,
        bandwidth_limit=float(settings.bandwidth_limit),
        conflict=settings.conflict,
        options=upload_options(settings),
        audit_bucket=settings.audit_bucket,
        audit_prefix=settings.audit_prefix,
    )


def upload_options(settings: Settings) -> UploadOptions:
    """What every uploaded object carries, from the settings."""
    encryption = settings.encryption
    return UploadOptions(
        encryption="" if encryption is Encryption.NONE else encryption.value,
        kms_key_id=settings.kms_key_id if encryption is Encryption.SSE_KMS else "",
        require_encryption=settings.require_encryption,
        storage_class=settings.storage_class,
        cache_control=settings.cache_control,
        content_disposition=settings.content_disposition,
        metadata=tuple(sorted(settings.metadata.items())),
        tags=tuple(sorted(settings.tags.items())),
        content_types=tuple(sorted(settings.content_types.items())),
    )


def unattended_conflict(settings: Settings, locked: bool) -> ConflictPolicy:
    """The conflict policy where nobody can be asked (the command line). "ask" becomes
    overwrite — what ``s3desk upload`` has always done — unless the organisation locked
    "ask": then a person must decide, and skipping keeps what is there."""
    if settings.conflict is not ConflictPolicy.ASK:
        return settings.conflict
    return ConflictPolicy.SKIP if locked else ConflictPolicy.OVERWRITE


def account_engine_config(
    store: SettingsStore, account: Account | None = None, *, unattended: bool = False
) -> EngineConfig:
    """The engine's configuration for uploads with ``account``: the effective settings,
    then the account's own upload rules and options (see ``with_account``). ``unattended``
    (the command line) turns "ask" into what nobody needs to answer."""
    settings = store.effective()
    config = engine_config(settings)
    if unattended:
        locked = store.is_locked("conflict")
        config = replace(config, conflict=unattended_conflict(settings, locked))
    return with_account(config, store, account)


def with_account(
    config: EngineConfig, store: SettingsStore, account: Account | None
) -> EngineConfig:
    """``config`` with the upload rules and options that apply to ``account``: its own
    ([accounts.rules], [accounts.options]) unless the organisation locked the settings'
    ones, else the settings'. Raises ValueError (RulesError) for a malformed table."""
    from s3desk.core.rules import UploadRules

    settings = store.effective()
    rules_table = settings.rules
    if account is not None and account.rules and not store.is_locked("rules"):
        rules_table = account.rules
    rules = UploadRules.from_dict(rules_table, "[rules]") if rules_table else None
    options = config.options
    if account is not None and account.options:
        if any(store.is_locked(name) for name in _OPTION_SETTINGS):
            log.info("account %s: upload options are set by the organisation", account.name)
        else:
            options = UploadOptions.from_dict(account.options)
    return replace(config, rules=rules, options=options)


_OPTION_SETTINGS = (
    "encryption", "storage_class", "cache_control", "content_disposition", "metadata", "tags",
    "require_encryption", "content_types",
)  # fmt: skip
