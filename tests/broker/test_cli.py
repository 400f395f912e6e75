"""The ``s3desk-broker`` command: tokens and their hash lines, checking a configuration, and
serving from a broker.toml in a process of its own."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from s3desk.core.storage.endpoint import S3Endpoint
from tests.broker.conftest import Api, declaration, put
from tests.helpers import read_object
from tests.servers import start_listening

ROOT = Path(__file__).resolve().parents[2]


def broker_command(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "without_qt.py"), "-m", "s3desk.broker", *args],
        input=stdin, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip


def test_hash_token_prints_a_token_and_its_line() -> None:
    result = broker_command("hash-token", "--user", "alice", "--policy", "staff")
    assert result.returncode == 0, result.stderr
    token = result.stderr.splitlines()[-1]
    assert token.startswith("s3db_")
    assert token not in result.stdout  # stdout can go straight into broker.toml
    entry = tomllib.loads(result.stdout)["tokens"][0]
    assert entry == {
        "user": "alice",
        "policy": "staff",
        "sha256": hashlib.sha256(token.encode()).hexdigest(),
    }
    again = broker_command("hash-token", "--stdin", "--user", "alice", stdin=token + "\n")
    assert again.returncode == 0, again.stderr
    assert token not in again.stdout
    assert tomllib.loads(again.stdout)["tokens"][0]["sha256"] == entry["sha256"]


def _config(tmp_path: Path, endpoint: S3Endpoint, bucket: str, port: int) -> tuple[Path, str]:
    made = broker_command("hash-token", "--user", "alice", "--policy", "staff")
    token = made.stderr.splitlines()[-1]
    (tmp_path / "secret").write_text("testing")
    (tmp_path / "secret").chmod(0o600)
    path = tmp_path / "broker.toml"
    path.write_text(
        f"""
[server]
host = "127.0.0.1"
port = {port}
request_log = "requests.jsonl"
state_db = "state.sqlite3"
audit_log = "audit.jsonl"

[storage]
endpoint_url = "{endpoint.endpoint_url}"
region = "us-east-1"
access_key_id = "testing"
secret_access_key_file = "secret"
verifies_checksums = false

[policies.staff]
bucket = "{bucket}"
max_size = "1 MiB"
allowed_types = ["txt"]

{made.stdout}
"""
    )
    return path, token


def test_check_reports_problems_and_success(
    tmp_path: Path, moto_endpoint: S3Endpoint, bucket: str
) -> None:
    path, _ = _config(tmp_path, moto_endpoint, bucket, 8740)
    result = broker_command("--config", str(path), "check")
    assert result.returncode == 0, result.stderr
    assert "1 policies, 1 tokens" in result.stdout
    path.write_text(path.read_text().replace("max_size", "max_sise"))
    result = broker_command("--config", str(path), "check")
    assert result.returncode == 2
    assert "unknown key(s) max_sise" in result.stderr
    result = broker_command("check")
    assert result.returncode == 2
    assert "--config broker.toml is required" in result.stderr


def test_serves_from_its_configuration(
    tmp_path: Path, moto_endpoint: S3Endpoint, bucket: str, s3: Any
) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    configs: dict[int, tuple[Path, str]] = {}  # port: configuration file, alice's token

    def launch(port: int) -> subprocess.Popen[str]:
        folder = tmp_path / f"on-{port}"
        folder.mkdir()
        configs[port] = _config(folder, moto_endpoint, bucket, port)
        return subprocess.Popen(
            [sys.executable, "-m", "s3desk.broker", "--config", str(configs[port][0])],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    def is_ours(port: int) -> bool:
        # Only this broker knows the token its configuration was made with.
        try:
            me = Api(f"http://127.0.0.1:{port}", configs[port][1]).call("GET", "/v1/me")
        except (OSError, http.client.HTTPException):
            return False
        return me.status == 200

    process, port = start_listening(launch, is_ours, timeout=30)
    path, token = configs[port]
    folder = path.parent  # where its logs are
    try:
        alice = Api(f"http://127.0.0.1:{port}", token)
        assert alice.call("GET", "/health").json == {"status": "ok"}
        info = alice.create("hello.txt", b"hello\n").json
        assert put(info["url"], info["headers"], b"hello\n").status == 200
        assert alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {}).status == 200
        assert read_object(s3, bucket, "uploads/alice/hello.txt") == b"hello\n"
        too_big = alice.call("POST", "/v1/uploads", {**declaration("a.txt", b"x"), "size": 2**21})
        assert too_big.json["message"] == "This file is 2.0 MiB; the limit is 1.0 MiB"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    log = [json.loads(line) for line in (folder / "requests.jsonl").read_text().splitlines()]
    assert log[0]["event"] == "start"
    assert log[0]["url"] == f"http://127.0.0.1:{port}"
    assert [e["status"] for e in log if e["event"] == "request"] == [200, 200, 201, 200, 413]
    assert token not in (folder / "requests.jsonl").read_text() + stderr
    assert [e["result"] for e in map(json.loads, (folder / "audit.jsonl").open())] == ["ok"]
