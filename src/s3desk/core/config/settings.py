"""The user's settings: what each one is, its default, and the checks its values pass.

Three layers make the settings in effect, each over the one before: the defaults below, the
presets of the organisation's managed configuration (managed.py), and the user's own
choices from ``settings.toml``; settings_store.py puts them together. This module knows
none of them but the defaults, so the managed configuration can check its presets here.
"""

from __future__ import annotations

import copy
import enum
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from s3desk.core.compliance.content_types import check_table
from s3desk.core.compliance.upload_options import STORAGE_CLASSES, UploadOptions
from s3desk.core.config.engine_config import MAX_CONCURRENCY, ConflictPolicy, EngineConfig
from s3desk.core.phrases import Phrase, phrase, template
from s3desk.core.storage.parts import MAX_PART_SIZE, MIN_PART_SIZE, MiB
from s3desk.core.units import exact_rate, exact_size, parse_amount

SETTINGS_VERSION = 2
LOCK_REASON = phrase("Set by your organisation")


class Encryption(StrEnum):
    """Server-side encryption asked for on each upload."""

    NONE = "none"  # nothing asked: the bucket's default encryption applies
    SSE_S3 = "SSE-S3"  # AES256 with keys S3 manages
    SSE_KMS = "SSE-KMS"  # a KMS key: ``kms_key_id``, or the account's aws/s3 key when empty


class Appearance(StrEnum):
    """Light or dark: as the system is, or always one of them."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True)
class Settings:
    """Every setting with its default. Values are checked on construction (ValueError)."""

    concurrency: int = 10  # parallel requests for all uploads together
    part_size: int = 8 * MiB  # multipart part size in bytes (larger when S3's limits need it)
    bandwidth_limit: int = 0  # bytes per second, uploads and downloads each; 0 = unlimited
    conflict: ConflictPolicy = ConflictPolicy.ASK  # when an object with the name exists
    notifications: bool = True  # a desktop notification when a batch finishes
    appearance: Appearance = Appearance.SYSTEM  # light or dark
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
    # The first-start welcome was answered (an account added, or the demo storage tried).
    welcome_done: bool = False

    def __post_init__(self) -> None:
        # Checked, and in normal form: "skip" becomes ConflictPolicy.SKIP, "20M" 20971520,
        # and the tables are copies of their own.
        for f in fields(self):
            object.__setattr__(self, f.name, coerce(f.name, getattr(self, f.name)))

    def to_dict(self) -> dict[str, Any]:
        """Plain values (enums as their strings), as settings.toml would hold them."""
        return {f.name: to_plain(getattr(self, f.name)) for f in fields(self)}


SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Settings))

# Settings that had another name and form, still read from settings.toml and the managed
# configuration: each old name with the setting it became and how its value carries over.
RENAMED: dict[str, tuple[str, Callable[[object], object]]] = {
    # true: as the system is; false: the app's own style, which was light.
    "theme_follows_system": (
        "appearance",
        lambda v: (Appearance.SYSTEM if v else Appearance.LIGHT) if isinstance(v, bool) else v,
    ),
}


def current_name(name: str, value: object) -> tuple[str, object]:
    """A setting read under an old name (RENAMED) as it is now; others as they are."""
    if name in RENAMED:
        new, convert = RENAMED[name]
        return new, convert(value)
    return name, value


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


# What the settings dialog calls a setting, so that messages about it use the same words
# and never the setting's key in settings.toml.
LABELS: dict[str, str] = {
    "concurrency": template("Parallel requests"),
    "part_size": template("Part size for large files"),
    "bandwidth_limit": template("Bandwidth limit"),
    "conflict": template("When a name is taken"),
    "notifications": template("Notify me when a batch finishes"),
    "appearance": template("Appearance"),
    "encryption": template("Server-side encryption"),
    "kms_key_id": template("KMS key"),
    "storage_class": template("Storage class"),
    "require_encryption": template("Refuse uploads that are not encrypted"),
    "cache_control": template("Cache-Control"),
    "content_disposition": template("Content-Disposition"),
    # Not in the dialog (settings.toml and the managed configuration set them), named as
    # a person would look for them.
    "metadata": template("Metadata of every upload"),
    "tags": template("Tags of every upload"),
    "content_types": template("Content types by extension"),
    "audit_bucket": template("Audit log bucket"),
    "audit_prefix": template("Audit log folder"),
    "rules": template("Upload rules"),
    "welcome_done": template("Welcome on first start answered"),
}
assert set(LABELS) == set(SETTING_NAMES), "every setting needs a label"


def label(name: str) -> str:
    """Setting ``name`` as the settings dialog names it."""
    return phrase(LABELS[name]) if name in LABELS else name


def labelled(note: str) -> str:
    """A note about settings.toml (SettingsStore.notes) for the settings dialog: the setting
    it names by its key in the file named as the dialog labels it, the key left out (the
    dialog speaks of its fields, not of the file's keys)."""
    if not isinstance(note, Phrase):
        return note
    key = note.values.get("setting")
    if not isinstance(key, str) or key not in LABELS:
        return note
    return Phrase(note.template, {**note.values, "setting": label(key)})


def value_text(name: str, value: object) -> str:
    """A value of setting ``name`` as a person reads it: "5 MiB/s", "unlimited", "8 MiB";
    exact, so that it can be typed back."""
    if name in ("bandwidth_limit", "part_size") and not isinstance(value, bool):
        try:
            size = parse_size(value, rate=True)
        except ValueError:
            return repr(value)
        if name == "part_size":
            return exact_size(size)
        return exact_rate(size) if size else phrase("unlimited")
    plain = to_plain(value)
    return plain if isinstance(plain, str) else repr(plain)


class SettingsFileError(Exception):
    """settings.toml cannot be read or written; the message says which file and why."""


class SettingLocked(Exception):
    """The organisation locked this setting. ``flag`` is the command-line flag, if one was
    used to try to change it."""

    def __init__(self, name: str, message: str = "", flag: str = "") -> None:
        self.name = name
        self.flag = flag
        super().__init__(
            message
            or phrase(
                "{setting} is set by your organisation and cannot be changed here",
                setting=label(name),
            )
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


def parse_size(value: object, *, rate: bool = False) -> int:
    """Bytes from an int, a float (rounded down) or a string like "500K", "20M", "8 MiB"
    (binary units; with ``rate``, also "10 MiB/s"). Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number of bytes, not {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str):
        try:
            return parse_amount(value, rate=rate)
        except ValueError:
            pass
    if rate:
        raise ValueError(f'must be bytes per second such as 1048576, "1M" or "1 MiB/s", not '
                         f"{value!r}")  # fmt: skip
    raise ValueError(f'must be a number of bytes such as 8388608 or "8M", not {value!r}')


def _whole(low: int, high: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}, not {value!r}")
        return value

    return check


def _size(low: int, high: int, what: str, *, rate: bool = False) -> Callable[[object], int]:
    def check(value: object) -> int:
        size = parse_size(value, rate=rate)
        if not low <= size <= high:
            # In the units a person reads: "not 1 KiB", not "not 1024".
            shown = value if isinstance(value, str) else (exact_rate if rate else exact_size)(size)
            raise ValueError(f"must be {what}, not {shown!r}")
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


def _appearance(value: object) -> Appearance:
    for choice in Appearance:
        if isinstance(value, str) and value.strip().casefold() == choice.value:
            return choice
    choices = ", ".join(a.value for a in Appearance)
    raise ValueError(f"must be one of {choices}, not {value!r}")


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
    import tomli_w  # only for a rules table: most settings never have one

    try:
        tomli_w.dumps({"rules": table})
    except (TypeError, ValueError) as exc:
        raise ValueError(f"holds something a TOML file cannot: {exc}") from None
    return table


_CHECKS: dict[str, Callable[[object], Any]] = {
    "concurrency": _whole(1, MAX_CONCURRENCY),
    "part_size": _size(MIN_PART_SIZE, MAX_PART_SIZE, "from 5 MiB to 5 GiB (S3's limits)"),
    "bandwidth_limit": _size(0, 2**53, "0 (unlimited) or more bytes per second", rate=True),
    "conflict": _conflict,
    "notifications": _flag,
    "appearance": _appearance,
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
    "welcome_done": _flag,
}
assert set(_CHECKS) == set(SETTING_NAMES), "every setting needs a check"
DEFAULTS = Settings()


def lock_names(names: Iterable[str]) -> frozenset[str]:
    """The settings that locking ``names`` locks: "*" is all of them, and a group's first
    name brings the rest (LOCK_GROUPS). Raises ValueError for a name that is no setting."""
    locked: set[str] = set()
    for given in names:
        name, _ = current_name(given, None)
        if name == "*":
            locked.update(SETTING_NAMES)
        elif name in _CHECKS:
            locked.update(LOCK_GROUPS.get(name, (name,)))
        else:
            raise ValueError(f"There is no setting named '{name}'")
    return frozenset(locked)


# --------------------------------------------------------------------------- uses


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
