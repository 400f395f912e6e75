"""The managed configuration: presets, locks, limits and preset accounts, set by IT."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields, replace
from pathlib import Path, PureWindowsPath

import pytest

from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import Account, AccountKind, AccountsFileError
from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.config.managed import (
    Limits,
    ManagedConfig,
    ManagedConfigError,
    managed_account_id,
    managed_accounts,
    managed_path,
)
from s3desk.core.config.secrets import SecretStore
from s3desk.core.config.settings import (
    LOCK_REASON,
    SETTING_NAMES,
    Appearance,
    Encryption,
    SettingLocked,
    Settings,
    labelled,
)
from s3desk.core.config.settings_store import SettingsStore, apply_cli_overrides
from s3desk.core.storage.parts import MiB
from tests.memory_keyring import MemoryKeyring

DOC = Path(__file__).resolve().parents[2] / "docs" / "managed-config.md"


@pytest.fixture(autouse=True)
def no_system_managed_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever managed.toml this computer has stays out of these tests."""
    monkeypatch.setenv("S3DESK_MANAGED_CONFIG", str(tmp_path / "no-managed.toml"))


def _managed(tmp_path: Path, text: str) -> ManagedConfig:
    path = tmp_path / "managed.toml"
    path.write_text(text)
    return ManagedConfig.load(path)


def _settings(tmp_path: Path, managed: ManagedConfig, text: str = "") -> SettingsStore:
    path = tmp_path / "settings.toml"
    if text:
        path.write_text(text)
    return SettingsStore(path, managed)


def test_where_the_file_is_on_each_system(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("S3DESK_MANAGED_CONFIG")
    assert managed_path("linux") == Path("/etc/s3desk/managed.toml")
    assert managed_path("darwin") == Path("/Library/Application Support/s3desk/managed.toml")
    monkeypatch.setenv("PROGRAMDATA", r"D:\ProgramData")
    assert PureWindowsPath(managed_path("win32")) == PureWindowsPath(
        r"D:\ProgramData\s3desk\managed.toml"
    )
    monkeypatch.delenv("PROGRAMDATA")
    assert PureWindowsPath(managed_path("win32")) == PureWindowsPath(
        r"C:\ProgramData\s3desk\managed.toml"
    )
    monkeypatch.setenv("S3DESK_MANAGED_CONFIG", "/srv/test/managed.toml")
    assert managed_path("linux") == Path("/srv/test/managed.toml")


def test_no_file_means_nothing_is_managed(tmp_path: Path) -> None:
    config = ManagedConfig.load()  # S3DESK_MANAGED_CONFIG names a file that does not exist
    assert config == ManagedConfig()
    assert config.locked == frozenset() and config.accounts == () and not config.accounts_locked


def _doc_example() -> str:
    text = DOC.read_text()
    match = re.search(r"## Example\n+```toml\n(.*?)```", text, re.DOTALL)
    assert match, "docs/managed-config.md has no ```toml block under '## Example'"
    return match[1]


def test_the_documented_example_loads(tmp_path: Path) -> None:
    config = _managed(tmp_path, _doc_example())
    assert config.settings["concurrency"] == 8 and config.settings["part_size"] == 16 * MiB
    assert config.settings["encryption"] is Encryption.SSE_KMS
    # Locking encryption locks the KMS key with it; audit_bucket locks audit_prefix.
    assert {"encryption", "kms_key_id", "audit_bucket", "audit_prefix"} <= config.locked
    assert config.accounts_locked
    assert config.limits == Limits(max_concurrency=16, max_bandwidth=50 * MiB)
    assert [a.name for a in config.accounts] == ["Company uploads", "Archive"]
    assert all(a.managed for a in config.accounts)
    assert config.accounts[1].id == "archive-minio"
    assert [e.name for e in config.endpoints] == ["Company MinIO"]
    effective = SettingsStore(tmp_path / "settings.toml", config).effective()
    assert effective.require_encryption and effective.tags == {"classification": "internal"}


def test_the_documentation_names_every_key() -> None:
    text = DOC.read_text()
    keys = [*SETTING_NAMES, *(f.name for f in fields(Limits))]
    keys += ["version", "[settings]", "[locked]", "[limits]", "[[accounts]]", "[[endpoints]]"]
    keys += [f.name for f in fields(Account) if f.name != "managed"]
    keys += ["name", "endpoint_url", "region", "path_style", "checksum_mode", "hint"]
    missing = [key for key in keys if f"`{key}`" not in text]
    assert missing == []


def test_a_hand_edited_locked_value_is_ignored_with_a_note(tmp_path: Path) -> None:
    managed = _managed(
        tmp_path,
        '[settings]\nconcurrency = 8\n[locked]\nsettings = ["concurrency", "encryption"]\n',
    )
    store = _settings(tmp_path, managed, "version = 2\nconcurrency = 32\nnotifications = false\n")
    settings = store.effective()
    assert settings.concurrency == 8 and settings.notifications is False
    assert len(store.notes) == 1
    assert "concurrency" in store.notes[0] and "organisation" in store.notes[0]
    assert store.is_locked("concurrency") and store.lock_reason("concurrency") == LOCK_REASON
    assert LOCK_REASON == "Set by your organisation"
    assert not store.is_locked("notifications") and store.lock_reason("notifications") == ""
    with pytest.raises(SettingLocked) as refused:
        store.set("concurrency", 4)
    assert refused.value.name == "concurrency"
    with pytest.raises(SettingLocked):
        store.reset("concurrency")
    # Locked without a preset: the default stays, and the KMS key is locked with encryption.
    assert settings.encryption is Encryption.NONE and store.is_locked("kms_key_id")
    with pytest.raises(SettingLocked):
        store.set("kms_key_id", "alias/mine")
    store.save()
    assert tomllib.loads(store.path.read_text()) == {"version": 2, "notifications": False}


def test_an_unlocked_preset_can_be_changed(tmp_path: Path) -> None:
    managed = _managed(tmp_path, '[settings]\nconflict = "skip"\nbandwidth_limit = "10M"\n')
    store = _settings(tmp_path, managed)
    assert store.effective().conflict is ConflictPolicy.SKIP
    assert store.effective().bandwidth_limit == 10 * MiB
    assert not store.is_locked("conflict")
    store.set("conflict", "rename")
    store.save()
    again = SettingsStore(store.path, managed)
    assert again.effective().conflict is ConflictPolicy.RENAME
    assert again.effective().bandwidth_limit == 10 * MiB  # the preset, not written to the file
    assert tomllib.loads(store.path.read_text()) == {"version": 2, "conflict": "rename"}
    again.reset("conflict")
    assert again.effective().conflict is ConflictPolicy.SKIP


def test_limits_cap_the_settings(tmp_path: Path) -> None:
    managed = _managed(tmp_path, '[limits]\nmax_concurrency = 16\nmax_bandwidth = "5M"\n')
    store = _settings(tmp_path, managed, "concurrency = 64\n")
    settings = store.effective()
    assert settings.concurrency == 16  # from the file, brought down to the limit
    assert settings.bandwidth_limit == 5 * MiB  # "unlimited" means the limit
    assert any("at most 16" in note for note in store.notes)
    with pytest.raises(ValueError, match="at most 16"):
        store.set("concurrency", 17)
    with pytest.raises(ValueError, match="organisation"):
        store.set("bandwidth_limit", 0)
    store.set("bandwidth_limit", "1M")
    assert store.effective().bandwidth_limit == MiB


def test_notes_and_refusals_speak_as_the_settings_dialog_does(tmp_path: Path) -> None:
    managed = _managed(
        tmp_path,
        '[settings]\nbandwidth_limit = "5M"\n[locked]\nsettings = ["bandwidth_limit"]\n'
        "[limits]\nmax_concurrency = 6\n",
    )
    store = _settings(tmp_path, managed, "version = 2\nbandwidth_limit = 5243904\n"
                      "concurrency = 8\n")  # fmt: skip
    # The notes name a setting by its key in the file; the dialog names it by its label.
    assert store.notes == [
        "settings.toml: bandwidth_limit is set by your organisation; "
        "the value there (5121 KiB/s) is ignored",
        "settings.toml: concurrency can be at most 6 (a limit set by "
        "your organisation); using the limit",
    ]
    assert [labelled(note) for note in store.notes] == [
        "settings.toml: Bandwidth limit is set by your organisation; "
        "the value there (5121 KiB/s) is ignored",
        "settings.toml: Parallel requests can be at most 6 (a limit set by "
        "your organisation); using the limit",
    ]
    with pytest.raises(ValueError) as refused:
        store.set("concurrency", 7)
    assert str(refused.value) == (
        "Parallel requests can be at most 6 (a limit set by your organisation)"
    )
    with pytest.raises(SettingLocked, match=r"^Bandwidth limit is set by your organisation"):
        store.set("bandwidth_limit", "1M")
    limited = _managed(tmp_path, '[limits]\nmax_bandwidth = "5 MiB/s"\n')
    assert limited.limits.problem("bandwidth_limit", 0) == (
        "can be at most 5 MiB/s (a limit set by your organisation)"
    )
    with pytest.raises(SettingLocked, match="set it to 5 MiB/s and locked it"):
        apply_cli_overrides(store.effective(), {"bandwidth_limit": "1M"}, managed)


def test_the_old_theme_switch_presets_and_locks_the_appearance(tmp_path: Path) -> None:
    managed = _managed(
        tmp_path,
        '[settings]\ntheme_follows_system = false\n[locked]\nsettings = ["theme_follows_system"]\n',
    )
    assert managed.settings == {"appearance": Appearance.LIGHT}
    assert managed.locked == {"appearance"}
    store = _settings(tmp_path, managed, 'version = 2\nappearance = "dark"\n')
    assert store.effective().appearance is Appearance.LIGHT
    assert store.is_locked("appearance")
    dark = _managed(tmp_path, '[settings]\nappearance = "dark"\n')
    assert dark.settings == {"appearance": Appearance.DARK}


def test_command_line_overrides(tmp_path: Path) -> None:
    managed = _managed(
        tmp_path,
        '[settings]\nconcurrency = 8\n[locked]\nsettings = ["concurrency"]\n'
        "[limits]\nmax_bandwidth = 1048576\n",
    )
    settings = SettingsStore(tmp_path / "settings.toml", managed).effective()
    with pytest.raises(SettingLocked, match="--concurrency") as refused:
        apply_cli_overrides(settings, {"concurrency": 4}, managed)
    assert refused.value.flag == "--concurrency"
    assert "organisation" in str(refused.value) and "8" in str(refused.value)
    changed = apply_cli_overrides(settings, {"conflict": "skip", "bandwidth_limit": 512.0}, managed)
    assert changed.conflict is ConflictPolicy.SKIP and changed.bandwidth_limit == 512
    assert changed.concurrency == 8
    with pytest.raises(ValueError, match=r"--bwlimit.*at most"):
        apply_cli_overrides(settings, {"bandwidth_limit": 2 * MiB}, managed)
    with pytest.raises(ValueError, match="--if-exists"):
        apply_cli_overrides(settings, {"conflict": "never"}, managed)
    # Without a managed configuration given, the system's is used (here: none).
    assert apply_cli_overrides(Settings(), {"concurrency": 4}).concurrency == 4


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[settings\n", "not valid TOML"),
        ("version = 2\n", "newer s3desk"),
        ("colour = 1\n", "unknown key 'colour'"),
        ('[locked]\nsettings = ["concurency"]\n', "no setting named 'concurency'"),
        ('[locked]\nsettings = "concurrency"\n', "list of names"),
        ("[locked]\naccounts = 1\n", "true or false"),
        ("[locked]\nfiles = true\n", "unknown key 'files'"),
        ('[settings]\nencryption = "AES"\n', "encryption must be one of"),
        ("[settings]\nconcurrency = 32\n[limits]\nmax_concurrency = 16\n", "at most 16"),
        ("[limits]\nmax_bandwidth = 0\n", "more than 0"),
        (
            '[[accounts]]\nname = "Keys"\nkind = "access-key"\naccess_key_id = "AKIDEXAMPLE"\n'
            'secret_access_key = "wJalr"\n',
            "secret_access_key must not be here",
        ),
        ('[[accounts]]\nname = "Keys"\nkind = "access-key"\n', "access key ID"),
        ('[[accounts]]\nname = "X"\nkind = "ftp"\n', "malformed"),
        (
            '[[accounts]]\nname = "X"\nkind = "aws-profile"\nprofile = "p"\npath_style = "yes"\n',
            "path_style must be true or false",
        ),
        (
            '[[accounts]]\nname = "X"\nkind = "aws-profile"\nprofile = "p"\n'
            '[[accounts]]\nname = "x"\nkind = "aws-profile"\nprofile = "q"\n',
            "two accounts have this name",
        ),
        ('[[endpoints]]\nname = "S"\nendpoint_url = "s3.example.com"\n', "https://"),
    ],
)
def test_a_wrong_file_is_refused_with_the_reason(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(ManagedConfigError, match=re.escape(says)) as refused:
        _managed(tmp_path, text)
    assert str(tmp_path / "managed.toml") in str(refused.value)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    with pytest.raises(ManagedConfigError) as refused:
        _managed(tmp_path, '[settings]\nconcurrency = 0\n[locked]\nsettings = ["colour"]\n')
    assert "concurrency" in str(refused.value) and "colour" in str(refused.value)


MANAGED_ACCOUNTS = """
[[accounts]]
name = "Company"
kind = "upload-service"
endpoint_url = "https://uploads.example.com"

[[accounts]]
name = "Shared"
kind = "access-key"
access_key_id = "AKIDSHARED"
"""


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return MemoryKeyring()


def _accounts(tmp_path: Path, managed: ManagedConfig, keyring: MemoryKeyring) -> AccountStore:
    return AccountStore(tmp_path / "accounts.toml", SecretStore(backend=keyring), managed)


def test_managed_accounts_are_listed_and_cannot_be_removed_or_changed(
    tmp_path: Path, keyring_backend: MemoryKeyring
) -> None:
    managed = _managed(tmp_path, MANAGED_ACCOUNTS)
    assert managed_accounts(managed) == list(managed.accounts)
    store = _accounts(tmp_path, managed, keyring_backend)
    own = store.save(Account(name="Mine", kind=AccountKind.PROFILE, profile="me"))
    assert [(a.name, a.managed) for a in store.accounts()] == [
        ("Company", True), ("Shared", True), ("Mine", False),
    ]  # fmt: skip
    company = store.find("company") or pytest.fail("managed account not found")
    assert company.id == managed_account_id("Company")
    assert (store.default() or pytest.fail()).name == "Company"  # the organisation's first

    with pytest.raises(ValueError, match="cannot be removed"):
        store.remove(company.id)
    with pytest.raises(ValueError, match="cannot be changed"):
        store.save(replace(company, endpoint_url="https://elsewhere.example.com"))
    with pytest.raises(ValueError, match="exists already"):
        store.save(Account(name="Company", kind=AccountKind.PROFILE, profile="x"))
    assert [a.name for a in store.accounts()] == ["Company", "Shared", "Mine"]

    # The user gives a managed account its secret; the account itself stays the managed one.
    store.save(company, secret_key="company-token")
    assert store.endpoint(company).upload_service_token == "company-token"
    text = store.path.read_text()
    assert "Company" not in text and "managed" not in text and "company-token" not in text

    store.remove(own.id)
    reread = _accounts(tmp_path, _managed(tmp_path, MANAGED_ACCOUNTS), keyring_backend)
    assert [a.name for a in reread.accounts()] == ["Company", "Shared"]
    again = reread.find("Company") or pytest.fail()
    assert again.id == company.id  # the same id on every start: its secret is found again
    assert reread.endpoint(again).upload_service_token == "company-token"


def test_locked_accounts_cannot_be_added_or_removed(
    tmp_path: Path, keyring_backend: MemoryKeyring
) -> None:
    store = _accounts(tmp_path, ManagedConfig(), keyring_backend)
    mine = store.save(Account(name="Mine", kind=AccountKind.PROFILE, profile="me"))
    managed = _managed(tmp_path, MANAGED_ACCOUNTS + "[locked]\naccounts = true\n")
    store = _accounts(tmp_path, managed, keyring_backend)
    with pytest.raises(ValueError, match="cannot be added"):
        store.save(Account(name="Other", kind=AccountKind.PROFILE, profile="other"))
    with pytest.raises(ValueError, match="cannot be removed"):
        store.remove(mine.id)
    store.save(replace(mine, region="eu-west-1"))  # editing one's own account is allowed
    assert (store.find("Mine") or pytest.fail()).region == "eu-west-1"
    assert [a.name for a in store.accounts()] == ["Company", "Shared", "Mine"]


def test_a_users_account_with_a_managed_name_is_hidden_not_lost(
    tmp_path: Path, keyring_backend: MemoryKeyring
) -> None:
    store = _accounts(tmp_path, ManagedConfig(), keyring_backend)
    store.save(Account(name="Company", kind=AccountKind.PROFILE, profile="old"))
    store = _accounts(tmp_path, _managed(tmp_path, MANAGED_ACCOUNTS), keyring_backend)
    assert [(a.name, a.managed) for a in store.accounts()] == [
        ("Company", True), ("Shared", True),
    ]  # fmt: skip
    store.save(Account(name="Other", kind=AccountKind.PROFILE, profile="other"))
    assert 'profile = "old"' in store.path.read_text()


def test_a_broken_system_file_stops_the_account_store_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keyring_backend: MemoryKeyring
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[locked]\nsettings = ["colour"]\n')
    monkeypatch.setenv("S3DESK_MANAGED_CONFIG", str(broken))
    with pytest.raises(AccountsFileError, match="colour"):
        AccountStore(tmp_path / "accounts.toml", SecretStore(backend=keyring_backend))
    with pytest.raises(ManagedConfigError, match="colour"):
        SettingsStore(tmp_path / "settings.toml")
