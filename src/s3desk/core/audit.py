"""The audit log: one JSON object per line, appended and flushed to disk per entry, for
every delete, permanent delete and share link (uploads and downloads join later).

Entries say who (the OS user), when (UTC, ISO 8601), what (``action``), where (account,
bucket, key, version id) and how it went (``result``, ``error``). Never a secret: a share
link is recorded without its signature.
"""

from __future__ import annotations

import datetime
import getpass
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from s3desk.core.paths import data_dir


def audit_path() -> Path:
    return data_dir() / "audit.jsonl"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


class AuditLog:
    """Append-only. Safe to share between threads; each entry is one ``write`` of one line
    to a file opened in append mode, then flushed and fsynced, so entries never interleave
    and survive a crash."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or audit_path()
        self._lock = threading.Lock()
        self._user = _os_user()

    def append(self, action: str, **fields: Any) -> dict[str, Any]:
        """Record ``action`` (e.g. "delete", "share-link") with ``fields`` (account, bucket,
        key, version_id, size, result, error, ...); returns the entry as written."""
        entry: dict[str, Any] = {
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            "user": self._user,
            "action": action,
        }
        entry.update({k: v for k, v in fields.items() if v is not None})
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        data = line.encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab+") as f:  # appends; reads only the last byte
                # A line cut off by a crash must not swallow this entry: start a new line.
                if f.tell() and os.pread(f.fileno(), 1, f.tell() - 1) != b"\n":
                    data = b"\n" + data
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        return entry

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every entry, oldest first; a line cut off by a crash is skipped."""
        try:
            f = open(self.path, encoding="utf-8")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            return
        with f:
            for line in f:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue
