"""``s3desk download`` as a user runs it: a separate process, talking HTTP to the test server,
with Qt made unimportable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from tests.conftest import Server

ROOT = Path(__file__).resolve().parents[2]


def run_download(
    *args: str, endpoint: S3Endpoint | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "tools" / "without_qt.py"), "-m", "s3desk.cli.download"]
    env = dict(os.environ)
    if endpoint is not None:
        args = (*args, "--endpoint-url", str(endpoint.endpoint_url))
        env["AWS_ACCESS_KEY_ID"] = endpoint.access_key or "testing"
        env["AWS_SECRET_ACCESS_KEY"] = endpoint.secret_key or "testing"
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120, env=env)


def local_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def put(s3: Any, bucket: str, objects: dict[str, bytes]) -> None:
    for key, body in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)


def test_a_folder_arrives_byte_identical_with_its_paths(
    server: Server, server_bucket: str, tmp_path: Path, private_data_dir: Path
) -> None:
    objects = {
        "data/a.txt": b"alpha",
        "data/sub/b.bin": os.urandom(3000),
        "data/sub/deeper/c.txt": b"",
        # Above the engine's 16 MiB multipart threshold: fetched in ranged parts.
        "data/big.bin": os.urandom(17 * MiB + 123),
    }
    put(server.client, server_bucket, {**objects, "other/x.txt": b"not asked for"})
    marker = server.name != "rclone"  # rclone stores "data/empty/" as a file "data/empty"
    if marker:
        server.client.put_object(Bucket=server_bucket, Key="data/empty/", Body=b"")
    dest = tmp_path / "out"

    result = run_download(
        f"s3://{server_bucket}/data/", str(dest), "--concurrency", "4", endpoint=server.endpoint
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert local_files(dest) == {k.removeprefix("data/"): v for k, v in objects.items()}
    assert (dest / "empty").is_dir() or not marker
    assert "4 downloaded, 0 failed" in result.stdout
    assert f"downloaded s3://{server_bucket}/data/sub/b.bin -> {dest / 'sub' / 'b.bin'}" in (
        result.stdout
    )
    entries = [json.loads(line) for line in (private_data_dir / "audit.jsonl").open()]
    assert sorted(e["key"] for e in entries if e["action"] == "download") == sorted(objects)


def test_a_bucket_alone_downloads_everything_with_full_keys(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    objects = {"top.txt": b"top", "x/y/z.txt": b"deep"}
    put(server.client, server_bucket, objects)

    result = run_download(f"s3://{server_bucket}", str(tmp_path), endpoint=server.endpoint)

    assert result.returncode == 0, result.stdout + result.stderr
    assert local_files(tmp_path) == objects


def test_one_object_lands_under_its_own_name(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    body = os.urandom(5000)
    put(server.client, server_bucket, {"docs/2024/report.pdf": body, "docs/2024/other.pdf": b"o"})

    result = run_download(
        f"s3://{server_bucket}/docs/2024/report.pdf", str(tmp_path / "new"),
        "--quiet", endpoint=server.endpoint,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert local_files(tmp_path / "new") == {"report.pdf": body}
    assert result.stdout.startswith("1 downloaded, 0 failed")  # --quiet: only the summary


def test_a_name_without_slash_that_is_a_folder_downloads_the_folder(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    put(server.client, server_bucket, {"photos/a.jpg": b"a", "photos/2024/b.jpg": b"b"})

    result = run_download(f"s3://{server_bucket}/photos", str(tmp_path), endpoint=server.endpoint)

    assert result.returncode == 0, result.stdout + result.stderr
    assert local_files(tmp_path) == {"a.jpg": b"a", "2024/b.jpg": b"b"}


def test_an_existing_local_file_is_skipped_unless_told(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    put(server.client, server_bucket, {"a.txt": b"new", "b.txt": b"b"})
    source = f"s3://{server_bucket}/a.txt"
    (tmp_path / "a.txt").write_bytes(b"old")

    skip = run_download(source, str(tmp_path), endpoint=server.endpoint)
    assert skip.returncode == 0, skip.stdout + skip.stderr
    assert (tmp_path / "a.txt").read_bytes() == b"old"
    assert "SKIPPED" in skip.stdout and "0 downloaded, 0 failed, 1 skipped" in skip.stdout
    assert "--if-exists overwrite" in skip.stdout

    rename = run_download(source, str(tmp_path), "--if-exists", "rename", endpoint=server.endpoint)
    assert rename.returncode == 0, rename.stdout + rename.stderr
    assert local_files(tmp_path) == {"a.txt": b"old", "a (1).txt": b"new"}

    overwrite = run_download(
        source, str(tmp_path), "--if-exists", "overwrite", endpoint=server.endpoint
    )
    assert overwrite.returncode == 0, overwrite.stdout + overwrite.stderr
    assert local_files(tmp_path) == {"a.txt": b"new", "a (1).txt": b"new"}


def test_a_missing_bucket_key_or_folder_is_explained(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    put(server.client, server_bucket, {"real.txt": b"r"})
    dest = tmp_path / "never-made"
    cases = {
        "s3://no-such-bucket-dl/a.txt": "Bucket 'no-such-bucket-dl' does not exist",
        "s3://no-such-bucket-dl/": "Bucket 'no-such-bucket-dl' does not exist",
        f"s3://{server_bucket}/nope.txt": f"No object or folder 's3://{server_bucket}/nope.txt'",
        f"s3://{server_bucket}/nope/": f"No object or folder 's3://{server_bucket}/nope'",
    }
    for source, message in cases.items():
        result = run_download(source, str(dest), endpoint=server.endpoint)
        assert result.returncode == 1, (source, result.stdout, result.stderr)
        assert message in result.stderr, (source, result.stderr)
        assert "Traceback" not in result.stderr
    assert not dest.exists()


def test_a_key_that_cannot_be_a_local_file_is_reported_and_the_rest_arrives(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    # rclone refuses to store such a key; moto, like S3, stores it.
    put(s3, bucket, {"set/ok.txt": b"ok", "set/../evil.txt": b"evil"})
    dest = tmp_path / "dest"

    result = run_download(f"s3://{bucket}/set/", str(dest), endpoint=moto_endpoint)

    assert result.returncode == 1
    assert local_files(tmp_path) == {"dest/ok.txt": b"ok"}
    refusals = [line for line in result.stderr.splitlines() if "cannot save" in line]
    assert len(refusals) == 1, result.stderr  # the object, not also its folder "set/../"
    assert "'set/../evil.txt'" in refusals[0] and "'..'" in refusals[0]
    assert "1 object(s) were not downloaded" in result.stderr
    assert "1 downloaded, 0 failed" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bucket-without-scheme", "."], "s3://bucket/key"),
        (["s3://b/k", "FILE"], "is not a folder"),
        (["s3://b/k", ".", "--account", "x", "--endpoint-url", "http://127.0.0.1:9"],
         "--account says which storage to download from already"),
        (["s3://b/k", ".", "--concurrency", "0"], "must be a whole number from 1"),
    ],
)  # fmt: skip
def test_usage_errors_exit_with_2(args: list[str], message: str, tmp_path: Path) -> None:
    (tmp_path / "FILE").write_text("x")
    args = [str(tmp_path / a) if a in {".", "FILE"} else a for a in args]
    result = run_download(*args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


def test_a_wrong_secret_key_is_named_not_taken_for_a_missing_object(
    rclone_server: Server, rclone_bucket: str, tmp_path: Path
) -> None:
    s3 = rclone_server.client
    put(s3, rclone_bucket, {"a.txt": b"a"})
    wrong = replace(rclone_server.endpoint, secret_key="not-the-secret")
    for source in (f"s3://{rclone_bucket}/a.txt", f"s3://{rclone_bucket}/"):
        result = run_download(source, str(tmp_path), endpoint=wrong)
        assert result.returncode == 1, (source, result.stderr)
        # rclone answers the HEAD with a bare 403, the listing with SignatureDoesNotMatch.
        assert "The secret access key is wrong" in result.stderr, (source, result.stderr)
    assert local_files(tmp_path) == {}


def test_unreachable_endpoint_is_explained(tmp_path: Path) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    result = run_download(
        "s3://bucket/", str(tmp_path), "--endpoint-url", "http://127.0.0.1:9", "--retries", "0"
    )
    assert result.returncode == 1
    assert "Cannot reach the storage service" in result.stderr
