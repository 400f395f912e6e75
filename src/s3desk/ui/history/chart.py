"""The History's chart: bytes uploaded and downloaded per day, a pair of bars per day.

Painted with QPainter. The bars' colours read on light and dark backgrounds alike (at
least 3:1 against white and against a dark window); text and axes use the palette. The
numbers are in a tooltip per day, under the arrow keys when the chart has the focus, and
all of them in the accessible description for screen readers.
"""

from __future__ import annotations

import datetime
import math

from PySide6.QtCore import QDate, QEvent, QLocale, QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from s3desk.core.compliance.daily_totals import DayTotal
from s3desk.ui.common.units import human_size

UPLOAD_COLOUR = QColor("#4a80e0")
DOWNLOAD_COLOUR = QColor("#c8660a")
CHART_HEIGHT = 110
_GAP = 4  # between the text and what it labels


def _qdate(day: datetime.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class DailyChart(QWidget):
    """Set the days with ``set_totals``; ``bar_rect`` tells where a bar is drawn."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._totals: list[DayTotal] = []
        self._current = -1  # the day the arrow keys are on
        self.setFixedHeight(CHART_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # its numbers by keyboard too
        self.setAccessibleName(self.tr("Bytes uploaded and downloaded per day"))
        self.setToolTip(self.tr("Point at a day, or use the arrow keys, for its numbers"))
        self.set_totals([])

    def sizeHint(self) -> QSize:
        return QSize(400, CHART_HEIGHT)

    # -- data ------------------------------------------------------------------------------

    def set_totals(self, totals: list[DayTotal]) -> None:
        self._totals = list(totals)
        if not 0 <= self._current < len(self._totals):
            self._current = len(self._totals) - 1
        self.setAccessibleDescription(self.describe())
        self.update()

    def totals(self) -> list[DayTotal]:
        return list(self._totals)

    def _day(self, day: datetime.date) -> str:
        return QLocale().toString(_qdate(day), QLocale.FormatType.ShortFormat)

    def day_text(self, total: DayTotal) -> str:
        return self.tr("{day}: {up} uploaded, {down} downloaded").format(
            day=self._day(total.day), up=human_size(total.uploaded),
            down=human_size(total.downloaded),
        )  # fmt: skip

    def describe(self) -> str:
        """Every number the chart shows, in words."""
        if not self._totals:
            return self.tr("No days to show")
        up = sum(t.uploaded for t in self._totals)
        down = sum(t.downloaded for t in self._totals)
        text = self.tr("From {first} to {last}: {up} uploaded, {down} downloaded.").format(
            first=self._day(self._totals[0].day), last=self._day(self._totals[-1].day),
            up=human_size(up), down=human_size(down),
        )  # fmt: skip
        busy = [self.day_text(t) for t in self._totals if t.uploaded or t.downloaded]
        return " ".join([text, *(f"{line}." for line in busy)])

    # -- geometry --------------------------------------------------------------------------

    def _peak(self) -> int:
        return max((max(t.uploaded, t.downloaded) for t in self._totals), default=0)

    def _plot(self) -> QRectF:
        """Where the bars go: below the legend, right of the scale, above the dates."""
        metrics = self.fontMetrics()
        scale = max(metrics.horizontalAdvance(human_size(self._peak())), 24)
        top = metrics.height() + _GAP * 2
        bottom = self.height() - metrics.height() - _GAP
        left = scale + _GAP * 2
        return QRectF(left, top, max(1.0, self.width() - left - _GAP), max(1.0, bottom - top))

    def bar_rect(self, index: int, upload: bool) -> QRectF:
        """Where the bar of day ``index`` (oldest first) is drawn; empty for nothing."""
        plot, peak = self._plot(), self._peak()
        slot = plot.width() / max(1, len(self._totals))
        width = max(1.0, slot * 0.35)
        x = plot.left() + slot * index + slot * 0.15 + (0 if upload else width)
        total = self._totals[index]
        value = total.uploaded if upload else total.downloaded
        height = round(plot.height() * value / peak) if peak else 0
        if value and height < 1:
            height = 1  # a small day still shows
        return QRectF(x, plot.bottom() - height, width, height)

    def day_at(self, x: float) -> int:
        """The day under ``x``, or -1."""
        plot = self._plot()
        if not self._totals or not plot.left() <= x < plot.right():
            return -1
        slot = plot.width() / len(self._totals)
        return min(len(self._totals) - 1, int((x - plot.left()) / slot))

    # -- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        axis = QColor(text)
        axis.setAlphaF(0.45)
        metrics = self.fontMetrics()
        plot = self._plot()
        self._paint_legend(painter, text)
        painter.setPen(QPen(axis, 1))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        painter.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.left(), plot.bottom()))
        painter.setPen(QPen(axis, 1, Qt.PenStyle.DotLine))  # the peak's level
        painter.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.right(), plot.top()))
        painter.setPen(text)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        label_box = QRectF(0, 0, plot.left() - _GAP, metrics.height())
        label_box.moveCenter(QPointF(label_box.center().x(), plot.top()))
        painter.drawText(label_box, right, human_size(self._peak()))
        label_box.moveCenter(QPointF(label_box.center().x(), plot.bottom()))
        painter.drawText(label_box, right, human_size(0))
        if not self._totals:
            return
        for index in range(len(self._totals)):
            for upload, colour in ((True, UPLOAD_COLOUR), (False, DOWNLOAD_COLOUR)):
                bar = self.bar_rect(index, upload)
                if bar.height() > 0:
                    painter.fillRect(bar, colour)
        self._paint_dates(painter, plot)
        if self.hasFocus() and 0 <= self._current < len(self._totals):
            slot = plot.width() / len(self._totals)
            marker = QRectF(plot.left() + slot * self._current, plot.top(), slot, plot.height())
            painter.setPen(
                QPen(palette.color(QPalette.ColorRole.Highlight), 1, Qt.PenStyle.DotLine)
            )
            painter.drawRect(marker.adjusted(0.5, 0.5, -0.5, -0.5))

    def _paint_legend(self, painter: QPainter, text: QColor) -> None:
        metrics = self.fontMetrics()
        x, side = float(self._plot().left()), metrics.ascent() * 0.8
        y = _GAP + (metrics.height() - side) / 2
        for colour, label in (
            (UPLOAD_COLOUR, self.tr("Uploaded")),
            (DOWNLOAD_COLOUR, self.tr("Downloaded")),
        ):
            painter.fillRect(QRectF(x, y, side, side), colour)
            x += side + _GAP
            painter.setPen(text)
            painter.drawText(QPointF(x, _GAP + metrics.ascent()), label)
            x += metrics.horizontalAdvance(label) + _GAP * 4
        painter.drawText(QPointF(x, _GAP + metrics.ascent()), self.tr("bytes per day"))

    def _paint_dates(self, painter: QPainter, plot: QRectF) -> None:
        """A date under every day there is room for, the newest always."""
        metrics = self.fontMetrics()
        locale = QLocale()
        labels = [locale.toString(_qdate(t.day), "d MMM") for t in self._totals]
        slot = plot.width() / len(labels)
        widest = max(metrics.horizontalAdvance(label) for label in labels) + _GAP * 2
        step = max(1, math.ceil(widest / slot))
        centre = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
        for index in range(len(labels) - 1, -1, -step):
            box = QRectF(0, plot.bottom() + _GAP / 2, widest, metrics.height())
            box.moveLeft(plot.left() + slot * (index + 0.5) - widest / 2)
            painter.drawText(box, centre, labels[index])

    # -- numbers by pointer and keyboard -----------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.day_at(event.pos().x())
            if index >= 0:
                QToolTip.showText(event.globalPos(), self.day_text(self._totals[index]), self)
            else:
                QToolTip.showText(event.globalPos(), self.toolTip(), self)
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        moves = {
            Qt.Key.Key_Left: self._current - 1,
            Qt.Key.Key_Right: self._current + 1,
            Qt.Key.Key_Home: 0,
            Qt.Key.Key_End: len(self._totals) - 1,
        }
        target = moves.get(Qt.Key(event.key()))
        if target is None or not self._totals:
            super().keyPressEvent(event)
            return
        self._current = max(0, min(len(self._totals) - 1, target))
        self.update()
        self._show_current()

    def current_text(self) -> str:
        """The numbers of the day the arrow keys are on."""
        if not 0 <= self._current < len(self._totals):
            return ""
        return self.day_text(self._totals[self._current])

    def _show_current(self) -> None:
        bar = self.bar_rect(self._current, True)
        point = self.mapToGlobal(QPoint(int(bar.center().x()), int(self._plot().top())))
        QToolTip.showText(point, self.current_text(), self)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()
