"""The Transfers tab's rows: how they are painted, what they say, and what can be done."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from s3desk.core.transfer.jobs import JobState, JobView
from s3desk.ui.transfers.model import TransferModel
from s3desk.ui.transfers.progress_delegate import ProgressDelegate


def _job(
    job_id: int, state: JobState, *, size: int = 1000, done: int = 0, error: str = ""
) -> JobView:
    return JobView(
        id=job_id, source=f"/data/f{job_id}.bin", bucket="b", key=f"f{job_id}.bin", size=size,
        bytes_done=done, state=state, error=error, note="", speed=0.0, eta=None,
    )  # fmt: skip


def _filled(colour: QColor) -> bool:
    """The bar's fill (the palette's highlight, blue): not the groove, text or background."""
    return colour.blue() - colour.red() > 40


def test_a_row_progress_bar_fills_from_the_left(qapp: QApplication) -> None:
    model = TransferModel()
    model.apply([_job(1, JobState.UPLOADING, done=300)])  # 30 %
    image = QImage(240, 28, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 240, 28)
    option.palette = qapp.palette()
    painter = QPainter(image)
    ProgressDelegate().paint(painter, option, model.index(0, TransferModel.PROGRESS))
    painter.end()

    bar = option.rect.adjusted(4, 5, -4, -5)  # where the delegate draws the bar
    left = range(bar.left() + bar.width() * 5 // 100, bar.left() + bar.width() * 25 // 100)
    right = range(bar.left() + bar.width() * 40 // 100, bar.left() + bar.width() * 95 // 100)
    rows = range(bar.top() + 3, bar.bottom() - 2)
    middle = bar.center().y()
    assert all(_filled(image.pixelColor(x, y)) for x in left for y in rows), "left part empty"
    assert not any(_filled(image.pixelColor(x, middle)) for x in right), "right part filled"
