"""The engines' audit writer: entries arriving together share one write (a group commit),
an entry after a quiet spell is written at once, and flush() waits for no pause."""

from __future__ import annotations

import datetime
import json
import threading
from pathlib import Path
from typing import Any

from s3desk.core.compliance.audit import AuditLog
from s3desk.core.transfer.audit_writer import AuditWriter, _Stamps


class _CountingLog(AuditLog):
    """An audit log that remembers the size of every write (each one is an fsync)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.writes: list[int] = []
        self.wrote = threading.Event()

    def append_many(self, items: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
        written = super().append_many(items)
        self.writes.append(len(items))
        self.wrote.set()
        return written


def _keys(path: Path) -> list[str]:
    return [json.loads(line)["key"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_entries_after_a_write_share_the_next_one_and_flush_does_not_wait(
    tmp_path: Path,
) -> None:
    log = _CountingLog(tmp_path / "audit.jsonl")
    # A pause far longer than the test: only flush() can end it in time.
    writer = AuditWriter(log, gather=600)
    try:
        writer.put("upload-start", key="first", result="queued")
        # After a quiet spell the entry goes out at once, without a flush.
        assert log.wrote.wait(10)
        assert log.writes == [1]
        for i in range(50):
            writer.put("upload", key=f"k{i}", result="ok")
        assert writer.flush(timeout=10)  # would time out if it waited for the pause
        # The fifty entries that came within the pause went out in one write.
        assert log.writes == [1, 50]
        assert _keys(log.path) == ["first", *(f"k{i}" for i in range(50))]
    finally:
        writer.close(timeout=10)


def test_entries_handed_over_one_at_a_time_still_share_a_write(tmp_path: Path) -> None:
    log = _CountingLog(tmp_path / "audit.jsonl")
    writer = AuditWriter(log, gather=600)
    try:
        writer.put("upload-start", key="first", result="queued")
        assert log.wrote.wait(10)
        log.wrote.clear()
        for i in range(10):
            writer.put("upload", key=f"k{i}", result="ok")
            # Each entry gets a moment in which a writer without the pause would write it
            # on its own (as files finishing one by one would have it).
            assert not log.wrote.wait(0.02)
        assert writer.flush(timeout=10)
        assert log.writes == [1, 10]
    finally:
        writer.close(timeout=10)


def test_close_writes_what_is_waiting_and_stops_the_thread(tmp_path: Path) -> None:
    log = _CountingLog(tmp_path / "audit.jsonl")
    writer = AuditWriter(log, gather=600)
    writer.put("upload", key="a", result="ok")
    assert log.wrote.wait(10)
    writer.put("upload", key="b", result="ok")
    writer.put("upload", key="c", result="ok")
    thread = writer._thread
    writer.close(timeout=10)
    assert _keys(log.path) == ["a", "b", "c"]
    assert thread is not None and not thread.is_alive()


def test_entries_from_many_threads_are_all_written_once(tmp_path: Path) -> None:
    log = _CountingLog(tmp_path / "audit.jsonl")
    writer = AuditWriter(log, gather=0.01)

    def put(n: int) -> None:
        for i in range(200):
            writer.put("upload", key=f"{n}-{i}", result="ok")

    threads = [threading.Thread(target=put, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert writer.flush(timeout=10)
    writer.close()
    keys = _keys(log.path)
    assert sorted(keys) == sorted(f"{n}-{i}" for n in range(8) for i in range(200))
    for n in range(8):  # each thread's entries in the order it handed them over
        mine = [k for k in keys if k.startswith(f"{n}-")]
        assert mine == [f"{n}-{i}" for i in range(200)]


def test_time_is_when_the_entry_was_handed_over_in_the_log_format(tmp_path: Path) -> None:
    log = _CountingLog(tmp_path / "audit.jsonl")
    writer = AuditWriter(log)
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    writer.put("upload", key="a", result="ok")
    writer.close(timeout=10)
    entry = json.loads(log.path.read_text(encoding="utf-8"))
    stamp = datetime.datetime.fromisoformat(entry["time"])
    assert stamp.tzinfo is not None and before <= stamp
    assert stamp <= datetime.datetime.now(datetime.UTC)


def test_stamps_read_as_isoformat_to_the_millisecond() -> None:
    stamps = _Stamps()
    for when in (1_700_000_000.0, 1_700_000_000.5, 1_700_000_000.9996, 1_700_000_001.0421,
                 1_699_999_999.001, 1_800_000_000.25):  # fmt: skip
        moment = datetime.datetime.fromtimestamp(when, datetime.UTC)
        assert stamps.format(when) == moment.isoformat(timespec="milliseconds")
