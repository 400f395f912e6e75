"""Whether the standard AWS chain is set up, judged without any network call."""

from __future__ import annotations

from pathlib import Path

import pytest

from s3desk.core.config.aws_setup import aws_configured

AWS_VARS = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_WEB_IDENTITY_TOKEN_FILE")  # fmt: skip


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for var in AWS_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    return tmp_path


def test_nothing_set_up(bare: Path) -> None:
    assert not aws_configured()
    (bare / "config").write_text("")  # an empty file sets nothing up
    assert not aws_configured()


def test_keys_in_the_environment(bare: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    assert aws_configured()


def test_a_credentials_file(bare: Path) -> None:
    (bare / "credentials").write_text("[default]\naws_access_key_id = x\n")
    assert aws_configured()
