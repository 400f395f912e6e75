"""The Transfers tab: the drop hint until something is queued, then the queue's table, and
what the user does to the rows (pause, resume, cancel, retry, content type, conflicts)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QInputDialog,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QTableView,
    QWidget,
)

from s3desk.core.compliance import content_types
from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import JobState, JobView, Totals
from s3desk.core.transfer.queue_api import TransferQueue
from s3desk.ui.common.columns import ColumnFitter
from s3desk.ui.common.names import name_list
from s3desk.ui.common.units import human_size
from s3desk.ui.transfers.content_type_delegate import ContentTypeDelegate, type_choices
from s3desk.ui.transfers.drop_hint import DropHint
from s3desk.ui.transfers.engine_bridge import EngineBridge
from s3desk.ui.transfers.model import JobIdRole, TransferModel
from s3desk.ui.transfers.progress_delegate import ElideMiddleDelegate, ProgressDelegate
from s3desk.ui.transfers.throughput_graph import ThroughputGraph
from s3desk.ui.window.actions import WindowActions

_FINISHED_OK = frozenset({JobState.DONE, JobState.SKIPPED, JobState.CANCELLED})
# What "Pause" and "Retry" act on when no row is selected (pause_all, retry_failed).
_PAUSED_BY_ALL = frozenset(
    {JobState.QUEUED, JobState.UPLOADING, JobState.DOWNLOADING, JobState.RETRYING}
)
_RETRIED_BY_ALL = frozenset({JobState.FAILED})
# What they act on in a selection: a job not finished nor paused pauses; a failed or
# cancelled one is retried.
_UNPAUSABLE = frozenset({JobState.PAUSED, *(state for state in JobState if state.finished)})
_RETRIABLE = frozenset({JobState.FAILED, JobState.CANCELLED})
# Cancelling throws away what a transfer has moved: past this much, the panel asks first
# (and offers to pause instead).
CANCEL_ASKS_AFTER = 1 * MiB


class QueuePanel(QStackedWidget):
    """Holds the queue the window drives (``transfers``) and the bridge that polls it into
    ``model``; the window reaches both through here."""

    # A note for the window's status bar: (text, milliseconds shown).
    statusMessage = Signal(str, int)
    # The selection changed, or the rows did: the conflict bar names what it acts on.
    selectionChanged = Signal()

    def __init__(
        self, model: TransferModel, commands: WindowActions, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.commands = commands
        self.transfers: TransferQueue | None = None
        self.bridge: EngineBridge | None = None
        self.drop_hint = DropHint()
        self.table = self._build_table()
        self.addWidget(self.drop_hint)
        self.addWidget(self.table)
        self._build_graph()
        commands.pause_action.triggered.connect(self.pause_selected)
        commands.resume_action.triggered.connect(self.resume_selected)
        commands.cancel_action.triggered.connect(self.cancel_selected)
        commands.retry_action.triggered.connect(self.retry_selected)
        commands.clear_action.triggered.connect(self.clear_finished)
        commands.copy_url_action.triggered.connect(self.copy_selected_urls)
        commands.content_type_action.triggered.connect(self.choose_content_type)
        self.table.addAction(commands.cancel_action)  # for its Delete shortcut
        self.model.rowsInserted.connect(lambda *_: self.setCurrentWidget(self.table))

    def attach(self, transfers: TransferQueue) -> EngineBridge | None:
        """Drive ``transfers`` from now on; returns the bridge when it is a new one (the
        window connects its signals), None when the existing one follows."""
        self.transfers = transfers
        if self.bridge is None:
            self.bridge = EngineBridge(transfers, self.model, self)
            self.bridge.totalsChanged.connect(self._record_speed)
            return self.bridge
        self.bridge.set_engine(transfers)
        return None

    def _build_graph(self) -> None:
        """The speed graph, a strip under the table once something has moved; the pages
        above it keep the room it leaves (``graph_action`` shows or hides it)."""
        self.graph = ThroughputGraph(self)
        self.graph.hide()
        self.graph_action = QAction(self.tr("Transfer speed &graph"), self)
        self.graph_action.setCheckable(True)
        self.graph_action.setChecked(True)
        self.graph_action.setToolTip(
            self.tr("Show the upload and download speed of the last minutes")
        )
        self.graph_action.toggled.connect(self._place_graph)
        self.currentChanged.connect(self._place_graph)

    def _record_speed(self, totals: Totals) -> None:
        self.graph.record(totals)
        if not self.graph.isVisible():
            self._place_graph()

    def _place_graph(self) -> None:
        shown = (
            self.graph_action.isChecked()
            and self.graph.history.ever_moved
            and self.currentWidget() is self.table
        )
        height = self.graph.sizeHint().height() if shown else 0
        self.setContentsMargins(0, 0, 0, height)
        self.graph.setGeometry(0, self.height() - height, self.width(), height)
        self.graph.setVisible(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_graph()

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
        self.model.contentTypeRefused.connect(lambda reason: self.statusMessage.emit(reason, 10000))
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
        # Together they leave the destination room for its bucket and a file's name in the
        # window as it opens beside the sidebar; a long type is cut, its tooltip whole.
        widths = {
            TransferModel.NAME: 160,
            TransferModel.SIZE: 72,
            TransferModel.TYPE: 110,
            TransferModel.PROGRESS: 110,
            TransferModel.SPEED: 84,
            TransferModel.STATUS: 130,  # grows with what it says (status_fitter)
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            table.setColumnWidth(column, width)
        # The destination takes the room left (cut in the middle, its tooltip whole); the
        # status is as wide as what it says, up to half the table and what the others leave.
        header.setSectionResizeMode(TransferModel.DESTINATION, QHeaderView.ResizeMode.Stretch)
        self.status_fitter = ColumnFitter(table, [TransferModel.STATUS], share=0.5, in_view=True)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._show_context_menu)
        table.selectionModel().selectionChanged.connect(self.update_actions)
        table.selectionModel().selectionChanged.connect(self.selectionChanged)
        return table

    # ------------------------------------------------------------------ selection

    def selected_job_ids(self) -> list[int]:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return [self.model.index(row, 0).data(JobIdRole) for row in sorted(rows)]

    def _selected_jobs(self) -> list[JobView]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.job_at(row) for row in rows]

    def show_rows(self) -> None:
        """The table instead of the drop hint (something was queued)."""
        self.setCurrentWidget(self.table)

    def show_drop_hint(self) -> None:
        self.setCurrentWidget(self.drop_hint)

    def _show_context_menu(self, pos: QPoint) -> None:
        if not self.selected_job_ids():
            return
        commands = self.commands
        menu = QMenu(self)
        menu.addAction(commands.pause_action)
        menu.addAction(commands.resume_action)
        menu.addAction(commands.cancel_action)
        menu.addAction(commands.retry_action)
        menu.addSeparator()
        menu.addAction(commands.content_type_action)
        menu.addAction(commands.copy_url_action)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def update_actions(self) -> None:
        """Enable what would act on something: on the selected rows, or else on all."""
        has_rows = self.model.rowCount() > 0
        jobs = self._selected_jobs() if has_rows else []
        selected = bool(jobs)
        commands = self.commands
        commands.cancel_action.setEnabled(selected)
        if selected:
            states = frozenset(job.state for job in jobs)
            can_pause = bool(states - _UNPAUSABLE)
            can_retry = bool(states & _RETRIABLE)
        else:
            states = self.model.states()
            can_pause = bool(states & _PAUSED_BY_ALL)
            can_retry = bool(states & _RETRIED_BY_ALL)
        commands.pause_action.setEnabled(can_pause)
        commands.resume_action.setEnabled(JobState.PAUSED in states)
        commands.retry_action.setEnabled(can_retry)
        commands.clear_action.setEnabled(has_rows)
        commands.copy_url_action.setEnabled(selected)
        commands.content_type_action.setEnabled(selected)

    # ------------------------------------------------------------------ conflicts

    def conflicts_chosen(self) -> tuple[list[JobView], bool]:
        """The asking rows the bar's buttons act on: the selected ones (True), else all."""
        selected = set(self.selected_job_ids())
        asking = [view for view in self.model.views() if view.state is JobState.CONFLICT]
        chosen = [view for view in asking if view.id in selected]
        return (chosen, True) if chosen else (asking, False)

    def resolve_conflicts(self, choice: ConflictPolicy) -> None:
        """Apply the choice to the selected asking rows, or to all of them."""
        if self.transfers is None or self.bridge is None:
            return
        chosen = [view.id for view in self.conflicts_chosen()[0]]
        if self.transfers.resolve_conflicts(choice, chosen):
            self.bridge.wake()
        self.refresh_now()

    # ------------------------------------------------------------------ controlling jobs

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
        self.refresh_now()

    def refresh_now(self) -> None:
        if self.bridge is not None:
            self.bridge.refresh()
        self.update_actions()

    def clear_finished(self) -> None:
        self.model.remove_finished(_FINISHED_OK)
        if self.model.rowCount() == 0:
            self.show_drop_hint()
        self.update_actions()

    def copy_selected_urls(self) -> None:
        urls = [f"s3://{job.bucket}/{job.key}" for job in self._selected_jobs()]
        QGuiApplication.clipboard().setText("\n".join(urls))

    def cancel_selected(self) -> None:
        """Cancel the selected transfers; when that throws away more than a little of what
        was sent, ask first, offering to pause instead."""
        if self.transfers is None:
            return
        jobs = self._selected_jobs()
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

    # ------------------------------------------------------------------ content type

    def choose_content_type(self) -> None:
        """Ask for one content type for the selected uploads that can still take one."""
        jobs = self._selected_jobs()
        editable = [job for job in jobs if job.content_type_editable]
        if not editable:
            self.statusMessage.emit(
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
            self.statusMessage.emit(str(exc), 10000)
            return
        self.set_content_type([job.id for job in editable], chosen)
        kept = len(jobs) - len(editable)
        if kept:
            self.statusMessage.emit(
                self.tr("%n upload(s) already started keep their content type.", "", kept), 10000
            )

    def set_content_type(self, job_ids: list[int], content_type: str) -> None:
        if self.transfers is None:
            return
        self.transfers.set_content_type(job_ids, content_type)
        if self.bridge is not None:
            self.bridge.wake()
        self.refresh_now()
