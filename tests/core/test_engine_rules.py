"""Upload rules applied by the engine to a real drop: refused files fail with the reason and
the rest goes up under the keys the template and sanitising give."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from s3desk.core.compliance.rules import UploadRules
from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.jobs import Destination, JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from tests.helpers import SendGate, list_keys, read_object

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(40)
RULES = UploadRules.from_dict(
    {
        "allowed_types": ["pdf", "png", "txt"],
        "blocked_types": ["programs"],
        "max_size": "1 KiB",
        "key_template": "inbox/{user}/{date}/{path}",
    }
)


def test_refused_files_say_why_and_the_rest_go_up_under_template_keys(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    (drop / "sub").mkdir(parents=True)
    files = {
        "report.pdf": PDF,
        "sub/notes\\draft.txt": b"plain words",  # a backslash: a folder to some tools
        "invoice.pdf.exe": b"MZ" + bytes(200),
        "photo.png": ELF,
        "huge.pdf": PDF + bytes(2000),
    }
    for name, data in files.items():
        (drop / name).write_bytes(data)
    # One at a time: while the first file is held, the second waits in the queue.
    engine = UploadEngine(moto_endpoint, EngineConfig(concurrency=1, rules=RULES, user="alice"))
    gate = SendGate(engine, "PutObject")
    try:
        engine.submit_paths([str(drop)], Destination(bucket, "team"))
        assert gate.reached.wait(30)
        # While it waits, its row shows what sanitising did to its key.
        queued = {Path(v.source).name: v for v in engine.jobs()}
        gate.remove()
        assert queued["notes\\draft.txt"].state is JobState.QUEUED
        assert queued["notes\\draft.txt"].note.startswith("Key: ")
        assert engine.wait(60)
        rows = {Path(v.source).name: v for v in engine.jobs()}
    finally:
        engine.shutdown()
    now = datetime.datetime.now()
    expected = {
        name: RULES.key_for(f"drop/{name}", "alice", now, "team").key
        for name in ("report.pdf", "sub/notes\\draft.txt")
    }
    assert expected["report.pdf"] == f"team/inbox/alice/{now:%Y-%m-%d}/drop/report.pdf"
    assert "\\" not in expected["sub/notes\\draft.txt"]
    assert rows["report.pdf"].state is JobState.DONE
    assert rows["notes\\draft.txt"].state is JobState.DONE
    assert sorted(list_keys(s3, bucket)) == sorted(expected.values())
    assert read_object(s3, bucket, expected["report.pdf"]) == PDF
    refused = {name: rows[name] for name in ("invoice.pdf.exe", "photo.png", "huge.pdf")}
    assert all(v.state is JobState.FAILED for v in refused.values())
    assert "Windows program" in refused["invoice.pdf.exe"].error
    assert "Linux program" in refused["photo.png"].error
    assert "the limit is 1.0 KiB" in refused["huge.pdf"].error
    # A refused row (and its audit entry) keeps the file's size: "why is it refused?"
    assert {n: v.size for n, v in refused.items()} == {n: len(files[n]) for n in refused}
    assert engine.totals().bytes_total == len(PDF) + len(b"plain words")  # not counted


def test_without_rules_every_file_goes_under_its_relative_path(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "photo.png").write_bytes(ELF)  # no rules: nothing judges the content
    engine = UploadEngine(moto_endpoint, EngineConfig())
    try:
        engine.submit_paths([str(tmp_path / "photo.png")], Destination(bucket, "in"))
        assert engine.wait(30)
    finally:
        engine.shutdown()
    assert list_keys(s3, bucket) == ["in/photo.png"]
