"""A crash-safe record of unfinished uploads: SQLite in WAL mode.

Every queued file is a row; a multipart upload adds its upload id and one row per part that
reached the server. After a crash, kill or reboot the engine reads the unfinished rows back
and resumes each upload from the parts already sent (confirmed against the server with
ListParts, which stays the authority: a part recorded here but lost there is sent again).
Finished uploads are deleted, so the file stays small.

Several processes share the journal (the window's engine process, ``s3desk upload``), so an
unfinished upload is claimed before it is worked on: the ``claims`` table names the holder of
each entry, and a holder is alive exactly while it holds the OS lock (``s3desk.core.oslock``)
on its own file in the ``<journal>.holders`` folder. The operating system drops that lock
when the process ends in any way, so the entries of a killed or crashed process are free
again at once, while a live holder's are refused to everybody else with its process id.
Claiming happens in a write transaction, so of two processes claiming at the same moment
exactly one gets the entry.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.oslock import try_lock_file
from s3desk.core.phrases import Phrase, phrase
from s3desk.core.storage.parts import part_count
from s3desk.core.transfer.jobs import JobState, PartResult, UploadJob
from s3desk.core.transfer.upload.source import part_length

SCHEMA_VERSION = 2  # 2: holders and claims

log = logging.getLogger(__name__)

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
CREATE TABLE IF NOT EXISTS holders (
    token       TEXT PRIMARY KEY,   -- names the holder's lock file
    pid         INTEGER NOT NULL,
    kind        TEXT NOT NULL DEFAULT ''  -- window | upload (the command line)
);
CREATE TABLE IF NOT EXISTS claims (
    job_id      INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
    holder      TEXT NOT NULL
);
"""

# Who is uploading a file this process may not take, as the row and the command line say it.
HOLDER_WINDOW, HOLDER_COMMAND = "window", "upload"


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


@dataclass(frozen=True, slots=True)
class Holder:
    """The live process that has an entry: its id and what it is (HOLDER_WINDOW, ...)."""

    pid: int
    kind: str = ""

    def describe(self) -> Phrase:
        """Why this process leaves the file alone, for its row or its line."""
        if self.kind == HOLDER_WINDOW:
            return phrase(
                "Being uploaded by the s3desk window (process {pid}); not sent from here, "
                "try again once it has finished",
                pid=self.pid,
            )
        if self.kind == HOLDER_COMMAND:
            return phrase(
                "Being uploaded by 's3desk upload' (process {pid}); not sent from here, "
                "try again once it has finished",
                pid=self.pid,
            )
        return phrase(
            "Being uploaded by another s3desk (process {pid}); not sent from here, "
            "try again once it has finished",
            pid=self.pid,
        )


@dataclass(slots=True)
class Claim:
    """The answer to ``Journal.claim``: the entries now this journal's (read afresh) and
    those a live process holds. An id in neither is gone: its holder finished it."""

    records: dict[int, JournalJob] = field(default_factory=dict)
    held: dict[int, Holder] = field(default_factory=dict)


class Journal:
    """Thread-safe; every method is one short transaction. One object is one claimant: the
    entries it adds or claims are its own until they finish or it is closed."""

    def __init__(self, path: str | Path, holder_kind: str = "") -> None:
        self.path = Path(path)
        self._holders_dir: Path | None = None
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._holders_dir = self.path.with_name(self.path.name + ".holders")
        self._holder_kind = holder_kind
        self._token = ""  # our name in the holders table, made on the first claim
        self._holder_file: IO[bytes] | None = None
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

    def release_claims(self) -> None:
        """Let go of every entry claimed, keeping the database open: for an engine that
        stops while its journal lives on (an account switched away from in the window)."""
        if self._token:
            with contextlib.suppress(JournalError), self._transaction() as db:
                db.execute("DELETE FROM claims WHERE holder = ?", (self._token,))

    def close(self) -> None:
        """Close the database and let go of every entry claimed (unfinished ones stay)."""
        if self._token:
            with contextlib.suppress(JournalError), self._transaction() as db:
                db.execute("DELETE FROM claims WHERE holder = ?", (self._token,))
                db.execute("DELETE FROM holders WHERE token = ?", (self._token,))
        with self._lock:
            self._db.close()
            if self._holder_file is not None:
                self._holder_file.close()  # lets go of the lock
                self._holder_file = None
                with contextlib.suppress(OSError):
                    self._holder_path(self._token).unlink()
            self._token = ""

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
        """Insert (id, source, bucket, key, size, mtime_ns, options) rows in one transaction,
        claimed by this journal."""
        rows = list(jobs)
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO jobs (id, endpoint, source, bucket, key, size, mtime_ns,"
                " state, options) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?)",
                ((j[0], endpoint, *j[1:]) for j in rows),
            )
            token = self._our_token(db)
            if token:
                db.executemany(
                    "INSERT OR REPLACE INTO claims (job_id, holder) VALUES (?, ?)",
                    ((j[0], token) for j in rows),
                )

    def claim(self, job_ids: Iterable[int]) -> Claim:
        """Take the entries no live process holds (this journal's own included), read
        afresh, and say who holds the others. One transaction: of two processes claiming at
        once, one gets each entry and the other sees it held."""
        claim = Claim()
        with self._transaction() as db:
            token = self._our_token(db)
            alive: dict[str, Holder | None] = {}
            for job_id in job_ids:
                row = db.execute("SELECT holder FROM claims WHERE job_id = ?", (job_id,))
                holder = row.fetchone()
                if holder is not None and holder[0] != token:
                    if holder[0] not in alive:
                        alive[holder[0]] = self._live_holder(db, holder[0])
                    live = alive[holder[0]]
                    if live is not None:
                        claim.held[job_id] = live
                        continue
                records = self._records(db, "j.id = ?", (job_id,))
                if not records:
                    continue  # gone: finished by its holder
                if token:
                    db.execute(
                        "INSERT OR REPLACE INTO claims (job_id, holder) VALUES (?, ?)",
                        (job_id, token),
                    )
                claim.records[job_id] = records[0]
        return claim

    # -- holders (called inside a transaction) -------------------------------------------

    def _our_token(self, db: sqlite3.Connection) -> str:
        """This journal's name as a holder, made (with its locked file) on first use; ""
        for a journal in memory, which no other process can see."""
        if self._token or self._holders_dir is None:
            return self._token
        token = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        try:
            self._holders_dir.mkdir(exist_ok=True)
            f = open(self._holder_path(token), "a+b")  # noqa: SIM115 - kept open: the lock
        except OSError as exc:
            # Uploads go on, but another s3desk could take on the same unfinished upload.
            log.warning("upload claims are off: %s", exc)
            self._holders_dir = None
            return ""
        try:
            if not try_lock_file(f):  # a fresh random name: nobody else can hold it
                raise OSError(f"cannot lock {f.name}")
            # Locked before the row exists, so nobody ever sees this holder as dead.
            db.execute(
                "INSERT INTO holders (token, pid, kind) VALUES (?, ?, ?)",
                (token, os.getpid(), self._holder_kind),
            )
        except BaseException:
            f.close()
            raise
        self._token, self._holder_file = token, f
        others = db.execute("SELECT token FROM holders WHERE token != ?", (token,)).fetchall()
        for (other,) in others:
            self._live_holder(db, other)  # forgets holders that died without closing
        return token

    def _live_holder(self, db: sqlite3.Connection, token: str) -> Holder | None:
        """The holder ``token`` if its process is alive (it holds its file's lock), else
        None, and the dead holder is forgotten."""
        row = db.execute("SELECT pid, kind FROM holders WHERE token = ?", (token,)).fetchone()
        path = self._holder_path(token)
        try:
            f = open(path, "r+b")  # noqa: SIM115 - closed by the with below
        except FileNotFoundError:
            f = None
        if f is not None:
            with f:
                if not try_lock_file(f):
                    return Holder(int(row[0]), str(row[1])) if row else Holder(0)
            with contextlib.suppress(OSError):
                path.unlink()
        db.execute("DELETE FROM claims WHERE holder = ?", (token,))
        db.execute("DELETE FROM holders WHERE token = ?", (token,))
        return None

    def _holder_path(self, token: str) -> Path:
        assert self._holders_dir is not None
        return self._holders_dir / f"{token}.lock"

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
        """Jobs left over from an earlier run for ``endpoint``, oldest first, with parts
        (some may be another live process's: ``claim`` says)."""
        with self._lock:
            return self._records(self._db, "j.endpoint = ?", (endpoint,))

    @staticmethod
    def _records(db: sqlite3.Connection, where: str, args: tuple[object, ...]) -> list[JournalJob]:
        rows = db.execute(
            "SELECT id, source, bucket, key, size, mtime_ns, state, upload_id, part_size,"
            f" options FROM jobs j WHERE {where} ORDER BY id",
            args,
        ).fetchall()
        jobs = {row[0]: JournalJob(*row) for row in rows}
        for job_id, number, etag, checksum in db.execute(
            "SELECT p.job_id, p.number, p.etag, p.checksum FROM parts p"
            f" JOIN jobs j ON j.id = p.job_id WHERE {where} ORDER BY p.job_id, p.number",
            args,
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


def open_user_journal(holder_kind: str = HOLDER_COMMAND) -> tuple[Journal | None, str]:
    """The per-user journal, or None and a sentence saying why uploads cannot be resumed."""
    from s3desk.core.paths import journal_path

    try:
        return Journal(journal_path(), holder_kind), ""
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
