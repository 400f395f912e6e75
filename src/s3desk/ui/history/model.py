"""The History tab's rows: the audit log's entries prepared off the UI thread (a search
text per entry, so that filtering is a substring test per row), and the model that shows
them newest first, filtered by text and action."""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from s3desk.core.compliance.audit import AuditLog, entry_time, is_failure, search_text
from s3desk.ui.common.theme import state_colour
from s3desk.ui.common.units import human_size

Index = QModelIndex | QPersistentModelIndex
EntryRole = Qt.ItemDataRole.UserRole + 1
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

# The actions s3desk writes, in the order the action filter lists them; others found in the
# log are listed after them under their own names.
KNOWN_ACTIONS = (
    "upload", "download", "delete", "delete-version", "restore-version", "share-link",
    "create-folder", "abort-upload", "upload-abort",
)  # fmt: skip

# Files of the log as (name, size, mtime): a different answer means there is more to show.
Signature = tuple[tuple[str, int, int], ...]


class HistoryRow:
    """One entry, with what the table needs prepared off the UI thread."""

    __slots__ = ("entry", "failed", "haystack", "renamed_from", "stored_key", "timestamp")

    def __init__(self, entry: dict[str, Any], timestamp: float, haystack: str) -> None:
        self.entry = entry
        self.timestamp = timestamp  # for sorting; -inf without a readable time
        self.haystack = haystack
        self.failed = is_failure(entry)
        # For an upload stored under another key than the one asked for (keep both): the
        # key it is stored under and the one asked for, on every entry of that upload.
        self.stored_key: str = str(entry.get("key", ""))
        self.renamed_from: str = str(entry.get("renamed_from") or "")


class _Upload:
    """The entries of one upload, from "queued" to its outcome, and its keys."""

    __slots__ = ("asked", "key", "rows")

    def __init__(self, asked: str, row: HistoryRow) -> None:
        self.asked = self.key = asked
        self.rows = [row]


def link_uploads(rows: Iterable[HistoryRow]) -> None:
    """Give every entry of an upload that was stored under another key (keep both, or a
    service that chose the name) that key and the one asked for. ``rows`` oldest first.

    An upload writes "upload-start" with the key asked for, "upload-renamed" when another
    key is chosen, then "upload" with its outcome ("interrupted" when quitting stopped it:
    it goes on at the next start). Entries are tied to an upload by account, local file and
    key, the earliest upload waiting first; older logs without "upload-renamed" simply show
    each entry's own key."""
    waiting: dict[tuple[Any, Any, str], deque[_Upload]] = {}
    renamed: list[_Upload] = []

    def take(account: Any, path: Any, key: str) -> _Upload | None:
        queue = waiting.get((account, path, key))
        return queue.popleft() if queue else None

    for row in rows:
        entry = row.entry
        action, key = entry.get("action"), str(entry.get("key", ""))
        account, path = entry.get("account"), entry.get("path")
        if action == "upload-start":
            waiting.setdefault((account, path, key), deque()).append(_Upload(key, row))
        elif action == "upload-renamed":
            asked = str(entry.get("renamed_from") or "")
            upload = take(account, path, asked)
            if upload is None:  # its start is in a file archived away
                upload = _Upload(asked, row)
            else:
                upload.rows.append(row)
            upload.key = key
            renamed.append(upload)
            waiting.setdefault((account, path, key), deque()).append(upload)
        elif action == "upload":
            upload = take(account, path, key)
            if upload is None:
                continue
            upload.rows.append(row)
            if entry.get("result") == "interrupted":  # goes on at the next start
                waiting.setdefault((account, path, key), deque()).appendleft(upload)
    for upload in renamed:
        for row in upload.rows:
            row.stored_key, row.renamed_from = upload.key, upload.asked
            row.haystack += "\n" + upload.key.casefold()


def prepare_rows(
    entries: Iterable[dict[str, Any]], labels: Mapping[str, str] | None = None
) -> list[HistoryRow]:
    """``entries`` (oldest first, as the log holds them) as rows, newest first. ``labels``
    (action and result names as shown) are searched too. Runs in a worker: no Qt here."""
    labels = labels or {}
    rows = []
    for entry in entries:
        when = entry_time(entry)
        haystack = search_text(entry)
        extra = [labels.get(str(entry.get(k)), "") for k in ("action", "result")]
        if any(extra):
            haystack += "\n" + "\n".join(extra).casefold()
        rows.append(HistoryRow(entry, when.timestamp() if when else float("-inf"), haystack))
    link_uploads(rows)
    # Newest first; entries written in the same millisecond keep the log's order, reversed.
    rows.reverse()
    rows.sort(key=lambda row: row.timestamp, reverse=True)
    return rows


def log_signature(audit: AuditLog) -> Signature:
    state = []
    for path in audit.files():
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        state.append((path.name, st.st_size, st.st_mtime_ns))
    return tuple(state)


def load_rows(
    audit: AuditLog, labels: Mapping[str, str]
) -> tuple[list[HistoryRow], set[str], Signature]:
    """The rows, the actions found and the files' state: all the UI thread needs."""
    signature = log_signature(audit)  # before reading: a change while reading shows next time
    rows = prepare_rows(audit.entries(), labels)
    actions = {str(row.entry.get("action", "")) for row in rows} - {""}
    return rows, actions, signature


def _identity(row: HistoryRow) -> tuple[float, str]:
    """What tells an entry from another across readings of the log: its time and every
    value it holds."""
    return row.timestamp, row.haystack


class HistoryModel(QAbstractTableModel):
    TIME, ACTION, RESULT, ACCOUNT, LOCATION, SIZE, USER, DETAILS = range(8)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[HistoryRow] = []
        self._shown: list[HistoryRow] = []
        self._words: list[str] = []
        self._actions: frozenset[str] | None = None
        self.labels: dict[str, str] = {}  # action and result names as shown
        self._headers = (
            self.tr("Time"), self.tr("Action"), self.tr("Result"), self.tr("Account"),
            self.tr("Bucket/key"), self.tr("Size"), self.tr("User"), self.tr("Details"),
        )  # fmt: skip
        # Names of fields in tooltips; other fields show under their own names.
        self._field_names = {
            "error": self.tr("Error"),
            "key": self.tr("Key"),
            "version_id": self.tr("Version"),
            "time": self.tr("Time (UTC)"),
            "user": self.tr("User"),
            "action": self.tr("Action"),
            "account": self.tr("Account"),
            "bucket": self.tr("Bucket"),
            "size": self.tr("Size (bytes)"),
            "checksum": self.tr("Checksum"),
            "etag": self.tr("ETag"),
            "path": self.tr("Local file"),
            "result": self.tr("Result"),
            "expires_in": self.tr("Link valid for (seconds)"),
            "upload_id": self.tr("Upload id"),
            "renamed_from": self.tr("Renamed from"),
            "note": self.tr("Note"),
            "resumes": self.tr("Goes on at the next start"),
        }

    # -- feeding and filtering ---------------------------------------------------------

    def set_rows(self, rows: list[HistoryRow]) -> None:
        def replace() -> None:
            self._all = rows
            self._shown = self._matching()

        self._relayout(replace)

    def set_filter(self, text: str, actions: Iterable[str] | None) -> None:
        """Show the rows whose search text holds every word of ``text`` and, unless
        ``actions`` is None, whose action is one of ``actions``."""
        words = text.casefold().split()
        chosen = None if actions is None else frozenset(actions)
        if words == self._words and chosen == self._actions:
            return

        def refilter() -> None:
            self._words, self._actions = words, chosen
            self._shown = self._matching()

        self._relayout(refilter)

    def _relayout(self, change: Callable[[], None]) -> None:
        """Run ``change`` (new rows, or another filter) and keep every persistent index,
        and so the selection, on the same entry: reading the log again puts new entries
        above the one selected."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        identities = {row: _identity(self._shown[row]) for row in {i.row() for i in old}}
        change()
        moved = self._rows_now(identities) if identities else {}
        new = [
            QModelIndex() if (row := moved.get(i.row())) is None else self.index(row, i.column())
            for i in old
        ]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _rows_now(self, identities: dict[int, tuple[float, str]]) -> dict[int, int | None]:
        """Where each row of ``identities`` (old row -> entry) is shown now; identical
        entries keep their order."""
        wanted = set(identities.values())
        places: dict[tuple[float, str], list[int]] = {}
        for row, item in enumerate(self._shown):
            identity = _identity(item)
            if identity in wanted:
                places.setdefault(identity, []).append(row)

        def take(identity: tuple[float, str]) -> int | None:
            rows = places.get(identity)
            return rows.pop(0) if rows else None

        return {old: take(identity) for old, identity in sorted(identities.items())}

    def _matching(self) -> list[HistoryRow]:
        words, actions = self._words, self._actions
        if not words and actions is None:
            return self._all
        if actions is not None:
            rows = [row for row in self._all if row.entry.get("action") in actions]
        else:
            rows = self._all
        if len(words) == 1:
            word = words[0]
            return [row for row in rows if word in row.haystack]
        return [row for row in rows if all(word in row.haystack for word in words)]

    def total_count(self) -> int:
        return len(self._all)

    def all_rows(self) -> list[HistoryRow]:
        return self._all

    def shown_since(self, timestamp: float) -> Iterator[dict[str, Any]]:
        """The entries shown written at ``timestamp`` or later: the newest rows only, not
        the whole log (rows are newest first)."""
        for row in self._shown:
            if row.timestamp < timestamp:
                return
            yield row.entry

    def shown_entries(self) -> list[dict[str, Any]]:
        """The entries shown, in the order shown."""
        return [row.entry for row in self._shown]

    # -- Qt ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._shown[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, index.column())
        if role == Qt.ItemDataRole.ForegroundRole:
            # As failed transfers, in the appearance in effect when the row is painted.
            return QBrush(state_colour("failed")) if row.failed else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == self.SIZE:
            return int(_RIGHT)
        if role == EntryRole:
            return row.entry
        return None

    def _display(self, row: HistoryRow, column: int) -> str:
        entry = row.entry
        if column == self.TIME:
            if row.timestamp == float("-inf"):
                return str(entry.get("time", ""))
            local = datetime.datetime.fromtimestamp(row.timestamp).astimezone()
            return local.strftime("%Y-%m-%d %H:%M:%S")
        if column == self.ACTION:
            action = str(entry.get("action", ""))
            return self.labels.get(action, action)
        if column == self.RESULT:
            result = str(entry.get("result", ""))
            return self.labels.get(result, result)
        if column == self.ACCOUNT:
            return str(entry.get("account", ""))
        if column == self.LOCATION:
            bucket, key = entry.get("bucket"), row.stored_key if "key" in entry else None
            if bucket and key is not None:
                return f"{bucket}/{key}"
            return str(bucket or key or "")
        if column == self.SIZE:
            size = entry.get("size")
            return human_size(size) if isinstance(size, int) and size >= 0 else ""
        if column == self.USER:
            return str(entry.get("user", ""))
        if column == self.DETAILS:  # why it failed or was refused, without hovering
            return " — ".join(self._details(row))
        return ""

    def _details(self, row: HistoryRow) -> list[str]:
        entry, details = row.entry, []
        if entry.get("error"):
            details.append(str(entry["error"]))
        if entry.get("result") == "interrupted":
            if entry.get("resumes"):
                details.append(self.tr("Stopped when s3desk quit; resumes at the next start"))
            else:
                details.append(self.tr("Stopped when s3desk quit"))
        if row.renamed_from and row.renamed_from != row.stored_key:
            details.append(self.tr("renamed from {key}").format(key=row.renamed_from))
        return details

    def _tooltip(self, row: HistoryRow) -> str:
        # Every field as written, the error first: the table shows only some of them.
        entry = row.entry
        first = ("error", "key", "version_id", "time")
        keys = [k for k in first if k in entry] + [k for k in entry if k not in first]
        lines = [f"{self._field_names.get(k, k)}: {entry[k]}" for k in keys]
        if row.stored_key != entry.get("key", row.stored_key):
            lines.insert(0, self.tr("Stored as: {key}").format(key=row.stored_key))
        return "\n".join(lines)
