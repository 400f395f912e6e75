"""A crash-safe record of unfinished uploads: SQLite in WAL mode.

Every queued file is a row; a multipart upload adds its upload id and one row per part that
reached the server. After a crash, kill or reboot the engine reads the unfinished rows back
and resumes each upload from the parts already sent (confirmed against the server with
ListParts, which stays the authority: a part recorded here but lost there is sent again).
Finished uploads are deleted, so the file stays small.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from s3desk.core.jobs import ConflictPolicy, JobState, PartResult, UploadJob
from s3desk.core.parts import part_count
from s3desk.core.source import part_length

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id          INTEGER PRIMARY KEY,
    endpoint    TEXT NOT NULL,      -- which service the upload belongs to (no secrets)
    source      TEXT NOT NULL,
    bucket      TEXT NOT NULL,
    key         TEXT NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    state       TEXT NOT NULL,      -- queued | paused
    upload_id   TEXT,
    part_size   INTEGER NOT NULL DEFAULT 0,
    options     TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS counters (
    name        TEXT PRIMARY KEY,
    value       INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS parts (
    job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    etag        TEXT NOT NULL,
    checksum    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job_id, number)
) WITHOUT ROWID;
"""


class JournalError(Exception):
    """The journal cannot be written (e.g. the disk is full). Uploads can go on without it,
    but they would not survive a crash; the message says so."""


@dataclass(slots=True)
class JournalPart:
    number: int
    etag: str
    checksum: str = ""


@dataclass(slots=True)
class JournalJob:
    id: int
    source: str
    bucket: str
    key: str
    size: int
    mtime_ns: int
    state: str
    upload_id: str | None
    part_size: int
    options: str
    parts: list[JournalPart] = field(default_factory=list)


class Journal:
    """Thread-safe; every method is one short transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(
                str(path), check_same_thread=False, isolation_level=None, timeout=10
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL survives an application crash completely and an OS crash up to the
            # last checkpoint; ListParts on the server covers what a power cut may lose.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            raise JournalError(_explain(exc, self.path)) from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise JournalError(_explain(exc, self.path)) from exc

    # -- writing -------------------------------------------------------------------------

    def reserve_ids(self, count: int) -> int:
        """Reserve ``count`` job ids and return the first. Several processes (the app and
        ``s3desk upload``) may share one journal, so ids come from the database."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO counters (name, value)"
                " SELECT 'job_id', COALESCE(MAX(id), 0) + 1 FROM jobs"
            )
            first = int(
                db.execute("SELECT value FROM counters WHERE name = 'job_id'").fetchone()[0]
            )
            db.execute("UPDATE counters SET value = ? WHERE name = 'job_id'", (first + count,))
        return first

    def add_jobs(
        self, endpoint: str, jobs: Iterable[tuple[int, str, str, str, int, int, str]]
    ) -> None:
        """Insert (id, source, bucket, key, size, mtime_ns, options) rows in one transaction."""
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO jobs (id, endpoint, source, bucket, key, size, mtime_ns,"
                " state, options) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?)",
                ((j[0], endpoint, *j[1:]) for j in jobs),
            )

    def set_state(self, job_id: int, state: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE jobs SET state = ? WHERE id = ?", (state, job_id))

    def set_multipart(self, job_id: int, upload_id: str | None, part_size: int) -> None:
        """Record (or, with None, forget) the job's multipart upload; forgetting drops parts."""
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET upload_id = ?, part_size = ? WHERE id = ?",
                (upload_id, part_size, job_id),
            )
            if upload_id is None:
                db.execute("DELETE FROM parts WHERE job_id = ?", (job_id,))

    def add_part(self, job_id: int, part: JournalPart) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO parts (job_id, number, etag, checksum) VALUES (?,?,?,?)",
                (job_id, part.number, part.etag, part.checksum),
            )

    def set_options(self, job_id: int, options: str) -> None:
        """The job's options changed (e.g. its content type was edited)."""
        with self._transaction() as db:
            db.execute("UPDATE jobs SET options = ? WHERE id = ?", (options, job_id))

    def set_key(self, job_id: int, key: str) -> None:
        """The key changed (kept both: "name (1).ext")."""
        with self._transaction() as db:
            db.execute("UPDATE jobs SET key = ? WHERE id = ?", (key, job_id))

    def remove(self, job_ids: Iterable[int]) -> None:
        """Forget finished jobs (done, failed, cancelled)."""
        with self._transaction() as db:
            db.executemany("DELETE FROM jobs WHERE id = ?", ((i,) for i in job_ids))

    # -- reading -------------------------------------------------------------------------

    def unfinished(self, endpoint: str) -> list[JournalJob]:
        """Jobs left over from an earlier run for ``endpoint``, oldest first, with parts."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, source, bucket, key, size, mtime_ns, state, upload_id, part_size,"
                " options FROM jobs WHERE endpoint = ? ORDER BY id",
                (endpoint,),
            ).fetchall()
            jobs = {row[0]: JournalJob(*row) for row in rows}
            for job_id, number, etag, checksum in self._db.execute(
                "SELECT p.job_id, p.number, p.etag, p.checksum FROM parts p"
                " JOIN jobs j ON j.id = p.job_id WHERE j.endpoint = ? ORDER BY p.job_id, p.number",
                (endpoint,),
            ):
                jobs[job_id].parts.append(JournalPart(number, etag, checksum))
        return list(jobs.values())


def options_json(job: UploadJob) -> str:
    """The job's upload options as stored in the journal."""
    options: dict[str, object] = {"conflict": job.conflict.value, "key_checked": job.key_checked}
    if job.content_type:
        options["content_type"] = job.content_type
    return json.dumps(options)


def job_from_record(record: JournalJob) -> UploadJob:
    """An unfinished job as an earlier run left it; its parts still to be confirmed."""
    state = JobState.PAUSED if record.state == "paused" else JobState.QUEUED
    job = UploadJob(
        record.id, record.source, record.bucket, record.key, record.size, record.mtime_ns,
        state=state,
    )  # fmt: skip
    try:
        options = json.loads(record.options)
        job.conflict = ConflictPolicy(options.get("conflict", "overwrite"))
        job.key_checked = bool(options.get("key_checked", False))
        job.content_type = str(options.get("content_type", ""))
    except (ValueError, AttributeError):
        pass  # an older or damaged entry: the defaults are safe
    if record.upload_id:
        job.upload_id, job.part_size = record.upload_id, record.part_size
        job.part_count = part_count(record.size, record.part_size)
        job.done_parts = {
            p.number: PartResult(p.etag, part_length(job, p.number), p.checksum)
            for p in record.parts
        }
        job.bytes_done = sum(p.size for p in job.done_parts.values())
        job.verify_parts = True
    return job


def open_user_journal() -> tuple[Journal | None, str]:
    """The per-user journal, or None and a sentence saying why uploads cannot be resumed."""
    from s3desk.core.paths import journal_path

    try:
        return Journal(journal_path()), ""
    except JournalError as exc:
        return None, f"{exc}; uploads will not resume after a crash"


def _explain(exc: sqlite3.Error, path: Path) -> str:
    text = str(exc).lower()
    if "full" in text:
        return (
            f"The disk holding s3desk's upload journal ({path}) is full. Uploads continue, but "
            "would not resume after a crash; free some space"
        )
    if "readonly" in text or "permission" in text or "unable to open" in text:
        return f"s3desk cannot write its upload journal ({path}): {exc}"
    return f"The upload journal ({path}) failed: {exc}"
