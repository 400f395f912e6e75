"""Table columns as wide as their text, where the view has room for it."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

# Rows measured per fitting, the visible ones first: a long table is never measured whole.
MEASURED_ROWS = 200
# What a stretching column (a destination, cut in the middle) keeps when a column fitted
# ``in_view`` grows.
STRETCH_KEEPS = 160
# While rows change (a snapshot every 150 ms), fitting waits this long: measuring up to
# MEASURED_ROWS rows on every snapshot doubled the UI thread's worst delays while uploading.
GROW_EVERY_MS = 1000


class ColumnFitter(QObject):
    """Keeps ``columns`` of ``table`` as wide as their widest text, each at most ``share`` of
    the view's width and at least its width when fitting began, until the user resizes it.

    While rows change a column only grows, so a running transfer's text does not make the
    columns beside it jump; when rows go, the filter changes or the view is resized, each
    column is fitted afresh."""

    def __init__(
        self, table: QTableView, columns: Iterable[int], share: float, *, in_view: bool = False
    ) -> None:
        super().__init__(table)
        self.table = table
        self.share = share
        # Never wider than the view leaves, so the table needs no horizontal scroll bar (the
        # Transfers table, read at a glance); a log (History) may scroll instead.
        self.in_view = in_view
        header = table.horizontalHeader()
        header.setResizeContentsPrecision(MEASURED_ROWS)
        self._least = {column: header.sectionSize(column) for column in columns}
        self._fitting = False
        self._grow_only = True
        # The table's window while a fitting is due: see _hold_window.
        self._held_window: QWidget | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)  # once per turn of the event loop, however many changes
        self._timer.timeout.connect(self.fit)
        self._grow_timer = QTimer(self)
        self._grow_timer.setSingleShot(True)
        self._grow_timer.setInterval(GROW_EVERY_MS)
        self._grow_timer.timeout.connect(self.fit)
        header.sectionResized.connect(self._resized)
        model = table.model()
        model.rowsInserted.connect(self._changed)
        model.dataChanged.connect(self._changed)
        for signal in (model.layoutChanged, model.modelReset, model.rowsRemoved):
            signal.connect(self._refit)
        table.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.Resize:
            self._refit()
        return False

    def _changed(self, *_: object) -> None:
        if not self._grow_timer.isActive():  # not restarted: at most once a period
            self._hold_window()
            self._grow_timer.start()

    def _refit(self, *_: object) -> None:
        self._grow_only = False
        self._hold_window()
        self._timer.start()

    def _hold_window(self) -> None:
        """Measuring runs the model's data() for up to MEASURED_ROWS rows, whose allocations
        may start a garbage collection. A window that only a reference cycle holds (a view
        made without a parent, then dropped) would be deleted by it, with this table and its
        header, in the middle of the measurement. Held from when a fitting is due until it
        is done, such a window is collected between fittings instead."""
        self._held_window = self.table.window()

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting:
            self._least.pop(column, None)  # the user chose its width: leave it so

    def _room(self, column: int) -> int:
        """The view's width less what the other columns take (a stretching one its least)."""
        header = self.table.horizontalHeader()
        taken = 0
        for other in range(header.count()):
            if other == column or header.isSectionHidden(other):
                continue
            if header.sectionResizeMode(other) == QHeaderView.ResizeMode.Stretch:
                taken += max(header.minimumSectionSize(), STRETCH_KEEPS)
            else:
                taken += header.sectionSize(other)
        return self.table.viewport().width() - taken

    def fit(self) -> None:
        table, header = self.table, self.table.horizontalHeader()
        share = int(table.viewport().width() * self.share)
        self._fitting = True
        try:
            for column, least in self._least.items():
                most = min(share, self._room(column)) if self.in_view else share
                wanted = max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
                width = max(least, min(wanted, most))
                if self._grow_only:
                    width = max(width, header.sectionSize(column))
                if width != header.sectionSize(column):
                    table.setColumnWidth(column, width)
        finally:
            self._fitting = False
            self._grow_only = True
            if not (self._timer.isActive() or self._grow_timer.isActive()):
                self._held_window = None
