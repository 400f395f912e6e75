"""The audit log: one JSON line per entry, appended, readable after a crash."""

from __future__ import annotations

import csv
import datetime
import io
import json
import multiprocessing
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.compliance.audit import (
    CSV_COLUMNS,
    DEFAULT_MAX_BYTES,
    AuditLog,
    export_csv,
    filter_entries,
    is_failure,
)


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


# -- rotation -------------------------------------------------------------------------------


def _keys(log: AuditLog) -> list[str]:
    return [e["key"] for e in log.entries()]


def test_rotation_keeps_every_entry_in_order_and_each_file_under_the_limit(
    tmp_path: Path,
) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", max_bytes=1500)
    written = [f"k{i:04d}" + "x" * 80 for i in range(300)]
    for key in written:
        log.append("upload", bucket="b", key=key, size=1, result="ok")

    rotated = log.rotated_files()
    assert len(rotated) > 12  # so names with -10, -11 ... exist: order is not by name
    assert all(re.fullmatch(r"audit-\d{8}T\d{6}(-\d+)?\.jsonl", p.name) for p in rotated)
    assert log.files() == [*rotated, tmp_path / "audit.jsonl"]
    assert all(p.stat().st_size <= 1500 for p in log.files())
    assert _keys(log) == written  # all of them, in order, none twice
    assert _keys(AuditLog(tmp_path / "audit.jsonl")) == written  # another reader, too
    # Nothing besides the log's own files and the lock file next to them.
    assert {p.name for p in tmp_path.iterdir()} == {p.name for p in log.files()} | {
        "audit.jsonl.lock"
    }


def test_a_rotation_after_the_clock_went_back_still_reads_in_order(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    future = tmp_path / "audit-29991231T235959.jsonl"  # rotated while the clock was ahead
    future.write_text(json.dumps({"action": "delete", "key": "first"}) + "\n", encoding="utf-8")
    log = AuditLog(path, max_bytes=200)
    for key in ("second", "third", "fourth"):
        log.append("delete", key=key + "x" * 100)

    assert [e["key"].rstrip("x") for e in log.entries()] == ["first", "second", "third", "fourth"]
    assert log.rotated_files()[0] == future
    assert log.rotated_files()[1].name == "audit-29991231T235959-2.jsonl"


def test_the_limit_comes_from_the_environment_unless_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert AuditLog(tmp_path / "a.jsonl").max_bytes == DEFAULT_MAX_BYTES == 10 * 1024 * 1024
    monkeypatch.setenv("S3DESK_AUDIT_MAX_BYTES", "4096")
    assert AuditLog(tmp_path / "a.jsonl").max_bytes == 4096
    assert AuditLog(tmp_path / "a.jsonl", max_bytes=100).max_bytes == 100
    monkeypatch.setenv("S3DESK_AUDIT_MAX_BYTES", "lots")  # a bad setting must not stop audits
    assert AuditLog(tmp_path / "a.jsonl").max_bytes == DEFAULT_MAX_BYTES


def test_an_other_logs_rotated_files_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "broker-audit-20240101T000000.jsonl").write_text('{"key": "broker"}\n')
    (tmp_path / "audit-notes.jsonl").write_text('{"key": "notes"}\n')
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append("delete", key="mine")
    assert _keys(log) == ["mine"]


# -- several processes ----------------------------------------------------------------------

WRITERS, PER_WRITER = 4, 150


def _write_entries(path: str, writer: int, start: Any) -> None:
    log = AuditLog(Path(path), max_bytes=4096)
    start.wait()
    for i in range(PER_WRITER):
        log.append("upload", key=f"{writer}/{i}", pad="p" * 150, result="ok")


def _check_snapshot(keys: list[str]) -> None:
    """Each writer's entries seen so far are its first ones, in order, none missing or twice."""
    seen: dict[str, list[int]] = {}
    for key in keys:
        writer, _, i = key.partition("/")
        seen.setdefault(writer, []).append(int(i))
    for numbers in seen.values():
        assert numbers == list(range(len(numbers)))


def test_processes_appending_at_once_with_rotation_lose_and_repeat_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.jsonl"
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    processes = [
        context.Process(target=_write_entries, args=(str(path), n, start)) for n in range(WRITERS)
    ]
    for process in processes:
        process.start()
    start.set()
    log = AuditLog(path, max_bytes=4096)
    snapshots = 0
    while any(p.is_alive() for p in processes):  # read while they write and rotate
        _check_snapshot(_keys(log))
        snapshots += 1
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    keys = _keys(log)
    assert len(keys) == WRITERS * PER_WRITER
    assert set(keys) == {f"{n}/{i}" for n in range(WRITERS) for i in range(PER_WRITER)}
    _check_snapshot(keys)
    assert snapshots > 0
    assert len(log.rotated_files()) > 20
    # Every line of every file is one whole entry: nothing interleaved, nothing cut.
    lines = [line for p in log.files() for line in p.read_bytes().splitlines()]
    assert len(lines) == WRITERS * PER_WRITER
    assert all(p.stat().st_size <= 4096 for p in log.files())


# -- crashes --------------------------------------------------------------------------------


def test_a_crash_mid_write_leaves_a_valid_log_even_cut_inside_a_character(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, max_bytes=400)
    log.append("delete", key="a")
    with open(path, "ab") as f:  # the crash: half an entry, cut inside "ä"
        f.write('{"action":"delete","key":"bä'.encode()[:-1])
    assert _keys(AuditLog(path)) == ["a"]  # readable as it is

    after = AuditLog(path, max_bytes=400)  # the next run goes on, and rotates past the cut
    for key in ("b", "c", "d", "e"):
        after.append("delete", key=key, pad="p" * 100)
    assert after.rotated_files()  # the cut line is now inside a rotated file
    assert _keys(after) == ["a", "b", "c", "d", "e"]
    lines = path.read_bytes().splitlines()
    assert all(json.loads(line) for line in lines)  # the current file is whole again


def test_a_crash_between_rotation_and_the_next_entry_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, max_bytes=300)
    log.append("delete", key="a", pad="p" * 100)
    path.rename(tmp_path / "audit-20000101T000000.jsonl")  # renamed, then the crash
    log.append("delete", key="b", pad="p" * 100)
    assert _keys(log) == ["a", "b"]


# -- CSV ------------------------------------------------------------------------------------

TRICKY = [
    {
        "time": "2025-01-02T03:04:05.006+00:00", "user": "alice", "action": "upload",
        "account": "Work, London", "bucket": "b", "key": 'say "hi"\nand, bye.txt', "size": 12,
        "checksum": "CRC32:AAAAAA==", "result": "ok", "path": "/home/alice/x.txt",
    },
    {
        "time": "2025-01-02T03:04:06.000+00:00", "user": "@bob", "action": "download",
        "account": "+44 20", "bucket": "b", "key": "=HYPERLINK(\"http://evil\",\"x\")",
        "version_id": "-v1", "size": 0, "etag": '"abc"', "result": "failed",
        "error": "=1+2", "path": "\tC:\\x",
    },
    {"time": "2025-01-02T03:04:07.000+00:00", "action": "share-link", "key": "\uff1dSUM(1)"},
]  # fmt: skip


def test_csv_export_has_fixed_columns_and_the_entries_values(tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    assert export_csv(TRICKY, out) == 3
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for spreadsheets
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(CSV_COLUMNS) == [
        "time", "user", "action", "account", "bucket", "key", "version_id", "size",
        "checksum", "result", "error", "path",
    ]  # fmt: skip
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first == {
        "time": "2025-01-02T03:04:05.006+00:00", "user": "alice", "action": "upload",
        "account": "Work, London", "bucket": "b", "key": 'say "hi"\nand, bye.txt',
        "version_id": "", "size": "12", "checksum": "CRC32:AAAAAA==", "result": "ok",
        "error": "", "path": "/home/alice/x.txt",
    }  # fmt: skip
    assert len(rows) == 4


def test_csv_export_neutralises_formulas(tmp_path: Path) -> None:
    buffer = io.StringIO(newline="")
    export_csv(TRICKY, buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    second = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert second["user"] == "'@bob"
    assert second["account"] == "'+44 20"
    assert second["key"] == '\'=HYPERLINK("http://evil","x")'
    assert second["version_id"] == "'-v1"
    assert second["error"] == "'=1+2"
    assert second["path"] == "'\tC:\\x"
    assert second["size"] == "0"
    assert second["checksum"] == 'etag:"abc"'  # the ETag when there is no checksum
    assert dict(zip(CSV_COLUMNS, rows[3], strict=True))["key"] == "'\uff1dSUM(1)"
    # Every cell quoted, so no cell starts with a bare formula character in the file.
    for line in buffer.getvalue().split("\r\n")[1:]:
        assert not re.search(r"(^|,)[=+\-@]", line)
    # Removing the apostrophe gives back exactly what the log holds.
    for entry, row in zip(TRICKY, rows[1:], strict=True):
        for column, cell in zip(CSV_COLUMNS, row, strict=True):
            if column in entry and column != "size":
                assert cell.removeprefix("'") == entry[column]


def test_csv_export_of_a_real_log(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", max_bytes=300)
    for i in range(10):
        log.append("delete", bucket="b", key=f"-{i}", result="ok" if i % 2 else "failed")
    out = tmp_path / "out.csv"
    assert export_csv(log.entries(), out) == 10
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["key"] for r in rows] == [f"'-{i}" for i in range(10)]
    assert [r["time"] for r in rows] == [e["time"] for e in log.entries()]


# -- filtering ------------------------------------------------------------------------------


def test_filter_entries_by_text_action_time_and_result() -> None:
    entries = [
        {"time": "2025-01-01T10:00:00.000+00:00", "action": "upload", "key": "Report.PDF",
         "result": "ok"},
        {"time": "2025-01-02T10:00:00.000+00:00", "action": "delete", "key": "report.txt",
         "result": "failed", "error": "AccessDenied"},
        {"time": "2025-01-03T10:00:00.000+00:00", "action": "share-link", "key": "photo.jpg",
         "result": "ok", "account": "Work"},
        {"action": "delete", "key": "no time"},
    ]  # fmt: skip

    def keys(**criteria: Any) -> list[str]:
        return [e["key"] for e in filter_entries(entries, **criteria)]

    assert keys() == [e["key"] for e in entries]
    assert keys(text="REPORT") == ["Report.PDF", "report.txt"]
    assert keys(text="report denied") == ["report.txt"]  # every word, in any field
    assert keys(text="work") == ["photo.jpg"]
    assert keys(action="delete") == ["report.txt", "no time"]
    assert keys(action={"upload", "share-link"}) == ["Report.PDF", "photo.jpg"]
    assert keys(result="failed") == ["report.txt"]
    day2 = datetime.datetime(2025, 1, 2, 10, tzinfo=datetime.UTC)
    assert keys(since=day2) == ["report.txt", "photo.jpg"]
    assert keys(until=day2) == ["Report.PDF"]
    assert keys(since=day2, until=day2 + datetime.timedelta(hours=1)) == ["report.txt"]
    assert keys(text="report", action="delete", result="failed") == ["report.txt"]
    assert is_failure(entries[1]) and not is_failure(entries[0])


def test_a_log_whose_lock_cannot_be_taken_can_still_be_read(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append("delete", key="a", path=tmp_path / "x.txt")  # a Path is written as text
    log.lock_path.unlink()
    log.lock_path.mkdir()  # as unopenable as a lock file in a read-only folder
    assert [(e["key"], e["path"]) for e in log.entries()] == [("a", str(tmp_path / "x.txt"))]
    with pytest.raises(OSError):
        log.append("delete", key="b")  # writing never goes on without the lock
