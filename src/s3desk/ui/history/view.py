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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QLocale,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
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

from s3desk.core.compliance.audit import AuditLog, export_csv
from s3desk.core.compliance.daily_totals import daily_totals, first_moment
from s3desk.ui.common.columns import ColumnFitter
from s3desk.ui.history.chart import DailyChart
from s3desk.ui.history.model import (
    KNOWN_ACTIONS,
    HistoryModel,
    Signature,
    load_rows,
    log_signature,
)
from s3desk.ui.transfers.progress_delegate import ElideRightDelegate

CHART_DAYS = 14


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
        # The last day the chart shows; tests replace it.
        self.today: Callable[[], datetime.date] = datetime.date.today
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
            "upload-renamed": self.tr("upload renamed"),
            "create-folder": self.tr("new folder"),
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
            "interrupted": self.tr("interrupted"),
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

        self.chart = DailyChart()  # the entries shown: it follows the filters
        layout.addWidget(self.chart)

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
        table.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move in it
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
        m = HistoryModel
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
        # Short fields whole where there is room (an account's name, an action's label);
        # the bucket and key, cut in the middle, and the details give way.
        short = (m.TIME, m.ACTION, m.RESULT, m.ACCOUNT, m.SIZE, m.USER)
        self.column_fitter = ColumnFitter(table, short, share=0.2)
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
            rows, actions, signature = await loop.run_in_executor(None, load_rows, audit, labels)
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
        self._update_chart()

    def _update_chart(self) -> None:
        last = self.today()
        first = last - datetime.timedelta(days=CHART_DAYS - 1)
        recent = self.model.shown_since(first_moment(first).timestamp())
        self.chart.set_totals(daily_totals(recent, last, CHART_DAYS))

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
