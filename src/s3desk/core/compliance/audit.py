"""The audit log: one JSON object per line, appended and flushed to disk per entry, for
every upload, download, delete, permanent delete, restore, share link and new folder.

An upload writes "upload-start" (queued, under the key asked for), "upload-renamed" when it
is to be stored under another key (keep both; ``renamed_from`` names the key asked for),
then "upload" with its outcome: ok, failed, cancelled (by the user), or interrupted (s3desk
quit while it was on its way; ``resumes`` says whether it goes on at the next start).

Entries say who (``user``, the OS user), when (``time``, UTC, ISO 8601), what (``action``),
where (``account``, ``bucket``, ``key``, ``version_id``), how much (``size``,
``checksum`` or the ``etag``, the local ``path``) and how it went (``result``, ``error``).
Never a secret: a share link is recorded without its signature.

Rotation. When appending an entry would take ``audit.jsonl`` past ``max_bytes`` (10 MiB
unless the constructor or ``S3DESK_AUDIT_MAX_BYTES`` says otherwise), the file is first
renamed to ``audit-YYYYmmddTHHMMSS.jsonl`` (UTC, the moment of rotation; a second rotation
in the same second, or after the clock went back, gets ``-2``, ``-3``, ... after the stamp)
and the entry starts a new ``audit.jsonl``. Rotated files are kept, all of them: an audit
log does not delete its own records; archiving or pruning old files is the administrator's
decision. ``entries()`` reads the rotated files in rotation order, then the current one.

Several processes append at once (the app, its engine process, the command line). Rotation
and each append happen under an OS lock (``s3desk.core.oslock``: ``fcntl.flock`` on POSIX,
``msvcrt.locking`` on Windows) on ``audit.jsonl.lock``, a file next to the log that is never
renamed, so an entry is written exactly once, to the file that is current at that moment,
and never interleaves with another. Each entry is one ``write`` followed by ``flush`` and
``fsync``; a rename is followed by an fsync of the folder. A line cut off by a crash is
skipped on reading and never swallows the next entry.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import getpass
import json
import os
import re
import sys
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, TextIO

from s3desk.core.oslock import file_lock
from s3desk.core.paths import data_dir

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_BYTES_ENV = "S3DESK_AUDIT_MAX_BYTES"

# The columns of export_csv, in order.
CSV_COLUMNS = (
    "time", "user", "action", "account", "bucket", "key", "version_id", "size", "checksum",
    "result", "error", "path",
)  # fmt: skip

# Results that mean the action did not happen ("ok", "abandoned", ... are not failures).
FAILED_RESULTS = frozenset({"failed", "rejected", "refused", "error"})

# A cell starting with one of these is a formula (or can become one) in Excel, LibreOffice
# and Google Sheets; the full-width forms are read as the ASCII ones by some of them.
_FORMULA_PREFIXES = tuple("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def audit_path() -> Path:
    return data_dir() / "audit.jsonl"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def _max_bytes_from_env() -> int:
    try:
        value = int(os.environ.get(MAX_BYTES_ENV, ""))
    except ValueError:
        return DEFAULT_MAX_BYTES  # unset or not a number: a bad setting must not stop audits
    return value if value > 0 else DEFAULT_MAX_BYTES


def _fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` survive a power cut (POSIX only)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# Files are read in chunks this big, not line by line: every read lets go of the GIL, and a
# thread reading a big log in many small reads keeps a UI thread waiting for it (the GIL's
# convoy effect) -- the History tab froze for the whole load when reading by lines.
_READ_CHUNK = 4 * 1024 * 1024


def _parse_lines(f: IO[bytes]) -> Iterator[dict[str, Any]]:
    rest = b""
    while chunk := f.read(_READ_CHUNK):
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        for line in lines:
            entry = _parse_line(line)
            if entry is not None:
                yield entry
    if rest:  # the last line without its line end: whole, or cut off by a crash
        entry = _parse_line(rest)
        if entry is not None:
            yield entry


# Keys, and the values that repeat from entry to entry, are shared between the entries read:
# 100,000 entries then take about 60 MiB instead of 150.
_SHARED_VALUES = frozenset({"action", "result", "user", "account", "bucket"})


def _parse_line(line: bytes) -> dict[str, Any] | None:
    try:
        entry = json.loads(line)
    except ValueError:  # cut off by a crash (possibly inside a UTF-8 sequence); blank
        return None
    if not isinstance(entry, dict):
        return None
    return {
        sys.intern(k): sys.intern(v) if k in _SHARED_VALUES and isinstance(v, str) else v
        for k, v in entry.items()
    }


# -- the log --------------------------------------------------------------------------------


class AuditLog:
    """Append-only, rotated by size, shared safely between threads and processes."""

    def __init__(self, path: Path | None = None, *, max_bytes: int | None = None) -> None:
        self.path = path or audit_path()
        self.max_bytes = max_bytes if max_bytes is not None else _max_bytes_from_env()
        if self.max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock = threading.Lock()
        self._user = _os_user()
        self._rotated_name = re.compile(
            re.escape(self.path.stem) + r"-(\d{8}T\d{6})(?:-(\d+))?" + re.escape(self.path.suffix)
        )

    def append(self, action: str, **fields: Any) -> dict[str, Any]:
        """Record ``action`` (e.g. "delete", "share-link") with ``fields`` (account, bucket,
        key, version_id, size, checksum, path, result, error, ...); None values are left out.
        Returns the entry as written."""
        return self.append_many([(action, fields)])[0]

    def append_many(self, items: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
        """Record several entries with one write and one fsync (a group commit: a batch of
        small uploads would otherwise wait on the disk once per file). Each entry is still
        a whole line, on disk when this returns."""
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
        entries: list[dict[str, Any]] = []
        for action, fields in items:
            # "time" given: when it happened, for entries written a moment later in a batch.
            entry: dict[str, Any] = {"time": fields.get("time") or now, "user": self._user}
            entry["action"] = action
            entry.update({k: v for k, v in fields.items() if v is not None and k != "time"})
            entries.append(entry)
        data = b"".join(
            (json.dumps(e, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode(
                "utf-8"
            )
            for e in entries
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with file_lock(self.lock_path):
                self._append_locked(data)
        return entries

    def _append_locked(self, data: bytes) -> None:
        try:
            size = os.stat(self.path).st_size
        except FileNotFoundError:
            size = -1
        if size > 0 and size + len(data) > self.max_bytes and self._rotate():
            size = -1
        with open(self.path, "ab+") as f:  # appends; reads only the last byte
            # A line cut off by a crash must not swallow this entry: start a new line.
            if size > 0:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    data = b"\n" + data
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if size < 0:  # a new file: make its name durable too
            _fsync_dir(self.path.parent)

    def _rotate(self) -> bool:
        """Rename the current file to the next rotated name (the lock is held). False when
        it cannot be renamed now (Windows, while a reader has it open): the entry then goes
        to the current file, and the next append tries again."""
        target = self.path.with_name(self._next_rotated_name())
        try:
            os.rename(self.path, target)
        except FileNotFoundError:
            return True
        except PermissionError:
            return False
        _fsync_dir(self.path.parent)
        return True

    def _next_rotated_name(self) -> str:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S")
        key = (stamp, 1)
        existing = self._rotated_keys()
        if existing and key <= existing[-1][0]:  # same second, or the clock went back
            key = (existing[-1][0][0], existing[-1][0][1] + 1)
        while True:
            name = self._name_for(key)
            if not self.path.with_name(name).exists():
                return name
            key = (key[0], key[1] + 1)

    def _name_for(self, key: tuple[str, int]) -> str:
        number = f"-{key[1]}" if key[1] > 1 else ""
        return f"{self.path.stem}-{key[0]}{number}{self.path.suffix}"

    def _rotated_keys(self) -> list[tuple[tuple[str, int], Path]]:
        try:
            names = os.listdir(self.path.parent)
        except FileNotFoundError:
            return []
        found = []
        for name in names:
            match = self._rotated_name.fullmatch(name)
            if match:
                key = (match[1], int(match[2] or 1))
                found.append((key, self.path.with_name(name)))
        found.sort()
        return found

    def rotated_files(self) -> list[Path]:
        """The rotated files, oldest first."""
        return [path for _, path in self._rotated_keys()]

    def files(self) -> list[Path]:
        """Every file of the log, oldest first: the rotated ones, then the current one."""
        current = [self.path] if self.path.exists() else []
        return self.rotated_files() + current

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every entry, oldest first, across the rotated files and the current one; a line
        cut off by a crash is skipped. The list of files is taken under the lock, so a
        rotation while reading neither hides nor repeats entries."""
        if not self.path.parent.is_dir():
            return
        current: IO[bytes] | None = None
        with file_lock(self.lock_path, shared=True, required=False):
            rotated = self.rotated_files()
            with contextlib.suppress(FileNotFoundError):
                current = open(self.path, "rb")  # noqa: SIM115 - closed below
        try:
            for path in rotated:
                try:
                    f = open(path, "rb")  # noqa: SIM115 - closed by the with below
                except FileNotFoundError:  # archived by hand meanwhile
                    continue
                with f:
                    yield from _parse_lines(f)
            if current is not None:
                # Still the file that was current under the lock, even if rotated since.
                yield from _parse_lines(current)
        finally:
            if current is not None:
                current.close()


# -- reading, filtering, exporting ----------------------------------------------------------


def entry_time(entry: Mapping[str, Any]) -> datetime.datetime | None:
    """When the entry was written (timezone-aware), or None for a missing or bad time."""
    value = entry.get("time")
    if not isinstance(value, str):
        return None
    try:
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=datetime.UTC)


def is_failure(entry: Mapping[str, Any]) -> bool:
    """Whether the entry records an action that did not happen (failed, refused)."""
    return entry.get("result") in FAILED_RESULTS


def search_text(entry: Mapping[str, Any]) -> str:
    """What the text filter searches: every value of the entry, case-folded."""
    return "\n".join(_text(value) for value in entry.values()).casefold()


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _choice(value: str | Collection[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset((value,)) if isinstance(value, str) else frozenset(value)


def _aware(when: datetime.datetime | None) -> datetime.datetime | None:
    # A naive time is what a person typed: local time.
    return when.astimezone() if when is not None and when.tzinfo is None else when


def filter_entries(
    entries: Iterable[dict[str, Any]],
    text: str = "",
    action: str | Collection[str] | None = None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    result: str | Collection[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """The entries that match, lazily and in the order given.

    ``text``: every word of it appears, ignoring case, in some value of the entry (key,
    bucket, account, user, error, path, version id, ...). ``action``, ``result``: one value
    or a collection of accepted values. ``since`` <= time < ``until``; naive datetimes are
    local time; entries without a readable time are left out when either is given."""
    words = text.casefold().split()
    actions, results = _choice(action), _choice(result)
    start, end = _aware(since), _aware(until)
    for entry in entries:
        if actions is not None and entry.get("action") not in actions:
            continue
        if results is not None and entry.get("result") not in results:
            continue
        if start is not None or end is not None:
            when = entry_time(entry)
            if when is None or (start is not None and when < start):
                continue
            if end is not None and when >= end:
                continue
        if words:
            haystack = search_text(entry)
            if not all(word in haystack for word in words):
                continue
        yield entry


def csv_cell(value: Any) -> str:
    """One value as a CSV cell that a spreadsheet shows as text, never runs as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab, a line break (or the full-width
    ``=+-@``) gets a leading apostrophe (``'=cmd``), which spreadsheets read as "this is
    text" (OWASP's advice against CSV injection); numbers are written as numbers. Commas,
    quotes and line breaks are left to the CSV quoting (every cell is quoted)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = _text(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def csv_row(entry: Mapping[str, Any]) -> list[str]:
    """The cells of ``entry`` under CSV_COLUMNS. ``checksum`` falls back to the entry's ETag
    (written ``etag:...``) when it has no checksum of its own (downloads record the ETag)."""
    row = []
    for column in CSV_COLUMNS:
        value = entry.get(column)
        if column == "checksum" and value is None and entry.get("etag"):
            value = f"etag:{entry['etag']}"
        row.append(csv_cell(value))
    return row


def export_csv(entries: Iterable[Mapping[str, Any]], file: str | os.PathLike[str] | TextIO) -> int:
    """Write ``entries`` as CSV (RFC 4180: a header row of CSV_COLUMNS, every cell quoted,
    CRLF line ends) to ``file``: a path, written as UTF-8 with a byte order mark so that
    spreadsheets read accents right, or an open text file (opened with ``newline=""``).
    Returns the number of entries written. See csv_cell for how formulas are neutralised;
    the JSON log keeps the values exactly."""
    if isinstance(file, (str, os.PathLike)):
        with open(file, "w", encoding="utf-8-sig", newline="") as f:
            return _write_csv(entries, f)
    return _write_csv(entries, file)


def _write_csv(entries: Iterable[Mapping[str, Any]], f: TextIO) -> int:
    writer = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry in entries:
        writer.writerow(csv_row(entry))
        count += 1
    return count
