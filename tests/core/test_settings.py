"""User settings: typed defaults, settings.toml round trip, migrations, newer-file refusal."""

from __future__ import annotations

import logging
import os
import re
import stat
import tomllib
from pathlib import Path

import pytest

from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.config.managed import ManagedConfig
from s3desk.core.config.settings import (
    SETTING_NAMES,
    SETTINGS_VERSION,
    Appearance,
    Encryption,
    Settings,
    SettingsFileError,
    engine_config,
    unattended_conflict,
)
from s3desk.core.config.settings_store import SettingsStore
from s3desk.core.paths import config_dir
from s3desk.core.storage.parts import MiB


@pytest.fixture(autouse=True)
def no_system_managed_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever managed.toml this computer has stays out of these tests."""
    monkeypatch.setenv("S3DESK_MANAGED_CONFIG", str(tmp_path / "no-managed.toml"))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "settings.toml"


def _store(path: Path) -> SettingsStore:
    return SettingsStore(path, ManagedConfig())


def test_defaults_without_a_file(path: Path) -> None:
    store = _store(path)
    settings = store.effective()
    assert settings == Settings()
    assert (settings.concurrency, settings.part_size, settings.bandwidth_limit) == (10, 8 * MiB, 0)
    assert settings.conflict is ConflictPolicy.ASK
    assert settings.notifications and settings.appearance is Appearance.SYSTEM
    assert settings.encryption is Encryption.NONE and not settings.require_encryption
    assert (settings.kms_key_id, settings.storage_class, settings.audit_bucket) == ("", "", "")
    assert (settings.metadata, settings.tags, settings.rules) == ({}, {}, {})
    assert store.notes == [] and not path.exists()  # reading writes nothing
    assert not any(store.is_locked(name) for name in SETTING_NAMES)


def test_the_default_file_is_in_the_config_folder() -> None:
    store = SettingsStore()  # S3DESK_CONFIG_DIR and S3DESK_MANAGED_CONFIG are the test's
    assert store.path == config_dir() / "settings.toml"
    assert store.managed == ManagedConfig()


def test_round_trip_keeps_only_what_the_user_chose(path: Path) -> None:
    store = _store(path)
    store.set("concurrency", 4)
    store.set("part_size", "16M")
    store.set("bandwidth_limit", 1.5 * 1024 * 1024)  # the command line's rates are floats
    store.set("conflict", "rename")
    store.set("notifications", False)
    store.set("encryption", "sse-kms")
    store.set("kms_key_id", "alias/uploads")
    store.set("storage_class", "standard_ia")
    store.set("metadata", {"project": "apollo"})
    store.set("tags", {"team": "data science"})
    store.set("audit_bucket", "corp-audit")
    store.set("rules", {"max_size": "5G", "deny": {"extensions": [".exe", ".bat"]}})
    store.save()

    data = tomllib.loads(path.read_text())
    assert data["version"] == SETTINGS_VERSION
    assert "appearance" not in data and "cache_control" not in data
    assert data["part_size"] == 16 * MiB and data["conflict"] == "rename"

    again = _store(path).effective()
    assert again == store.effective()
    assert again.part_size == 16 * MiB and again.bandwidth_limit == 1572864
    assert again.conflict is ConflictPolicy.RENAME and again.encryption is Encryption.SSE_KMS
    assert again.storage_class == "STANDARD_IA"
    assert again.rules == {"max_size": "5G", "deny": {"extensions": [".exe", ".bat"]}}
    assert not again.notifications and again.appearance is Appearance.SYSTEM


def test_settings_are_frozen_and_their_tables_are_copies(path: Path) -> None:
    store = _store(path)
    rules = {"deny": ["*.exe"]}
    store.set("rules", rules)
    rules["deny"].append("*.bat")
    settings = store.effective()
    assert settings.rules == {"deny": ["*.exe"]}
    settings.rules["deny"].append("*.com")
    assert store.effective().rules == {"deny": ["*.exe"]}
    with pytest.raises(AttributeError):
        settings.concurrency = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("concurrency", 0, "from 1 to 256"),
        ("concurrency", "ten", "whole number"),
        ("concurrency", True, "whole number"),
        ("part_size", "1M", "5 MiB to 5 GiB"),
        ("part_size", "lots", "number of bytes"),
        ("bandwidth_limit", -1, "0 (unlimited) or more"),
        ("conflict", "maybe", "ask, overwrite, skip"),
        ("notifications", "yes", "true or false"),
        ("encryption", "AES", "none, SSE-S3, SSE-KMS"),
        ("storage_class", "FAST", "STANDARD_IA"),
        ("cache_control", "no-cache\r\nX-Evil: 1", "printable ASCII"),
        ("metadata", {"bad name": "x"}, "Metadata name"),
        ("metadata", {"a": "x" * 3000}, "2048"),
        ("tags", {f"k{n}": "v" for n in range(11)}, "at most 10"),
        ("tags", {"aws:owner": "me"}, "aws:"),
        ("audit_bucket", "s3://corp-audit", "without s3://"),
        ("audit_bucket", "Corp_Audit", "bucket name"),
        ("rules", ["not", "a", "table"], "must be a table"),
        ("rules", {"limit": None}, "TOML"),
        ("colour", "blue", "no setting named"),
    ],
)
def test_bad_values_are_refused_with_the_reason(
    path: Path, name: str, value: object, says: str
) -> None:
    store = _store(path)
    with pytest.raises(ValueError, match=re.escape(says)):
        store.set(name, value)
    assert store.user_values() == {}
    assert store.effective() == Settings()


def test_constructing_settings_checks_and_normalises() -> None:
    settings = Settings(conflict="skip", part_size="16M", encryption="sse-s3")  # type: ignore[arg-type]
    assert settings.conflict is ConflictPolicy.SKIP and settings.part_size == 16 * MiB
    assert settings.encryption is Encryption.SSE_S3
    with pytest.raises(ValueError, match="concurrency"):
        Settings(concurrency=0)


def test_a_version_1_file_is_migrated(path: Path) -> None:
    path.write_text(
        "version = 1\n"
        "concurrency = 6\n"
        "bandwidth_kib = 2048\n"
        "part_size_mib = 16\n"
        'theme = "dark"\n'
        'conflict = "skip"\n'
    )
    store = _store(path)
    settings = store.effective()
    assert settings.bandwidth_limit == 2048 * 1024
    assert settings.part_size == 16 * MiB
    assert settings.appearance is Appearance.DARK
    assert (settings.concurrency, settings.conflict) == (6, ConflictPolicy.SKIP)
    assert store.notes == []
    assert "bandwidth_kib" in path.read_text()  # reading alone does not rewrite the file

    store.save()
    data = tomllib.loads(path.read_text())
    assert data == {
        "version": 2, "concurrency": 6, "bandwidth_limit": 2097152,
        "part_size": 16 * MiB, "appearance": "dark", "conflict": "skip",
    }  # fmt: skip
    assert _store(path).effective() == settings


def test_a_file_without_a_version_is_version_1(path: Path) -> None:
    path.write_text('bandwidth_kib = 100\ntheme = "system"\n')
    settings = _store(path).effective()
    assert settings.bandwidth_limit == 102400 and settings.appearance is Appearance.SYSTEM


@pytest.mark.parametrize(
    ("line", "appearance"),
    [("theme_follows_system = true", Appearance.SYSTEM),
     ("theme_follows_system = false", Appearance.LIGHT),  # the app's own style was light
     ('theme_follows_system = false\nappearance = "dark"', Appearance.DARK)],
)  # fmt: skip
def test_the_old_theme_switch_is_read_as_the_appearance(
    path: Path, line: str, appearance: Appearance
) -> None:
    path.write_text(f"version = 2\n{line}\n")
    store = _store(path)
    assert store.effective().appearance is appearance and store.notes == []
    store.save()
    data = tomllib.loads(path.read_text())
    assert "theme_follows_system" not in data
    assert data.get("appearance", "system") == appearance.value


def test_the_appearance_takes_its_three_values(path: Path) -> None:
    path.write_text('version = 2\nappearance = "Dark"\n')
    assert _store(path).effective().appearance is Appearance.DARK
    path.write_text('version = 2\nappearance = "dim"\n')
    store = _store(path)
    assert store.effective().appearance is Appearance.SYSTEM
    assert store.notes == [
        "settings.toml: appearance must be one of system, light, dark, not 'dim'; "
        "using the default instead"
    ]


def test_a_newer_file_is_refused_and_never_overwritten(path: Path) -> None:
    newer = f"version = {SETTINGS_VERSION + 1}\nconcurrency = 3\nwarp_drive = true\n"
    path.write_text(newer)
    with pytest.raises(SettingsFileError, match="newer s3desk") as refused:
        _store(path)
    assert str(path) in str(refused.value)
    assert path.read_text() == newer

    # A newer s3desk writing the file while this one runs: save() leaves it alone too.
    path.unlink()
    store = _store(path)
    store.set("concurrency", 5)
    path.write_text(newer)
    with pytest.raises(SettingsFileError, match="newer s3desk"):
        store.save()
    assert path.read_text() == newer


def test_a_damaged_file_is_reported(path: Path) -> None:
    path.write_text("concurrency = \n")
    with pytest.raises(SettingsFileError, match="not valid TOML"):
        _store(path)
    path.write_text('version = "two"\n')
    with pytest.raises(SettingsFileError, match="version"):
        _store(path)


def test_unknown_keys_and_bad_values_are_noted_and_dropped(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path.write_text('version = 2\ncolour = "blue"\nconcurrency = "lots"\nnotifications = false\n')
    with caplog.at_level(logging.WARNING, logger="s3desk.core.config.settings"):
        store = _store(path)
    assert len(store.notes) == 2
    assert any("unknown setting 'colour'" in note for note in store.notes)
    assert any("concurrency" in note and "whole number" in note for note in store.notes)
    assert [r.getMessage() for r in caplog.records] == store.notes
    settings = store.effective()
    assert settings.concurrency == 10 and settings.notifications is False
    store.save()
    assert tomllib.loads(path.read_text()) == {"version": 2, "notifications": False}


def test_reset_returns_to_the_default(path: Path) -> None:
    store = _store(path)
    store.set("concurrency", 3)
    store.reset("concurrency")
    assert store.effective().concurrency == 10 and store.user_values() == {}


def test_saving_replaces_the_file_in_one_step(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store(path)
    store.set("concurrency", 3)
    store.save()
    old_text, old_inode = path.read_text(), path.stat().st_ino
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    # A failure before the rename (here: the disk refusing to sync) leaves the old file
    # whole and no temporary file behind.
    def refuse(fd: int) -> None:
        raise OSError(28, "No space left on device")

    store.set("concurrency", 7)
    monkeypatch.setattr(os, "fsync", refuse)
    with pytest.raises(SettingsFileError, match="No space left"):
        store.save()
    assert path.read_text() == old_text
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]

    monkeypatch.undo()
    store.save()
    assert path.stat().st_ino != old_inode  # a new file renamed over the old one
    assert _store(path).effective().concurrency == 7


def test_the_engine_gets_its_settings() -> None:
    settings = Settings(
        concurrency=3, part_size=16 * MiB, bandwidth_limit=MiB, conflict=ConflictPolicy.SKIP,
        encryption=Encryption.SSE_KMS, kms_key_id="alias/uploads", require_encryption=True,
        storage_class="STANDARD_IA", cache_control="no-cache", metadata={"project": "apollo"},
        tags={"team": "data"},
    )  # fmt: skip
    config = engine_config(settings)
    assert (config.concurrency, config.part_size, config.bandwidth_limit) == (3, 16 * MiB, MiB)
    assert config.conflict is ConflictPolicy.SKIP
    assert config.options.boto_fields() == {
        "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/uploads",
        "StorageClass": "STANDARD_IA", "CacheControl": "no-cache",
        "Metadata": {"project": "apollo"}, "Tagging": "team=data",
    }  # fmt: skip
    assert config.options.require_encryption
    assert config.max_attempts == EngineConfig().max_attempts  # the rest keeps its defaults
    # A KMS key left from an earlier choice does not go along with SSE-S3.
    sse_s3 = engine_config(Settings(encryption=Encryption.SSE_S3, kms_key_id="alias/old"))
    assert sse_s3.options.boto_fields() == {"ServerSideEncryption": "AES256"}
    assert engine_config(Settings()).options.boto_fields() == {}


def test_the_command_line_cannot_ask() -> None:
    ask = Settings()
    assert unattended_conflict(ask, locked=False) is ConflictPolicy.OVERWRITE
    assert unattended_conflict(ask, locked=True) is ConflictPolicy.SKIP
    rename = Settings(conflict=ConflictPolicy.RENAME)
    assert unattended_conflict(rename, locked=False) is ConflictPolicy.RENAME
