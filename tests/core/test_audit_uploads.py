"""The audit log as the transfer engines and the account store write it: every upload's
start, completion (size, checksum) and failure (reason); account changes; and a log that
stays valid when the app is killed mid-batch."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

from s3desk.core.compliance.audit import AuditLog, audit_path
from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import Account, AccountKind
from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.config.secrets import SecretStore
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.engine_process import EngineProcess
from s3desk.core.transfer.jobs import Destination
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.core.transfer.upload.journal import Journal
from tests.helpers import SendGate, read_object, wait_for
from tests.memory_keyring import MemoryKeyring


def test_each_upload_is_audited_from_start_to_its_outcome(
    moto_endpoint: S3Endpoint, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("alpha")
    (tmp_path / "b.txt").write_text("bravo!")
    audit = AuditLog(tmp_path / "audit.jsonl")
    engine = UploadEngine(moto_endpoint, EngineConfig(), audit=audit)
    try:
        engine.submit_paths([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")],
                            Destination(bucket, "in"))  # fmt: skip
        engine.submit_paths([str(tmp_path / "a.txt")], Destination("no-such-bucket-x", ""))
        assert engine.wait(30)  # returns once the entries are on disk
        entries = list(audit.entries())
    finally:
        engine.shutdown()
    starts = [e for e in entries if e["action"] == "upload-start"]
    outcomes = {(e["bucket"], e["key"]): e for e in entries if e["action"] == "upload"}
    assert len(starts) == 3
    ok = outcomes[(bucket, "in/b.txt")]
    assert (ok["result"], ok["size"], ok["path"]) == ("ok", 6, str(tmp_path / "b.txt"))
    assert ok["checksum"] and ok["etag"]  # the CRC32 sent and the ETag the service gave
    assert ok["account"] == moto_endpoint.label and ok["user"]
    failed = outcomes[("no-such-bucket-x", "a.txt")]
    assert failed["result"] == "failed"
    assert "does not exist" in failed["error"]


def test_account_changes_are_audited_without_secrets(tmp_path: Path) -> None:
    store = AccountStore(path=tmp_path / "accounts.toml",
                         secrets=SecretStore(backend=MemoryKeyring()))  # fmt: skip
    account = Account("Work", AccountKind.ACCESS_KEY, access_key_id="AKIDEXAMPLE")
    store.save(account, secret_key="wJalrXUtnFEMI/K7MDENG")
    store.save(account)  # changed, secret kept
    store.remove(account.id)
    text = audit_path().read_text(encoding="utf-8")
    assert "wJalrXUtnFEMI" not in text
    entries = [json.loads(line) for line in text.splitlines()]
    assert [(e["action"], e["account"]) for e in entries] == [
        ("account-added", "Work"), ("account-changed", "Work"), ("account-removed", "Work"),
    ]  # fmt: skip
    assert entries[0]["secret_stored"] is True and "secret_stored" not in entries[1]


def test_killing_the_app_mid_batch_leaves_every_line_whole(
    moto_endpoint: S3Endpoint, bucket: str, tmp_path: Path, s3: Any
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(400):
        (folder / f"f{n:03d}.txt").write_text(f"file {n}")
    app = EngineProcess(moto_endpoint, EngineConfig(concurrency=4), tmp_path / "journal.db")
    log = audit_path()

    def outcomes() -> int:
        if not log.exists():
            return 0
        return sum('"action":"upload"' in line for line in log.read_text().splitlines())

    try:
        app.submit_paths([str(folder)], Destination(bucket, "k/"))
        wait_for(lambda: outcomes() >= 20, timeout=60, what="some uploads audited")
        assert app.pid is not None
        os.kill(app.pid, signal.SIGKILL)
    finally:
        app.shutdown(cancel=False, timeout=5)
    lines = log.read_bytes().split(b"\n")
    assert lines[-1] == b""  # the file ends with a whole line
    entries = [json.loads(line) for line in lines[:-1]]  # every line is whole JSON
    done = {e["key"] for e in entries if e["action"] == "upload" and e["result"] == "ok"}
    stored = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert 20 <= len(done) < 400
    assert done <= stored  # nothing is audited as stored that is not


def test_entries_are_also_copied_to_the_audit_bucket_when_set(
    moto_endpoint: S3Endpoint, bucket: str, s3: Any, tmp_path: Path
) -> None:
    s3.create_bucket(Bucket=f"{bucket}-audit")
    (tmp_path / "a.txt").write_text("alpha")
    audit = AuditLog(tmp_path / "audit.jsonl")
    config = EngineConfig(audit_bucket=f"{bucket}-audit", audit_prefix="s3desk/")
    engine = UploadEngine(moto_endpoint, config, audit=audit)
    try:
        engine.submit_paths([str(tmp_path / "a.txt")], Destination(bucket))
        assert engine.wait(30)
    finally:
        engine.shutdown()
    local = list(audit.entries())
    listed = s3.list_objects_v2(Bucket=f"{bucket}-audit")["Contents"]
    copies = [json.loads(s3.get_object(Bucket=f"{bucket}-audit", Key=o["Key"])["Body"].read())
              for o in listed]  # fmt: skip
    assert all(o["Key"].startswith("s3desk/") for o in listed)
    assert sorted(c["action"] for c in copies) == sorted(e["action"] for e in local)
    assert {c["time"] for c in copies} == {e["time"] for e in local}


def test_keep_both_audits_the_key_the_object_is_stored_under(
    moto_endpoint: S3Endpoint, bucket: str, s3: Any, tmp_path: Path
) -> None:
    s3.put_object(Bucket=bucket, Key="in/big300.bin", Body=b"older")
    (tmp_path / "big300.bin").write_bytes(b"newer bytes")
    audit = AuditLog(tmp_path / "audit.jsonl")
    engine = UploadEngine(moto_endpoint, EngineConfig(conflict=ConflictPolicy.RENAME), audit=audit)
    try:
        engine.submit_paths([str(tmp_path / "big300.bin")], Destination(bucket, "in/"))
        assert engine.wait(30)
    finally:
        engine.shutdown()
    entries = [(e["action"], e["key"], e.get("renamed_from"), e["result"])
               for e in audit.entries()]  # fmt: skip
    assert entries == [
        ("upload-start", "in/big300.bin", None, "queued"),
        ("upload-renamed", "in/big300 (1).bin", "in/big300.bin", "ok"),
        ("upload", "in/big300 (1).bin", "in/big300.bin", "ok"),
    ]
    assert read_object(s3, bucket, "in/big300 (1).bin") == b"newer bytes"


def test_quitting_mid_upload_is_audited_as_interrupted_and_a_cancel_as_cancelled(
    moto_endpoint: S3Endpoint, bucket: str, s3: Any, tmp_path: Path
) -> None:
    (tmp_path / "quit.txt").write_text("goes on at the next start")
    (tmp_path / "cancel.txt").write_text("cancelled by the user")
    audit = AuditLog(tmp_path / "audit.jsonl")
    journal = Journal(tmp_path / "journal.sqlite3")
    config = EngineConfig(concurrency=1)
    try:
        first = UploadEngine(moto_endpoint, config, journal=journal, audit=audit)
        gate = SendGate(first, "PutObject")  # holds the first file on its way
        first.submit_file(tmp_path / "quit.txt", bucket, "quit.txt")
        assert gate.reached.wait(30)
        cancelled = first.submit_file(tmp_path / "cancel.txt", bucket, "cancel.txt")
        assert first.cancel(cancelled)
        first.shutdown(cancel=False, timeout=0)  # as quitting the app does
        gate.remove()
        outcomes = {e["key"]: e for e in audit.entries() if e["action"] == "upload"}
        assert outcomes["cancel.txt"]["result"] == "cancelled"
        quit_entry = outcomes["quit.txt"]
        assert (quit_entry["result"], quit_entry["resumes"]) == ("interrupted", True)
        assert "next start" in quit_entry["note"]

        second = UploadEngine(moto_endpoint, config, journal=journal, audit=audit)
        try:
            assert second.restore() == 1  # and it does go on
            assert second.wait(30)
        finally:
            second.shutdown()
    finally:
        journal.close()
    finals = [(e["key"], e["result"]) for e in audit.entries() if e["action"] == "upload"]
    assert finals[-1] == ("quit.txt", "ok")
    assert read_object(s3, bucket, "quit.txt") == b"goes on at the next start"
