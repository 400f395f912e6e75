"""The main window: the destination, the Transfers, Browse and History tabs, and the totals.

It is put together from its parts (``actions``, ``destination``, ``conflict_bar``,
``queue_panel``, ``leaving``, ``sidebar``) and holds the engine: it wires the engine's bridge
to them and hands them a new engine when another account is chosen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QUrl, Signal, qVersion
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QGuiApplication,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QProgressBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from s3desk.core.bucket.buckets import list_bucket_names
from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.download.plan import DownloadPlan
from s3desk.core.transfer.jobs import Destination, JobState, JobView, Totals
from s3desk.core.transfer.queue_api import TransferQueue
from s3desk.ui.browser.view import BrowserView
from s3desk.ui.common.core_phrases import describe_error
from s3desk.ui.common.theme import apply_theme
from s3desk.ui.common.units import human_duration, human_rate, human_size
from s3desk.ui.history.view import HistoryView
from s3desk.ui.transfers.engine_bridge import EngineBridge
from s3desk.ui.transfers.model import TransferModel
from s3desk.ui.window.actions import WindowActions
from s3desk.ui.window.conflict_bar import ConflictBar
from s3desk.ui.window.destination import DestinationBox
from s3desk.ui.window.diagnostics import diagnostic_text
from s3desk.ui.window.dialogs import WindowDialogs
from s3desk.ui.window.engine import Engine, queue_for, retire_downloads
from s3desk.ui.window.leaving import LeavingQuestions
from s3desk.ui.window.menu_bar import MenuBar
from s3desk.ui.window.notifier import Notifier
from s3desk.ui.window.queue_panel import QueuePanel
from s3desk.ui.window.sidebar import SIDEBAR_WIDTH, Sidebar
from s3desk.ui.window.taskbar import TaskbarProgress

log = logging.getLogger(__name__)


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
        engine: Engine | None,
        bucket: str = "",
        prefix: str = "",
        setup_hint: str = "",
        account_store: AccountStore | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine
        self._ask_before_quit = True  # off when nobody can answer (SIGTERM)
        # Set by whoever knows where the credentials come from (the account box): gives the
        # current account's endpoint with its secrets read again, for "Try again".
        self.renewed_endpoint: Callable[[], S3Endpoint | None] | None = None
        self.endpoint: S3Endpoint | None = engine.endpoint if engine else None
        self.setWindowTitle(window_title())
        self._set_size()
        self.setAcceptDrops(engine is not None)

        self.model = TransferModel(self)
        self.commands = WindowActions(self)
        self.commands.set_can_add(engine is not None)
        self.commands.add_files_action.triggered.connect(self.choose_files)
        self.commands.add_folder_action.triggered.connect(self.choose_folder)
        self.dialogs = WindowDialogs(self, account_store)
        self.dialogs.accountsChanged.connect(self.accountsChanged)
        self.dialogs.settingsSaved.connect(self.apply_settings)
        self.dialogs.statusMessage.connect(self.statusBar().showMessage)
        self.commands.accounts_action.triggered.connect(self.dialogs.open_accounts)
        self.commands.diagnostics_action.triggered.connect(self.copy_diagnostics)
        self.commands.settings_action.triggered.connect(self.dialogs.open_settings)
        self.queue = QueuePanel(self.model, self.commands)
        self.queue.statusMessage.connect(self.statusBar().showMessage)
        self.queue.selectionChanged.connect(self._show_conflicts)
        self.leaving = LeavingQuestions(self)

        self._buckets_task: asyncio.Future[None] | None = None
        self._diagnostics_task: asyncio.Future[None] | None = None
        self.addToolBar(self.commands.build_toolbar())
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 8, 12, 4)
        layout.setSpacing(8)
        self.destination_box = DestinationBox(bucket, prefix, setup_hint)
        self.destination_box.show_storage(self.endpoint)
        self.destination_box.accountChosen.connect(self.accountChosen)
        self.destination_box.unblockRequested.connect(self.unblock)
        layout.addWidget(self.destination_box)
        self.conflict_bar = ConflictBar()
        self.conflict_bar.chosen.connect(self.queue.resolve_conflicts)
        layout.addWidget(self.conflict_bar)
        layout.addWidget(self._build_tabs(engine, account_store), 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._build_menus()

        self.notifier = Notifier(self.model, self.windowIcon(), self)
        self.taskbar = TaskbarProgress(self)
        self.apply_settings(engine_too=False)  # the engine was made with the settings
        if engine is not None:
            self._attach_queue(queue_for(engine))
        self.destination_box.set_upload_service(self.uses_upload_service)
        self.queue.update_actions()

    @property
    def transfers(self) -> TransferQueue | None:
        """Uploads and downloads behind one queue (see ``queue_for``)."""
        return self.queue.transfers

    @property
    def bridge(self) -> EngineBridge | None:
        return self.queue.bridge

    # ------------------------------------------------------------------ construction

    def _build_tabs(self, engine: Engine | None, account_store: AccountStore | None) -> QTabWidget:
        # Uploads and the bucket browser share the window; drops go to the browser's
        # folder while it is shown. The sidebar of places beside them opens folders in it.
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.queue, self.tr("Transfers"))
        self.browser = BrowserView()
        self._point_browser(engine)
        self.browser.account = self.endpoint.label if self.endpoint else ""
        self.tabs.addTab(self.browser, self.tr("Browse"))
        self.history = HistoryView(self.browser.audit)
        self.tabs.addTab(self.history, self.tr("History"))
        self.tabs.tabBar().setAccessibleName(self.tr("Views"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.browser.downloadRequested.connect(self.start_downloads)
        self.browser.locationChanged.connect(self._show_where_files_go)
        self._build_sidebar(account_store)
        return self.tabs

    def _build_sidebar(self, account_store: AccountStore | None) -> None:
        """Accounts, their buckets and favourites on the left; F9 hides and shows them."""
        self.sidebar = Sidebar(self, account_store, self.accountChosen.emit, self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.sidebar)
        self.sidebar.follow(self.commands.show_sidebar_action, self.commands.favourite_action)
        self.accountsChanged.connect(self.sidebar.reload)

    def _set_size(self) -> None:
        # The sidebar is added beside the main area: where the screen has the room, the
        # window is wider by it, so the tables keep the width they have without it.
        width = 1100
        if self.screen().availableGeometry().width() >= width + SIDEBAR_WIDTH + 100:
            width += SIDEBAR_WIDTH
        self.resize(width, 640)
        # Only the height: the width is what the destination row's fields need at least.
        self.setMinimumHeight(440)

    def _build_menus(self) -> None:
        self.menus = MenuBar(self, self.commands, self.tabs)
        self.menus.statusMessage.connect(self.statusBar().showMessage)
        self.commands.report_action.triggered.connect(self.copy_diagnostics)
        self.commands.quit_action.triggered.connect(self.close)
        self.queue.table.addAction(self.commands.copy_url_action)  # for its Ctrl+C

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

    def _attach_queue(self, transfers: TransferQueue) -> None:
        bridge = self.queue.attach(transfers)
        if bridge is not None:  # a new one: the window follows what it reports
            bridge.totalsChanged.connect(self._show_totals)
            bridge.totalsChanged.connect(self.notifier.show_progress)
            bridge.problemChanged.connect(self.destination_box.show_problem)
            bridge.idle.connect(self.notifier.batch_finished)
            bridge.idle.connect(lambda _totals: self.browser.transfers_finished(self.model.views()))

    # ------------------------------------------------------------------ settings, diagnostics

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
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, settings.appearance)
        if engine_too and self.transfers is not None:
            self.transfers.set_bandwidth_limit(float(settings.bandwidth_limit))
            self.transfers.reconfigure(
                concurrency=settings.concurrency, part_size=settings.part_size,
                conflict=settings.conflict,
            )  # fmt: skip

    def copy_diagnostics(self) -> None:
        """Put what support needs on the clipboard (no secrets), built off the UI thread;
        ``diagnosticsCopied`` carries it once it is on the clipboard."""
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
        text = await diagnostic_text(self.endpoint, extra)
        if not shiboken6.isValid(self):
            return
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(self.tr("Diagnostic info copied to the clipboard."), 5000)
        self.diagnosticsCopied.emit(text)

    def attach_engine(self, engine: Engine, bucket: str = "", prefix: str = "") -> None:
        """Upload with ``engine`` from now on (another account was chosen). The caller
        checked that the previous engine had nothing running, and shuts it down."""
        self.engine = engine
        retire_downloads(self.transfers)
        self.endpoint = engine.endpoint
        self.model.remove_finished(frozenset(JobState))
        self.notifier.restart()
        self._attach_queue(queue_for(engine))
        self.destination_box.show_problem("", "")
        self.destination_box.show_storage(self.endpoint)
        self.destination_box.set_destination(bucket, prefix)
        self._point_browser(engine)
        self.destination_box.set_upload_service(self.uses_upload_service)
        self.browser.account = engine.endpoint.label
        if self.tabs.currentWidget() is self.browser:
            self.browser.open_location(bucket, prefix)
        self.setAcceptDrops(True)
        self.commands.set_can_add(True)
        self.queue.show_drop_hint()
        self.queue.update_actions()
        self._show_totals(engine.totals())
        self.start()

    def unblock(self) -> None:
        """After the user renewed credentials (e.g. signed in again, or entered a new key in
        the Accounts dialog): go on, with the account's credentials read afresh."""
        if self.transfers is not None and self.bridge is not None:
            renewed = self.renewed_endpoint() if self.renewed_endpoint else None
            self.transfers.unblock(renewed)
            self.bridge.wake()
            self.queue.refresh_now()

    # ------------------------------------------------------------------ destination

    def destination(self) -> Destination:
        return self.destination_box.destination()

    @property
    def uses_upload_service(self) -> bool:
        """An organisation's upload service decides where files go; there is no bucket to
        choose or browse, and no AWS keys on this computer."""
        return self.endpoint is not None and bool(self.endpoint.upload_service_url)

    def _point_browser(self, engine: Engine | None) -> None:
        if engine is not None and engine.endpoint.upload_service_url:
            self.browser.set_client(None, self.tr(
                "This account uploads through your organisation's upload service, which hands "
                "out upload links only: there is no bucket to browse with it."
            ))  # fmt: skip
        else:
            self.browser.set_client(_client_of(engine) if engine else None)

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.browser and self.browser.model.rowCount() == 0:
            bucket = self.destination().bucket
            self.browser.open_location(bucket, self.destination().prefix if bucket else "")
        self._show_where_files_go()

    def _upload_destination(self) -> Destination:
        """Where files added now go: the folder shown while Browse is open, else the
        destination chosen above."""
        if self.tabs.currentWidget() is self.browser and self.browser.bucket:
            return Destination(self.browser.bucket, self.browser.prefix)
        return self.destination()

    def _show_where_files_go(self) -> None:
        browsing = self.tabs.currentWidget() is self.browser and bool(self.browser.bucket)
        self.destination_box.show_browsed(self._upload_destination() if browsing else None)

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
            self.destination_box.bucket_box.setToolTip(
                self.tr("Could not list buckets: {error}\nType the bucket name instead.").format(
                    error=describe_error(exc)
                )
            )  # fmt: skip
            self.bucketsLoaded.emit([])
            return
        if not shiboken6.isValid(self) or engine is not self.engine:
            return  # the window closed, or another account was chosen meanwhile
        self.destination_box.show_buckets(names)
        self.bucketsLoaded.emit(names)

    # ------------------------------------------------------------------ adding transfers

    def add_paths(self, paths: Iterable[str | Path]) -> bool:
        """Queue files and folders for the current destination. False if nothing was queued."""
        chosen = [str(p) for p in paths]
        if self.transfers is None or self.bridge is None or not chosen:
            return False
        dest = self._upload_destination()
        if not dest.bucket and not self.uses_upload_service:
            self.statusBar().showMessage(self.tr("Choose a bucket first, then add files."), 8000)
            self.destination_box.bucket_box.setFocus()
            return False
        self.transfers.submit_paths(chosen, dest)
        self.bridge.wake()
        self.queue.show_rows()
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
            self.queue.drop_hint.set_highlighted(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.queue.drop_hint.set_highlighted(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.queue.drop_hint.set_highlighted(False)
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
        self.queue.show_rows()

    # ------------------------------------------------------------------ totals

    def _show_conflicts(self) -> None:
        chosen, selected = self.queue.conflicts_chosen()
        self.conflict_bar.show_names([view.name for view in chosen], selected)

    def totals_text(self, t: Totals) -> str:
        """The status bar's summary: files, bytes, speed and time left."""
        if not t.files_total:
            return self.tr("Nothing queued")
        parts = [self.tr("{done} of %n file(s) done", "", t.files_total).format(done=t.files_done)]
        if t.files_failed:
            parts.append(self.tr("{n} failed").format(n=t.files_failed))
        if t.files_cancelled:
            parts.append(self.tr("{n} cancelled").format(n=t.files_cancelled))
        if t.files_skipped:
            parts.append(self.tr("{n} skipped").format(n=t.files_skipped))
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
        self.setWindowTitle(window_title(f"{fraction:.0%}" if busy else ""))
        if busy:
            self.taskbar.show(fraction, totals.files_active)
        else:
            self.taskbar.clear()
        self.queue.update_actions()

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
        retire_downloads(self.transfers)

    def unfinished_jobs(self) -> list[JobView]:
        """Queued, running, paused, retrying or waiting for a choice."""
        return [job for job in self.model.views() if not job.state.finished]

    def _resumable(self) -> bool:
        """Unfinished uploads go on after a restart (a journal keeps them)."""
        return self.engine is not None and self.engine.journal is not None

    def confirm_quit(self) -> bool:
        return self.leaving.confirm_quit(self.unfinished_jobs(), self._resumable())

    def confirm_switch(self, leaving: str, chosen: str) -> bool:
        """Switching from the storage named ``leaving`` to ``chosen`` with transfers that
        have not finished (the switch waits until none is running): asks, naming them."""
        return self.leaving.confirm_switch(
            self.unfinished_jobs(), self._resumable(), leaving, chosen
        )


def window_title(what: str = "") -> str:
    """``what`` with the application's name once: "57% — s3desk", or the name alone.
    Qt adds the name itself on some platforms (X11, Windows) unless the title ends with it."""
    name = QGuiApplication.applicationDisplayName()
    return f"{what} — {name}" if what else name  # notr


def _client_of(engine: Engine) -> Callable[[], Any]:
    """The browser's client provider. It runs in worker threads, so it holds the engine,
    never the window: a widget must not be freed by a thread that dropped the last
    reference to it."""
    return lambda: engine.client


def _local_paths(urls: Iterable[QUrl]) -> list[str]:
    return [url.toLocalFile() for url in urls if url.isLocalFile() and url.toLocalFile()]
