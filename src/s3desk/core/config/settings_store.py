"""The settings in effect: ``settings.toml`` over the organisation's managed configuration.

Three layers make the settings in effect (``SettingsStore.effective()``), each over the one
before: the defaults (settings.py), the presets of the organisation's managed configuration
(managed.py), and the user's own choices from ``settings.toml``. A setting the organisation
locked takes its preset (or the default) whatever the user's file says, and the managed
limits cap what is left (docs/managed-config.md).

``settings.toml`` holds only what the user chose, so a changed default or a new preset
reaches everyone who did not choose otherwise. It starts with ``version = N``; older files
are upgraded on reading by the migrations below and written in the new format on the next
``save()``; a file from a newer s3desk is refused and left alone.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from s3desk.core.compliance.upload_options import UploadOptions
from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.config.file_format import version_problem, write_privately
from s3desk.core.config.managed import ManagedConfig
from s3desk.core.config.settings import (
    CLI_FLAGS,
    DEFAULTS,
    LOCK_REASON,
    SETTING_NAMES,
    SETTINGS_VERSION,
    SettingLocked,
    Settings,
    SettingsFileError,
    coerce,
    current_name,
    engine_config,
    label,
    to_plain,
    unattended_conflict,
    value_text,
)
from s3desk.core.paths import config_dir
from s3desk.core.phrases import phrase
from s3desk.core.storage.parts import MiB

if TYPE_CHECKING:
    from s3desk.core.config.accounts import Account

log = logging.getLogger(__name__)


class SettingsStore:
    """The user's settings from ``settings.toml`` over the managed configuration.

    ``managed`` defaults to the system's managed configuration (ManagedConfig.load()), and
    reading it may raise ManagedConfigError. Reading settings.toml raises SettingsFileError
    when it is unreadable, not TOML or from a newer s3desk; values that cannot be used
    (unknown names, bad values, values the organisation locked) are left out, each with a
    line in ``notes``, and dropped from the file on the next ``save()``."""

    def __init__(self, path: Path | None = None, managed: ManagedConfig | None = None) -> None:
        if managed is None:
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
        for old_name, old_raw in data.items():
            name, raw = current_name(old_name, old_raw)
            if name in data and name != old_name:
                continue  # the setting under its own name wins over its old name
            if name not in SETTING_NAMES:
                notes.append(f"{self.path.name}: unknown setting '{name}' is ignored")
                continue
            try:
                value = coerce(name, raw)
            except ValueError as exc:
                notes.append(
                    phrase(
                        "{file}: {setting} {problem}; using the default instead",
                        file=self.path.name, setting=name,
                        problem=str(exc).removeprefix(f"{name} "),
                    )
                )  # fmt: skip
                continue
            if self.is_locked(name):
                notes.append(
                    phrase(
                        "{file}: {setting} is set by your organisation; the value there "
                        "({value}) is ignored",
                        file=self.path.name, setting=name, value=value_text(name, value),
                    )
                )  # fmt: skip
                continue
            limit = self.managed.limits.problem(name, value)
            if limit:
                notes.append(
                    phrase(
                        "{file}: {setting} {limit}; using the limit",
                        file=self.path.name, setting=name, limit=limit,
                    )
                )  # fmt: skip
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
            raise ValueError(phrase("{setting} {limit}", setting=label(name), limit=limit))
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
        import tomli_w  # only to write: reading the settings needs no writer

        _write_atomically(self.path, tomli_w.dumps(document))


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def _known(name: str) -> None:
    if name not in SETTING_NAMES:
        raise ValueError(f"There is no setting named '{name}'")


def _read(path: Path) -> dict[str, Any]:
    """settings.toml's values upgraded to this version's format, without ``version``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsFileError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    import tomllib  # only once there is a file to read

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
        write_privately(path, text)
    except OSError as exc:
        raise SettingsFileError(f"Cannot write {path}: {exc.strerror or exc}") from exc


# --------------------------------------------------------------------------- migrations


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 kept sizes in the units its dialog showed and named a theme:

    ``bandwidth_kib`` (KiB per second, 0 = unlimited) became ``bandwidth_limit`` in bytes
    per second; ``part_size_mib`` became ``part_size`` in bytes; ``theme`` ("system",
    "light" or "dark") became ``appearance`` (named ``theme_follows_system``, true or
    false, in some version-2 files: RENAMED in settings.py reads it)."""
    data = dict(data)
    if "bandwidth_kib" in data:
        kib = data.pop("bandwidth_kib")
        data["bandwidth_limit"] = _scaled(kib, 1024)
    if "part_size_mib" in data:
        data["part_size"] = _scaled(data.pop("part_size_mib"), MiB)
    if "theme" in data:
        data["appearance"] = data.pop("theme")
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
        managed = ManagedConfig.load()
    changes: dict[str, Any] = {}
    for name, value in overrides.items():
        _known(name)
        flag = CLI_FLAGS.get(name, "--" + name.replace("_", "-"))
        if name in managed.locked:
            shown = value_text(name, getattr(settings, name))
            raise SettingLocked(
                name,
                f"{flag} cannot be used: your organisation has set it to {shown} and locked it",
                flag,
            )
        try:
            checked = coerce(name, value)
        except ValueError as exc:
            raise ValueError(f"{flag}: {exc}") from None
        limit = managed.limits.problem(name, checked)
        if limit:
            raise ValueError(f"{flag} {limit}")
        changes[name] = checked
    return replace(settings, **changes)


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
    from s3desk.core.compliance.rules import UploadRules

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
