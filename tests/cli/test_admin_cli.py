"""``s3desk admin`` as an administrator runs it: policy and CORS JSON, and ``check [--fix]``
as a separate process against the test server, plus the question on a terminal."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from s3desk.cli import build_parser
from s3desk.cli.admin import run_admin
from s3desk.core.admin.policy import Role, build_policy
from s3desk.core.storage.endpoint import S3Endpoint
from tests.cli_runner import NO_KEYRING, run_cli
from tests.servers import MotoIamServer

APP = "https://app.example.com"


def test_policy_prints_the_policy_as_json() -> None:
    result = run_cli(
        "admin", "policy", "--bucket", "team-uploads", "--prefix", "inbox", "--role", "browser"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == build_policy("team-uploads", "inbox/", Role.BROWSER)
    assert result.stderr == ""
    default = json.loads(run_cli("admin", "policy", "--bucket", "team-uploads").stdout)
    assert default == build_policy("team-uploads", "", Role.UPLOADER)


def test_policy_refuses_what_iam_would_misread() -> None:
    result = run_cli("admin", "policy", "--bucket", "team-uploads", "--prefix", "in*")
    assert result.returncode == 2
    assert "wildcards" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_cors_prints_what_put_bucket_cors_takes(s3: Any, bucket: str) -> None:
    result = run_cli("admin", "cors", "--origin", APP, "--origin", "http://localhost:5173")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=config)
    (rule,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert rule["AllowedOrigins"] == ["http://localhost:5173", APP]
    assert "ETag" in rule["ExposeHeaders"]
    refused = run_cli("admin", "cors", "--origin", "*")
    assert refused.returncode == 2 and "name the sites" in refused.stderr


def _check(endpoint: S3Endpoint, *args: str, **kwargs: Any) -> Any:
    return run_cli("admin", "check", *args, "--endpoint-url", str(endpoint.endpoint_url), **kwargs)


def test_check_then_fix_turns_every_finding_green(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str
) -> None:
    first = _check(moto_endpoint, f"s3://{bucket}")
    assert first.returncode == 1, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == f"s3://{bucket} on S3-compatible storage ({moto_endpoint.endpoint_url})"
    assert "  ✗ Versioning is off: an overwrite or delete loses the earlier data for good." in lines
    assert any(line.startswith("  ✓ No CORS rules") for line in lines)
    assert "5 of 6 settings need attention." in lines
    assert "Run again with --fix to see the changes and apply them." in lines
    assert "\033[" not in first.stdout  # no colours when not on a terminal

    refused = _check(moto_endpoint, f"s3://{bucket}", "--fix", "--origin", APP, stdin="")
    assert refused.returncode == 2
    assert "not asking without a terminal; add --yes to apply" in refused.stderr
    assert "  - Versioning: Turn on versioning" in refused.stdout
    assert f"  - CORS: Add CORS rule 's3desk-web-uploads' for {APP}" in refused.stdout
    assert s3.get_bucket_versioning(Bucket=bucket).get("Status") is None  # nothing changed

    fixed = _check(moto_endpoint, f"s3://{bucket}", "--fix", "--yes", "--origin", APP)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after = fixed.stdout.split("\nNow:\n")[1].splitlines()
    assert len([line for line in after if line.startswith("  ✓ ")]) == 6
    assert after[-1] == "All 6 settings are as recommended."

    again = _check(moto_endpoint, f"s3://{bucket}", "--origin", APP)
    assert again.returncode == 0, again.stdout
    nothing = _check(moto_endpoint, f"s3://{bucket}", "--fix")
    assert nothing.returncode == 0 and "Nothing to change." in nothing.stdout


def test_check_uses_an_account(moto_endpoint: S3Endpoint, bucket: str, tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("[moto]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    env = {**NO_KEYRING, "AWS_SHARED_CREDENTIALS_FILE": str(credentials)}
    added = run_cli(
        "accounts", "add", "Moto", "--kind", "aws-profile", "--profile", "moto",
        "--endpoint-url", str(moto_endpoint.endpoint_url), "--region", "us-east-1", env=env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    result = run_cli("admin", "check", f"s3://{bucket}", "--account", "Moto", env=env)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(f"s3://{bucket} on Moto ({moto_endpoint.endpoint_url})\n")

    unknown = run_cli("admin", "check", f"s3://{bucket}", "--account", "Nope", env=env)
    assert unknown.returncode == 2 and "No account named 'Nope'" in unknown.stderr


@pytest.mark.parametrize(
    ("target", "extra", "complaint"),
    [
        ("s3://no-such-bucket-at-all", [], "s3desk: Bucket 'no-such-bucket-at-all' does not exist"),
        ("s3://some-bucket/inbox/", [], "give s3://some-bucket"),
        ("some-bucket", [], "Give the bucket as s3://BUCKET"),
        ("s3://some-bucket", ["--origin", "app.example.com"], "must look like https://"),
    ],
)
def test_check_errors_exit_2_with_a_sentence(
    moto_endpoint: S3Endpoint, target: str, extra: list[str], complaint: str
) -> None:
    result = _check(moto_endpoint, target, *extra)
    assert result.returncode == 2
    assert complaint in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_check_with_credentials_that_may_not_read_the_bucket(tmp_path: Path) -> None:
    server = MotoIamServer(tmp_path / "moto.log")
    try:
        server.s3.create_bucket(Bucket="guarded")
        nobody = server.user("nobody", build_policy("other-bucket", "", Role.UPLOADER))
        result = run_cli(
            "admin", "check", "s3://guarded", "--endpoint-url", server.url,
            env={"AWS_ACCESS_KEY_ID": str(nobody.access_key),
                 "AWS_SECRET_ACCESS_KEY": str(nobody.secret_key)},
        )  # fmt: skip
    finally:
        server.close()
    assert result.returncode == 2
    assert "s3desk: Access denied" in result.stderr and "'guarded'" in result.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "code"), [("y\n", 0), ("\n", 1)])
def test_fix_asks_on_a_terminal(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, answer: str, code: int,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr(sys, "stdin", _Terminal(answer))
    url = str(moto_endpoint.endpoint_url)
    command = ["admin", "check", f"s3://{bucket}", "--fix", "--endpoint-url", url]
    args = build_parser().parse_args(command)
    assert run_admin(args) == code
    out = capsys.readouterr().out
    assert "Apply these changes? [y/N] " in out
    versioning = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    if code == 0:
        assert versioning == "Enabled" and out.endswith("All 6 settings are as recommended.\n")
    else:
        assert versioning is None and out.endswith("Nothing changed.\n")
