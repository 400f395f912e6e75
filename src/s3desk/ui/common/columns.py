"""Table columns as wide as their text, where the view has room for it."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QTableView

# Rows measured per fitting, the visible ones first: a long table is never measured whole.
MEASURED_ROWS = 200


class ColumnFitter(QObject):
    """Keeps ``columns`` of ``table`` as wide as their widest text, each at most ``share`` of
    the view's width and at least its width when fitting began, until the user resizes it.

    While rows change a column only grows, so a running transfer's text does not make the
    columns beside it jump; when rows go, the filter changes or the view is resized, each
    column is fitted afresh."""

    def __init__(self, table: QTableView, columns: Iterable[int], share: float) -> None:
        super().__init__(table)
        self.table = table
        self.share = share
        header = table.horizontalHeader()
        header.setResizeContentsPrecision(MEASURED_ROWS)
        self._least = {column: header.sectionSize(column) for column in columns}
        self._fitting = False
        self._grow_only = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)  # once per turn of the event loop, however many changes
        self._timer.timeout.connect(self.fit)
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
        self._timer.start()

    def _refit(self, *_: object) -> None:
        self._grow_only = False
        self._timer.start()

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting:
            self._least.pop(column, None)  # the user chose its width: leave it so

    def fit(self) -> None:
        table, header = self.table, self.table.horizontalHeader()
        most = int(table.viewport().width() * self.share)
        self._fitting = True
        try:
            for column, least in self._least.items():
                wanted = max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
                width = max(least, min(wanted, most))
                if self._grow_only:
                    width = max(width, header.sectionSize(column))
                if width != header.sectionSize(column):
                    table.setColumnWidth(column, width)
        finally:
            self._fitting = False
            self._grow_only = True
