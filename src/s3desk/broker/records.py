"""The service's record of uploads: which user owns which upload id, and what was declared.

Kept in memory and written through to a small SQLite file, so a restart of the service keeps
every upload (clients resume them by id). A pending upload also reserves its key, so two
uploads of the same name get different keys even before either object exists.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

PENDING = "pending"
COMPLETED = "completed"
SINGLE = "single"
MULTIPART = "multipart"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    kind TEXT NOT NULL,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    checksum_algorithm TEXT NOT NULL,
    checksum TEXT NOT NULL,
    head BLOB NOT NULL,
    part_size INTEGER NOT NULL,
    part_count INTEGER NOT NULL,
    s3_upload_id TEXT NOT NULL,
    created REAL NOT NULL,
    touched REAL NOT NULL,
    state TEXT NOT NULL,
    result TEXT NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class Upload:
    id: str
    user: str
    kind: str  # SINGLE or MULTIPART
    bucket: str
    key: str
    size: int  # declared
    content_type: str
    checksum_algorithm: str
    checksum: str  # base64, declared by the client
    head: bytes  # the file's first bytes, declared by the client
    part_size: int
    part_count: int
    s3_upload_id: str  # multipart only
    created: float
    touched: float  # when the last URL for it expires (or it completed)
    state: str = PENDING
    result: str = ""  # JSON answer of the completion, repeated if the client asks again

    def result_json(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.result) if self.result else {}
        return value

    def part_length(self, number: int) -> int:
        """The bytes part ``number`` was signed for: ``part_size``, less for the last."""
        if number < self.part_count:
            return self.part_size
        return self.size - self.part_size * (self.part_count - 1)


_COLUMNS = tuple(f.name for f in fields(Upload))


class UploadRecords:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)
        rows = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM uploads").fetchall()
        self._uploads = {row[0]: Upload(*row) for row in rows}
        self._reserved = {
            (u.bucket, u.key): u.id for u in self._uploads.values() if u.state == PENDING
        }

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def get(self, upload_id: str, user: str) -> Upload | None:
        """``upload_id`` if ``user`` owns it; None for unknown ids and other users' ids."""
        with self._lock:
            upload = self._uploads.get(upload_id)
        return upload if upload is not None and upload.user == user else None

    def all(self) -> list[Upload]:
        with self._lock:
            return list(self._uploads.values())

    def reserve(self, upload: Upload) -> bool:
        """Add ``upload`` unless another pending upload holds its key; True if added."""
        with self._lock:
            if (upload.bucket, upload.key) in self._reserved:
                return False
            self._write(upload)
            self._reserved[(upload.bucket, upload.key)] = upload.id
            return True

    def update(self, upload: Upload, **changes: Any) -> Upload:
        updated = replace(upload, **changes)
        with self._lock:
            if upload.id not in self._uploads:
                return updated  # removed meanwhile (aborted, swept): keep it removed
            self._write(updated)
            if updated.state != PENDING:
                self._reserved.pop((updated.bucket, updated.key), None)
        return updated

    def remove(self, upload: Upload) -> None:
        with self._lock:
            self._db.execute("DELETE FROM uploads WHERE id = ?", (upload.id,))
            self._uploads.pop(upload.id, None)
            if self._reserved.get((upload.bucket, upload.key)) == upload.id:
                del self._reserved[(upload.bucket, upload.key)]

    def _write(self, upload: Upload) -> None:
        values = asdict(upload)
        placeholders = ", ".join("?" for _ in _COLUMNS)
        self._db.execute(
            f"INSERT OR REPLACE INTO uploads ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
            tuple(values[c] for c in _COLUMNS),
        )
        self._uploads[upload.id] = upload
