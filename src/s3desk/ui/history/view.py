"""The History tab: the audit log (uploads, downloads, deletes, share links, ...), newest
first, with a text filter, an action filter and CSV export.

The log can hold hundreds of thousands of entries across its rotated files: reading and
preparing them runs in the executor of the qasync loop, and so does writing the CSV; the UI
thread only swaps the prepared rows into the model. Filtering works on a search text made
per entry while loading, so it is a substring test per row, quick enough on every keystroke.
"""

from __future__ import annotations

import asyncio
import datetime
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from s3desk.core.audit import AuditLog, entry_time, export_csv, is_failure, search_text
from s3desk.ui.common.units import human_size
from s3desk.ui.transfers.progress_delegate import ElideRightDelegate

Index = QModelIndex | QPersistentModelIndex
EntryRole = Qt.ItemDataRole.UserRole + 1
FAILED_COLOUR = QColor("#b3261e")  # as failed transfers
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

# The actions s3desk writes, in the order the action filter lists them; others found in the
# log are listed after them under their own names.
KNOWN_ACTIONS = (
    "upload", "download", "delete", "delete-version", "restore-version", "share-link",
    "abort-upload", "upload-abort",
)  # fmt: skip

# Files of the log as (name, size, mtime): a different answer means there is more to show.
Signature = tuple[tuple[str, int, int], ...]


class HistoryRow:
    """One entry, with what the table needs prepared off the UI thread."""

    __slots__ = ("entry", "failed", "haystack", "timestamp")

    def __init__(self, entry: dict[str, Any], timestamp: float, haystack: str) -> None:
        self.entry = entry
        self.timestamp = timestamp  # for sorting; -inf without a readable time
        self.haystack = haystack
        self.failed = is_failure(entry)


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


def _load(
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
        self._failed_brush = QBrush(FAILED_COLOUR)
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
            QModelIndex() if moved.get(i.row()) is None else self.index(moved[i.row()], i.column())
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
        return {
            old: (places.get(identity) or [None]).pop(0)
            for old, identity in sorted(identities.items())
        }

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
            return self._failed_brush if row.failed else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row.entry)
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
            bucket, key = entry.get("bucket"), entry.get("key")
            if bucket and key is not None:
                return f"{bucket}/{key}"
            return str(bucket or key or "")
        if column == self.SIZE:
            size = entry.get("size")
            return human_size(size) if isinstance(size, int) and size >= 0 else ""
        if column == self.USER:
            return str(entry.get("user", ""))
        if column == self.DETAILS:  # why it failed or was refused, without hovering
            return str(entry.get("error", ""))
        return ""

    def _tooltip(self, entry: Mapping[str, Any]) -> str:
        # Every field as written, the error first: the table shows only some of them.
        first = ("error", "key", "version_id", "time")
        keys = [k for k in first if k in entry] + [k for k in entry if k not in first]
        return "\n".join(f"{self._field_names.get(k, k)}: {entry[k]}" for k in keys)


class HistoryView(QWidget):
    # The log was read: the number of entries in it (before filtering).
    loaded = Signal(int)
    # Reading the log failed: what went wrong.
    loadFailed = Signal(str)
    # The rows shown were written as CSV: (path, number of entries).
    exported = Signal(str, int)
    exportFailed = Signal(str)

    def __init__(self, audit: AuditLog | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.audit = audit if audit is not None else AuditLog()
        # Asks where to write the CSV ("" to give up); tests replace it.
        self.choose_export_path: Callable[[], str] = self._ask_export_path
        self._generation = 0
        self._task: asyncio.Future[None] | None = None
        self._export_task: asyncio.Future[None] | None = None
        self._signature: Signature | None = None
        self._action_groups: dict[str, tuple[str, ...]] = {}
        self.model = HistoryModel(self)
        self.model.labels = self._labels()
        self._build()

    def _labels(self) -> dict[str, str]:
        return {
            "upload": self.tr("upload"),
            "download": self.tr("download"),
            "delete": self.tr("delete"),
            "delete-version": self.tr("delete version"),
            "restore-version": self.tr("restore version"),
            "share-link": self.tr("share link"),
            "abort-upload": self.tr("abort upload"),
            "upload-abort": self.tr("upload aborted (service)"),
            "upload-start": self.tr("upload queued"),
            "account-added": self.tr("account added"),
            "account-changed": self.tr("account changed"),
            "account-removed": self.tr("account removed"),
            "ok": self.tr("ok"),
            "queued": self.tr("queued"),
            "refused": self.tr("refused"),
            "cancelled": self.tr("cancelled"),
            "failed": self.tr("failed"),
            "rejected": self.tr("rejected"),
            "abandoned": self.tr("abandoned"),
        }

    # ------------------------------------------------------------------ construction

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter: key, bucket, account, user, error…"))
        self.filter_edit.setAccessibleName(self.tr("Filter the history"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._apply_filter)
        bar.addWidget(self.filter_edit, 1)
        self.action_box = QComboBox()
        self.action_box.setAccessibleName(self.tr("Show only this action"))
        self.action_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._fill_action_box(set())
        self.action_box.currentIndexChanged.connect(self._apply_filter)
        bar.addWidget(self.action_box)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Read the log again (F5)"))
        self.refresh_button.clicked.connect(self.reload)
        bar.addWidget(self.refresh_button)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.setToolTip(self.tr("Save the entries shown as a CSV file"))
        self.export_button.clicked.connect(self.export_shown)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)

        self.table = self._build_table()
        layout.addWidget(self.table, 1)

        footer = QHBoxLayout()
        self.status_label = QLabel()
        self.status_label.setObjectName("historyStatus")
        footer.addWidget(self.status_label)
        self.message_label = QLabel()
        self.message_label.setObjectName("historyMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        footer.addWidget(self.message_label, 1)
        layout.addLayout(footer)

        refresh = QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.reload)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._update_status()

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setAccessibleName(self.tr("Audit log entries, newest first"))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        table.verticalHeader().setVisible(False)
        # Fixed row heights: a 100,000-row table never measures its rows.
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(24)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(HistoryModel.DETAILS, QHeaderView.ResizeMode.Stretch)
        widths = (
            (HistoryModel.TIME, 150),
            (HistoryModel.ACTION, 120),
            (HistoryModel.RESULT, 80),
            (HistoryModel.ACCOUNT, 120),
            (HistoryModel.LOCATION, 300),
            (HistoryModel.SIZE, 80),
            (HistoryModel.USER, 90),
        )
        for column, width in widths:
            table.setColumnWidth(column, width)
        table.setItemDelegateForColumn(HistoryModel.DETAILS, ElideRightDelegate(table))
        return table

    def _fill_action_box(self, found: set[str]) -> None:
        """All actions, then the known ones, then any other found in the log; actions shown
        under the same name are one choice."""
        chosen = self.action_box.currentData()
        labels = self.model.labels
        groups: dict[str, list[str]] = {}
        for action in [*KNOWN_ACTIONS, *sorted(found - set(KNOWN_ACTIONS))]:
            groups.setdefault(labels.get(action, action), []).append(action)
        self.action_box.blockSignals(True)
        try:
            self.action_box.clear()
            self.action_box.addItem(self.tr("All actions"), None)
            self._action_groups = {actions[0]: tuple(actions) for actions in groups.values()}
            for label, actions in groups.items():
                self.action_box.addItem(label, actions[0])  # the key of its group
            index = self.action_box.findData(chosen) if chosen is not None else 0
            self.action_box.setCurrentIndex(max(index, 0))
        finally:
            self.action_box.blockSignals(False)

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Read the log again, off the UI thread; ``loaded`` tells when the rows are in."""
        self._generation += 1
        if self._task is not None and not self._task.done():
            self._task.cancel()  # its result would be dropped anyway
        self.status_label.setText(self.tr("Reading the log…"))
        self._task = asyncio.ensure_future(self._load(self._generation))

    async def _load(self, generation: int) -> None:
        audit, labels = self.audit, dict(self.model.labels)  # the worker gets no widget
        loop = asyncio.get_running_loop()
        try:
            rows, actions, signature = await loop.run_in_executor(None, _load, audit, labels)
        except Exception as exc:
            if generation == self._generation and shiboken6.isValid(self):
                message = self.tr("The log could not be read: {error}").format(error=exc)
                self.message_label.setText(message)
                self._update_status()
                self.loadFailed.emit(message)
            return
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self._signature = signature
        self.model.set_rows(rows)
        self._fill_action_box(actions)
        self._apply_filter()
        self._update_status()
        self.loaded.emit(len(rows))

    def showEvent(self, event: QShowEvent) -> None:
        """Shown (the tab opened): read the log if it changed since the last reading."""
        super().showEvent(event)
        loading = self._task is not None and not self._task.done()
        if not loading and (
            self._signature is None or self._signature != log_signature(self.audit)
        ):
            self.reload()

    # ------------------------------------------------------------------ filtering

    def _apply_filter(self) -> None:
        self.model.set_filter(self.filter_edit.text(), self.chosen_actions())
        self._update_status()

    def chosen_actions(self) -> tuple[str, ...] | None:
        """The actions the action filter lets through; None for all."""
        key = self.action_box.currentData()
        return None if key is None else self._action_groups.get(key, (key,))

    def _update_status(self) -> None:
        total, shown = self.model.total_count(), self.model.rowCount()
        if shown == total:
            text = self.tr("Entries: %Ln", "", total)
        else:
            locale = QLocale()
            text = self.tr("Shown: {shown} of {total}").format(
                shown=locale.toString(shown), total=locale.toString(total)
            )
        self.status_label.setText(text)
        self.export_button.setEnabled(shown > 0)

    # ------------------------------------------------------------------ export

    def _ask_export_path(self) -> str:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = f"s3desk-history-{datetime.date.today():%Y-%m-%d}.csv"
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the history as CSV"),
            os.path.join(folder, name) if folder else name,
            self.tr("CSV files (*.csv);;All files (*)"),
        )
        if path and not Path(path).suffix:
            path += ".csv"
        return path

    def export_shown(self) -> None:
        """Write the entries shown (filtered, newest first) as CSV where the user chooses."""
        path = self.choose_export_path()
        if not path:
            return
        entries = self.model.shown_entries()  # a snapshot: the worker never reads the model
        self.export_button.setEnabled(False)
        self.message_label.setText(self.tr("Exporting…"))
        self._export_task = asyncio.ensure_future(self._export(entries, path))

    async def _export(self, entries: list[dict[str, Any]], path: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            count = await loop.run_in_executor(None, export_csv, entries, path)
        except Exception as exc:  # any failure must end "Exporting…", not leave it shown
            if shiboken6.isValid(self):
                reason = getattr(exc, "strerror", None) or str(exc)
                message = self.tr("Could not export to {path}: {reason}").format(
                    path=path, reason=reason
                )
                self.message_label.setText(message)
                self._update_status()
                self.exportFailed.emit(message)
            return
        if not shiboken6.isValid(self):
            return
        self.message_label.setText(
            self.tr("Saved {path} (entries: %Ln)", "", count).format(path=path)
        )
        self._update_status()
        self.exported.emit(path, count)
