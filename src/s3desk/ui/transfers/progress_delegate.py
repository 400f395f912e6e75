"""Cell painters for the status table: progress bars, and paths elided in the middle."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
)

from s3desk.core.transfer.jobs import JobState
from s3desk.ui.transfers.model import FractionRole, StateRole

_NO_BAR = frozenset({JobState.FAILED, JobState.CANCELLED, JobState.SKIPPED})


class ProgressDelegate(QStyledItemDelegate):
    """Progress bar for queued, running and finished rows; nothing for failed or skipped ones."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if index.data(StateRole) in _NO_BAR:
            super().paint(painter, option, index)  # the Status column says what happened
            return
        fraction = index.data(FractionRole) or 0.0
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(4, 5, -4, -5)
        bar.minimum = 0
        bar.maximum = 1000
        bar.progress = round(fraction * 1000)
        bar.text = f"{fraction:.0%}"
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        # Qt 6 reads the orientation from the state: without it the bar fills bottom-up.
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        bar.palette = option.palette
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class ElideMiddleDelegate(QStyledItemDelegate):
    """Cuts text in the middle: paths and keys keep their start and their file name."""

    mode = Qt.TextElideMode.ElideMiddle

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = self.mode


class ElideRightDelegate(ElideMiddleDelegate):
    """Cuts text at its end: sentences read from their start."""

    mode = Qt.TextElideMode.ElideRight
