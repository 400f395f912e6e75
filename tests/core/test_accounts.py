"""Accounts: metadata in accounts.toml, secrets only in the keyring, endpoints built from both."""

from __future__ import annotations

import stat
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import PRESETS, Account, AccountKind, AccountsFileError
from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.config.secrets import SecretStore, SecretStoreError
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from tests.conftest import Server
from tests.helpers import read_object
from tests.memory_keyring import MemoryKeyring

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETzz"
TOKEN = "FQoGZXIvYXdzEXAMPLETOKENzz"


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def store(tmp_path: Path, keyring_backend: MemoryKeyring) -> AccountStore:
    return AccountStore(tmp_path / "accounts.toml", SecretStore(backend=keyring_backend))


def _access_key_account(**changes: object) -> Account:
    account = Account(name="Work", kind=AccountKind.ACCESS_KEY, access_key_id="AKIDEXAMPLE")
    return replace(account, **changes)  # type: ignore[arg-type]


def test_secrets_go_to_the_keyring_and_never_to_the_file(
    store: AccountStore, keyring_backend: MemoryKeyring
) -> None:
    account = store.save(_access_key_account(region="eu-west-1"), secret_key=SECRET,
                         session_token=TOKEN)  # fmt: skip
    text = store.path.read_text()
    assert SECRET not in text and TOKEN not in text
    assert "AKIDEXAMPLE" in text and "eu-west-1" in text
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert set(keyring_backend.entries.values()) == {SECRET, TOKEN}

    again = AccountStore(store.path, store.secrets)
    endpoint = again.endpoint(again.find("Work") or pytest.fail("account not read back"))
    assert (endpoint.access_key, endpoint.secret_key, endpoint.session_token) == (
        "AKIDEXAMPLE", SECRET, TOKEN,
    )  # fmt: skip
    assert endpoint.region == "eu-west-1" and endpoint.label == "Work"
    assert SECRET not in repr(endpoint)
    assert account.id == (again.default() or pytest.fail("no default")).id


def test_updating_without_a_secret_keeps_the_stored_one(store: AccountStore) -> None:
    account = store.save(_access_key_account(), secret_key=SECRET)
    store.save(replace(account, bucket="team", prefix="in/"))
    endpoint = store.endpoint(store.find("Work") or pytest.fail())
    assert endpoint.secret_key == SECRET
    assert (store.find("Work") or pytest.fail()).bucket == "team"


def test_removing_an_account_removes_its_secrets(
    store: AccountStore, keyring_backend: MemoryKeyring
) -> None:
    account = store.save(_access_key_account(), secret_key=SECRET, session_token=TOKEN)
    store.remove(account.id)
    assert store.accounts() == []
    assert keyring_backend.entries == {}
    assert AccountStore(store.path, store.secrets).accounts() == []


def test_profile_accounts_need_no_secret_and_no_keyring(tmp_path: Path) -> None:
    from keyring.backends.fail import Keyring as FailKeyring

    store = AccountStore(tmp_path / "accounts.toml", SecretStore(backend=FailKeyring()))
    account = Account(name="SSO", kind=AccountKind.PROFILE, profile="work-sso")
    store.save(account)
    endpoint = store.endpoint(store.find("SSO") or pytest.fail())
    assert endpoint.profile == "work-sso" and endpoint.secret_key is None
    with pytest.raises(SecretStoreError):
        store.save(_access_key_account(name="Keys"), secret_key=SECRET)
    assert [a.name for a in AccountStore(store.path, store.secrets).accounts()] == ["SSO"]


@pytest.mark.parametrize(
    ("account", "problem"),
    [
        (Account(name=" ", kind=AccountKind.PROFILE, profile="p"), "name"),
        (Account(name="x", kind=AccountKind.PROFILE), "profile"),
        (Account(name="x", kind=AccountKind.ACCESS_KEY), "access key ID"),
        (
            Account(
                name="x",
                kind=AccountKind.COMPATIBLE,
                access_key_id="k",
                endpoint_url="s3.example.com",
            ),
            "http:// or https://",
        ),
        (Account(name="x", kind=AccountKind.COMPATIBLE, access_key_id="k"), "endpoint URL"),
    ],
)
def test_incomplete_accounts_are_refused_with_the_reason(
    store: AccountStore, account: Account, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        store.save(account, secret_key=SECRET)
    assert not store.path.exists()


def test_a_new_account_needs_its_secret_and_names_are_unique(store: AccountStore) -> None:
    with pytest.raises(ValueError, match="secret"):
        store.save(_access_key_account())
    store.save(_access_key_account(), secret_key=SECRET)
    with pytest.raises(ValueError, match="exists already"):
        store.save(_access_key_account(), secret_key=SECRET)


def test_default_account_and_lookup_by_name(store: AccountStore) -> None:
    first = store.save(_access_key_account(), secret_key=SECRET)
    second = store.save(Account(name="Archive", kind=AccountKind.PROFILE, profile="archive"))
    assert (store.default() or pytest.fail()).id == first.id
    store.set_default(second.id)
    reread = AccountStore(store.path, store.secrets)
    assert (reread.default() or pytest.fail()).name == "Archive"
    assert reread.find("archive") is not None  # names match without regard to case
    assert tomllib.loads(store.path.read_text())["default"] == second.id


def test_a_damaged_or_newer_file_is_reported_not_overwritten(
    tmp_path: Path, keyring_backend: MemoryKeyring
) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text("version = 1\n[[accounts]\nname = ")
    with pytest.raises(AccountsFileError, match="not valid TOML"):
        AccountStore(path, SecretStore(backend=keyring_backend))
    path.write_text("version = 99\n")
    with pytest.raises(AccountsFileError, match="newer s3desk"):
        AccountStore(path, SecretStore(backend=keyring_backend))
    assert path.read_text() == "version = 99\n"
    for bad in ("version = true\n", "version = 0\n", 'version = "2"\n'):
        path.write_text(bad)
        with pytest.raises(AccountsFileError, match="whole number"):
            AccountStore(path, SecretStore(backend=keyring_backend))
        assert path.read_text() == bad


def test_presets_fill_in_valid_endpoints() -> None:
    for preset in PRESETS:
        url = preset.endpoint_url.format(region=preset.region, account_id="0123abcd")
        account = Account(
            name=preset.name, kind=AccountKind.COMPATIBLE, access_key_id="k", endpoint_url=url,
            region=preset.region, path_style=preset.path_style,
            checksum_mode=preset.checksum_mode,
        )  # fmt: skip
        assert account.problems() == [], preset.name


def test_an_s3_compatible_account_uploads_with_its_keyring_secret(
    rclone_server: Server, rclone_bucket: str, store: AccountStore, tmp_path: Path
) -> None:
    # rclone checks signatures: the upload works only with the secret from the keyring.
    endpoint = rclone_server.endpoint
    assert endpoint.endpoint_url and endpoint.access_key and endpoint.secret_key
    account = store.save(
        Account(name="Local rclone", kind=AccountKind.COMPATIBLE,
                access_key_id=endpoint.access_key, endpoint_url=endpoint.endpoint_url,
                region="us-east-1"),
        secret_key=endpoint.secret_key,
    )  # fmt: skip
    (tmp_path / "a.txt").write_text("through an account")
    engine = UploadEngine(store.endpoint(account), EngineConfig(concurrency=2))
    try:
        job_id = engine.submit_file(tmp_path / "a.txt", rclone_bucket, "a.txt")
        assert engine.wait(60)
        assert (engine.job(job_id).state, engine.job(job_id).error) == (JobState.DONE, "")
    finally:
        engine.shutdown()
    assert read_object(rclone_server.client, rclone_bucket, "a.txt") == b"through an account"


def test_the_command_line_offers_every_kind_and_checksum_mode() -> None:
    from s3desk.cli import accounts as cli_accounts
    from s3desk.core.storage import checksums

    assert tuple(k.value for k in AccountKind) == cli_accounts._KINDS
    assert cli_accounts._CHECKSUM_MODES == checksums.MODES


def test_a_profile_account_uploads_with_the_profiles_credentials(
    rclone_server: Server,
    rclone_bucket: str,
    store: AccountStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The shared AWS files name the keys; botocore's chain resolves the profile. rclone
    # checks signatures, so only the profile's keys get the file in.
    endpoint = rclone_server.endpoint
    assert endpoint.endpoint_url and endpoint.access_key and endpoint.secret_key
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[uploader]\naws_access_key_id = {endpoint.access_key}\n"
        f"aws_secret_access_key = {endpoint.secret_key}\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    account = store.save(
        Account(name="Profile", kind=AccountKind.PROFILE, profile="uploader",
                endpoint_url=endpoint.endpoint_url, region="us-east-1")
    )  # fmt: skip
    (tmp_path / "p.txt").write_text("via a profile")
    engine = UploadEngine(store.endpoint(account), EngineConfig(concurrency=2))
    try:
        job_id = engine.submit_file(tmp_path / "p.txt", rclone_bucket, "p.txt")
        assert engine.wait(60)
        assert (engine.job(job_id).state, engine.job(job_id).error) == (JobState.DONE, "")
    finally:
        engine.shutdown()
    assert read_object(rclone_server.client, rclone_bucket, "p.txt") == b"via a profile"


@pytest.mark.parametrize(
    ("url", "problems"),
    [
        ("htps//minio:9000", ["The endpoint URL starts with 'htps//', not https:// or "
                              "http://: did you mean https://minio:9000?"]),
        ("hhtp://10.0.0.5:9000", ["The endpoint URL starts with 'hhtp://', not https:// or "
                                  "http://: did you mean http://10.0.0.5:9000?"]),
        ("htps//minio local:9000", ["The endpoint URL starts with 'htps//', not https:// or "
                                    "http://",
                                    "The host name 'minio local' contains a space; host "
                                    "names have none"]),
        ("ftp://files.example.com", ["The endpoint URL must start with https:// or http://, "
                                     "not 'ftp://'"]),
        ("minio:9000", ["The endpoint URL needs http:// or https:// in front, e.g. "
                        "https://minio:9000"]),
        ("localhost/s3", ["The endpoint URL needs http:// or https:// in front, e.g. "
                          "https://localhost/s3"]),
        ("http://minio local:9000", ["The host name 'minio local' contains a space; host "
                                     "names have none"]),
        ("http://minio:9000", []),
    ],
)  # fmt: skip
def test_a_mistyped_endpoint_url_is_explained_with_a_sensible_guess(
    url: str, problems: list[str]
) -> None:
    account = Account(name="MinIO", kind=AccountKind.COMPATIBLE, access_key_id="k",
                      endpoint_url=url)  # fmt: skip
    assert account.problems() == problems
