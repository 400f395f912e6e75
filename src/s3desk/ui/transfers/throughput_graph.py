"""A strip that draws the last few minutes of upload and download speed.

Fed each snapshot's totals (``record``), it keeps the history in the core's
``ThroughputHistory`` and repaints on its own timer, twice a second, only while it is shown
and something is left to scroll. The two directions are told apart by colour and by the
legend's words; screen readers read the current and peak speeds from its description.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QHideEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import QWidget

from s3desk.core.transfer.jobs import Totals
from s3desk.core.transfer.throughput_history import HISTORY_SECONDS, Sample, ThroughputHistory
from s3desk.ui.common.units import human_rate

REPAINT_MS = 500
_MARGIN = 4
# Blue and orange stay apart for the common kinds of colour blindness; each pair keeps a
# contrast of at least 3:1 with the background it is used on.
_ON_LIGHT = (QColor("#1f5fbf"), QColor("#b34700"))
_ON_DARK = (QColor("#6cb4ff"), QColor("#ffa04d"))
_NICE_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def series_colours(palette: QPalette) -> tuple[QColor, QColor]:
    """(upload, download) for a background as light or dark as the palette's base."""
    return _ON_DARK if palette.color(QPalette.ColorRole.Base).lightness() < 128 else _ON_LIGHT


def nice_scale(highest: float) -> float:
    """The graph's top: 1, 2 or 5 times a power of ten of the unit human_rate picks, at or
    above ``highest``."""
    if highest <= 0:
        return 1024.0
    unit = 1.0
    while highest >= unit * 1024:
        unit *= 1024
    value = highest / unit
    decade = 10.0 ** math.floor(math.log10(value))
    for step in _NICE_STEPS:
        if step * decade >= value:
            return step * decade * unit
    return 1024.0 * unit  # not reached: value / decade is below 10


class ThroughputGraph(QWidget):
    def __init__(
        self, parent: QWidget | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(parent)
        self.history = ThroughputHistory()
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setInterval(REPAINT_MS)
        self._timer.timeout.connect(self.tick)
        self.setAccessibleName(self.tr("Transfer speed"))
        self.setMinimumHeight(self.sizeHint().height())
        self.describe()

    def sizeHint(self) -> QSize:
        return QSize(400, self.fontMetrics().height() * 2 + 34)

    # -- data ----------------------------------------------------------------------------

    def record(self, totals: Totals) -> None:
        """One snapshot's counters; repainting starts if the graph is shown."""
        self.history.record(self._clock(), totals.bytes_uploaded, totals.bytes_downloaded)
        if self.isVisible() and not self._timer.isActive():
            self._timer.start()

    def tick(self) -> None:
        """Scroll to now, say it, draw it; stop when there is nothing left to scroll."""
        self.history.advance(self._clock())
        self.describe()
        self.update()
        if self.history.quiet():
            self._timer.stop()

    @property
    def repainting(self) -> bool:
        return self._timer.isActive()

    def describe(self) -> None:
        """The current and peak speeds in words, for screen readers and the tooltip."""
        now, peak = self.history.current, self.history.peak
        text = self.tr(
            "Upload: {upload} now, peak {upload_peak}. Download: {download} now, peak "
            "{download_peak}. Over the last {minutes} minutes."
        ).format(
            upload=human_rate(now.upload),
            upload_peak=human_rate(peak.upload),
            download=human_rate(now.download),
            download_peak=human_rate(peak.download),
            minutes=HISTORY_SECONDS // 60,
        )
        if text != self.accessibleDescription():
            self.setAccessibleDescription(text)
            self.setToolTip(text)

    # -- showing -------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.tick()
        if not self.history.quiet():
            self._timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._timer.stop()  # hidden, it costs nothing but keeping the samples

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colours = series_colours(self.palette())
        line, width = self.fontMetrics().height(), self.width() - 2 * _MARGIN
        self._draw_legend(painter, QRectF(_MARGIN, _MARGIN, width, line), colours)
        top = _MARGIN + line + 4
        plot = QRectF(_MARGIN, top, width, self.height() - top - _MARGIN)
        self._draw_plot(painter, plot, colours)
        painter.end()

    def _draw_legend(self, painter: QPainter, row: QRectF, colours: tuple[QColor, QColor]) -> None:
        """Per direction a swatch, its name, its speed now and its peak; the span at the right."""
        palette, metrics = self.palette(), self.fontMetrics()
        now, peak = self.history.current, self.history.peak
        baseline = row.top() + metrics.ascent()
        x = row.left()
        for colour, direction, rate, top in (
            (colours[0], self.tr("Upload"), now.upload, peak.upload),
            (colours[1], self.tr("Download"), now.download, peak.download),
        ):
            painter.fillRect(QRectF(x, row.center().y() - 4, 10, 8), colour)
            x += 14
            words = self.tr("{direction} {rate} (peak {peak})").format(
                direction=direction, rate=human_rate(rate), peak=human_rate(top)
            )
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(QPointF(x, baseline), words)
            x += metrics.horizontalAdvance(words) + 16
        span = self.tr("last {minutes} minutes").format(minutes=HISTORY_SECONDS // 60)
        if x + metrics.horizontalAdvance(span) <= row.right():  # only where there is room
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            painter.drawText(row, int(right), span)

    def _draw_plot(self, painter: QPainter, plot: QRectF, colours: tuple[QColor, QColor]) -> None:
        """Both series, the upload's over the download's, under a scale with round numbers."""
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        painter.fillRect(plot, base)
        painter.setPen(QPen(muted, 1, Qt.PenStyle.DotLine))
        painter.drawLine(plot.topLeft(), plot.topRight())
        middle = plot.center().y()
        painter.drawLine(QPointF(plot.left(), middle), QPointF(plot.right(), middle))
        scale = nice_scale(self.history.highest_shown())
        samples = self.history.samples()
        self._draw_series(painter, plot, samples, scale, colours[1], lambda s: s.download)
        self._draw_series(painter, plot, samples, scale, colours[0], lambda s: s.upload)
        # The scale over the oldest seconds, on a patch of background: the newest stay clear.
        words = human_rate(scale)
        box = QRectF(
            plot.left() + 1,
            plot.top() + 1,
            self.fontMetrics().horizontalAdvance(words) + 6,
            self.fontMetrics().height(),
        )
        painter.fillRect(box, base)
        painter.setPen(muted)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), words)
        painter.drawRect(plot)

    @staticmethod
    def _draw_series(
        painter: QPainter,
        plot: QRectF,
        samples: list[Sample],
        scale: float,
        colour: QColor,
        rate_of: Callable[[Sample], float],
    ) -> None:
        """An area, faint, under a line: the newest second at the right edge."""
        step = plot.width() / (len(samples) - 1)
        line = QPainterPath()
        for i, sample in enumerate(samples):
            point = QPointF(
                plot.left() + i * step,
                plot.bottom() - min(1.0, rate_of(sample) / scale) * plot.height(),
            )
            if i == 0:
                line.moveTo(point)
            else:
                line.lineTo(point)
        area = QPainterPath(line)
        area.lineTo(plot.bottomRight())
        area.lineTo(plot.bottomLeft())
        area.closeSubpath()
        fill = QColor(colour)
        fill.setAlpha(60)
        painter.fillPath(area, fill)
        painter.setPen(QPen(colour, 2))
        painter.drawPath(line)
