"""The main window: destination, drop target, status table and totals."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QPoint, Qt, QUrl, Signal, qVersion
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QStyle,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from s3desk.core.bucket.buckets import list_bucket_names
from s3desk.core.compliance import content_types
from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import AccountsFileError
from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.config.secrets import SecretStoreError
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.download_plan import DownloadPlan
from s3desk.core.transfer.engine_process import EngineProcess
from s3desk.core.transfer.jobs import Destination, JobState, JobView, Totals
from s3desk.core.transfer.queue import Transfers
from s3desk.core.transfer.queue_api import TransferQueue
from s3desk.core.transfer.upload_engine import UploadEngine
from s3desk.ui.accounts_dialog import AccountsDialog
from s3desk.ui.browser_view import BrowserView
from s3desk.ui.content_type_delegate import ContentTypeDelegate, type_choices
from s3desk.ui.core_phrases import describe_error, shown
from s3desk.ui.drop_hint import DropHint
from s3desk.ui.engine_bridge import EngineBridge
from s3desk.ui.history_view import HistoryView
from s3desk.ui.names import name_list
from s3desk.ui.notifier import Notifier
from s3desk.ui.progress_delegate import ElideMiddleDelegate, ProgressDelegate
from s3desk.ui.questions import confirm
from s3desk.ui.taskbar import TaskbarProgress
from s3desk.ui.transfer_model import JobIdRole, TransferModel
from s3desk.ui.units import human_duration, human_rate, human_size

if TYPE_CHECKING:
    from s3desk.ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

_FINISHED_OK = frozenset({JobState.DONE, JobState.SKIPPED, JobState.CANCELLED})
# Cancelling throws away what a transfer has moved: past this much, the window asks first
# (and offers to pause instead).
CANCEL_ASKS_AFTER = 1 * MiB


class MainWindow(QMainWindow):
    # Emitted after the bucket list has been fetched (or failed to be), for tests and UI.
    bucketsLoaded = Signal(list)
    # The user picked another entry in the account box: its key (an account id, "demo", ...).
    accountChosen = Signal(str)
    # Accounts were added, changed or removed in the Accounts dialog.
    accountsChanged = Signal()
    # "Copy diagnostic info" put this report on the clipboard.
    diagnosticsCopied = Signal(str)

    def __init__(
        self,
        engine: UploadEngine | EngineProcess | None,
        bucket: str = "",
        prefix: str = "",
        setup_hint: str = "",
        account_store: AccountStore | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine
        # Uploads and downloads behind one queue; an engine process is one already.
        self.transfers = _transfers_for(engine)
        self._account_store = account_store  # read when the Accounts dialog first opens
        self._ask_before_quit = True  # off when nobody can answer (SIGTERM)
        # Set by whoever knows where the credentials come from (the account box): gives the
        # current account's endpoint with its secrets read again, for "Try again".
        self.renewed_endpoint: Callable[[], S3Endpoint | None] | None = None
        self.accounts_dialog: AccountsDialog | None = None
        self.endpoint: S3Endpoint | None = engine.endpoint if engine else None
        self.setWindowTitle("s3desk")  # notr
        self.resize(1100, 640)
        self.setAcceptDrops(engine is not None)

        self.model = TransferModel(self)
        self.bridge = EngineBridge(self.transfers, self.model, self) if self.transfers else None

        self._buckets_task: asyncio.Future[None] | None = None
        self._diagnostics_task: asyncio.Future[None] | None = None
        self._build_actions()
        self._build_toolbar()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 8, 12, 4)
        layout.setSpacing(8)
        layout.addWidget(self._build_destination(bucket, prefix, setup_hint))
        layout.addWidget(self._build_conflict_bar())
        self.stack = QStackedWidget()
        self.drop_hint = DropHint()
        self.table = self._build_table()
        self.stack.addWidget(self.drop_hint)
        self.stack.addWidget(self.table)
        layout.addWidget(self._build_tabs(engine), 1)
        self.setCentralWidget(central)
        self._build_status_bar()

        self.notifier = Notifier(self.model, self.windowIcon(), self)
        self.taskbar = TaskbarProgress(self)
        self.settings_dialog: SettingsDialog | None = None
        self.apply_settings(engine_too=False)  # the engine was made with the settings
        if self.bridge:
            self._connect_bridge(self.bridge)
        self.model.rowsInserted.connect(lambda *_: self.stack.setCurrentWidget(self.table))
        self._show_destination_mode()
        self._update_actions()

    # ------------------------------------------------------------------ construction

    def _build_tabs(self, engine: UploadEngine | EngineProcess | None) -> QTabWidget:
        # Uploads and the bucket browser share the window; drops go to the browser's
        # folder while it is shown.
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.stack, self.tr("Transfers"))
        self.browser = BrowserView()
        self._point_browser(engine)
        self.browser.account = self.endpoint.label if self.endpoint else ""
        self.tabs.addTab(self.browser, self.tr("Browse"))
        self.history = HistoryView(self.browser.audit)
        self.tabs.addTab(self.history, self.tr("History"))
        self.tabs.tabBar().setAccessibleName(self.tr("Views"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.browser.downloadRequested.connect(self.start_downloads)
        return self.tabs

    def _build_actions(self) -> None:
        icon = self.style().standardIcon
        sp = QStyle.StandardPixmap
        self.add_files_action = QAction(icon(sp.SP_FileIcon), self.tr("Add files…"), self)
        self.add_files_action.setShortcut(QKeySequence.StandardKey.Open)
        self.add_files_action.triggered.connect(self.choose_files)
        self.add_folder_action = QAction(icon(sp.SP_DirIcon), self.tr("Add folder…"), self)
        self.add_folder_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.add_folder_action.triggered.connect(self.choose_folder)
        self.pause_action = QAction(icon(sp.SP_MediaPause), self.tr("Pause"), self)
        self.pause_action.setShortcut(QKeySequence("Ctrl+P"))
        self.pause_action.setToolTip(self.tr("Pause the selected transfers, or all (Ctrl+P)"))
        self.pause_action.triggered.connect(self.pause_selected)
        self.resume_action = QAction(icon(sp.SP_MediaPlay), self.tr("Resume"), self)
        self.resume_action.setShortcut(QKeySequence("Ctrl+R"))
        self.resume_action.setToolTip(self.tr("Resume the selected transfers, or all (Ctrl+R)"))
        self.resume_action.triggered.connect(self.resume_selected)
        self.cancel_action = QAction(icon(sp.SP_DialogCancelButton), self.tr("Cancel"), self)
        self.cancel_action.setToolTip(self.tr("Cancel the selected transfers (Delete)"))
        # Delete only while the transfers table has the focus: in the browser it deletes.
        self.cancel_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.cancel_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.cancel_action.triggered.connect(self.cancel_selected)
        self.retry_action = QAction(icon(sp.SP_BrowserReload), self.tr("Retry"), self)
        self.retry_action.setToolTip(self.tr("Retry the selected transfers, or all failed ones"))
        self.retry_action.triggered.connect(self.retry_selected)
        self.clear_action = QAction(icon(sp.SP_DialogResetButton), self.tr("Clear finished"), self)
        self.clear_action.setToolTip(self.tr("Remove finished uploads from the list"))
        self.clear_action.triggered.connect(self.clear_finished)
        self.copy_url_action = QAction(self.tr("Copy S3 URL"), self)
        self.copy_url_action.triggered.connect(self.copy_selected_urls)
        self.content_type_action = QAction(self.tr("Set content type…"), self)
        self.content_type_action.setToolTip(
            self.tr("Choose the Content-Type the selected waiting uploads are stored with")
        )
        self.content_type_action.triggered.connect(self.choose_content_type)
        for action in (self.add_files_action, self.add_folder_action):
            action.setEnabled(self.engine is not None)

    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("Main"))
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addAction(self.add_files_action)
        bar.addAction(self.add_folder_action)
        bar.addSeparator()
        bar.addAction(self.pause_action)
        bar.addAction(self.resume_action)
        bar.addAction(self.cancel_action)
        bar.addAction(self.retry_action)
        bar.addAction(self.clear_action)
        bar.addSeparator()
        self.accounts_action = QAction(
            self.style().standardIcon(QStyle.StandardPixmap.SP_DriveNetIcon),
            self.tr("Accounts…"),
            self,
        )
        self.accounts_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.accounts_action.setToolTip(self.tr("Add, edit and test storage accounts"))
        self.accounts_action.triggered.connect(self.open_accounts)
        bar.addAction(self.accounts_action)
        self.diagnostics_action = QAction(self.tr("Copy diagnostic info"), self)
        self.diagnostics_action.setToolTip(
            self.tr("Versions, settings and recent errors for a support request (no secrets)")
        )
        self.diagnostics_action.triggered.connect(self.copy_diagnostics)
        more = QToolButton()
        more.setText(self.tr("More"))
        more.setAccessibleName(self.tr("More actions"))
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.settings_action = QAction(self.tr("Settings…"), self)
        self.settings_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Preferences))
        self.settings_action.triggered.connect(self.open_settings)
        self.addAction(self.settings_action)  # the shortcut works with the menu closed
        more_menu = QMenu(more)
        more_menu.addAction(self.settings_action)
        more_menu.addAction(self.diagnostics_action)
        more.setMenu(more_menu)
        self.more_menu = more_menu
        bar.addWidget(more)
        self.addToolBar(bar)

    def _connect_bridge(self, bridge: EngineBridge) -> None:
        bridge.totalsChanged.connect(self._show_totals)
        bridge.totalsChanged.connect(self.notifier.show_progress)
        bridge.problemChanged.connect(self._show_problem)
        bridge.idle.connect(self.notifier.batch_finished)

    def open_settings(self) -> SettingsDialog | None:
        """The preferences, with what the organisation locked greyed out."""
        from s3desk.core.config.managed import ManagedConfigError
        from s3desk.core.config.settings import SettingsFileError
        from s3desk.core.config.settings_store import SettingsStore
        from s3desk.ui.settings_dialog import SettingsDialog

        try:
            store = SettingsStore()
        except (SettingsFileError, ManagedConfigError) as exc:
            self.statusBar().showMessage(str(exc), 15000)
            return None
        dialog = SettingsDialog(store, self)
        dialog.saved.connect(self.apply_settings)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def apply_settings(self, engine_too: bool = True) -> None:
        """Settings take effect at once: notifications, theme, and for the transfers the
        bandwidth limit, concurrency, part size (for uploads not yet started) and what to do
        when a file exists (for files added from now on)."""
        from s3desk.core.config.settings_store import SettingsStore

        try:
            settings = SettingsStore().effective()
        except Exception as exc:  # unreadable settings keep the defaults; the log says why
            log.warning("settings not applied: %s", exc)
            return
        self.notifier.enabled = settings.notifications
        apply_theme(settings.theme_follows_system)
        if engine_too and self.transfers is not None:
            self.transfers.set_bandwidth_limit(float(settings.bandwidth_limit))
            self.transfers.reconfigure(
                concurrency=settings.concurrency, part_size=settings.part_size,
                conflict=settings.conflict,
            )  # fmt: skip

    def copy_diagnostics(self) -> None:
        """Put what support needs on the clipboard (no secrets). The report reads the log
        and asks for the keyring backend (which may wait on D-Bus): it is built off the UI
        thread, and ``diagnosticsCopied`` carries it once it is on the clipboard."""
        from PySide6 import __version__ as pyside_version

        extra = [
            ("Qt (runtime)", qVersion()),
            ("Qt platform", QGuiApplication.platformName()),
            ("PySide6 (runtime)", pyside_version),
            ("transfers", self.totals_text(self.transfers.totals()) if self.transfers else "none"),
        ]
        self.statusBar().showMessage(self.tr("Collecting diagnostic info…"))
        self._diagnostics_task = asyncio.ensure_future(self._copy_diagnostics(extra))

    async def _copy_diagnostics(self, extra: list[tuple[str, str]]) -> None:
        endpoint = self.endpoint  # the worker gets plain values, never the window

        def report() -> str:
            from dataclasses import asdict

            from s3desk.core.config.settings_store import SettingsStore
            from s3desk.core.diagnostics import diagnostic_report

            settings: dict[str, Any] | None = None
            lines = list(extra)
            try:
                settings = asdict(SettingsStore().effective())  # settings hold no secrets
            except Exception as exc:
                lines.append(("settings", f"unreadable: {exc}"))
            return diagnostic_report(endpoint, settings=settings, extra=lines)

        text = await asyncio.get_running_loop().run_in_executor(None, report)
        if not shiboken6.isValid(self):
            return
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(self.tr("Diagnostic info copied to the clipboard."), 5000)
        self.diagnosticsCopied.emit(text)

    def open_accounts(self) -> None:
        """Show the Accounts dialog; not modal, so the uploads stay in view."""
        try:
            if self._account_store is None:
                self._account_store = AccountStore()
            if self.accounts_dialog is None:
                self.accounts_dialog = AccountsDialog(self._account_store, self)
                self.accounts_dialog.accountsChanged.connect(self.accountsChanged)
            elif not self.accounts_dialog.isVisible():
                self._account_store.reload()  # the file may have changed (s3desk accounts)
                self.accounts_dialog.reload()
        except (AccountsFileError, SecretStoreError) as exc:
            self.statusBar().showMessage(str(exc), 15000)
            return
        self.accounts_dialog.show()
        self.accounts_dialog.raise_()
        self.accounts_dialog.activateWindow()

    def _build_destination(self, bucket: str, prefix: str, setup_hint: str) -> QWidget:
        box = QFrame()
        box.setObjectName("destination")
        outer = QVBoxLayout(box)
        outer.setContentsMargins(12, 10, 12, 10)
        outer.setSpacing(6)
        outer.addWidget(self._build_storage_label(setup_hint))

        row = QHBoxLayout()
        row.setSpacing(6)
        self._build_account_box(row)
        row.addWidget(QLabel(self.tr("to bucket")))
        self.bucket_box = QComboBox()
        self.bucket_box.setEditable(True)
        self.bucket_box.setMinimumWidth(220)
        self.bucket_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.bucket_box.lineEdit().setPlaceholderText(self.tr("bucket name"))
        self.bucket_box.setAccessibleName(self.tr("Destination bucket"))
        if bucket:
            self.bucket_box.setEditText(bucket)
        row.addWidget(self.bucket_box)
        row.addWidget(QLabel(self.tr("in folder")))
        self.prefix_edit = QLineEdit(prefix)
        self.prefix_edit.setPlaceholderText(self.tr("(top level)"))
        self.prefix_edit.setAccessibleName(self.tr("Destination folder"))
        row.addWidget(self.prefix_edit, 1)
        outer.addLayout(row)

        self.problem_label = QLabel()
        self.problem_label.setObjectName("problemLabel")
        self.problem_label.setWordWrap(True)
        self.problem_label.setVisible(False)
        self.unblock_button = QPushButton(self.tr("Try again"))
        self.unblock_button.setVisible(False)
        self.unblock_button.clicked.connect(self.unblock)
        problem_row = QHBoxLayout()
        problem_row.addWidget(self.problem_label, 1)
        problem_row.addWidget(self.unblock_button)
        outer.addLayout(problem_row)

        self.destination_preview = QLabel()
        self.destination_preview.setObjectName("destinationPreview")
        self.destination_preview.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        outer.addWidget(self.destination_preview)
        self.bucket_box.editTextChanged.connect(self._update_preview)
        self.prefix_edit.textChanged.connect(self._update_preview)
        self._update_preview()
        return box

    def _build_account_box(self, row: QHBoxLayout) -> None:
        """Which account uploads go with; hidden until there is something to choose."""
        self.account_label = QLabel(self.tr("Upload with"))
        row.addWidget(self.account_label)
        self.account_box = QComboBox()
        self.account_box.setAccessibleName(self.tr("Account"))
        self.account_box.setMinimumWidth(180)
        self.account_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.account_box.activated.connect(
            lambda index: self.accountChosen.emit(str(self.account_box.itemData(index)))
        )
        row.addWidget(self.account_box)
        self.account_label.setVisible(False)
        self.account_box.setVisible(False)

    def _build_conflict_bar(self) -> QFrame:
        """Asks once for all files whose names are taken, without a modal dialog per file."""
        self.conflict_bar = QFrame()
        self.conflict_bar.setObjectName("conflictBar")
        row = QHBoxLayout(self.conflict_bar)
        row.setContentsMargins(12, 6, 12, 6)
        self.conflict_label = QLabel()
        self.conflict_label.setWordWrap(True)  # long names must not widen the window
        row.addWidget(self.conflict_label, 1)
        self.conflict_buttons: dict[ConflictPolicy, QPushButton] = {}
        for choice, text, tip in (
            (ConflictPolicy.OVERWRITE, self.tr("Overwrite"), self.tr("Replace what is there")),
            (ConflictPolicy.RENAME, self.tr("Keep both"), self.tr("Upload as “name (1)”")),
            (ConflictPolicy.SKIP, self.tr("Skip"), self.tr("Leave these files out")),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, c=choice: self.resolve_conflicts(c))
            row.addWidget(button)
            self.conflict_buttons[choice] = button
        self.conflict_bar.setVisible(False)
        return self.conflict_bar

    def resolve_conflicts(self, choice: ConflictPolicy) -> None:
        """Apply the choice to the selected asking rows, or to all of them."""
        if self.engine is None or self.bridge is None:
            return
        chosen = [view.id for view in self.conflicts_chosen()[0]]
        if self.transfers is not None and self.transfers.resolve_conflicts(choice, chosen):
            self.bridge.wake()
        self._refresh_now()

    def conflicts_chosen(self) -> tuple[list[JobView], bool]:
        """The asking rows the bar's buttons act on: the selected ones (True), else all."""
        selected = set(self.selected_job_ids())
        asking = [view for view in self.model.views() if view.state is JobState.CONFLICT]
        chosen = [view for view in asking if view.id in selected]
        return (chosen, True) if chosen else (asking, False)

    def _show_conflicts(self) -> None:
        """The bar names the files its buttons act on (Overwrite replaces them for good)."""
        chosen, selected = self.conflicts_chosen()
        self.conflict_bar.setVisible(bool(chosen))
        if not chosen:
            return
        names = name_list([view.name for view in chosen])
        if selected:
            text = self.tr("%n selected file(s) already exist in the bucket: {names}. What "
                           "should happen to them?", "", len(chosen))  # fmt: skip
        else:
            text = self.tr("%n file(s) already exist in the bucket: {names}. What should "
                           "happen to them?", "", len(chosen))  # fmt: skip
        self.conflict_label.setText(text.format(names=names))

    def _build_storage_label(self, setup_hint: str) -> QLabel:
        self.storage_label = QLabel()
        self.storage_label.setObjectName("storageLabel")
        self.storage_label.setWordWrap(True)
        self.storage_label.setTextFormat(Qt.TextFormat.RichText)
        self._setup_hint = setup_hint
        self._show_storage()
        return self.storage_label

    def _show_storage(self) -> None:
        setup_hint = self._setup_hint
        if self.endpoint is None:
            self.storage_label.setText(
                self.tr("<b>No storage is set up.</b> {hint}").format(hint=setup_hint)
            )
            self.storage_label.setProperty("warning", "true")
        else:
            note = f" — {shown(self.endpoint.note)}" if self.endpoint.note else ""
            address = self.endpoint.upload_service_url or self.endpoint.endpoint_url
            where = f" · {address}" if address else ""
            self.storage_label.setText(
                f"<b>{shown(self.endpoint.label)}</b>{note}<span style='color:#666'>{where}</span>"
            )
            self.storage_label.setProperty("demo", "true" if self.endpoint.note else "false")
        self.storage_label.style().unpolish(self.storage_label)
        self.storage_label.style().polish(self.storage_label)

    # ------------------------------------------------------------------ browsing

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.browser and self.browser.model.rowCount() == 0:
            bucket = self.destination().bucket
            self.browser.open_location(bucket, self.destination().prefix if bucket else "")

    # ------------------------------------------------------------------ accounts

    def set_account_choices(self, choices: list[tuple[str, str]], current: str) -> None:
        """Fill the account box with (key, label) pairs and select ``current``."""
        self.account_box.clear()
        for key, label in choices:
            self.account_box.addItem(label, key)
        self.show_account(current)
        visible = bool(choices)
        self.account_label.setVisible(visible)
        self.account_box.setVisible(visible)

    def show_account(self, key: str) -> None:
        index = self.account_box.findData(key)
        if index >= 0:
            self.account_box.setCurrentIndex(index)

    def current_account(self) -> str:
        return str(self.account_box.currentData() or "")

    def account_name(self, key: str) -> str:
        """The name the account box shows for ``key``."""
        return self.account_box.itemText(self.account_box.findData(key))

    def attach_engine(
        self, engine: UploadEngine | EngineProcess, bucket: str = "", prefix: str = ""
    ) -> None:
        """Upload with ``engine`` from now on (another account was chosen). The caller
        checked that the previous engine had nothing running, and shuts it down."""
        self.engine = engine
        _retire_downloads(self.transfers)
        self.transfers = transfers = _transfers_for(engine)
        self.endpoint = engine.endpoint
        self.model.remove_finished(frozenset(JobState))
        self.notifier.restart()
        if self.bridge is None:
            self.bridge = EngineBridge(transfers, self.model, self)
            self._connect_bridge(self.bridge)
        else:
            self.bridge.set_engine(transfers)
        self._show_problem("", "")
        self._show_storage()
        self.bucket_box.clear()
        self.bucket_box.setEditText(bucket)
        self.prefix_edit.setText(prefix)
        self._point_browser(engine)
        self._show_destination_mode()
        self.browser.account = engine.endpoint.label
        if self.tabs.currentWidget() is self.browser:
            self.browser.open_location(bucket, prefix)
        self.setAcceptDrops(True)
        for action in (self.add_files_action, self.add_folder_action):
            action.setEnabled(True)
        self.stack.setCurrentWidget(self.drop_hint)
        self._update_actions()
        self._show_totals(engine.totals())
        self.start()

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setAccessibleName(self.tr("Transfers"))
        table.setItemDelegateForColumn(TransferModel.PROGRESS, ProgressDelegate(table))
        # Keys keep their start and their file name visible; messages read from the start.
        table.setItemDelegateForColumn(TransferModel.DESTINATION, ElideMiddleDelegate(table))
        table.setItemDelegateForColumn(TransferModel.TYPE, ContentTypeDelegate(table))
        edit = QAbstractItemView.EditTrigger
        table.setEditTriggers(edit.DoubleClicked | edit.EditKeyPressed)
        self.model.contentTypeEdited.connect(self.set_content_type)
        self.model.contentTypeRefused.connect(
            lambda reason: self.statusBar().showMessage(reason, 10000)
        )
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move in it
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(28)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        widths = {
            TransferModel.NAME: 200,
            TransferModel.DESTINATION: 260,
            TransferModel.SIZE: 80,
            TransferModel.TYPE: 130,
            TransferModel.PROGRESS: 130,
            TransferModel.SPEED: 90,
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            table.setColumnWidth(column, width)
        header.setSectionResizeMode(TransferModel.STATUS, QHeaderView.ResizeMode.Stretch)
        table.addAction(self.cancel_action)  # for its Delete shortcut
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._show_context_menu)
        table.selectionModel().selectionChanged.connect(self._update_actions)
        table.selectionModel().selectionChanged.connect(self._show_conflicts)
        return table

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.totals_label = QLabel(self.tr("Nothing queued"))
        self.totals_label.setObjectName("totalsLabel")
        status.addWidget(self.totals_label, 1)
        self.overall_bar = QProgressBar()
        self.overall_bar.setMaximumWidth(220)
        self.overall_bar.setRange(0, 1000)
        self.overall_bar.setTextVisible(False)
        self.overall_bar.setVisible(False)
        status.addPermanentWidget(self.overall_bar)

    # ------------------------------------------------------------------ destination

    def destination(self) -> Destination:
        return Destination(self.bucket_box.currentText().strip(), self.prefix_edit.text().strip())

    def _point_browser(self, engine: UploadEngine | EngineProcess | None) -> None:
        if engine is not None and engine.endpoint.upload_service_url:
            self.browser.set_client(None, self.tr(
                "This account uploads through your organisation's upload service, which hands "
                "out upload links only: there is no bucket to browse with it."
            ))  # fmt: skip
        else:
            self.browser.set_client(_client_of(engine) if engine else None)

    @property
    def uses_upload_service(self) -> bool:
        """An organisation's upload service decides where files go; there is no bucket to
        choose or browse, and no AWS keys on this computer."""
        return self.endpoint is not None and bool(self.endpoint.upload_service_url)

    def _show_destination_mode(self) -> None:
        service = self.uses_upload_service
        for field in (self.bucket_box, self.prefix_edit):
            field.setEnabled(not service)
        self._update_preview()

    def _update_preview(self) -> None:
        dest = self.destination()
        if self.uses_upload_service:
            self.destination_preview.setText(
                self.tr("Files go to your organisation's upload folder; its upload service "
                        "checks them and chooses their names.")
            )  # fmt: skip
            return
        if not dest.bucket:
            self.destination_preview.setText(self.tr("Choose a bucket to upload to."))
            return
        prefix = dest.prefix.strip("/")
        self.destination_preview.setText(
            self.tr("Files go to {location}").format(
                location=f"s3://{dest.bucket}/{prefix + '/' if prefix else ''}…"
            )
        )

    def start(self) -> None:
        """Begin the window's background work; needs a running asyncio (qasync) loop."""
        if self.engine is not None:
            if self._buckets_task is not None and not self._buckets_task.done():
                self._buckets_task.cancel()  # it lists the previous account's buckets
            self._buckets_task = asyncio.ensure_future(self._load_buckets())

    async def _load_buckets(self) -> None:
        assert self.engine is not None
        engine = self.engine
        if self.uses_upload_service:
            return  # no S3 credentials to list with
        loop = asyncio.get_running_loop()
        try:
            names = await loop.run_in_executor(None, lambda: list_bucket_names(engine.client))
        except Exception as exc:  # listing may be forbidden; typing a bucket still works
            if not shiboken6.isValid(self) or engine is not self.engine:
                return
            self.bucket_box.setToolTip(
                self.tr("Could not list buckets: {error}\nType the bucket name instead.").format(
                    error=describe_error(exc)
                )
            )  # fmt: skip
            self.bucketsLoaded.emit([])
            return
        if not shiboken6.isValid(self) or engine is not self.engine:
            return  # the window closed, or another account was chosen meanwhile
        current = self.bucket_box.currentText()
        self.bucket_box.clear()
        self.bucket_box.addItems(names)
        self.bucket_box.setEditText(current or (names[0] if names else ""))
        self.bucketsLoaded.emit(names)

    # ------------------------------------------------------------------ adding files

    def add_paths(self, paths: Iterable[str | Path]) -> bool:
        """Queue files and folders for the current destination. False if nothing was queued."""
        paths = [str(p) for p in paths]
        if self.transfers is None or self.bridge is None or not paths:
            return False
        dest = self.destination()
        if self.tabs.currentWidget() is self.browser and self.browser.bucket:
            dest = Destination(self.browser.bucket, self.browser.prefix)
        if not dest.bucket and not self.uses_upload_service:
            self.statusBar().showMessage(self.tr("Choose a bucket first, then add files."), 8000)
            self.bucket_box.setFocus()
            return False
        self.transfers.submit_paths(paths, dest)
        self.bridge.wake()
        self.stack.setCurrentWidget(self.table)
        if self.tabs.currentWidget() is self.browser:
            self.statusBar().showMessage(
                self.tr("Uploading to {location}").format(
                    location=f"s3://{dest.bucket}/{dest.prefix}"
                ),
                5000,
            )
        return True

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Add files to upload"))
        self.add_paths(files)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add a folder to upload"))
        if folder:
            self.add_paths([folder])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _local_paths(event.mimeData().urls()):
            event.acceptProposedAction()
            self.drop_hint.set_highlighted(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_hint.set_highlighted(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_hint.set_highlighted(False)
        paths = _local_paths(event.mimeData().urls())
        if paths and self.add_paths(paths):
            event.acceptProposedAction()
        else:
            event.ignore()

    def start_downloads(self, plan: DownloadPlan, conflict: ConflictPolicy) -> None:
        """Queue what the browser planned, with the user's answer for taken local names."""
        if self.transfers is None or self.bridge is None:
            return
        self.transfers.submit_downloads(plan.items, conflict, plan.folders)
        self.bridge.wake()
        self.stack.setCurrentWidget(self.table)

    # ------------------------------------------------------------------ controlling jobs

    def selected_job_ids(self) -> list[int]:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return [self.model.index(row, 0).data(JobIdRole) for row in sorted(rows)]

    def cancel_selected(self) -> None:
        """Cancel the selected transfers; when that throws away more than a little of what
        was sent, ask first, offering to pause instead."""
        if self.transfers is None:
            return
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        jobs = [self.model.job_at(row) for row in rows]
        unfinished = [job for job in jobs if not job.state.finished]
        if any(job.bytes_done > CANCEL_ASKS_AFTER for job in unfinished):
            choice = self.ask_cancel(unfinished)
            if choice == "pause":
                ids = [job.id for job in unfinished if job.state is not JobState.PAUSED]
                self._act_on(ids, self.transfers.pause)
            if choice != "cancel":
                return
        self._act_on([job.id for job in jobs], self.transfers.cancel)

    def ask_cancel(self, jobs: list[JobView]) -> str:
        """ "cancel", "pause" (pause them instead) or "" (leave them as they are)."""
        paused = all(job.state is JobState.PAUSED for job in jobs)
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Cancel transfers?"))
        box.setText(self.cancel_question(jobs))
        if paused:
            box.setInformativeText(
                self.tr("A paused transfer keeps what was sent and goes on from where it "
                        "stopped when you resume it: leave it paused to keep that.")
            )  # fmt: skip
        else:
            box.setInformativeText(
                self.tr("Pause instead to keep what was sent: a paused transfer goes on from "
                        "where it stopped when you resume it.")
            )  # fmt: skip
        cancel = box.addButton(
            self.tr("Cancel and discard"), QMessageBox.ButtonRole.DestructiveRole
        )
        pause = None if paused else box.addButton(
            self.tr("Pause instead"), QMessageBox.ButtonRole.AcceptRole
        )  # fmt: skip
        keep = box.addButton(self.tr("Don't cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(pause or keep)
        box.setEscapeButton(keep)
        box.exec()
        chosen = box.clickedButton()
        if chosen is not None and chosen is cancel:
            return "cancel"
        return "pause" if pause is not None and chosen is pause else ""

    def cancel_question(self, jobs: list[JobView]) -> str:
        """Names the transfers and says how much of them is lost."""
        amounts = {
            "sent": human_size(sum(job.bytes_done for job in jobs)),
            "total": human_size(sum(job.size for job in jobs)),
        }
        if not any(job.target for job in jobs):
            lost = self.tr("{sent} of {total} is already sent, and cancelling throws it away: "
                           "the parts already in the bucket are deleted.")  # fmt: skip
        elif all(job.target for job in jobs):
            lost = self.tr("{sent} of {total} is already downloaded, and cancelling throws it "
                           "away: the partial file is deleted.")  # fmt: skip
        else:
            lost = self.tr(
                "{sent} of {total} is already transferred, and cancelling throws it away: the "
                "parts of an upload already sent are deleted, and so is a download's partial file."
            )
        names = name_list([job.name for job in jobs])
        return (
            self.tr("Cancel %n transfer(s): {names}?", "", len(jobs)).format(names=names)
            + "\n\n"
            + lost.format(**amounts)
        )

    def pause_selected(self) -> None:
        if self.transfers is not None:
            self._act_on_selection(self.transfers.pause, self.transfers.pause_all)

    def resume_selected(self) -> None:
        if self.transfers is not None:
            self._act_on_selection(self.transfers.resume, self.transfers.resume_all)

    def retry_selected(self) -> None:
        if self.transfers is not None:
            self._act_on_selection(self.transfers.retry, self.transfers.retry_failed)

    def _act_on_selection(
        self, per_job: Callable[[int], object], for_all: Callable[[], object] | None
    ) -> None:
        """Apply to the selected rows, or (where it makes sense) to all."""
        ids = self.selected_job_ids()
        if ids or for_all is None:
            self._act_on(ids, per_job)
            return
        for_all()
        self._watch()

    def _act_on(self, ids: list[int], per_job: Callable[[int], object]) -> None:
        for job_id in ids:
            per_job(job_id)
        self._watch()

    def _watch(self) -> None:
        """Watch for the effect of a command, which an engine in its own process reports
        in a later snapshot."""
        if self.bridge is not None:
            self.bridge.wake()
        self._refresh_now()

    def clear_finished(self) -> None:
        self.model.remove_finished(_FINISHED_OK)
        if self.model.rowCount() == 0:
            self.stack.setCurrentWidget(self.drop_hint)
        self._update_actions()

    def copy_selected_urls(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        urls = [f"s3://{self.model.job_at(r).bucket}/{self.model.job_at(r).key}" for r in rows]
        QGuiApplication.clipboard().setText("\n".join(urls))

    def choose_content_type(self) -> None:
        """Ask for one content type for the selected uploads that can still take one."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        jobs = [self.model.job_at(row) for row in rows]
        editable = [job for job in jobs if job.content_type_editable]
        if not editable:
            self.statusBar().showMessage(
                self.tr(
                    "Only uploads that have not started can be given another content type; "
                    "pause them first."
                ),
                10000,
            )
            return
        current = editable[0].content_type
        chosen, ok = QInputDialog.getItem(
            self, self.tr("Content type"),
            self.tr("Store %n selected upload(s) as:", "", len(editable)),
            type_choices(current), 0, True,
        )  # fmt: skip
        if not ok:
            return
        try:
            chosen = content_types.check(chosen)
        except content_types.InvalidContentType as exc:
            self.statusBar().showMessage(str(exc), 10000)
            return
        self.set_content_type([job.id for job in editable], chosen)
        kept = len(jobs) - len(editable)
        if kept:
            self.statusBar().showMessage(
                self.tr("%n upload(s) already started keep their content type.", "", kept), 10000
            )

    def set_content_type(self, job_ids: list[int], content_type: str) -> None:
        if self.transfers is None:
            return
        self.transfers.set_content_type(job_ids, content_type)
        if self.bridge is not None:
            self.bridge.wake()
        self._refresh_now()

    def _refresh_now(self) -> None:
        if self.bridge is not None:
            self.bridge.refresh()
        self._update_actions()

    def _show_context_menu(self, pos: QPoint) -> None:
        if not self.selected_job_ids():
            return
        menu = QMenu(self)
        menu.addAction(self.pause_action)
        menu.addAction(self.resume_action)
        menu.addAction(self.cancel_action)
        menu.addAction(self.retry_action)
        menu.addSeparator()
        menu.addAction(self.content_type_action)
        menu.addAction(self.copy_url_action)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _update_actions(self) -> None:
        has_rows = self.model.rowCount() > 0
        selected = bool(self.table.selectionModel().selectedRows()) if has_rows else False
        self.cancel_action.setEnabled(selected)
        self.pause_action.setEnabled(has_rows)
        self.resume_action.setEnabled(has_rows)
        self.retry_action.setEnabled(has_rows)
        self.clear_action.setEnabled(has_rows)
        self.copy_url_action.setEnabled(selected)
        self.content_type_action.setEnabled(selected)

    def unblock(self) -> None:
        """After the user renewed credentials (e.g. signed in again, or entered a new key in
        the Accounts dialog): go on, with the account's credentials read afresh."""
        if self.transfers is not None and self.bridge is not None:
            renewed = self.renewed_endpoint() if self.renewed_endpoint else None
            self.transfers.unblock(renewed)
            self.bridge.wake()
            self._refresh_now()

    def _show_problem(self, blocked: str, warning: str) -> None:
        text = blocked or warning
        waiting = self.tr("Uploads are waiting: {reason}").format(reason=blocked)
        self.problem_label.setText(waiting if blocked else text)
        self.problem_label.setVisible(bool(text))
        self.unblock_button.setVisible(bool(blocked))

    # ------------------------------------------------------------------ totals

    def totals_text(self, t: Totals) -> str:
        """The status bar's summary: files, bytes, speed and time left."""
        if not t.files_total:
            return self.tr("Nothing queued")
        parts = [self.tr("{done} of %n file(s) done", "", t.files_total).format(done=t.files_done)]
        if t.files_failed:
            parts.append(self.tr("{n} failed").format(n=t.files_failed))
        if t.files_paused:
            parts.append(self.tr("{n} paused").format(n=t.files_paused))
        if t.files_asking:
            parts.append(self.tr("{n} waiting for your choice").format(n=t.files_asking))
        size = self.tr("{done} of {total}")
        parts.append(size.format(done=human_size(t.bytes_done), total=human_size(t.bytes_total)))
        if t.files_active:
            parts.append(human_rate(t.speed))
            if t.eta:
                parts.append(self.tr("{time} left").format(time=human_duration(t.eta)))
        return " · ".join(parts)

    def _show_totals(self, totals: Totals) -> None:
        self.totals_label.setText(self.totals_text(totals))
        self._show_conflicts()  # the model has this snapshot's rows already
        busy = totals.files_active > 0
        fraction = totals.bytes_done / totals.bytes_total if totals.bytes_total else 1.0
        self.overall_bar.setVisible(busy)
        self.overall_bar.setValue(round(fraction * 1000))
        self.setWindowTitle(f"s3desk — {fraction:.0%}" if busy else "s3desk")  # notr
        if busy:
            self.taskbar.show(fraction, totals.files_active)
        else:
            self.taskbar.clear()
        self._update_actions()

    # ------------------------------------------------------------------ closing

    def quit_without_asking(self) -> None:
        """Close as after "Quit now?" was answered yes: for SIGTERM, with nobody to ask."""
        self._ask_before_quit = False
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        busy = self.transfers is not None and (
            not self.transfers.is_idle() or bool(self.unfinished_jobs())
        )  # paused and waiting transfers count: quitting ends them too
        if busy and self._ask_before_quit and not self.confirm_quit():
            event.ignore()
            return
        event.accept()
        self.taskbar.clear()  # a dock that misses the quit would keep showing the bar
        _retire_downloads(self.transfers)

    def unfinished_jobs(self) -> list[JobView]:
        """Queued, running, paused, retrying or waiting for a choice."""
        return [job for job in self.model.views() if not job.state.finished]

    def confirm_quit(self) -> bool:
        text = self.quit_question(self.unfinished_jobs()) + "\n\n" + self.tr("Quit now?")
        return self._confirm_leaving(text, self.tr("Quit"), self.tr("Don't quit"))

    def confirm_switch(self, leaving: str, chosen: str) -> bool:
        """Switching from the storage named ``leaving`` to ``chosen`` with transfers that
        have not finished (the switch waits until none is running): asks, naming them."""
        text = self.unfinished_question(self.unfinished_jobs(), leaving)
        text += "\n\n" + self.tr("Switch to {storage} now?").format(storage=chosen)
        return self._confirm_leaving(text, self.tr("Switch"), self.tr("Don't switch"))

    def _confirm_leaving(self, text: str, act: str, keep: str) -> bool:
        return confirm(self, self.tr("Transfers have not finished"), text, act, keep)

    def quit_question(self, jobs: list[JobView]) -> str:
        return self.unfinished_question(jobs)

    def unfinished_question(self, jobs: list[JobView], leaving: str = "") -> str:
        """How many uploads and downloads have not finished, by name, and what leaving does
        to them: quitting, or switching away from the storage named ``leaving``. Uploads go
        on later where a journal keeps them; downloads stop."""
        uploads = [job for job in jobs if not job.target]
        downloads = [job for job in jobs if job.target]
        resumable = self.engine is not None and self.engine.journal is not None
        parts = []
        if uploads:
            parts.append(self._uploads_left(uploads, resumable, leaving))
        elif not downloads:  # quitting while a folder is still read: no rows yet
            parts.append(
                self.tr("Some files have not finished uploading. If you quit now, they are "
                        "paused and go on from where they stopped the next time you open s3desk.")
                if resumable
                else self.tr("Some files have not finished uploading. The local demo storage "
                             "is cleared when s3desk quits, so these uploads will be lost.")
            )  # fmt: skip
        if downloads:
            parts.append(
                self.tr("%n download(s) have not finished: {names}. They stop now and leave "
                        "no partial file.", "", len(downloads))
                .format(names=name_list([job.name for job in downloads]))
            )  # fmt: skip
        return "\n\n".join(parts)

    def _uploads_left(self, uploads: list[JobView], resumable: bool, leaving: str) -> str:
        n, names = len(uploads), name_list([job.name for job in uploads])
        if resumable and leaving:
            text = self.tr(
                "%n upload(s) have not finished: {names}. If you switch now, they go on from "
                "where they stopped when you choose {storage} again.", "", n,
            ).format(names=names, storage=leaving)  # fmt: skip
        elif resumable:
            text = self.tr(
                "%n upload(s) have not finished: {names}. If you quit now, they go on from where "
                "they stopped the next time you open s3desk.", "", n,
            ).format(names=names)  # fmt: skip
        elif leaving:
            return self.tr(
                "%n upload(s) have not finished: {names}. The local demo storage keeps nothing "
                "unfinished when you switch away, so they will be lost.", "", n,
            ).format(names=names)  # fmt: skip
        else:
            return self.tr(
                "%n upload(s) have not finished: {names}. The local demo storage is cleared "
                "when s3desk quits, so they will be lost.", "", n,
            ).format(names=names)  # fmt: skip
        paused = sum(job.state is JobState.PAUSED for job in uploads)
        if paused == n:
            text += " " + self.tr(
                "All %n paused: they stay paused until you resume them.", "", paused
            )
        elif paused:
            text += " " + self.tr(
                "%n of them are paused and stay paused until you resume them.", "", paused
            )
        return text


def apply_theme(follow_system: bool) -> None:
    """Light or dark as the system is, or always light. The style sheet draws with palette
    colours, so both schemes stay readable."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    hints = QGuiApplication.styleHints()
    if follow_system:
        hints.unsetColorScheme()
        QApplication.setPalette(QPalette())  # the platform's, light or dark
    else:
        hints.setColorScheme(Qt.ColorScheme.Light)  # where the platform lets apps choose
        QApplication.setPalette(QApplication.style().standardPalette())


def _transfers_for(engine: UploadEngine | EngineProcess | None) -> TransferQueue | None:
    """Uploads and downloads as one queue: an in-process upload engine gets a download
    engine beside it; an engine process runs both already."""
    return Transfers(engine) if isinstance(engine, UploadEngine) else engine


def _retire_downloads(transfers: TransferQueue | None) -> None:
    """Stop the downloads that ``_transfers_for`` added (the owner of the upload engine
    shuts that one down), without making the UI thread wait."""
    if isinstance(transfers, Transfers) and transfers.has_downloads:
        threading.Thread(
            target=transfers.downloads.shutdown, name="s3desk-retire-downloads", daemon=True
        ).start()


def _client_of(engine: UploadEngine | EngineProcess) -> Callable[[], Any]:
    """The browser's client provider. It runs in worker threads, so it holds the engine,
    never the window: a widget must not be freed by a thread that dropped the last
    reference to it."""
    return lambda: engine.client


def _local_paths(urls: Iterable[QUrl]) -> list[str]:
    return [url.toLocalFile() for url in urls if url.isLocalFile() and url.toLocalFile()]
