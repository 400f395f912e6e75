"""The bucket browser: buckets and prefixes as folders, listed page by page off the UI thread.

The first page shows as soon as it arrives; the rest stream in behind it while the user can
already scroll, sort and filter. Every request runs in the executor of the qasync loop; the
UI thread only ever adds a page to the model. What can be done to the selection lives in
parts of its own (``deleting``, ``downloading``, ``share_link``, ``new_folder``,
``versions``), which the view's bar and ``actions`` (shortcuts, context menu) reach; the
info panel beside the list (``info_panel``) describes the selection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from s3desk.core.bucket.browse import Entry
from s3desk.core.bucket.incomplete_uploads import count_incomplete_uploads
from s3desk.core.compliance.audit import AuditLog
from s3desk.core.transfer.jobs import JobState, JobView
from s3desk.ui.browser.actions import BrowserActions
from s3desk.ui.browser.deleting import Deleting
from s3desk.ui.browser.downloading import Downloading
from s3desk.ui.browser.info_panel import InfoPanel
from s3desk.ui.browser.listing import ClientProvider, pages
from s3desk.ui.browser.model import BrowserModel
from s3desk.ui.browser.new_folder import NewFolder
from s3desk.ui.browser.share_link import ShareLinks
from s3desk.ui.browser.texts import plural
from s3desk.ui.browser.toolbar import BrowserBar
from s3desk.ui.browser.versions import VersionsPanel
from s3desk.ui.common.core_phrases import describe_error


class BrowserView(QWidget):
    # Emitted when the first page of a folder is in the model (rows can be painted).
    firstPageShown = Signal(int)
    # Emitted when the whole folder is loaded, with the number of entries.
    listingDone = Signal(int)
    listingFailed = Signal(str)
    # The folder shown changed: (bucket, prefix); the window uploads drops there.
    locationChanged = Signal(str, str)
    # The details of the selected object are shown (its key).
    detailsShown = Signal(str)
    # A share link was made and copied to the clipboard (the link).
    shareLinkMade = Signal(str)
    # A new folder was created (its key).
    folderCreated = Signal(str)
    # Something the user asked for failed; the message says what and why.
    actionFailed = Signal(str)
    # A delete ended (finished, cancelled or partly refused): the DeleteResult.
    deleteFinished = Signal(object)
    # The versions of the selected object are listed (how many).
    versionsShown = Signal(int)
    # An older version was made the current one again (the new version id).
    versionRestored = Signal(str)
    # The user chose what to download and where: (DownloadPlan, ConflictPolicy) for the
    # window to queue.
    downloadRequested = Signal(object, object)

    def __init__(self, client: ClientProvider | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.unavailable = self.tr("No storage is set up.")
        self.bucket = ""
        self.prefix = ""
        self._history: list[tuple[str, str]] = []
        self._task: asyncio.Future[None] | None = None
        self._actions: set[asyncio.Future[None]] = set()
        self._generation = 0
        # Keys selected before a refresh, selected again as their rows come back.
        self._reselect: set[str] = set()
        self._reselecting = False
        self._selected_keys: list[str] = []
        self._shown_once = False  # the first folder shown has nothing to go back to
        # What the message on the right is about, which says when it goes stale: "" (the
        # last action: kept until the next one or another folder), "selection" (the object
        # selected then) or "download" (a download under way).
        self._message_about = ""
        self._uploads_seen: set[int] = set()  # finished uploads the listing has taken in
        self.account = ""  # named in the audit log
        self.audit = AuditLog()
        self.model = BrowserModel(self)
        self.deleting = Deleting(self)
        self.downloading = Downloading(self)
        self.share_links = ShareLinks(self)
        self.new_folder = NewFolder(self)
        self.incomplete_dialog: QDialog | None = None
        self._build()

    def set_client(self, client: ClientProvider | None, unavailable: str = "") -> None:
        """Another account: start again from its list of buckets. Without a client,
        ``unavailable`` says why there is nothing to browse."""
        self.client = client
        self.info_panel.client = client
        self.unavailable = unavailable or self.tr("No storage is set up.")
        self._history.clear()
        self._shown_once = False
        self._uploads_seen.clear()  # another queue: its jobs are numbered afresh
        self.downloading.forget_ended()
        self.bucket, self.prefix = "", ""
        self.model.clear()

    # ------------------------------------------------------------------ construction

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = BrowserBar()
        self._connect_bar(self.bar)
        layout.addWidget(self.bar)

        # The list, and the details of its selection beside it.
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.table = self._build_table()
        self.splitter.addWidget(self.table)
        self.info_panel = InfoPanel()
        self.info_panel.client = self.client
        self.info_panel.detailsShown.connect(self.detailsShown)
        self.info_panel.pathCopied.connect(
            lambda path: self.say(self.tr("Copied {path}").format(path=path), "selection")
        )
        self.splitter.addWidget(self.info_panel)
        self.splitter.setStretchFactor(0, 1)  # a wider window widens the list
        self.splitter.setStretchFactor(1, 0)
        layout.addWidget(self.splitter, 1)
        self.versions_box = VersionsPanel(self)
        layout.addWidget(self.versions_box)

        # The listing's state on the left; what the last action did on the right, kept
        # until the next action (a refresh after a delete must not wipe its summary).
        footer = QHBoxLayout()
        self.status_label = QLabel()
        self.status_label.setObjectName("browserStatus")
        footer.addWidget(self.status_label)
        self.message_label = QLabel()
        self.message_label.setObjectName("browserMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        footer.addWidget(self.message_label, 1)
        layout.addLayout(footer)
        QShortcut(QKeySequence("Alt+Left"), self, self.back)
        QShortcut(QKeySequence("Backspace"), self.table, self.up)
        self.commands = BrowserActions(self)
        # Checkable, Ctrl+I: the window's View menu lists it.
        self.info_action = self.commands.info
        self.info_action.toggled.connect(self.show_info_panel)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self.commands.show_context_menu)
        self.update_buttons()

    def _connect_bar(self, bar: BrowserBar) -> None:
        bar.back_button.clicked.connect(self.back)
        bar.up_button.clicked.connect(self.up)
        bar.refresh_button.clicked.connect(self.refresh)
        bar.new_folder_button.clicked.connect(self.new_folder.ask_new_folder)
        bar.download_button.clicked.connect(self.downloading.download_selected)
        bar.share_button.clicked.connect(self.share_links.ask_share_link)
        bar.delete_button.clicked.connect(self.deleting.delete_selected)
        bar.stop_button.clicked.connect(self.deleting.stop_delete)
        bar.versions_button.clicked.connect(self._versions_toggled)
        bar.incomplete_button.clicked.connect(self.show_incomplete_uploads)
        bar.filter_edit.textChanged.connect(self.model.set_filter)

    def _build_table(self) -> QTableView:
        table = QTableView()
        self.table = table
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Objects in this folder"))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move in it
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(
            BrowserModel.NAME, Qt.SortOrder.AscendingOrder
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list for the info panel
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
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.layoutChanged.connect(self._layout_changed)
        return table

    # ------------------------------------------------------------------ navigation

    def open_location(self, bucket: str, prefix: str = "") -> None:
        """Show ``bucket``/``prefix`` ("" bucket: the list of buckets)."""
        if (bucket, prefix) != (self.bucket, self.prefix) and self._shown_once:
            self._history.append((self.bucket, self.prefix))
        self._show(bucket, prefix)

    def back(self) -> None:
        if self._history:
            self._show(*self._history.pop())

    def up(self) -> None:
        """To the folder above; the bucket's top level is as far up as it goes."""
        if self.prefix:
            parent = self.prefix.rstrip("/").rpartition("/")[0]
            self.open_location(self.bucket, parent + "/" if parent else "")

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

    def transfers_finished(self, jobs: list[JobView]) -> None:
        """The transfer queue ran dry (``jobs``: its rows): a download under way has ended,
        and uploads that landed in the folder shown are listed."""
        downloaded = self.downloading.ended(jobs)
        if self._message_about == "download":
            tip = self.message_label.toolTip()  # the names that could not be saved
            self.say(downloaded)
            self.message_label.setToolTip(tip)
        landed = False
        for job in jobs:
            if job.target or job.state is not JobState.DONE or job.id in self._uploads_seen:
                continue  # a download, unfinished, or already taken in
            self._uploads_seen.add(job.id)
            landed |= job.bucket == self.bucket and job.key.startswith(self.prefix)
        if landed and self.bucket:
            self._show(self.bucket, self.prefix, keep_filter=True)

    def _show(self, bucket: str, prefix: str, *, keep_filter: bool = False) -> None:
        moved = (bucket, prefix) != (self.bucket, self.prefix)  # not a refresh
        keep = set() if moved else {e.key for e in self.selected_entries()} | self._reselect
        self.bucket, self.prefix = bucket, prefix
        self._shown_once = True
        self._generation += 1
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self.model.clear()
        self._show_selection()  # the reset selects nothing and says nothing about it
        self._reselect = keep
        if not keep_filter:
            self.bar.filter_edit.clear()
        if moved:
            self.say("")
            self.bar.show_incomplete_count(0)  # until this folder's are counted
        self.bar.show_location(f"s3://{bucket}/{prefix}" if bucket else self.tr("Buckets"))
        self.update_buttons()
        self.locationChanged.emit(bucket, prefix)
        if self.client is None:
            self.status_label.setText(self.unavailable)
            return
        self.status_label.setText(self.tr("Loading…"))
        self._task = asyncio.ensure_future(self._load(self._generation, bucket, prefix))
        if bucket:
            self.keep(self._count_incomplete(self._generation, bucket, prefix))

    def update_buttons(self) -> None:
        bar, has_bucket, entries = self.bar, bool(self.bucket), bool(self.selected_entries())
        bar.back_button.setEnabled(bool(self._history))
        bar.up_button.setEnabled(bool(self.prefix))
        bar.new_folder_button.setEnabled(has_bucket)
        bar.incomplete_button.setEnabled(has_bucket and self.client is not None)
        bar.share_button.setEnabled(self.selected_object() is not None)
        bar.download_button.setEnabled(has_bucket and entries)
        bar.delete_button.setEnabled(has_bucket and entries and not self.deleting.busy)
        self.commands.update()

    # ------------------------------------------------------------------ selection

    def selected_entries(self) -> list[Entry]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.entry_at(row) for row in rows]

    def selected_object(self) -> Entry | None:
        """The one selected object (not folder), if exactly one is selected."""
        entries = self.selected_entries()
        if len(entries) == 1 and not entries[0].is_folder and self.bucket:
            return entries[0]
        return None

    def _select_again(self, page: list[Entry]) -> None:
        """A page of a refresh arrived: select again the entries of it that were selected
        before (an entry deleted meanwhile is simply not there)."""
        if not self._reselect or not any(e.key in self._reselect for e in page):
            return
        selection = self.table.selectionModel()
        chosen = QItemSelection()
        for row, entry in enumerate(self.model.entries()):
            if entry.key in self._reselect:
                self._reselect.discard(entry.key)
                chosen.select(self.model.index(row, 0), self.model.index(row, 0))
        self._reselecting = True
        try:
            flags = QItemSelectionModel.SelectionFlag
            selection.select(chosen, flags.Select | flags.Rows)
            if not selection.currentIndex().isValid():
                selection.setCurrentIndex(chosen.indexes()[0], flags.NoUpdate)
        finally:
            self._reselecting = False

    def _selection_changed(self) -> None:
        if not self._reselecting:
            self._reselect.clear()  # the person chose: nothing more comes back by itself
        if self._message_about == "selection":
            self.say("")
        self._show_selection()

    def _layout_changed(self) -> None:
        # A filter can drop selected entries without any selectionChanged.
        if [e.key for e in self.selected_entries()] != self._selected_keys:
            self._show_selection()

    def _show_selection(self) -> None:
        self._selected_keys = [e.key for e in self.selected_entries()]
        self.update_buttons()
        entry = self.selected_object()
        if self.info_panel.isVisibleTo(self):
            self.info_panel.show_selection(self.bucket, self.selected_entries())
        if entry is None:
            self.versions_box.setVisible(False)
        elif self.bar.versions_button.isChecked():
            self.keep(self.versions_box.show_versions(self.bucket, entry))

    # ------------------------------------------------------------------ incomplete uploads

    def show_incomplete_uploads(self) -> None:
        """The multipart uploads left unfinished in this bucket (below the folder shown)."""
        from s3desk.ui.browser.incomplete_uploads import IncompleteUploadsDialog

        if not self.bucket or self.client is None:
            return
        if self.incomplete_dialog is not None:
            self.incomplete_dialog.close()
        self.incomplete_dialog = IncompleteUploadsDialog(
            self.client, self.bucket, self.prefix, audit=self.audit, account=self.account,
            parent=self,
        )  # fmt: skip
        self.incomplete_dialog.listed.connect(self.bar.show_incomplete_count)
        self.incomplete_dialog.show()

    async def _count_incomplete(self, generation: int, bucket: str, prefix: str) -> None:
        assert self.client is not None
        client_of = self.client
        try:
            count = await asyncio.get_running_loop().run_in_executor(
                None, lambda: count_incomplete_uploads(client_of(), bucket, prefix)
            )
        except Exception:
            return  # listing them may be forbidden: the button stays away
        if shiboken6.isValid(self) and generation == self._generation:
            self.bar.show_incomplete_count(count)

    def show_info_panel(self, shown: bool) -> None:
        """Show or hide the info panel; shown, it describes the selection of now."""
        self.info_panel.setVisible(shown)
        if self.info_action.isChecked() != shown:
            self.info_action.setChecked(shown)
        if shown:
            self.info_panel.show_selection(self.bucket, self.selected_entries())
        else:
            self.info_panel.stop()

    def _versions_toggled(self) -> None:
        entry = self.selected_object()
        if not self.bar.versions_button.isChecked():
            self.versions_box.setVisible(False)
        elif entry is not None:
            self.keep(self.versions_box.show_versions(self.bucket, entry))

    # ------------------------------------------------------------------ actions

    def keep(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run ``coroutine`` on the loop, holding a reference until it is done."""
        task = asyncio.ensure_future(coroutine)
        self._actions.add(task)
        task.add_done_callback(self._actions.discard)

    def say(self, message: str, about: str = "") -> None:
        """Show what the last action did (``about``: when it goes stale, see
        ``_message_about``); "" clears it."""
        self.message_label.setText(message)
        self.message_label.setToolTip("")
        self._message_about = about

    def fail(self, message: str, about: str = "") -> None:
        """What the user asked for failed: say so, and tell whoever listens."""
        if shiboken6.isValid(self):
            self.say(message, about)
            self.actionFailed.emit(message)

    # ------------------------------------------------------------------ loading

    async def _load(self, generation: int, bucket: str, prefix: str) -> None:
        assert self.client is not None
        client = await asyncio.get_running_loop().run_in_executor(None, self.client)
        started = time.monotonic()
        first = True
        try:
            async for entries, more in pages(client, bucket, prefix):
                if generation != self._generation or not shiboken6.isValid(self):
                    return  # another folder was opened meanwhile
                self.model.add_page(entries)
                self._select_again(entries)
                if first:
                    first = False
                    self.firstPageShown.emit(self.model.loaded_count())
                if more:
                    self.status_label.setText(
                        self.tr("Loading… {n} so far").format(n=f"{self.model.loaded_count():,}")
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
            plural(
                count,
                self.tr("{n} entry, listed in {seconds} s"),
                self.tr("{n} entries, listed in {seconds} s"),
                seconds=f"{seconds:.1f}",
            )
        )
        self.listingDone.emit(count)
