"""The Incomplete uploads dialog: multipart uploads of a bucket that were started and never
completed or aborted, and aborting the ones the user picks.

Their parts are stored, and billed, yet show in no listing of the bucket. Every request runs
in the executor of the qasync loop; widgets are only touched back on the UI thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from s3desk.core.bucket.incomplete_uploads import (
    AbortFailure,
    Incomplete,
    abort_uploads,
    list_incomplete_uploads,
)
from s3desk.core.compliance.audit import AuditLog
from s3desk.ui.common.core_phrases import describe_error
from s3desk.ui.common.names import name_list
from s3desk.ui.common.questions import confirm
from s3desk.ui.common.units import human_size

ClientProvider = Callable[[], Any]
_T = TypeVar("_T")

# Columns of the table.
KEY, STARTED, SIZE, PARTS = range(4)
_INDEX_ROLE = Qt.ItemDataRole.UserRole  # on the Key item: the upload's place in _uploads
_SORT_ROLE = Qt.ItemDataRole.UserRole + 1
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class _Item(QTableWidgetItem):
    """A cell that sorts by a value of its own (bytes, a timestamp), not by its text."""

    def __init__(self, text: str, sort_key: Any) -> None:
        super().__init__(text)
        self.setData(_SORT_ROLE, sort_key)
        self.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(_SORT_ROLE), other.data(_SORT_ROLE)
        if mine is None or theirs is None:
            return super().__lt__(other)
        return bool(mine < theirs)


class IncompleteUploadsDialog(QDialog):
    # After each listing: how many incomplete uploads it found.
    listed = Signal(int)
    # After an abort: the AbortFailure list (empty when every upload was aborted).
    aborted = Signal(object)
    # A listing or an abort failed as a whole; the message says what and why.
    failed = Signal(str)

    def __init__(
        self,
        client_provider: ClientProvider,
        bucket: str,
        prefix: str = "",
        *,
        audit: AuditLog | None = None,
        account: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client_provider
        self.bucket = bucket
        self.prefix = prefix
        self.audit = audit
        self.account = account
        self._uploads: list[Incomplete] = []
        self._generation = 0  # a listing started before the latest one is dropped
        self._listing = False
        self._aborting = False
        self._started = False
        self._tasks: set[asyncio.Future[None]] = set()
        self.setObjectName("incompleteUploadsDialog")
        self.setWindowTitle(
            self.tr("Incomplete uploads — {location}").format(location=self.location())
        )
        self.resize(820, 460)
        self._build()

    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    # ------------------------------------------------------------------ construction

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 14, 14, 10)
        outer.setSpacing(8)
        intro = QLabel(
            self.tr(
                "Multipart uploads that were started in %1 and never completed or aborted. "
                "The parts already sent are stored, and billed, but show in no listing."
            ).replace("%1", self.location())
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)

        self.table = self._build_table()
        outer.addWidget(self.table, 1)

        self.status_label = QLabel()
        self.status_label.setObjectName("incompleteStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.status_label)
        # What the last abort did; kept while the list is loaded again after it.
        self.message_label = QLabel()
        self.message_label.setObjectName("incompleteMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setVisible(False)
        outer.addWidget(self.message_label)

        row = QHBoxLayout()
        row.setSpacing(6)
        self.select_all_button = QPushButton(self.tr("Select all"))
        self.select_all_button.clicked.connect(self.table.selectAll)
        self.abort_button = QPushButton(self.tr("Abort selected…"))
        self.abort_button.setToolTip(
            self.tr("Abort the selected uploads and delete the parts they hold (Delete)")
        )
        self.abort_button.clicked.connect(self.abort_selected)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("List the incomplete uploads again (F5)"))
        self.refresh_button.clicked.connect(self.refresh)
        row.addWidget(self.select_all_button)
        row.addWidget(self.abort_button)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row.addWidget(buttons)
        for button in (self.select_all_button, self.abort_button, self.refresh_button):
            button.setAutoDefault(False)
        for standard in buttons.buttons():
            if isinstance(standard, QPushButton):  # a dialog button box makes push buttons
                standard.setAutoDefault(False)  # Enter in the table must not close the dialog
        outer.addLayout(row)

        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refresh)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table, self.abort_selected)
        self._update_buttons()

    def _build_table(self) -> QTableWidget:
        table = QTableWidget(0, 4)
        table.setObjectName("incompleteTable")
        table.setHorizontalHeaderLabels(
            [self.tr("Key"), self.tr("Started"), self.tr("Size so far"), self.tr("Parts")]
        )
        table.setAccessibleName(self.tr("Incomplete uploads"))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(26)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(KEY, QHeaderView.ResizeMode.Stretch)
        for column, width in ((STARTED, 140), (SIZE, 100), (PARTS, 60)):
            table.setColumnWidth(column, width)
        for column in (SIZE, PARTS):  # numbers are right-aligned; their titles go with them
            title = table.horizontalHeaderItem(column)
            assert title is not None  # set with the header labels
            title.setTextAlignment(_RIGHT)
        # Oldest first: the longer an upload has been left, the likelier it is abandoned.
        header.setSortIndicator(STARTED, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        table.itemSelectionChanged.connect(self._update_buttons)
        return table

    def _update_buttons(self) -> None:
        busy = self._listing or self._aborting
        self.select_all_button.setEnabled(bool(self._uploads) and not busy)
        self.abort_button.setEnabled(bool(self.selected_uploads()) and not busy)
        self.refresh_button.setEnabled(not self._aborting)

    # ------------------------------------------------------------------ listing

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._started:  # the first time only; Refresh lists again after that
            self._started = True
            self.refresh()

    def refresh(self) -> None:
        """List the incomplete uploads (again), off the UI thread."""
        if self._aborting:
            return  # the abort lists again when it ends
        self._started = True
        self._generation += 1
        self._listing = True
        self.status_label.setText(self.tr("Loading…"))
        self._update_buttons()
        self._keep(self._list(self._generation))

    async def _list(self, generation: int) -> None:
        client_of, bucket, prefix = self._client, self.bucket, self.prefix
        uploads, error = await asyncio.get_running_loop().run_in_executor(
            None, _outcome, lambda: list_incomplete_uploads(client_of(), bucket, prefix), bucket
        )
        if not shiboken6.isValid(self) or generation != self._generation:
            return  # closed, or listed again meanwhile
        self._listing = False
        if uploads is None:
            self._show_uploads([])
            self.status_label.setText(error)
            self.failed.emit(error)
            return
        self._show_uploads(uploads)
        self.status_label.setText(self.summary(uploads))
        self.listed.emit(len(uploads))

    def _show_uploads(self, uploads: list[Incomplete]) -> None:
        chosen = {upload.upload_id for upload in self.selected_uploads()}
        self._uploads = list(uploads)
        table = self.table
        # Rows move while sorting is on; fill them unsorted, then sort once.
        table.setSortingEnabled(False)
        table.clearContents()
        table.setRowCount(len(uploads))
        for row, upload in enumerate(uploads):
            key = _Item(upload.key, upload.key)
            key.setData(_INDEX_ROLE, row)
            key.setToolTip(
                f"{upload.key}\n" + self.tr("Upload ID: {id}").format(id=upload.upload_id)
            )
            if upload.started is not None:
                local = upload.started.astimezone()
                started = _Item(local.strftime("%Y-%m-%d %H:%M"), upload.started.timestamp())
                started.setToolTip(local.strftime("%Y-%m-%d %H:%M:%S %Z"))
            else:
                started = _Item("", float("-inf"))
            size = _Item(human_size(upload.size_so_far), upload.size_so_far)
            size.setToolTip(self.tr("{n} bytes").format(n=f"{upload.size_so_far:,}"))
            size.setTextAlignment(_RIGHT)
            parts = _Item(f"{upload.parts:,}", upload.parts)
            parts.setTextAlignment(_RIGHT)
            for column, item in ((KEY, key), (STARTED, started), (SIZE, size), (PARTS, parts)):
                table.setItem(row, column, item)
        table.setSortingEnabled(True)
        self._select_uploads(chosen)
        self._update_buttons()

    def _select_uploads(self, upload_ids: set[str]) -> None:
        """Select the rows of these uploads, wherever listing and sorting put them: what was
        selected before a refresh stays selected, and nothing else is."""
        self.table.clearSelection()
        for row in range(self.table.rowCount()):
            item = self.table.item(row, KEY)
            if (
                item is not None
                and self._uploads[int(item.data(_INDEX_ROLE))].upload_id in upload_ids
            ):
                self.table.selectionModel().select(
                    self.table.model().index(row, KEY),
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows,
                )

    def summary(self, uploads: list[Incomplete]) -> str:
        """ "3 incomplete uploads, 15.0 MiB in all", or that there are none."""
        if not uploads:
            return self.tr("No incomplete uploads in {location}").format(location=self.location())
        total = sum(u.size_so_far for u in uploads)
        return self.tr("{uploads}, {size} in all").format(
            uploads=_uploads_words(len(uploads)), size=human_size(total)
        )

    # ------------------------------------------------------------------ aborting

    def selected_uploads(self) -> list[Incomplete]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        found = []
        for row in rows:
            item = self.table.item(row, KEY)
            if item is not None:
                found.append(self._uploads[int(item.data(_INDEX_ROLE))])
        return found

    def abort_selected(self) -> None:
        """Ask, then abort the selected uploads in the background and list again."""
        uploads = self.selected_uploads()
        if not uploads or self._listing or self._aborting:
            return
        if not self.confirm_abort(uploads):
            return
        self._aborting = True
        self._update_buttons()
        self.message_label.setText(
            self.tr("Aborting {uploads}…").format(uploads=_uploads_words(len(uploads)))
        )
        self.message_label.setToolTip("")
        self.message_label.setVisible(True)
        self._keep(self._abort(uploads))

    def confirm_abort(self, uploads: list[Incomplete]) -> bool:
        return confirm(
            self, self.tr("Abort uploads?"), self.abort_question(uploads),
            self.tr("Abort %n upload(s)", "", len(uploads)), self.tr("Don't abort"),
        )  # fmt: skip

    def abort_question(self, uploads: list[Incomplete]) -> str:
        """Names the uploads (their keys below the folder shown), the folder and the size
        of the parts that go."""
        total = sum(u.size_so_far for u in uploads)
        names = [u.key.removeprefix(self.prefix) or u.key for u in uploads]
        return (
            self.tr("Abort {uploads} ({size}) in {location}: {names}?").format(
                uploads=_uploads_words(len(uploads)), size=human_size(total),
                location=self.location(), names=name_list(names),
            )
            + "\n\n"
            + self.tr("The parts already sent will be deleted, and an upload that is still "
                      "running will fail. This cannot be undone.")
        )  # fmt: skip

    async def _abort(self, uploads: list[Incomplete]) -> None:
        client_of, bucket = self._client, self.bucket
        audit, account = self.audit, self.account
        failures, error = await asyncio.get_running_loop().run_in_executor(
            None,
            _outcome,
            lambda: abort_uploads(client_of(), bucket, uploads, audit=audit, account=account),
            bucket,
        )
        if not shiboken6.isValid(self):
            return
        self._aborting = False
        if failures is None:
            # Nothing was sent (no client, say); abort_uploads reports per upload otherwise.
            message = self.tr("Abort failed: {error}").format(error=error)
            self.message_label.setText(message)
            self._update_buttons()
            self.failed.emit(message)
            return
        self.message_label.setText(abort_summary(len(uploads), failures))
        self.message_label.setToolTip(
            "\n".join(f"{f.key}: {f.message or f.code}" for f in failures[:50])
        )
        self.aborted.emit(failures)
        self.refresh()

    def _keep(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run ``coroutine`` on the loop, holding a reference until it is done."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _outcome(work: Callable[[], _T], bucket: str) -> tuple[_T | None, str]:
    """Run ``work`` in a worker thread: (its result, "") or (None, what went wrong).

    The exception stays in the worker. Raised through an ``await`` it would carry the
    coroutine's frame, and so the dialog, in its traceback; the worker, which still holds the
    exception, could then drop the dialog's last reference and destroy widgets off the UI
    thread (a crash, some time later, in painting or text layout)."""
    try:
        return work(), ""
    except Exception as exc:
        return None, describe_error(exc, bucket)


def _uploads_words(count: int) -> str:
    """Singular and plural as two messages: the English source stays grammatical without
    a translation installed."""
    translate = QCoreApplication.translate
    if count == 1:
        template = translate("IncompleteUploadsDialog", "{n} incomplete upload")
    else:
        template = translate("IncompleteUploadsDialog", "{n} incomplete uploads")
    return template.format(n=f"{count:,}")


def abort_summary(count: int, failures: list[AbortFailure]) -> str:
    """ "Aborted 2; 1 could not be aborted: big.iso — Access denied"."""
    translate = QCoreApplication.translate
    done = count - len(failures)
    if not failures:
        return translate("IncompleteUploadsDialog", "Aborted {uploads}.").format(
            uploads=_uploads_words(done)
        )
    shown = "; ".join(f"{f.key} — {f.message or f.code}" for f in failures[:3])
    if len(failures) > 3:
        shown += translate("IncompleteUploadsDialog", "; and {n} more").format(
            n=f"{len(failures) - 3:,}"
        )
    return translate(
        "IncompleteUploadsDialog", "Aborted {done}; {failed} could not be aborted: {which}"
    ).format(done=f"{done:,}", failed=f"{len(failures):,}", which=shown)
