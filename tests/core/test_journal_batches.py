"""Finished uploads leave the journal in batches, also when one worker works through the
queue alone, and none is left in it once the engine is idle."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.transfer.jobs import Destination, JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.core.transfer.upload.journal import Journal
from tests.conftest import Server


class _CountingJournal(Journal):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.removals: list[int] = []

    def remove(self, job_ids: Iterable[int]) -> None:
        ids = list(job_ids)
        self.removals.append(len(ids))
        super().remove(ids)


def test_one_worker_drops_finished_uploads_from_the_journal_in_batches(
    rclone_server: Server, rclone_bucket: str, tmp_path: Path
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    for i in range(40):
        (folder / f"f{i:02d}.txt").write_bytes(b"x" * (i + 1))
    journal = _CountingJournal(tmp_path / "journal.sqlite3")
    engine = UploadEngine(rclone_server.endpoint, EngineConfig(concurrency=1), journal=journal)
    try:
        engine.submit_paths([folder], Destination(rclone_bucket, "p/"))
        assert engine.wait(60)
        assert [j.state for j in engine.jobs()] == [JobState.DONE] * 40
        # Nothing finished stays behind, and it went in a few transactions, not one a file.
        assert journal.unfinished(rclone_server.endpoint.identity) == []
        assert sum(journal.removals) == 40
        assert len(journal.removals) <= 3
    finally:
        engine.shutdown(cancel=False)
        journal.close()
    listed = rclone_server.client.list_objects_v2(Bucket=rclone_bucket, Prefix="p/")
    assert len(listed.get("Contents", [])) == 40
