"""``s3desk upload`` and ``s3desk accounts`` under a managed configuration, as users run them:
a separate process, the managed file named by S3DESK_MANAGED_CONFIG."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.storage.endpoint import S3Endpoint
from tests.cli_runner import run_cli
from tests.helpers import list_keys, read_object


@pytest.fixture(autouse=True)
def managed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The managed configuration of these runs (none until a test writes it); the
    subprocesses inherit the environment."""
    path = tmp_path / "managed.toml"
    monkeypatch.setenv("S3DESK_MANAGED_CONFIG", str(path))
    return path


def _upload(source: Path, bucket: str, endpoint: S3Endpoint, *flags: str) -> Any:
    return run_cli(
        "upload", str(source), f"s3://{bucket}/", "--endpoint-url", str(endpoint.endpoint_url),
        *flags,
    )  # fmt: skip


LOCKED = """
[settings]
concurrency = 2
bandwidth_limit = "50M"
conflict = "overwrite"

[locked]
settings = ["concurrency", "bandwidth_limit", "conflict"]
"""


@pytest.mark.parametrize(
    "flags",
    [["--concurrency", "4"], ["--bwlimit", "1M"], ["--if-exists", "skip"]],
    ids=["concurrency", "bwlimit", "if-exists"],
)
def test_a_flag_for_a_locked_setting_is_refused(
    managed_file: Path, moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path,
    flags: list[str],
) -> None:  # fmt: skip
    managed_file.write_text(LOCKED)
    (tmp_path / "a.txt").write_text("a")
    result = _upload(tmp_path / "a.txt", bucket, moto_endpoint, *flags)
    assert result.returncode == 2
    assert f"{flags[0]} cannot be used" in result.stderr
    assert "your organisation" in result.stderr and "locked" in result.stderr
    assert "Traceback" not in result.stderr
    assert list_keys(s3, bucket) == []

    # The same upload without the flag runs, with the organisation's values.
    result = _upload(tmp_path / "a.txt", bucket, moto_endpoint)
    assert result.returncode == 0, result.stderr
    assert list_keys(s3, bucket) == ["a.txt"]


def test_a_flag_over_a_limit_is_refused(
    managed_file: Path, moto_endpoint: S3Endpoint, tmp_path: Path
) -> None:
    managed_file.write_text("[limits]\nmax_concurrency = 4\n")
    (tmp_path / "a.txt").write_text("a")
    result = _upload(tmp_path / "a.txt", "any-bucket", moto_endpoint, "--concurrency", "8")
    assert result.returncode == 2
    assert "--concurrency" in result.stderr and "at most 4" in result.stderr


def test_the_part_size_comes_from_the_settings(
    managed_file: Path, moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    managed_file.write_text('[settings]\npart_size = "5M"\n')
    data = os.urandom(20 * 1024 * 1024)
    (tmp_path / "big.bin").write_bytes(data)
    result = _upload(tmp_path / "big.bin", bucket, moto_endpoint)
    assert result.returncode == 0, result.stderr
    assert read_object(s3, bucket, "big.bin") == data
    # 20 MiB in 5 MiB parts is 4 parts (the default 8 MiB would make 3).
    assert s3.head_object(Bucket=bucket, Key="big.bin")["ETag"].strip('"').endswith("-4")


def test_the_conflict_default_comes_from_the_settings(
    managed_file: Path, moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"old")
    (tmp_path / "a.txt").write_text("new")

    # An unlocked preset applies without the flag...
    managed_file.write_text('[settings]\nconflict = "skip"\n')
    skipped = _upload(tmp_path / "a.txt", bucket, moto_endpoint)
    assert skipped.returncode == 0, skipped.stderr
    assert "SKIPPED" in skipped.stdout and read_object(s3, bucket, "a.txt") == b"old"

    # ...the user's settings.toml goes over it...
    (Path(os.environ["S3DESK_CONFIG_DIR"]) / "settings.toml").write_text(
        'version = 2\nconflict = "rename"\n'
    )
    renamed = _upload(tmp_path / "a.txt", bucket, moto_endpoint)
    assert renamed.returncode == 0, renamed.stderr
    assert list_keys(s3, bucket) == ["a (1).txt", "a.txt"]

    # ...and the flag over both.
    overwritten = _upload(tmp_path / "a.txt", bucket, moto_endpoint, "--if-exists", "overwrite")
    assert overwritten.returncode == 0, overwritten.stderr
    assert read_object(s3, bucket, "a.txt") == b"new"


def test_a_locked_ask_skips_taken_names_on_the_command_line(
    managed_file: Path, moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    managed_file.write_text('[settings]\nconflict = "ask"\n[locked]\nsettings = ["conflict"]\n')
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"old")
    (tmp_path / "a.txt").write_text("new")
    (tmp_path / "b.txt").write_text("b")
    result = _upload(tmp_path / "a.txt", bucket, moto_endpoint)
    assert result.returncode == 0, result.stderr
    assert "SKIPPED" in result.stdout and read_object(s3, bucket, "a.txt") == b"old"
    assert _upload(tmp_path / "b.txt", bucket, moto_endpoint).returncode == 0
    assert list_keys(s3, bucket) == ["a.txt", "b.txt"]


def test_a_hand_edited_locked_value_is_ignored_with_a_note(
    managed_file: Path, moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    managed_file.write_text('[settings]\nconflict = "skip"\n[locked]\nsettings = ["conflict"]\n')
    (Path(os.environ["S3DESK_CONFIG_DIR"]) / "settings.toml").write_text(
        'version = 2\nconflict = "overwrite"\n'
    )
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"old")
    (tmp_path / "a.txt").write_text("new")
    result = _upload(tmp_path / "a.txt", bucket, moto_endpoint)
    assert result.returncode == 0, result.stderr
    assert "conflict is set by your organisation" in result.stderr
    assert read_object(s3, bucket, "a.txt") == b"old"


def test_a_broken_managed_file_stops_the_command(managed_file: Path, tmp_path: Path) -> None:
    managed_file.write_text('[locked]\nsettings = ["concurency"]\n')
    (tmp_path / "a.txt").write_text("a")
    result = run_cli("upload", str(tmp_path / "a.txt"), "s3://b/", "--endpoint-url",
                     "http://127.0.0.1:9")  # fmt: skip
    assert result.returncode == 1
    assert str(managed_file) in result.stderr and "no setting named 'concurency'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_newer_settings_file_stops_the_command(tmp_path: Path) -> None:
    settings = Path(os.environ["S3DESK_CONFIG_DIR"]) / "settings.toml"
    settings.write_text("version = 99\n")
    (tmp_path / "a.txt").write_text("a")
    result = run_cli("upload", str(tmp_path / "a.txt"), "s3://b/", "--endpoint-url",
                     "http://127.0.0.1:9")  # fmt: skip
    assert result.returncode == 1 and "newer s3desk" in result.stderr
    assert settings.read_text() == "version = 99\n"


NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def test_managed_accounts_are_listed_and_not_removable(managed_file: Path) -> None:
    managed_file.write_text(
        '[[accounts]]\nname = "Company"\nkind = "upload-service"\n'
        'endpoint_url = "https://uploads.example.com"\n[locked]\naccounts = true\n'
    )
    listed = run_cli("accounts", "list", env=NO_KEYRING)
    assert listed.returncode == 0, listed.stderr
    assert "Company" in listed.stdout and "https://uploads.example.com" in listed.stdout
    removed = run_cli("accounts", "remove", "Company", env=NO_KEYRING)
    assert removed.returncode == 1
    assert "set by your organisation and cannot be removed" in removed.stderr
    added = run_cli(
        "accounts", "add", "Mine", "--kind", "aws-profile", "--profile", "me", env=NO_KEYRING
    )
    assert added.returncode == 1 and "cannot be added" in added.stderr
    assert "Company" in run_cli("accounts", "list", env=NO_KEYRING).stdout
    assert not (Path(os.environ["S3DESK_CONFIG_DIR"]) / "accounts.toml").exists()


def test_download_concurrency_over_the_organisations_limit_is_refused(tmp_path: Path) -> None:
    managed = tmp_path / "managed.toml"
    managed.write_text("[limits]\nmax_concurrency = 8\n")
    result = run_cli(
        "download", "s3://any-bucket/", str(tmp_path / "out"), "--endpoint-url",
        "http://127.0.0.1:9", "--concurrency", "200",
        env={"S3DESK_MANAGED_CONFIG": str(managed)},
    )  # fmt: skip
    assert result.returncode == 2
    assert "--concurrency" in result.stderr and "8" in result.stderr
