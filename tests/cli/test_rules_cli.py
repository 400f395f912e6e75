"""Upload rules and options from the settings, and an account's own, applied by
``s3desk upload`` and by the window's engine configuration."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from s3desk.core.config.accounts import Account, AccountKind
from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.config.managed import ManagedConfig
from s3desk.core.config.settings_store import SettingsStore, with_account
from s3desk.core.storage.endpoint import S3Endpoint
from tests.cli_runner import run_cli
from tests.helpers import list_keys

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def test_settings_rules_refuse_a_disguised_program_and_let_the_rest_go(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    settings = Path(os.environ["S3DESK_CONFIG_DIR"]) / "settings.toml"
    settings.write_text(
        'version = 2\n[rules]\nblocked_types = ["programs"]\nkey_template = "in/{path}"\n'
    )
    (tmp_path / "report.pdf").write_bytes(PDF)
    (tmp_path / "invoice.pdf.exe").write_bytes(b"MZ" + bytes(100))
    assert moto_endpoint.endpoint_url
    result = run_cli(
        "upload", str(tmp_path / "report.pdf"), str(tmp_path / "invoice.pdf.exe"),
        f"s3://{bucket}/", "--endpoint-url", moto_endpoint.endpoint_url,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "invoice.pdf.exe is a Windows program (.exe), not a PDF" in result.stdout + result.stderr
    assert list_keys(s3, bucket) == ["in/report.pdf"]


def test_an_accounts_own_rules_and_options_win_unless_the_organisation_locked_them(
    tmp_path: Path,
) -> None:
    account = Account(
        "Work", AccountKind.ACCESS_KEY, access_key_id="AKIDEXAMPLE",
        rules={"max_size": "1 MiB"}, options={"encryption": "SSE-S3"},
    )  # fmt: skip
    free = SettingsStore(tmp_path / "settings.toml", ManagedConfig.from_dict({}))
    config = with_account(EngineConfig(), free, account)
    assert config.rules is not None and config.rules.max_size == 1024 * 1024
    assert config.options.encryption == "SSE-S3"

    managed = ManagedConfig.from_dict(
        {
            "settings": {"rules": {"max_size": "5 MiB"}, "encryption": "SSE-KMS"},
            "locked": {"settings": ["rules", "encryption"]},
        }
    )
    locked = SettingsStore(tmp_path / "settings.toml", managed)
    config = with_account(EngineConfig(), locked, account)
    assert config.rules is not None and config.rules.max_size == 5 * 1024 * 1024
    assert config.options == EngineConfig().options  # the account's are not applied
