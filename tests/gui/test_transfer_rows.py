"""The Transfers tab's rows: how they are painted, what they say, and what can be done."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QItemSelectionModel, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QMainWindow, QStyle, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from s3desk.core.transfer.jobs import JobState, JobView, Totals
from s3desk.ui.common.columns import STRETCH_KEEPS
from s3desk.ui.transfers.model import TransferModel
from s3desk.ui.transfers.progress_delegate import ProgressDelegate
from s3desk.ui.window.actions import WindowActions
from s3desk.ui.window.main_window import MainWindow
from s3desk.ui.window.queue_panel import QueuePanel


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


def _panel(qtbot: QtBot, *jobs: JobView) -> tuple[QMainWindow, QueuePanel, WindowActions]:
    """The Transfers tab with ``jobs``; the window is returned to be kept: it holds the
    actions."""
    window = QMainWindow()
    qtbot.addWidget(window)
    actions = WindowActions(window)
    panel = QueuePanel(TransferModel(), actions, window)
    window.setCentralWidget(panel)
    panel.model.apply(list(jobs))
    panel.update_actions()
    return window, panel, actions


def _enabled(actions: WindowActions) -> dict[str, bool]:
    return {
        "pause": actions.pause_action.isEnabled(),
        "resume": actions.resume_action.isEnabled(),
        "retry": actions.retry_action.isEnabled(),
    }


def test_pause_resume_and_retry_follow_what_the_queue_holds(qtbot: QtBot) -> None:
    _window, panel, actions = _panel(qtbot, _job(1, JobState.DONE), _job(2, JobState.SKIPPED))
    assert _enabled(actions) == {"pause": False, "resume": False, "retry": False}

    panel.model.apply([_job(3, JobState.FAILED), _job(4, JobState.CANCELLED)])
    panel.update_actions()  # retry acts on the failed rows when none is selected
    assert _enabled(actions) == {"pause": False, "resume": False, "retry": True}

    panel.model.apply([_job(3, JobState.DONE), _job(5, JobState.UPLOADING, done=10)])
    panel.update_actions()  # a cancelled row is retried only when selected
    assert _enabled(actions) == {"pause": True, "resume": False, "retry": False}

    panel.model.apply([_job(5, JobState.PAUSED, done=10)])
    panel.update_actions()
    assert _enabled(actions) == {"pause": False, "resume": True, "retry": False}

    # With a selection they act on it: the selected cancelled row can be retried only.
    panel.table.selectionModel().select(
        panel.model.index(panel.model.row_of(4) or 0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert _enabled(actions) == {"pause": False, "resume": False, "retry": True}

    # Clearing the finished rows leaves the paused one: resume only.
    panel.table.clearSelection()
    panel.clear_finished()
    assert _enabled(actions) == {"pause": False, "resume": True, "retry": False}


def test_the_summary_counts_cancelled_and_skipped_files(window: MainWindow) -> None:
    totals = Totals(
        files_total=12, files_done=9, files_failed=1, files_active=0, files_paused=0,
        files_asking=0, bytes_total=4096, bytes_done=4096, speed=0.0, eta=None,
        files_cancelled=1, files_skipped=1,
    )  # fmt: skip
    assert window.totals_text(totals).split(" · ")[:4] == [
        "9 of 12 files done", "1 failed", "1 cancelled", "1 skipped",
    ]  # fmt: skip


def test_the_status_is_shown_whole_when_the_window_is_wide(qtbot: QtBot) -> None:
    reason = "Cannot read the file: permission denied"
    window, panel, _actions = _panel(qtbot, _job(1, JobState.UPLOADING, done=10))
    panel.show_rows()
    window.resize(1100, 400)
    window.show()
    qtbot.waitExposed(window)
    panel.model.apply([_job(1, JobState.FAILED, done=10, error=reason)])

    status = panel.model.index(0, TransferModel.STATUS)
    text = f"Failed — {reason}"
    assert status.data() == text
    assert status.data(Qt.ItemDataRole.ToolTipRole) == text  # whole, however narrow
    table = panel.table
    need = table.fontMetrics().horizontalAdvance(text) + 6  # and the cell's margins
    qtbot.waitUntil(lambda: table.columnWidth(TransferModel.STATUS) >= need)
    # The destination gave the room, and the table still fits the window.
    assert table.horizontalHeader().length() <= table.viewport().width()


def test_a_long_status_does_not_push_the_table_into_a_scroll_bar(qtbot: QtBot) -> None:
    reason = "The bucket 'archive-2019' does not exist in this account's region " * 3
    window, panel, _actions = _panel(qtbot, _job(1, JobState.UPLOADING, done=10))
    panel.show_rows()
    window.resize(1100, 400)
    window.show()
    qtbot.waitExposed(window)
    table = panel.table
    before = table.columnWidth(TransferModel.STATUS)
    panel.model.apply([_job(1, JobState.FAILED, done=10, error=reason)])
    qtbot.waitUntil(lambda: table.columnWidth(TransferModel.STATUS) > before)
    # As wide as the others leave, the destination keeping enough to be read; the rest of
    # the text is in the tooltip.
    assert table.horizontalHeader().length() <= table.viewport().width()
    assert table.columnWidth(TransferModel.DESTINATION) >= STRETCH_KEEPS
    assert table.horizontalScrollBar().maximum() == 0


def test_a_status_note_keeps_its_reason_in_the_tooltip(qapp: QApplication) -> None:
    model = TransferModel()
    job = _job(1, JobState.RETRYING, error="Connection reset")
    model.apply([replace(job, note="Retrying (2 of 5)")])
    tooltip = model.index(0, TransferModel.STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.splitlines() == ["Retrying (2 of 5)", "Connection reset"]


def test_at_the_default_size_beside_the_sidebar_every_column_reads(
    qtbot: QtBot, window: MainWindow
) -> None:
    """The window as it opens, the sidebar shown: the destination keeps room for its bucket,
    a cut and the file's name, and no column's title is cut."""
    assert window.sidebar.isVisible()
    names = ["launch-film.mov", "interview raw.mp4", "summary.docx"]
    window.model.apply(
        [
            replace(
                _job(i, JobState.UPLOADING, done=10),
                bucket="demo",
                key=f"projects/apollo/{name}",
                source=f"/data/{name}",
            )
            for i, name in enumerate(names, start=1)
        ]
    )
    window.queue.show_rows()
    table, header = window.queue.table, window.queue.table.horizontalHeader()
    qtbot.waitUntil(table.isVisible)

    # The bucket, the cut and the name of the longest file, with the cell's margins.
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
    shown = table.fontMetrics().horizontalAdvance(f"s3://demo/…/{max(names, key=len)}")
    assert table.columnWidth(TransferModel.DESTINATION) >= shown + margin
    for column in range(header.count()):
        title = window.model.headerData(column, Qt.Orientation.Horizontal)
        assert header.sectionSize(column) >= header.sectionSizeHint(column), title
    assert header.length() <= table.viewport().width()  # all in view, no scroll bar
