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
        palette = self.palette()
        text_colour = palette.color(QPalette.ColorRole.WindowText)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        upload_colour, download_colour = series_colours(palette)
        metrics = self.fontMetrics()
        line = metrics.height()
        margin = 4
        # The legend: a swatch, the direction, its speed now and its peak.
        now, peak = self.history.current, self.history.peak
        x = margin
        for colour, label, rate, top in (
            (upload_colour, self.tr("Upload"), now.upload, peak.upload),
            (download_colour, self.tr("Download"), now.download, peak.download),
        ):
            painter.fillRect(QRectF(x, margin + line / 2 - 4, 10, 8), colour)
            x += 14
            words = self.tr("{direction} {rate} (peak {peak})").format(
                direction=label, rate=human_rate(rate), peak=human_rate(top)
            )
            painter.setPen(text_colour)
            painter.drawText(QPointF(x, margin + metrics.ascent()), words)
            x += metrics.horizontalAdvance(words) + 16
        # The plot, under the legend, with its scale at the top right.
        scale = nice_scale(self.history.highest_shown())
        scale_words = human_rate(scale)
        plot = QRectF(
            margin,
            margin + line + 4,
            self.width() - 2 * margin,
            self.height() - 2 * margin - line - 4,
        )
        base = palette.color(QPalette.ColorRole.Base)
        painter.fillRect(plot, base)
        painter.setPen(QPen(muted, 1, Qt.PenStyle.DotLine))
        painter.drawLine(plot.topLeft(), plot.topRight())
        middle = plot.center().y()
        painter.drawLine(QPointF(plot.left(), middle), QPointF(plot.right(), middle))
        samples = self.history.samples()
        self._draw_series(painter, plot, samples, scale, download_colour, lambda s: s.download)
        self._draw_series(painter, plot, samples, scale, upload_colour, lambda s: s.upload)
        # The scale over the oldest seconds, on a patch of background: the newest stay clear.
        label_width = metrics.horizontalAdvance(scale_words) + 6
        scale_box = QRectF(plot.left() + 1, plot.top() + 1, label_width, line)
        painter.fillRect(scale_box, base)
        painter.setPen(muted)
        painter.drawText(scale_box, int(Qt.AlignmentFlag.AlignCenter), scale_words)
        painter.drawRect(plot)
        painter.end()

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
