"""A staff member's whole path with the real OS keyring: add an "organisation upload
service" account with a token, test it, upload through the service; no AWS key anywhere."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.broker import conftest as broker_fixtures
from tests.broker.conftest import Running
from tests.cli_runner import run_cli
from tests.helpers import read_object

moto_broker_client = broker_fixtures.moto_broker_client
start_broker = broker_fixtures.start_broker
broker = broker_fixtures.broker

# Each command is a new process: the token can only come from the keyring, and the process
# has no AWS keys to fall back on.
NO_AWS = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}


def test_a_staff_member_uploads_with_a_token_from_the_keyring(
    broker: Running, s3: Any, bucket: str, tmp_path: Path
) -> None:
    token = broker.tokens["alice"]
    outputs: list[str] = []

    def run(*args: str, stdin: str | None = None) -> str:
        result = run_cli(*args, stdin=stdin, env=NO_AWS)
        outputs.extend((result.stdout, result.stderr))
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    run("accounts", "add", "Company", "--kind", "upload-service", "--endpoint-url", broker.url,
        "--secret-stdin", stdin=token + "\n")  # fmt: skip
    assert "Connected as alice" in run("accounts", "test", "Company")
    (tmp_path / "minutes.pdf").write_bytes(b"%PDF-1.7\n" + bytes(3000))
    run("upload", str(tmp_path / "minutes.pdf"), "s3://chosen-by-the-service/", "--account",
        "Company")  # fmt: skip
    assert read_object(s3, bucket, "uploads/alice/minutes.pdf").startswith(b"%PDF-1.7")
    config_dir = Path(os.environ["S3DESK_CONFIG_DIR"])
    assert token not in (config_dir / "accounts.toml").read_text()
    assert not any(token in text for text in outputs)
