"""``s3desk upload`` as a user runs it: a separate process (tests/cli_runner.py), talking HTTP
to the test server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from s3desk.core.storage.endpoint import S3Endpoint
from tests.cli_runner import run_cli
from tests.conftest import Server
from tests.helpers import list_keys, read_object


def test_upload_files_and_folder(server: Server, server_bucket: str, tmp_path: Path) -> None:
    s3, bucket = server.client, server_bucket
    (tmp_path / "site" / "css").mkdir(parents=True)
    (tmp_path / "site" / "index.html").write_text("<h1>hi</h1>")
    (tmp_path / "site" / "css" / "main.css").write_text("body{}")
    (tmp_path / "photo.jpg").write_bytes(os.urandom(3000))

    result = run_cli(
        "upload",
        str(tmp_path / "site"),
        str(tmp_path / "photo.jpg"),
        f"s3://{bucket}/web/",
        "--endpoint-url",
        str(server.endpoint.endpoint_url),
        env={
            "AWS_ACCESS_KEY_ID": server.endpoint.access_key or "testing",
            "AWS_SECRET_ACCESS_KEY": server.endpoint.secret_key or "testing",
        },
    )
    assert result.returncode == 0, result.stderr
    assert list_keys(s3, bucket) == [
        "web/photo.jpg",
        "web/site/css/main.css",
        "web/site/index.html",
    ]
    assert read_object(s3, bucket, "web/photo.jpg") == (tmp_path / "photo.jpg").read_bytes()
    assert "3 uploaded, 0 failed" in result.stdout
    assert s3.head_object(Bucket=bucket, Key="web/site/index.html")["ContentType"] == "text/html"


def test_missing_bucket_exits_non_zero_with_reason(
    moto_endpoint: S3Endpoint, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("a")
    result = run_cli(
        "upload", str(tmp_path / "a.txt"), "s3://no-such-bucket-cli/",
        "--endpoint-url", str(moto_endpoint.endpoint_url),
    )  # fmt: skip
    assert result.returncode == 1
    assert "Bucket 'no-such-bucket-cli' does not exist" in result.stdout
    assert "1 file(s) failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_one_failure_among_successes_still_fails_the_command(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "ok.txt").write_text("ok")
    result = run_cli(
        "upload", str(tmp_path / "ok.txt"), str(tmp_path / "missing.txt"), f"s3://{bucket}/",
        "--endpoint-url", str(moto_endpoint.endpoint_url),
    )  # fmt: skip
    assert result.returncode == 1
    assert "FAILED" in result.stdout and "File no longer exists" in result.stdout
    assert list_keys(s3, bucket) == ["ok.txt"]


def test_content_type_flag_sets_every_files_type_and_refuses_a_malformed_one(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.html").write_text("<p>b</p>")
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    common = [str(tmp_path / "a.txt"), str(tmp_path / "b.html"), f"s3://{bucket}/",
              "--endpoint-url", str(moto_endpoint.endpoint_url)]  # fmt: skip
    refused = run_cli("upload", *common, "--content-type", "text", env=env)
    assert refused.returncode == 2
    assert "'text' is not a content type" in refused.stderr
    assert list_keys(s3, bucket) == []

    result = run_cli("upload", *common, "--content-type", "Text/Plain; charset=utf-8", env=env)
    assert result.returncode == 0, result.stderr
    for key in ("a.txt", "b.html"):
        assert s3.head_object(Bucket=bucket, Key=key)["ContentType"] == "text/plain; charset=utf-8"


def test_bad_destination_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("upload", str(tmp_path), "bucket-without-scheme")
    assert result.returncode == 2
    assert "s3://bucket/prefix/" in result.stderr


def test_unreachable_endpoint_is_explained(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    result = run_cli(
        "upload", str(tmp_path / "a.txt"), "s3://bucket/",
        "--endpoint-url", "http://127.0.0.1:9", "--retries", "0",
    )  # fmt: skip
    assert result.returncode == 1
    assert "Cannot reach the storage service" in result.stdout


def test_unreadable_file_is_reported(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    secret = tmp_path / "locked.txt"
    secret.write_text("private")
    secret.chmod(0)
    (tmp_path / "open.txt").write_text("open")
    # root reads everything: when we are root, run without the capabilities that allow it.
    prefix = [] if os.geteuid() else ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    result = run_cli(
        "upload", str(secret), str(tmp_path / "open.txt"), f"s3://{bucket}/",
        "--endpoint-url", str(moto_endpoint.endpoint_url),
        prefix=prefix,
    )  # fmt: skip
    assert result.returncode == 1
    assert "permission denied" in result.stdout.lower()
    assert list_keys(s3, bucket) == ["open.txt"]


def test_if_exists_skip_and_rename(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"old")
    (tmp_path / "a.txt").write_text("new")
    url = str(moto_endpoint.endpoint_url)
    skip = run_cli("upload", str(tmp_path / "a.txt"), f"s3://{bucket}/", "--endpoint-url", url,
                   "--if-exists", "skip")  # fmt: skip
    assert skip.returncode == 0, skip.stderr
    assert "SKIPPED" in skip.stdout and "Already in the bucket" in skip.stdout
    assert read_object(s3, bucket, "a.txt") == b"old"
    rename = run_cli("upload", str(tmp_path / "a.txt"), f"s3://{bucket}/", "--endpoint-url", url,
                     "--if-exists", "rename")  # fmt: skip
    assert rename.returncode == 0, rename.stderr
    assert list_keys(s3, bucket) == ["a (1).txt", "a.txt"]
    assert read_object(s3, bucket, "a (1).txt") == b"new"
