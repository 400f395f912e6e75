"""The bucket browser: buckets and prefixes as folders, listed page by page off the UI thread.

The first page shows as soon as it arrives; the rest stream in behind it while the user can
already scroll, sort and filter. Every request runs in the executor of the qasync loop; the
UI thread only ever adds a page to the model.
"""

from __future__ import annotations

import asyncio
import html
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QStyle,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from s3desk.core.audit import AuditLog
from s3desk.core.browse import (
    MAX_PAGE_SIZE,
    SHARE_EXPIRY_CHOICES,
    Entry,
    ObjectDetails,
    create_folder,
    details,
    list_page,
    share_link,
)
from s3desk.core.buckets import list_bucket_names
from s3desk.core.deleting import (
    DeletePlan,
    DeleteResult,
    Version,
    delete,
    list_versions,
    plan_delete,
    restore_version,
)
from s3desk.core.download_plan import DownloadPlan, PlanCancelled, plan_download
from s3desk.core.jobs import ConflictPolicy
from s3desk.ui.browser.model import BrowserModel
from s3desk.ui.common.core_phrases import describe_error
from s3desk.ui.common.names import name_list
from s3desk.ui.common.questions import confirm
from s3desk.ui.common.units import human_duration, human_size

ClientProvider = Callable[[], Any]

# Entries asked for in a folder's first request: more than a window shows, few enough to
# come back and parse quickly; the following pages take the most S3 gives (1,000).
FIRST_PAGE = 200


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
        self._client = client
        self.unavailable = self.tr("No storage is set up.")
        self.bucket = ""
        self.prefix = ""
        self._history: list[tuple[str, str]] = []
        self._task: asyncio.Future[None] | None = None
        self._details_task: asyncio.Future[None] | None = None
        self._actions: set[asyncio.Future[None]] = set()
        self._deleting = False  # one delete at a time
        self._stop = threading.Event()  # read by the delete's worker thread
        self._generation = 0
        # Keys selected before a refresh, selected again as their rows come back.
        self._reselect: set[str] = set()
        self._reselecting = False
        self._selected_keys: list[str] = []
        self.account = ""  # named in the audit log
        self.download_folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DownloadLocation
        )
        self.audit = AuditLog()
        self.model = BrowserModel(self)
        self._build()

    def set_client(self, client: ClientProvider | None, unavailable: str = "") -> None:
        """Another account: start again from its list of buckets. Without a client,
        ``unavailable`` says why there is nothing to browse."""
        self._client = client
        self.unavailable = unavailable or self.tr("No storage is set up.")
        self._history.clear()
        self.bucket, self.prefix = "", ""
        self.model.clear()

    # ------------------------------------------------------------------ construction

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_bar())

        self.table = self._build_table()
        layout.addWidget(self.table, 1)

        self.details_label = QLabel()
        self.details_label.setObjectName("browserDetails")
        self.details_label.setWordWrap(True)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_label.setVisible(False)
        layout.addWidget(self.details_label)
        layout.addWidget(self._build_versions())

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
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refresh)
        QShortcut(QKeySequence("Backspace"), self.table, self.up)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table, self.delete_selected)
        QShortcut(QKeySequence("Ctrl+D"), self.table, self.download_selected)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self._update_buttons()

    def _build_bar(self) -> QHBoxLayout:
        icon = self.style().standardIcon
        sp = QStyle.StandardPixmap
        bar = QHBoxLayout()
        self.back_button = self._tool(icon(sp.SP_ArrowBack), self.tr("Back"), self.back)
        self.up_button = self._tool(icon(sp.SP_ArrowUp), self.tr("Up one folder"), self.up)
        self.refresh_button = self._tool(
            icon(sp.SP_BrowserReload), self.tr("Refresh (F5)"), self.refresh
        )
        self.new_folder_button = self._tool(
            icon(sp.SP_FileDialogNewFolder), self.tr("New folder…"), self.ask_new_folder
        )
        self.download_button = self._tool(
            icon(sp.SP_ArrowDown), self.tr("Download the selection… (Ctrl+D)"),
            self.download_selected,
        )  # fmt: skip
        self.share_button = self._tool(
            icon(sp.SP_DialogSaveButton), self.tr("Copy a share link…"), self.ask_share_link
        )
        self.delete_button = self._tool(
            icon(sp.SP_TrashIcon), self.tr("Delete the selection… (Delete)"), self.delete_selected
        )
        self.stop_button = self._tool(
            icon(sp.SP_BrowserStop), self.tr("Stop deleting"), self.stop_delete
        )
        self.stop_button.setVisible(False)
        self.versions_button = self._tool(
            icon(sp.SP_FileDialogDetailedView), self.tr("Show versions"), self._versions_toggled
        )
        self.versions_button.setCheckable(True)
        self.incomplete_button = self._tool(
            icon(sp.SP_MessageBoxWarning),
            self.tr("Incomplete uploads in this bucket (they take space and cost money)…"),
            self.show_incomplete_uploads,
        )
        self.incomplete_dialog: QDialog | None = None
        for button in (self.back_button, self.up_button, self.refresh_button):
            bar.addWidget(button)
        bar.addSpacing(8)
        bar.addWidget(self.new_folder_button)
        bar.addWidget(self.download_button)
        bar.addWidget(self.share_button)
        bar.addWidget(self.delete_button)
        bar.addWidget(self.stop_button)
        bar.addWidget(self.versions_button)
        bar.addWidget(self.incomplete_button)
        self.location_label = QLabel()
        self.location_label.setObjectName("browserLocation")
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar.addWidget(self.location_label, 1)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter this folder"))
        self.filter_edit.setAccessibleName(self.tr("Filter this folder"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMaximumWidth(260)
        self.filter_edit.textChanged.connect(self.model.set_filter)
        bar.addWidget(self.filter_edit)
        return bar

    def _build_versions(self) -> QWidget:
        """The selected object's versions, shown while "Show versions" is on."""
        self.versions_box = QWidget()
        box = QVBoxLayout(self.versions_box)
        box.setContentsMargins(0, 0, 0, 0)
        self.versions_table = QTableWidget(0, 4)
        self.versions_table.setHorizontalHeaderLabels(
            [self.tr("Version"), self.tr("Modified"), self.tr("Size"), ""]
        )
        self.versions_table.verticalHeader().setVisible(False)
        self.versions_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.versions_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.versions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.versions_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.versions_table.setMaximumHeight(160)
        self.versions_table.setWordWrap(False)
        self.versions_table.verticalHeader().setDefaultSectionSize(24)
        for column, width in ((1, 160), (2, 90), (3, 140)):
            self.versions_table.setColumnWidth(column, width)
        box.addWidget(self.versions_table)
        row = QHBoxLayout()
        row.addStretch(1)
        self.restore_button = QPushButton(self.tr("Restore this version"))
        self.restore_button.setToolTip(
            self.tr("Make the chosen version the current one again; the others stay")
        )
        self.restore_button.clicked.connect(self.restore_selected_version)
        row.addWidget(self.restore_button)
        box.addLayout(row)
        self.versions_box.setVisible(False)
        self._versions: list[Version] = []
        return self.versions_box

    def _build_table(self) -> QTableView:
        table = QTableView()
        self.table = table
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Objects in this folder"))
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
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.layoutChanged.connect(self._layout_changed)
        return table

    def _tool(self, icon: Any, tip: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon)
        button.setToolTip(tip)
        button.setAccessibleName(tip.partition(" (")[0].rstrip("…"))  # icon-only: what it does
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
        moved = (bucket, prefix) != (self.bucket, self.prefix)  # not a refresh
        keep = set() if moved else {e.key for e in self.selected_entries()} | self._reselect
        self.bucket, self.prefix = bucket, prefix
        self._generation += 1
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self.model.clear()
        self._reselect = keep
        self.filter_edit.clear()
        if moved:
            self.message_label.clear()
        where = f"s3://{bucket}/{prefix}" if bucket else self.tr("Buckets")
        self.location_label.setText(where)
        self._update_buttons()
        self.locationChanged.emit(bucket, prefix)
        if self._client is None:
            self.status_label.setText(self.unavailable)
            return
        self.status_label.setText(self.tr("Loading…"))
        self._task = asyncio.ensure_future(self._load(self._generation, bucket, prefix))

    def _update_buttons(self) -> None:
        self.back_button.setEnabled(bool(self._history))
        self.up_button.setEnabled(bool(self.bucket))
        self.new_folder_button.setEnabled(bool(self.bucket))
        self.incomplete_button.setEnabled(bool(self.bucket) and self._client is not None)
        self.share_button.setEnabled(self.selected_object() is not None)
        self.download_button.setEnabled(bool(self.bucket) and bool(self.selected_entries()))
        self.delete_button.setEnabled(
            bool(self.bucket) and bool(self.selected_entries()) and not self._deleting
        )

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
        self._show_selection()

    def _layout_changed(self) -> None:
        # A filter can drop selected entries without any selectionChanged.
        if [e.key for e in self.selected_entries()] != self._selected_keys:
            self._show_selection()

    def _show_selection(self) -> None:
        self._selected_keys = [e.key for e in self.selected_entries()]
        self._update_buttons()
        entry = self.selected_object()
        if entry is None:
            self.details_label.setVisible(False)
            self.versions_box.setVisible(False)
            return
        if self.versions_button.isChecked():
            self._keep(self._show_versions(self.bucket, entry))
        if self._details_task is not None and not self._details_task.done():
            self._details_task.cancel()
        self._details_task = asyncio.ensure_future(self._show_details(self.bucket, entry))

    async def _show_details(self, bucket: str, entry: Entry) -> None:
        assert self._client is not None
        loop = asyncio.get_running_loop()
        client_of = self._client
        try:
            info = await loop.run_in_executor(None, lambda: details(client_of(), bucket, entry.key))
        except Exception as exc:
            text = self.tr("Details not available: {error}").format(
                error=describe_error(exc, bucket, entry.key)
            )
        else:
            text = details_text(info)
        if not shiboken6.isValid(self) or self.selected_object() != entry:
            return
        self.details_label.setText(text)
        self.details_label.setVisible(True)
        self.detailsShown.emit(entry.key)

    # ------------------------------------------------------------------ incomplete uploads

    def show_incomplete_uploads(self) -> None:
        """The multipart uploads left unfinished in this bucket (below the folder shown)."""
        from s3desk.ui.browser.incomplete_uploads import IncompleteUploadsDialog

        if not self.bucket or self._client is None:
            return
        if self.incomplete_dialog is not None:
            self.incomplete_dialog.close()
        self.incomplete_dialog = IncompleteUploadsDialog(
            self._client, self.bucket, self.prefix, audit=self.audit, account=self.account,
            parent=self,
        )  # fmt: skip
        self.incomplete_dialog.show()

    # ------------------------------------------------------------------ versions

    def _versions_toggled(self) -> None:
        entry = self.selected_object()
        if not self.versions_button.isChecked():
            self.versions_box.setVisible(False)
        elif entry is not None:
            self._keep(self._show_versions(self.bucket, entry))

    async def _show_versions(self, bucket: str, entry: Entry) -> None:
        assert self._client is not None
        client_of = self._client
        loop = asyncio.get_running_loop()
        try:
            versions = await loop.run_in_executor(
                None, lambda: list_versions(client_of(), bucket, entry.key)
            )
        except Exception as exc:
            self._fail(
                self.tr("Versions not available: {error}").format(error=describe_error(exc, bucket))
            )
            return
        if not shiboken6.isValid(self) or self.selected_object() != entry:
            return
        chosen = self._chosen_version()
        self._versions = versions
        table = self.versions_table
        table.clearSelection()  # a row number means another version in the new list
        table.setRowCount(len(versions))
        for row, version in enumerate(versions):
            when = (
                version.modified.astimezone().strftime("%Y-%m-%d %H:%M:%S")
                if version.modified
                else ""
            )
            label = self.tr("delete marker") if version.is_delete_marker else ""
            if version.is_latest:
                label = (label + ", " if label else "") + self.tr("current")
            size = "" if version.is_delete_marker else human_size(version.size)
            for column, text in enumerate((version.version_id, when, size, label)):
                table.setItem(row, column, QTableWidgetItem(text))
        ids = [version.version_id for version in versions]
        if chosen is not None and chosen.key == entry.key and chosen.version_id in ids:
            table.selectRow(ids.index(chosen.version_id))  # the version chosen, where it is now
        self.versions_box.setVisible(True)
        self.versionsShown.emit(len(versions))

    def _chosen_version(self) -> Version | None:
        rows = {index.row() for index in self.versions_table.selectionModel().selectedRows()}
        return self._versions[rows.pop()] if len(rows) == 1 else None

    def restore_selected_version(self) -> None:
        version = self._chosen_version()
        entry = self.selected_object()
        if version is None or entry is None:
            self._fail(self.tr("Choose the version to restore in the list of versions."))
            return
        if version.is_delete_marker:
            self._fail(self.tr("A delete marker has no content to restore; choose a version."))
            return
        self._keep(self._restore(self.bucket, entry, version.version_id))

    async def _restore(self, bucket: str, entry: Entry, version_id: str) -> None:
        assert self._client is not None
        client_of = self._client
        loop = asyncio.get_running_loop()
        try:
            audit, account = self.audit, self.account  # the worker must not hold the widget
            new_id = await loop.run_in_executor(
                None,
                lambda: restore_version(
                    client_of(), bucket, entry.key, version_id, audit=audit, account=account
                ),
            )
        except Exception as exc:
            self._fail(
                self.tr("Restore failed: {error}").format(
                    error=describe_error(exc, bucket, entry.key)
                )
            )
            return
        if not shiboken6.isValid(self):
            return
        self.message_label.setText(
            self.tr("Restored an earlier version of {name}").format(name=entry.name)
        )
        self.versionRestored.emit(new_id)
        if self.selected_object() == entry:
            self._keep(self._show_versions(bucket, entry))

    # ------------------------------------------------------------------ actions

    def ask_new_folder(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("New folder"), self.tr("Folder name:"))
        if ok and name:
            self.create_folder_named(name)

    def create_folder_named(self, name: str) -> None:
        """Make ``name`` in the folder shown (off the UI thread), then list it again."""
        self._keep(self._create_folder(self.bucket, self.prefix, name))

    async def _create_folder(self, bucket: str, prefix: str, name: str) -> None:
        assert self._client is not None
        client_of = self._client
        loop = asyncio.get_running_loop()
        try:
            key = await loop.run_in_executor(
                None, lambda: create_folder(client_of(), bucket, prefix, name)
            )
        except Exception as exc:
            message = str(exc) if isinstance(exc, ValueError) else describe_error(exc, bucket)
            self._fail(message)
            return
        if shiboken6.isValid(self):
            self.folderCreated.emit(key)
            if (bucket, prefix) == (self.bucket, self.prefix):
                self.refresh()

    def ask_share_link(self) -> None:
        entry = self.selected_object()
        if entry is None:
            return
        choices = [expiry_words(s) for s in SHARE_EXPIRY_CHOICES]
        choice, ok = QInputDialog.getItem(
            self, self.tr("Share link"),
            self.tr("Anyone with the link can download '%1' until it expires.\nValid for:")
            .replace("%1", entry.name),
            choices, 0, False,
        )  # fmt: skip
        if ok:
            self.make_share_link(entry, SHARE_EXPIRY_CHOICES[choices.index(choice)])

    def make_share_link(self, entry: Entry, expires_in: int) -> None:
        self._keep(self._share(self.bucket, entry, expires_in))

    def _keep(self, coroutine: Any) -> None:
        """Run ``coroutine`` on the loop, holding a reference until it is done."""
        task = asyncio.ensure_future(coroutine)
        self._actions.add(task)
        task.add_done_callback(self._actions.discard)

    async def _share(self, bucket: str, entry: Entry, expires_in: int) -> None:
        assert self._client is not None
        client_of = self._client
        loop = asyncio.get_running_loop()
        try:
            audit, account = self.audit, self.account  # the worker must not hold the widget
            link = await loop.run_in_executor(
                None,
                lambda: share_link(
                    client_of(), bucket, entry.key, expires_in, audit=audit, account=account
                ),
            )
        except Exception as exc:
            message = str(exc) if isinstance(exc, ValueError) else describe_error(exc, bucket)
            self._fail(message)
            return
        if not shiboken6.isValid(self):
            return
        QGuiApplication.clipboard().setText(link.url)
        text = self.tr("Share link copied to the clipboard, valid for {time}.").format(
            time=expiry_words(link.expires_in)
        )
        self.message_label.setText(f"{text} {link.note}".strip())
        self.shareLinkMade.emit(link.url)

    # ------------------------------------------------------------------ downloading

    def download_selected(self) -> None:
        """Ask where to, count what the selection covers, ask about local files that exist,
        then hand the plan to the transfer queue."""
        entries = self.selected_entries()
        if not self.bucket or not entries or self._client is None:
            return
        dest = self.choose_download_folder()
        if not dest:
            return
        self.download_folder = dest
        selection = [(e.key, e.size, e.etag, e.modified) for e in entries]
        self._keep(self._download(selection, self.bucket, self.prefix, dest))

    def choose_download_folder(self) -> str:
        return QFileDialog.getExistingDirectory(
            self, self.tr("Download to folder"), self.download_folder
        )

    async def _download(self, selection: list[Any], bucket: str, prefix: str, dest: str) -> None:
        assert self._client is not None
        client_of = self._client
        self.message_label.setText(self.tr("Counting what will be downloaded…"))

        def plan() -> tuple[DownloadPlan | None, str]:
            # Runs in a worker: the message is made here, so no exception (holding frames
            # that hold widgets) comes back to the UI thread.
            try:
                return plan_download(client_of(), bucket, selection, prefix, dest), ""
            except PlanCancelled:
                return None, ""
            except Exception as exc:
                return None, describe_error(exc, bucket)

        planned, problem = await asyncio.get_running_loop().run_in_executor(None, plan)
        if not shiboken6.isValid(self):
            return
        if planned is None:
            self._fail(self.tr("Download failed: {error}").format(error=problem))
            return
        conflict = ConflictPolicy.RENAME
        if planned.taken:
            answer = self.ask_download_conflict(planned, dest)
            if answer is None:
                self.message_label.setText(self.tr("Nothing was downloaded."))
                return
            conflict = answer
        self.message_label.setText(download_summary(planned, dest))
        self.message_label.setToolTip(
            "\n".join(f"{key}: {why}" for key, why in planned.refused[:50])
        )
        if planned.items or planned.folders:
            self.downloadRequested.emit(planned, conflict)

    def ask_download_conflict(self, plan: DownloadPlan, dest: str) -> ConflictPolicy | None:
        """Local files with these names exist: replace them, keep both, or skip them?"""
        count = len(plan.taken)
        names = name_list([os.path.basename(item.target) for item in plan.taken])
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Files already exist"))
        box.setText(
            self.tr("%n file(s) to download already exist in {folder}: {names}", "", count).format(
                folder=dest, names=names
            )
        )
        box.setInformativeText(self.tr("Replace them, keep both (the download gets a new "
                                       "name), or skip them?"))  # fmt: skip
        replace = box.addButton(self.tr("Replace"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("Keep both"), QMessageBox.ButtonRole.AcceptRole)
        skip = box.addButton(self.tr("Skip"), QMessageBox.ButtonRole.RejectRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        chosen = box.clickedButton()
        return {replace: ConflictPolicy.OVERWRITE, keep: ConflictPolicy.RENAME,
                skip: ConflictPolicy.SKIP}.get(chosen)  # fmt: skip

    # ------------------------------------------------------------------ deleting

    def _context_menu(self, pos: Any) -> None:
        menu = QMenu(self)
        menu.addAction(self.tr("Refresh"), self.refresh)
        if self.bucket:
            menu.addAction(self.tr("New folder…"), self.ask_new_folder)
        if self.bucket and self.selected_entries():
            menu.addAction(self.tr("Download…"), self.download_selected)
        if self.selected_object() is not None:
            menu.addAction(self.tr("Copy share link…"), self.ask_share_link)
        if self.bucket and self.selected_entries():
            menu.addSeparator()
            menu.addAction(self.tr("Delete…"), self.delete_selected)
            menu.addAction(
                self.tr("Delete permanently (all versions)…"), self.delete_selected_permanently
            )
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def delete_selected(self, *, all_versions: bool = False) -> None:
        """Count what the selection covers, ask, then delete it in the background. With
        ``all_versions`` every version and delete marker goes: a permanent delete."""
        entries = self.selected_entries()
        if not self.bucket or not entries or self._deleting:
            return
        self._keep(self._delete(entries, self.bucket, self.prefix, all_versions))

    def delete_selected_permanently(self) -> None:
        self.delete_selected(all_versions=True)

    def stop_delete(self) -> None:
        self._stop.set()

    async def _delete(
        self, entries: list[Entry], bucket: str, prefix: str, all_versions: bool = False
    ) -> None:
        assert self._client is not None
        keys = [e.key for e in entries]
        client_of = self._client
        loop = asyncio.get_running_loop()
        self._deleting = True
        self._stop.clear()
        self._update_buttons()
        self.message_label.setText(self.tr("Counting what will be deleted…"))
        try:
            client = await loop.run_in_executor(None, client_of)
            plan = await loop.run_in_executor(
                None, lambda: plan_delete(client, bucket, keys, all_versions=all_versions)
            )
            if not shiboken6.isValid(self):
                return
            if plan.count == 0 or not self.confirm_delete(bucket, entries, plan, all_versions):
                self.message_label.setText(self.tr("Nothing was deleted."))
                return
            self.stop_button.setVisible(True)
            progress: list[tuple[int, int]] = []
            audit, account, stop = self.audit, self.account, self._stop
            result = await loop.run_in_executor(
                None,
                lambda: delete(
                    client, bucket, plan, on_progress=lambda d, t: progress.append((d, t)),
                    cancelled=stop.is_set, audit=audit, account=account,
                ),
            )  # fmt: skip
        except Exception as exc:
            self._fail(self.tr("Delete failed: {error}").format(error=describe_error(exc, bucket)))
            return
        finally:
            self._deleting = False
            if shiboken6.isValid(self):
                self.stop_button.setVisible(False)
                self._update_buttons()
        if not shiboken6.isValid(self):
            return
        self.message_label.setText(delete_summary(result))
        self.message_label.setToolTip(
            "\n".join(f"{f.key}: {f.message or f.code}" for f in result.failed[:50])
        )
        self.deleteFinished.emit(result)
        if (bucket, prefix) == (self.bucket, self.prefix):
            self.refresh()

    def confirm_delete(
        self, bucket: str, entries: list[Entry], plan: DeletePlan, all_versions: bool = False
    ) -> bool:
        """Ask, saying exactly what will go; the answer decides."""
        text = self.delete_question(bucket, entries, plan, self.prefix, all_versions)
        if all_versions:
            title, act = self.tr("Delete permanently?"), self.tr("Delete permanently")
        else:
            title, act = self.tr("Delete objects?"), self.tr("Delete")
        return confirm(self, title, text, act, self.tr("Don't delete"))

    def delete_question(
        self,
        bucket: str,
        entries: list[Entry],
        plan: DeletePlan,
        prefix: str = "",
        all_versions: bool = False,
    ) -> str:
        """The question names what was selected (a few names, then how many more), the
        folder it is in, how many objects that covers and their size."""
        size, where = human_size(plan.total_size), f"s3://{bucket}/{prefix}"
        names = [e.name + ("/" if e.is_folder else "") for e in entries]
        if all_versions:
            return self._permanent_question(names, plan, where)
        if len(entries) == 1 and entries[0].is_folder:
            question = self.tr(
                "Delete the folder {name} and the %n object(s) in it ({size}) from {where}?",
                "", plan.count,
            ).format(name=names[0], size=size, where=where)  # fmt: skip
        elif len(entries) == 1 and plan.count == 1:
            question = self.tr("Delete {name} ({size}) from {where}?").format(
                name=names[0], size=size, where=where
            )
        elif any(e.is_folder for e in entries):  # the count is not the names': say why
            question = self.tr(
                "Delete {names} from {where}? With everything in the folders, that is %n "
                "object(s) ({size}).", "", plan.count,
            ).format(size=size, where=where, names=name_list(names))  # fmt: skip
        else:
            question = self.tr(
                "Delete %n object(s) ({size}) from {where}: {names}?", "", plan.count
            ).format(size=size, where=where, names=name_list(names))
        return (
            question
            + "\n\n"
            + self.tr(
                "If the bucket keeps versions, older versions stay and can be restored; "
                "otherwise this cannot be undone."
            )
        )

    def _permanent_question(self, names: list[str], plan: DeletePlan, where: str) -> str:
        markers = plan.delete_markers
        what = self.tr("%n version(s) ({size})", "", plan.count - markers).format(
            size=human_size(plan.total_size)
        )
        if markers:
            what = self.tr("{versions} and {markers}").format(
                versions=what, markers=self.tr("%n delete marker(s)", "", markers)
            )
        if len(names) == 1 and names[0].endswith("/"):
            which = self.tr("the folder {name}").format(name=names[0])
        else:
            which = name_list(names)
        return (
            self.tr("Permanently delete {what} of {which} from {where}?").format(
                what=what, which=which, where=where
            )
            + "\n\n"
            + self.tr("Every version goes. This cannot be undone.")
        )

    def _fail(self, message: str) -> None:
        if shiboken6.isValid(self):
            self.message_label.setText(message)
            self.actionFailed.emit(message)

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
                    # A screenful first: a small page comes back and parses sooner.
                    size = FIRST_PAGE if first else MAX_PAGE_SIZE
                    page = await loop.run_in_executor(
                        None,
                        lambda t=token, n=size: list_page(
                            client, bucket, prefix, token=t, page_size=n
                        ),
                    )
                    entries, token = page.entries, page.next_token
                if generation != self._generation or not shiboken6.isValid(self):
                    return  # another folder was opened meanwhile
                self.model.add_page(entries)
                self._select_again(entries)
                if first:
                    first = False
                    self.firstPageShown.emit(self.model.loaded_count())
                if token is None:
                    break
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
            _plural(
                count,
                self.tr("{n} entry, listed in {seconds} s"),
                self.tr("{n} entries, listed in {seconds} s"),
                seconds=f"{seconds:.1f}",
            )
        )
        self.listingDone.emit(count)


def _plural(count: int, one: str, many: str, **fields: str) -> str:
    """``one`` or ``many`` (translated templates with ``{n}``) for ``count``: the English
    source stays grammatical without a translation installed."""
    return (one if count == 1 else many).format(n=f"{count:,}", **fields)


def details_text(info: ObjectDetails) -> str:
    """One paragraph for the details line under the table."""
    translate = QCoreApplication.translate
    parts = [f"<b>{info.key}</b>", human_size(info.size)]
    if info.modified:
        parts.append(info.modified.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
    if info.content_type:
        parts.append(info.content_type)
    parts.append(translate("BrowserView", "ETag {etag}").format(etag=info.etag))
    if info.checksum:
        parts.append(f"{info.checksum_algorithm} {info.checksum}")
    encryption = info.encryption or translate("BrowserView", "none reported")
    parts.append(translate("BrowserView", "encryption: {type}").format(type=encryption))
    if info.kms_key_id:
        parts.append(translate("BrowserView", "KMS key {id}").format(id=info.kms_key_id))
    parts.append(info.storage_class)
    if info.version_id:
        parts.append(translate("BrowserView", "version {id}").format(id=info.version_id))
    if info.metadata:
        parts.append(", ".join(f"{k}: {v}" for k, v in sorted(info.metadata.items())))
    return " · ".join(html.escape(p) if not p.startswith("<b>") else p for p in parts)


def expiry_words(seconds: int) -> str:
    """3600 -> "1 hour", 604800 -> "7 days"; other lengths as a duration."""
    translate = QCoreApplication.translate
    if seconds % 86400 == 0:
        return _plural(
            seconds // 86400,
            translate("BrowserView", "{n} day"),
            translate("BrowserView", "{n} days"),
        )
    if seconds % 3600 == 0:
        return _plural(
            seconds // 3600,
            translate("BrowserView", "{n} hour"),
            translate("BrowserView", "{n} hours"),
        )
    return human_duration(seconds)


def download_summary(plan: DownloadPlan, dest: str) -> str:
    translate = QCoreApplication.translate
    text = _plural(
        len(plan.items),
        translate("BrowserView", "Downloading {n} file ({size}) to {folder}"),
        translate("BrowserView", "Downloading {n} files ({size}) to {folder}"),
        size=human_size(plan.total_size),
        folder=dest,
    )
    if plan.refused:
        text += _plural(
            len(plan.refused),
            translate(
                "BrowserView", "; {n} object cannot be saved under its name here (see the tooltip)"
            ),
            translate(
                "BrowserView",
                "; {n} objects cannot be saved under their name here (see the tooltip)",
            ),
        )
    return text + "."


def delete_summary(result: DeleteResult) -> str:
    """ "Deleted 2,497 objects; 3 could not be deleted (e.g. big.iso: Access Denied)"."""
    translate = QCoreApplication.translate
    text = _plural(
        len(result.deleted),
        translate("BrowserView", "Deleted {n} object"),
        translate("BrowserView", "Deleted {n} objects"),
    )
    if result.failed:
        first = result.failed[0]
        text += translate(
            "BrowserView", "; {n} could not be deleted (e.g. {key}: {reason})"
        ).format(n=f"{len(result.failed):,}", key=first.key, reason=first.message or first.code)
    if result.cancelled:
        text += translate("BrowserView", "; stopped before the rest")
    return text
