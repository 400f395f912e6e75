"""The bucket browser: buckets and prefixes as folders, listed page by page off the UI thread.

The first page shows as soon as it arrives; the rest stream in behind it while the user can
already scroll, sort and filter. Every request runs in the executor of the qasync loop; the
UI thread only ever adds a page to the model.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from s3desk.core.browse import Entry, list_page
from s3desk.core.buckets import list_bucket_names
from s3desk.core.errors import describe_error
from s3desk.ui.browser_model import BrowserModel

ClientProvider = Callable[[], Any]


class BrowserView(QWidget):
    # Emitted when the first page of a folder is in the model (rows can be painted).
    firstPageShown = Signal(int)
    # Emitted when the whole folder is loaded, with the number of entries.
    listingDone = Signal(int)
    listingFailed = Signal(str)
    # The folder shown changed: (bucket, prefix); the window uploads drops there.
    locationChanged = Signal(str, str)

    def __init__(self, client: ClientProvider | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self.bucket = ""
        self.prefix = ""
        self._history: list[tuple[str, str]] = []
        self._task: asyncio.Future[None] | None = None
        self._generation = 0
        self.model = BrowserModel(self)
        self._build()

    def set_client(self, client: ClientProvider | None) -> None:
        """Another account: start again from its list of buckets."""
        self._client = client
        self._history.clear()
        self.bucket, self.prefix = "", ""
        self.model.clear()

    # ------------------------------------------------------------------ construction

    def _build(self) -> None:
        icon = self.style().standardIcon
        sp = QStyle.StandardPixmap
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.back_button = self._tool(icon(sp.SP_ArrowBack), self.tr("Back"), self.back)
        self.up_button = self._tool(icon(sp.SP_ArrowUp), self.tr("Up one folder"), self.up)
        self.refresh_button = self._tool(
            icon(sp.SP_BrowserReload), self.tr("Refresh (F5)"), self.refresh
        )
        for button in (self.back_button, self.up_button, self.refresh_button):
            bar.addWidget(button)
        self.location_label = QLabel()
        self.location_label.setObjectName("browserLocation")
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar.addWidget(self.location_label, 1)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter this folder"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMaximumWidth(260)
        self.filter_edit.textChanged.connect(self.model.set_filter)
        bar.addWidget(self.filter_edit)
        layout.addLayout(bar)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(
            BrowserModel.NAME, Qt.SortOrder.AscendingOrder
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(BrowserModel.NAME, QHeaderView.ResizeMode.Stretch)
        widths = (
            (BrowserModel.SIZE, 90),
            (BrowserModel.MODIFIED, 140),
            (BrowserModel.STORAGE_CLASS, 120),
        )
        for column, width in widths:
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self._open)
        layout.addWidget(self.table, 1)

        self.status_label = QLabel()
        self.status_label.setObjectName("browserStatus")
        layout.addWidget(self.status_label)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refresh)
        QShortcut(QKeySequence("Backspace"), self.table, self.up)
        self._update_buttons()

    def _tool(self, icon: Any, tip: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    # ------------------------------------------------------------------ navigation

    def open_location(self, bucket: str, prefix: str = "") -> None:
        """Show ``bucket``/``prefix`` ("" bucket: the list of buckets)."""
        if (bucket, prefix) != (self.bucket, self.prefix):
            self._history.append((self.bucket, self.prefix))
        self._show(bucket, prefix)

    def back(self) -> None:
        if self._history:
            self._show(*self._history.pop())

    def up(self) -> None:
        if self.prefix:
            parent = self.prefix.rstrip("/").rpartition("/")[0]
            self.open_location(self.bucket, parent + "/" if parent else "")
        elif self.bucket:
            self.open_location("", "")

    def refresh(self) -> None:
        self._show(self.bucket, self.prefix)

    def _open(self, index: QModelIndex) -> None:
        entry = self.model.entry_at(index.row())
        if not entry.is_folder:
            return
        if not self.bucket:
            self.open_location(entry.name, "")
        else:
            self.open_location(self.bucket, entry.key)

    def _show(self, bucket: str, prefix: str) -> None:
        self.bucket, self.prefix = bucket, prefix
        self._generation += 1
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self.model.clear()
        self.filter_edit.clear()
        where = f"s3://{bucket}/{prefix}" if bucket else self.tr("Buckets")
        self.location_label.setText(where)
        self._update_buttons()
        self.locationChanged.emit(bucket, prefix)
        if self._client is None:
            self.status_label.setText(self.tr("No storage is set up."))
            return
        self.status_label.setText(self.tr("Loading…"))
        self._task = asyncio.ensure_future(self._load(self._generation, bucket, prefix))

    def _update_buttons(self) -> None:
        self.back_button.setEnabled(bool(self._history))
        self.up_button.setEnabled(bool(self.bucket))

    # ------------------------------------------------------------------ loading

    async def _load(self, generation: int, bucket: str, prefix: str) -> None:
        assert self._client is not None
        loop = asyncio.get_running_loop()
        client = await loop.run_in_executor(None, self._client)
        started = time.monotonic()
        token: str | None = None
        first = True
        try:
            while True:
                if not bucket:
                    names = await loop.run_in_executor(None, list_bucket_names, client)
                    entries = [Entry(key=n, name=n, is_folder=True) for n in names]
                    token = None
                else:
                    page = await loop.run_in_executor(
                        None, lambda t=token: list_page(client, bucket, prefix, token=t)
                    )
                    entries, token = page.entries, page.next_token
                if generation != self._generation or not shiboken6.isValid(self):
                    return  # another folder was opened meanwhile
                self.model.add_page(entries)
                if first:
                    first = False
                    self.firstPageShown.emit(self.model.loaded_count())
                if token is None:
                    break
                self.status_label.setText(
                    self.tr("Loading… %n entries so far", "", self.model.loaded_count())
                )
        except Exception as exc:
            if generation == self._generation and shiboken6.isValid(self):
                message = describe_error(exc, bucket)
                self.status_label.setText(message)
                self.listingFailed.emit(message)
            return
        count = self.model.loaded_count()
        seconds = time.monotonic() - started
        self.status_label.setText(
            self.tr("%n entries", "", count) + self.tr(", listed in ") + f"{seconds:.1f} s"
        )
        self.listingDone.emit(count)
