"""``s3desk accounts`` without a usable keyring: a clear refusal, and profile accounts work."""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli_runner import NO_KEYRING, run_cli


def test_without_a_keyring_key_accounts_are_refused_and_profile_accounts_work() -> None:
    refused = run_cli(
        "accounts", "add", "Keys", "--access-key-id", "AKIDEXAMPLE", "--secret-stdin",
        env=NO_KEYRING, stdin="a-secret-value\n",
    )  # fmt: skip
    assert refused.returncode == 1
    assert "s3desk will not use it" in refused.stderr
    assert "AWS profile account" in refused.stderr
    assert "Traceback" not in refused.stderr

    added = run_cli(
        "accounts", "add", "SSO", "--kind", "aws-profile", "--profile", "work", env=NO_KEYRING
    )
    assert added.returncode == 0, added.stderr
    listed = run_cli("accounts", "list", env=NO_KEYRING)
    assert "SSO" in listed.stdout and "Keys" not in listed.stdout
    text = (Path(os.environ["S3DESK_CONFIG_DIR"]) / "accounts.toml").read_text()
    assert "a-secret-value" not in text and "Keys" not in text


def test_unknown_accounts_and_clashing_options_are_explained(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    unknown = run_cli("upload", str(tmp_path / "a.txt"), "s3://b/", "--account", "Nope")
    assert unknown.returncode == 1
    assert "No account named 'Nope'" in unknown.stderr
    both = run_cli(
        "upload", str(tmp_path / "a.txt"), "s3://b/", "--account", "Nope",
        "--endpoint-url", "http://127.0.0.1:9",
    )  # fmt: skip
    assert both.returncode == 2
    assert "--account says where to upload already" in both.stderr
    missing = run_cli("accounts", "remove", "Nope")
    assert missing.returncode == 1 and "No account named 'Nope'" in missing.stderr
