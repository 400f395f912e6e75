"""The Transfers tab's speed graph: what it draws, what it says, and when it repaints."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QColor, QImage, QPalette
from pytestqt.qtbot import QtBot

from s3desk.core.transfer.jobs import Totals
from s3desk.ui.common.units import human_rate
from s3desk.ui.transfers.throughput_graph import ThroughputGraph, nice_scale, series_colours
from s3desk.ui.window.main_window import MainWindow
from tests.gui.conftest import drop_files

TICK = 0.15


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _totals(uploaded: int, downloaded: int) -> Totals:
    return Totals(
        files_total=1, files_done=0, files_failed=0, files_active=1, files_paused=0,
        files_asking=0, bytes_total=10**9, bytes_done=uploaded + downloaded, speed=0.0,
        eta=None, bytes_uploaded=uploaded, bytes_downloaded=downloaded,
    )  # fmt: skip


def _feed(graph: ThroughputGraph, clock: FakeClock, spells: list[tuple[float, float]]) -> None:
    """Snapshots every TICK: for each spell of (seconds, upload rate), uploads at that rate
    and downloads at a tenth of it."""
    up = 0.0
    graph.record(_totals(0, 0))
    for seconds, rate in spells:
        for _ in range(round(seconds / TICK)):
            clock.now += TICK
            up += rate * TICK
            graph.record(_totals(int(up), int(up / 10)))


def _close(a: QColor, b: QColor, tolerance: int = 40) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


def _top_of(image: QImage, x: int, colour: QColor) -> int | None:
    """The highest row where column ``x`` shows ``colour``."""
    for y in range(image.height()):
        if _close(image.pixelColor(x, y), colour):
            return y
    return None


def test_the_upload_line_is_higher_where_the_upload_was_faster(qtbot: QtBot) -> None:
    clock = FakeClock()
    graph = ThroughputGraph(clock=clock)
    qtbot.addWidget(graph)
    graph.resize(720, 90)
    # Three minutes: 1 MiB/s for the first half, 4 MiB/s for the second.
    _feed(graph, clock, [(90, 1024 * 1024), (90, 4 * 1024 * 1024)])
    graph.tick()
    image = QImage(graph.size(), QImage.Format.Format_ARGB32)
    image.fill(0)
    graph.render(image)
    upload = series_colours(graph.palette())[0]
    slow = _top_of(image, graph.width() // 4, upload)
    fast = _top_of(image, graph.width() * 3 // 4, upload)
    assert slow is not None and fast is not None, "the upload's colour is drawn in both halves"
    bottom = image.height() - 5  # the plot's bottom edge
    assert bottom - fast > 3 * (bottom - slow) > 0


def test_its_description_states_the_current_and_peak_speeds(qtbot: QtBot) -> None:
    clock = FakeClock()
    graph = ThroughputGraph(clock=clock)
    qtbot.addWidget(graph)
    _feed(graph, clock, [(20, 8 * 1024 * 1024), (20, 2 * 1024 * 1024)])
    graph.tick()
    description = graph.accessibleDescription()
    assert graph.accessibleName() == "Transfer speed"
    assert f"Upload: {human_rate(2 * 1024 * 1024)} now" in description
    assert f"peak {human_rate(8 * 1024 * 1024)}" in description
    assert f"Download: {human_rate(2 * 1024 * 1024 / 10)} now" in description
    assert graph.toolTip() == description


def test_it_repaints_only_while_shown_and_something_moves(qtbot: QtBot) -> None:
    clock = FakeClock()
    graph = ThroughputGraph(clock=clock)
    qtbot.addWidget(graph)
    _feed(graph, clock, [(10, 5000)])
    assert not graph.repainting  # hidden: no timer
    graph.show()
    qtbot.waitExposed(graph)
    assert graph.repainting
    graph.hide()
    assert not graph.repainting
    graph.show()
    clock.now += 600  # long idle: every sample shown is zero, nothing left to scroll
    graph.tick()
    assert not graph.repainting


def test_the_colours_keep_apart_from_light_and_dark_backgrounds() -> None:
    for base in (QColor("white"), QColor("#1e1e1e")):
        palette = QPalette()
        palette.setColor(QPalette.ColorRole.Base, base)
        for colour in series_colours(palette):
            assert _contrast(colour, base) >= 3.0


def test_the_scale_is_a_round_number_above_the_highest_speed() -> None:
    assert nice_scale(0) == 1024
    assert nice_scale(700) == 1000
    assert nice_scale(3 * 1024 * 1024) == 5 * 1024 * 1024
    assert nice_scale(1024 * 1024) == 1024 * 1024


def _contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        red, green, blue = channel(c.redF()), channel(c.greenF()), channel(c.blueF())
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_graph_appears_under_the_table_once_bytes_moved(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.resize(800, 500)
    queue = window.queue
    assert not queue.graph.isVisible()  # nothing ever ran
    (tmp_path / "a.bin").write_bytes(os.urandom(200_000))
    with qtbot.waitSignal(window.bridge.idle, timeout=60_000):
        assert drop_files(queue.drop_hint, [tmp_path / "a.bin"])
    qtbot.waitUntil(queue.graph.isVisible)
    graph, table = queue.graph.geometry(), queue.table.geometry()
    assert graph.top() > table.bottom()
    assert graph.bottom() == queue.height() - 1 and graph.width() == queue.width()
    assert graph.height() < 80 and table.height() >= 2 * graph.height()
    queue.graph_action.setChecked(False)  # the View menu's toggle
    assert not queue.graph.isVisible()
    assert queue.table.geometry().bottom() == queue.height() - 1
    queue.graph_action.setChecked(True)
    assert queue.graph.isVisible()
    window.commands.clear_action.trigger()  # back to the drop hint: no graph under it
    assert queue.currentWidget() is queue.drop_hint
    assert not queue.graph.isVisible()
