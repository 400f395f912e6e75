"""What ``s3desk upload`` and ``s3desk download`` say and take alike: an error every file
meets said once, the defaults in --help with their reasons, and --bwlimit in both."""

from __future__ import annotations

import argparse
import io
import os
from pathlib import Path
from typing import Any

import pytest

import s3desk.cli.download as download_cli
import s3desk.core.transfer.download.engine as download_engine
from s3desk.cli import build_parser
from s3desk.core.storage.endpoint import S3Endpoint
from tests.cli_runner import run_cli

MiB = 1024 * 1024


def test_an_error_every_file_meets_is_printed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    files = []
    for n in range(5):
        files.append(tmp_path / f"f{n}.txt")
        files[-1].write_text(str(n))
    result = run_cli(
        "upload", *map(str, files), "s3://bucket/", "--endpoint-url", "http://127.0.0.1:9",
        env={"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
             "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_EC2_METADATA_DISABLED": "true"},
    )  # fmt: skip
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert output.count("No credentials found") == 1, output
    assert f"FAILED: {files[0]}: No credentials found" in result.stdout
    for later in files[1:]:  # each file is still named, for scripts that look
        assert f"FAILED: {later}: the same error as {files[0]}" in result.stdout
    assert "5 file(s) failed to upload" in result.stderr


@pytest.mark.parametrize("command", ["upload", "download"])
def test_help_shows_the_defaults_and_why_if_exists_differs(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: 7)" in text  # --retries
    assert "--bwlimit RATE" in text and "10 MiB/s" in text
    assert "'aws s3 cp'" in text and "lost for good" in text


@pytest.mark.parametrize("command", ["upload", "download"])
@pytest.mark.parametrize(
    ("given", "rate"), [("20M", 20 * MiB), ("10 MiB/s", 10 * MiB), ("1.5 MB/s", 1536 * 1024)]
)
def test_bwlimit_takes_the_settings_forms_in_both_commands(
    command: str, given: str, rate: int
) -> None:
    args = build_parser().parse_args([command, "a", "b", "--bwlimit", given])
    assert args.bwlimit == rate


def test_a_bwlimit_that_is_no_rate_is_a_usage_error() -> None:
    result = run_cli("download", "s3://bucket/x", "out", "--bwlimit", "fast")
    assert result.returncode == 2
    assert "--bwlimit" in result.stderr and "10 MiB/s" in result.stderr


def _download_config(
    monkeypatch: pytest.MonkeyPatch, endpoint: S3Endpoint, *flags: str
) -> tuple[int, Any]:
    """Run ``s3desk download`` in this process; what the download engine was given."""
    given: list[Any] = []
    real = download_engine.DownloadEngine

    def recording(endpoint: S3Endpoint, config: Any, **kwargs: Any) -> Any:
        given.append(config)
        return real(endpoint, config, **kwargs)

    # The command imports the engine when it runs: from its module, where this puts it.
    monkeypatch.setattr(download_engine, "DownloadEngine", recording)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", endpoint.access_key or "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", endpoint.secret_key or "testing")
    args: argparse.Namespace = build_parser().parse_args(
        ["download", *flags, "--endpoint-url", str(endpoint.endpoint_url)]
    )
    code = download_cli.run_download(args, out=io.StringIO())
    return code, given[0] if given else None


def test_download_is_held_to_bwlimit_or_the_settings_limit(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    source, dest = f"s3://{bucket}/a.txt", str(tmp_path / "out")
    code, config = _download_config(monkeypatch, moto_endpoint, source, dest, "--bwlimit", "2M")
    assert code == 0 and config.bandwidth_limit == 2 * MiB
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"a"

    # Without the flag, the settings' limit applies, as it does to uploads and in the app.
    settings = Path(os.environ["S3DESK_CONFIG_DIR"]) / "settings.toml"
    settings.write_text('version = 2\nbandwidth_limit = "3 MiB/s"\n')
    code, config = _download_config(
        monkeypatch, moto_endpoint, source, dest, "--if-exists", "overwrite"
    )
    assert code == 0 and config.bandwidth_limit == 3 * MiB


def test_upload_rehearses_on_the_local_demo_storage(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    result = run_cli("upload", str(tmp_path / "a.txt"), "s3://any-bucket/x/", "--demo")
    assert result.returncode == 0, result.stderr
    assert "-> s3://any-bucket/x/a.txt" in result.stdout
    assert "1 uploaded, 0 failed" in result.stdout
    assert "demo storage is gone now" in result.stdout

    refused = run_cli(
        "upload", str(tmp_path / "a.txt"), "s3://b/", "--demo", "--endpoint-url", "http://x"
    )
    assert refused.returncode == 2 and "--demo" in refused.stderr
