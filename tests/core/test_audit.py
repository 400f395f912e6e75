"""The audit log: one JSON line per entry, appended, readable after a crash."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from s3desk.core.audit import AuditLog


def test_entries_are_appended_as_json_lines_with_who_and_when(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append("delete", account="Work", bucket="b", key="ä/x.txt", version_id=None, result="ok")
    log.append("share-link", bucket="b", key="y", expires_in=3600, result="ok")
    lines = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["action"] == "delete" and first["key"] == "ä/x.txt"
    assert "version_id" not in first  # None fields are left out
    assert first["user"] and first["time"].endswith("+00:00")
    assert [e["action"] for e in AuditLog(tmp_path / "audit.jsonl").entries()] == [
        "delete", "share-link",
    ]  # fmt: skip


def test_a_line_cut_off_by_a_crash_does_not_hide_the_others(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    log.append("delete", key="a")
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"action": "delete", "key": "cut')  # the crash
    AuditLog(path).append("delete", key="b")
    assert [e["key"] for e in AuditLog(path).entries()] == ["a", "b"]


def test_threads_never_interleave_entries(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")

    def write(n: int) -> None:
        for i in range(50):
            log.append("delete", key=f"{n}-{i}" + "x" * 500)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = [e["key"] for e in log.entries()]
    assert len(keys) == 200 and len(set(keys)) == 200
