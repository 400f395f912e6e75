"""The History tab: the audit log newest first, filtered, exported as CSV, loaded off the UI
thread however big it is."""

from __future__ import annotations

import asyncio
import csv
import datetime
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QHelpEvent, QImage, QPalette
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from s3desk.core.compliance.audit import CSV_COLUMNS, AuditLog, csv_row
from s3desk.core.compliance.daily_totals import DayTotal
from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.ui.common.theme import state_colour
from s3desk.ui.history.chart import DOWNLOAD_COLOUR, UPLOAD_COLOUR, DailyChart
from s3desk.ui.history.model import EntryRole, HistoryModel
from s3desk.ui.history.view import HistoryView

LOAD_MS = 60_000


def _line(when: datetime.datetime, **fields: Any) -> str:
    entry = {"time": when.isoformat(timespec="milliseconds"), "user": "alice", **fields}
    return json.dumps(entry) + "\n"


T0 = datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC)

ENTRIES = [  # as the log holds them; the third was written late by another process
    dict(action="upload", account="Work", bucket="docs", key="report.pdf", size=2048,
         checksum="CRC32:AAA=", result="ok"),
    dict(action="delete", account="Work", bucket="docs", key="old/report.txt",
         version_id="v1", result="failed", error="AccessDenied: no"),
    dict(action="share-link", account="Home", bucket="pics", key="=cat.jpg", expires_in=60,
         result="ok"),
    dict(action="download", account="Work", bucket="docs", key="budget.xlsx", size=10,
         path="/tmp/budget.xlsx", result="ok"),
    dict(action="delete", account="Home", bucket="pics", key="dog.jpg", result="ok"),
]  # fmt: skip
MINUTES = [0, 1, 4, 2, 3]  # newest first: =cat (share link), dog, budget, old/report, report


def _write_log(path: Path) -> AuditLog:
    """ENTRIES across a rotated file and the current one."""
    times = [T0 + datetime.timedelta(minutes=m) for m in MINUTES]
    lines = [_line(when, **e) for when, e in zip(times, ENTRIES, strict=True)]
    (path.parent / "audit-20250301T120130.jsonl").write_text("".join(lines[:2]))
    path.write_text("".join(lines[2:]))
    return AuditLog(path)


def _column(view: HistoryView, column: int) -> list[str]:
    model = view.model
    return [model.index(row, column).data() for row in range(model.rowCount())]


def _keys(view: HistoryView) -> list[str]:
    model = view.model
    return [model.index(r, 0).data(EntryRole)["key"] for r in range(model.rowCount())]


@pytest.fixture
def view(qtbot: QtBot, tmp_path: Path, event_loop_qt: asyncio.AbstractEventLoop) -> HistoryView:
    view = HistoryView(_write_log(tmp_path / "audit.jsonl"))
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=LOAD_MS) as loaded:
        view.reload()
    assert loaded.args == [5]
    return view


@pytest.fixture
def local_zone_plus_0530(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time five and a half hours ahead of UTC (a POSIX TZ, no zone database needed)."""
    monkeypatch.setenv("TZ", "XST-05:30")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_entries_appear_newest_first_with_their_columns(
    local_zone_plus_0530: None, view: HistoryView
) -> None:
    assert _keys(view) == ["=cat.jpg", "dog.jpg", "budget.xlsx", "old/report.txt", "report.pdf"]
    row = _keys(view).index("budget.xlsx")  # written 12:02 UTC
    cells = [view.model.index(row, c).data() for c in range(view.model.columnCount())]
    assert cells == [
        "2025-03-01 17:32:00", "download", "ok", "Work", "docs/budget.xlsx", "10 B", "alice",
        "",
    ]  # fmt: skip
    assert _column(view, HistoryModel.ACTION) == [
        "share link", "delete", "download", "delete", "upload",
    ]  # fmt: skip
    headers = [
        view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(view.model.columnCount())
    ]
    assert headers == [
        "Time", "Action", "Result", "Account", "Bucket/key", "Size", "User", "Details",
    ]  # fmt: skip
    assert view.status_label.text() == "Entries: 5"


def test_the_filters_narrow_the_list(view: HistoryView) -> None:
    view.filter_edit.setText("REPORT")
    assert _keys(view) == ["old/report.txt", "report.pdf"]
    assert view.status_label.text() == "Shown: 2 of 5"
    view.filter_edit.setText("report denied")  # every word, in any field (the error here)
    assert _keys(view) == ["old/report.txt"]
    view.filter_edit.setText("share link")  # the action as shown
    assert _keys(view) == ["=cat.jpg"]

    view.filter_edit.clear()
    labels = [view.action_box.itemText(i) for i in range(view.action_box.count())]
    assert labels[:7] == [
        "All actions", "upload", "download", "delete", "delete version", "restore version",
        "share link",
    ]  # fmt: skip
    view.action_box.setCurrentIndex(labels.index("delete"))
    assert _keys(view) == ["dog.jpg", "old/report.txt"]
    view.filter_edit.setText("home")
    assert _keys(view) == ["dog.jpg"]
    view.action_box.setCurrentIndex(0)
    assert _keys(view) == ["=cat.jpg", "dog.jpg"]


def test_export_writes_the_csv_of_what_is_shown(
    qtbot: QtBot, view: HistoryView, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "history.csv"
    out.parent.mkdir()
    view.choose_export_path = lambda: str(out)
    view.filter_edit.setText("pics")
    with qtbot.waitSignal(view.exported, timeout=LOAD_MS) as done:
        view.export_button.click()
    assert done.args == [str(out), 2]
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(CSV_COLUMNS)
    assert [r[CSV_COLUMNS.index("key")] for r in rows[1:]] == ["'=cat.jpg", "dog.jpg"]
    assert rows[1:] == [csv_row(e) for e in view.model.shown_entries()]
    assert view.message_label.text() == f"Saved {out} (entries: 2)"


def test_an_export_that_cannot_be_written_says_why(
    qtbot: QtBot, view: HistoryView, tmp_path: Path
) -> None:
    view.choose_export_path = lambda: str(tmp_path / "missing" / "history.csv")
    with qtbot.waitSignal(view.exportFailed, timeout=LOAD_MS) as failed:
        view.export_shown()
    assert "history.csv" in failed.args[0] and "No such file" in failed.args[0]
    assert view.message_label.text() == failed.args[0]


def test_no_path_chosen_exports_nothing(view: HistoryView, tmp_path: Path) -> None:
    view.choose_export_path = lambda: ""
    view.export_shown()
    assert view._export_task is None and view.export_button.isEnabled()


def test_a_failed_entry_is_red(view: HistoryView) -> None:
    model = view.model
    failed_row = _keys(view).index("old/report.txt")
    for column in range(model.columnCount()):
        brush = model.index(failed_row, column).data(Qt.ItemDataRole.ForegroundRole)
        assert brush.color() == state_colour("failed")
        assert brush.color().red() > 2 * max(brush.color().green(), brush.color().blue())
    for row in range(model.rowCount()):
        if row != failed_row:
            assert model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    # Why it failed is in its own column, and first in the tooltip.
    assert model.index(failed_row, HistoryModel.DETAILS).data() == "AccessDenied: no"
    tip = model.index(failed_row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines()[:3] == ["Error: AccessDenied: no", "Key: old/report.txt", "Version: v1"]


def test_refresh_shows_new_entries_and_showing_reads_a_changed_log(
    qtbot: QtBot, view: HistoryView
) -> None:
    view.audit.append("upload", bucket="docs", key="new.txt", result="ok")
    with qtbot.waitSignal(view.loaded, timeout=LOAD_MS) as loaded:
        view.refresh_button.click()
    assert loaded.args == [6] and _keys(view)[0] == "new.txt"

    view.audit.append("upload", bucket="docs", key="newer.txt", result="ok")
    with qtbot.waitSignal(view.loaded, timeout=LOAD_MS) as loaded:
        view.show()  # the tab opened: the log changed, so it is read again
    assert loaded.args == [7] and _keys(view)[0] == "newer.txt"


class _HeldLog(AuditLog):
    """The log, read only once the UI thread has run after the reading began: a reading on
    the UI thread would wait for it in vain."""

    def __init__(self, path: Path, ui_ran: threading.Event) -> None:
        super().__init__(path)
        self.ui_ran = ui_ran
        self.reading = threading.Event()
        self.readers: list[threading.Thread] = []

    def entries(self) -> Iterator[dict[str, Any]]:
        self.readers.append(threading.current_thread())
        self.reading.set()
        if not self.ui_ran.wait(LOAD_MS / 1000):
            raise AssertionError("the UI thread stood still while the log was read")
        yield from super().entries()


def test_a_hundred_thousand_entries_load_off_the_ui_thread(
    qtbot: QtBot, tmp_path: Path, event_loop_qt: asyncio.AbstractEventLoop
) -> None:
    path = tmp_path / "audit.jsonl"
    count, per_file = 100_000, 40_000  # in the current file and two rotated ones
    lines = [
        _line(
            T0 + datetime.timedelta(seconds=i), action="upload" if i % 3 else "download",
            account="Work", bucket="team-uploads", key=f"projects/{i // 100}/file-{i:06d}.dat",
            size=i * 1000, checksum="CRC32:AAAAAA==", result="failed" if i % 97 == 0 else "ok",
            error="AccessDenied" if i % 97 == 0 else None,
        )
        for i in range(count)
    ]  # fmt: skip
    for n, start in enumerate(range(0, count, per_file)):
        name = f"audit-2025030{n + 1}T000000.jsonl" if start + per_file < count else path.name
        (tmp_path / name).write_text("".join(lines[start : start + per_file]))
    ui_ran = threading.Event()
    audit = _HeldLog(path, ui_ran)
    view = HistoryView(audit)
    qtbot.addWidget(view)
    view.resize(1000, 600)

    def tick() -> None:  # on the UI thread
        if audit.reading.is_set():
            ui_ran.set()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    with qtbot.waitSignal(view.loaded, timeout=LOAD_MS) as loaded:
        view.show()  # opening the tab reads the log
    timer.stop()
    # Read in a worker thread, while the UI thread went on running its timer.
    assert ui_ran.is_set()
    assert audit.readers and threading.main_thread() not in audit.readers
    assert loaded.args == [count] and view.model.rowCount() == count
    assert _keys(view)[:2] == ["projects/999/file-099999.dat", "projects/999/file-099998.dat"]

    # Filtering runs on the UI thread (its speed is measured by bench/history.py).
    view.filter_edit.setText("file-0424")
    assert _keys(view)[0] == "projects/424/file-042499.dat" and view.model.rowCount() == 100


def test_short_fields_are_shown_whole_when_the_window_is_wide(
    qtbot: QtBot, tmp_path: Path, event_loop_qt: asyncio.AbstractEventLoop
) -> None:
    log = tmp_path / "audit.jsonl"
    log.write_text(
        _line(T0, action="upload-abort", account="Local demo storage", bucket="demo",
              key="big300.bin", result="abandoned", error="The upload was given up")
    )  # fmt: skip
    view = HistoryView(AuditLog(log))
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=LOAD_MS):
        view.reload()
    view.resize(1100, 400)
    view.show()
    qtbot.waitExposed(view)

    table, metrics = view.table, view.table.fontMetrics()
    for column, text in (
        (HistoryModel.ACCOUNT, "Local demo storage"),
        (HistoryModel.ACTION, "upload aborted (service)"),
    ):
        assert view.model.index(0, column).data() == text
        need = metrics.horizontalAdvance(text) + 6  # and the cell's margins
        qtbot.waitUntil(lambda c=column, n=need: table.columnWidth(c) >= n)  # type: ignore[misc]
    # Narrower, the tooltip has every field whole.
    tooltip = view.model.index(0, HistoryModel.ACCOUNT).data(Qt.ItemDataRole.ToolTipRole)
    assert "Account: Local demo storage" in tooltip.splitlines()


def _load(qtbot: QtBot, audit: AuditLog) -> HistoryView:
    view = HistoryView(audit)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=LOAD_MS):
        view.reload()
    return view


def test_every_entry_of_a_kept_both_upload_shows_the_key_stored(
    qtbot: QtBot,
    tmp_path: Path,
    event_loop_qt: asyncio.AbstractEventLoop,
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
) -> None:
    s3.put_object(Bucket=bucket, Key="big300.bin", Body=b"older")
    (tmp_path / "big300.bin").write_bytes(b"newer")
    audit = AuditLog(tmp_path / "audit.jsonl")
    engine = UploadEngine(moto_endpoint, EngineConfig(conflict=ConflictPolicy.RENAME), audit=audit)
    try:
        engine.submit_file(tmp_path / "big300.bin", bucket, "big300.bin")
        assert engine.wait(30)
    finally:
        engine.shutdown()
    view = _load(qtbot, audit)

    assert _column(view, HistoryModel.ACTION)[::-1] == [
        "upload queued", "upload renamed", "upload",
    ]  # fmt: skip
    assert _column(view, HistoryModel.LOCATION) == [f"{bucket}/big300 (1).bin"] * 3
    assert _column(view, HistoryModel.DETAILS) == ["renamed from big300.bin"] * 3
    queued = view.model.index(2, HistoryModel.LOCATION).data(Qt.ItemDataRole.ToolTipRole)
    assert queued.splitlines()[:2] == ["Stored as: big300 (1).bin", "Key: big300.bin"]
    view.filter_edit.setText("big300 (1)")  # the key stored finds the whole upload
    assert view.model.rowCount() == 3


def test_an_upload_stopped_by_quitting_reads_interrupted_and_a_cancel_cancelled(
    qtbot: QtBot, tmp_path: Path, event_loop_qt: asyncio.AbstractEventLoop
) -> None:
    log = tmp_path / "audit.jsonl"
    at = [T0 + datetime.timedelta(minutes=m) for m in range(6)]
    common = dict(account="Work", bucket="docs", size=9)
    log.write_text(
        _line(at[0], action="upload-start", key="a.bin", path="/a.bin", result="queued", **common)
        + _line(at[1], action="upload-renamed", key="a (1).bin", renamed_from="a.bin",
                path="/a.bin", result="ok", **common)
        + _line(at[2], action="upload", key="a (1).bin", renamed_from="a.bin", path="/a.bin",
                result="interrupted", resumes=True, note="Stopped when s3desk quit", **common)
        + _line(at[3], action="upload-start", key="b.bin", path="/b.bin", result="queued",
                **common)
        + _line(at[4], action="upload", key="b.bin", path="/b.bin", result="cancelled", **common)
        # the next start: the interrupted upload went on and finished (no new start entry)
        + _line(at[5], action="upload", key="a (1).bin", path="/a.bin", result="ok", **common)
    )  # fmt: skip
    view = _load(qtbot, AuditLog(log))
    rows = list(zip(_column(view, HistoryModel.RESULT), _column(view, HistoryModel.LOCATION),
                    _column(view, HistoryModel.DETAILS), strict=True))  # fmt: skip
    assert rows == [
        ("ok", "docs/a (1).bin", "renamed from a.bin"),
        ("cancelled", "docs/b.bin", ""),
        ("queued", "docs/b.bin", ""),
        ("interrupted", "docs/a (1).bin",
         "Stopped when s3desk quit; resumes at the next start — renamed from a.bin"),
        ("ok", "docs/a (1).bin", "renamed from a.bin"),
        ("queued", "docs/a (1).bin", "renamed from a.bin"),
    ]  # fmt: skip


def _bar_pixels(image: QImage, chart: DailyChart, index: int, upload: bool) -> int:
    """How many pixels tall the bar of day ``index`` is painted, counted in the image."""
    colour = (UPLOAD_COLOUR if upload else DOWNLOAD_COLOUR).rgb()
    x = int(chart.bar_rect(index, upload).center().x())
    return sum(image.pixel(x, y) == colour for y in range(image.height()))


def test_the_chart_paints_a_taller_bar_for_a_bigger_day(qtbot: QtBot) -> None:
    chart = DailyChart()
    qtbot.addWidget(chart)
    days = [datetime.date(2025, 3, d) for d in (1, 2, 3)]
    chart.set_totals([
        DayTotal(days[0], uploaded=1000, downloaded=3000),
        DayTotal(days[1], uploaded=4000),
        DayTotal(days[2]),
    ])  # fmt: skip
    chart.resize(420, chart.height())
    image = QImage(chart.size(), QImage.Format.Format_RGB32)
    image.fill(chart.palette().color(QPalette.ColorRole.Window))
    chart.render(image)

    small, big = _bar_pixels(image, chart, 0, True), _bar_pixels(image, chart, 1, True)
    assert 0 < small < big
    assert abs(big - 4 * small) <= 2  # heights in proportion to the bytes
    assert _bar_pixels(image, chart, 0, False) > small  # 3000 downloaded beside 1000 up
    assert _bar_pixels(image, chart, 2, True) == _bar_pixels(image, chart, 2, False) == 0
    assert big <= chart.height() - 2 * chart.fontMetrics().height()  # room for the text

    # Pointing at a day shows its numbers.
    chart.show()
    qtbot.waitExposed(chart)
    point = chart.bar_rect(1, True).center().toPoint()
    QApplication.sendEvent(chart, QHelpEvent(QEvent.Type.ToolTip, point, chart.mapToGlobal(point)))
    assert QToolTip.text() == chart.day_text(chart.totals()[1])
    assert QToolTip.text().endswith(": 3.9 KiB uploaded, 0 B downloaded")

    assert chart.accessibleName() == "Bytes uploaded and downloaded per day"
    description = chart.accessibleDescription()
    assert "4.9 KiB uploaded" in description and "2.9 KiB downloaded" in description
    assert chart.day_text(chart.totals()[1]) in description


def test_the_chart_shows_the_days_of_the_entries_shown_and_reads_by_keyboard(
    qtbot: QtBot, tmp_path: Path, event_loop_qt: asyncio.AbstractEventLoop
) -> None:
    view = HistoryView(_write_log(tmp_path / "audit.jsonl"))
    qtbot.addWidget(view)
    view.today = lambda: datetime.date(2025, 3, 2)
    with qtbot.waitSignal(view.loaded, timeout=LOAD_MS):
        view.reload()
    totals = view.chart.totals()
    assert len(totals) == 14 and totals[-1].day == datetime.date(2025, 3, 2)
    # T0 is midday UTC: 1 March here too. The upload (2 KiB) and the download (10 B).
    assert [(t.uploaded, t.downloaded) for t in totals[-2:]] == [(2048, 10), (0, 0)]

    view.action_box.setCurrentIndex(view.action_box.findText("download"))  # it follows
    assert [(t.uploaded, t.downloaded) for t in view.chart.totals()[-2:]] == [(0, 10), (0, 0)]
    view.filter_edit.setText("no such thing")
    assert not any(t.uploaded or t.downloaded for t in view.chart.totals())

    assert view.chart.focusPolicy() & Qt.FocusPolicy.TabFocus
    view.show()
    view.chart.setFocus()
    qtbot.waitUntil(view.chart.hasFocus)
    view.filter_edit.clear()
    view.action_box.setCurrentIndex(0)
    qtbot.keyClick(view.chart, Qt.Key.Key_Left)
    assert view.chart.current_text() == view.chart.day_text(view.chart.totals()[-2])
    assert "2.0 KiB uploaded, 10 B downloaded" in view.chart.current_text()
