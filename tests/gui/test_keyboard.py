"""Keyboard-only use of the main window: Tab visits the controls in reading order, Delete
cancels the selected transfer (only where the table has the focus), a keyboard context-menu
request opens the row's menu."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu, QStyleOptionMenuItem, QToolBar, QWidget
from pytestqt.qtbot import QtBot

from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.ui.window.main_window import MainWindow
from tests.gui.conftest import drop_files
from tests.helpers import SendGate


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__}:{widget.accessibleName()}"


def _held_window(
    qtbot: QtBot, window_for: Callable[[Any], MainWindow], endpoint: S3Endpoint, tmp_path: Path
) -> tuple[MainWindow, SendGate]:
    """The window with two uploads: the first held on its way out, the second waiting."""
    engine = UploadEngine(endpoint, EngineConfig(concurrency=1, conflict=ConflictPolicy.OVERWRITE))
    window = window_for(engine)
    with qtbot.waitExposed(window):
        window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # the keyboard goes to the active window
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(name)
    gate = SendGate(engine, "PutObject")
    assert drop_files(window.queue.drop_hint, sorted(tmp_path.iterdir()))
    assert gate.reached.wait(30)
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    return window, gate


def _finish(qtbot: QtBot, window: MainWindow, gate: SendGate) -> None:
    gate.remove()
    # Closing a window with transfers running would ask whether to quit.
    qtbot.waitUntil(lambda: window.transfers is not None and window.transfers.is_idle())


def test_tab_visits_the_controls_in_reading_order_and_comes_round(
    qtbot: QtBot, window_for: Callable[[Any], MainWindow], moto_endpoint: S3Endpoint,
    tmp_path: Path,
) -> None:  # fmt: skip
    window, gate = _held_window(qtbot, window_for, moto_endpoint, tmp_path)
    try:
        window.destination_box.bucket_box.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is window.destination_box.bucket_box)
        visited = []
        for _ in range(12):
            visited.append(_name(_focused()))
            qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
        # The toolbar's enabled buttons after the table (with one upload running, Resume and
        # Retry have nothing to act on), the sidebar on the left, then round to the top again
        # (the toolbar is above the sidebar and the destination: the same order, read from
        # the window's top).
        assert visited == [
            "QComboBox:Destination bucket",
            "QLineEdit:Destination folder",
            "QTabBar:Views",
            "QTableView:Transfers",
            "QToolButton:Add files",
            "QToolButton:Add folder",
            "QToolButton:Pause",
            "QToolButton:Clear finished",
            "QToolButton:Accounts",
            "PlacesTree:Accounts, buckets and favourites",
            "QComboBox:Destination bucket",
            "QLineEdit:Destination folder",
        ]
        # Shift+Tab goes back the same way.
        window.queue.table.setFocus()
        qtbot.keyClick(_focused(), Qt.Key.Key_Backtab)
        assert _name(_focused()) == "QTabBar:Views"
    finally:
        _finish(qtbot, window, gate)


def _tab_stops(window: MainWindow) -> set[QWidget]:
    """The enabled controls in view that take the focus from Tab, Qt's own parts aside."""
    stops = set()
    for widget in window.findChildren(QWidget):
        takes_tab = bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        if (
            takes_tab and widget.isVisible() and widget.isEnabled()
            and widget.focusProxy() is None and not widget.objectName().startswith("qt_")
        ):  # fmt: skip
            stops.add(widget)
    return stops


def test_tab_from_the_start_visits_every_enabled_control_and_each_has_a_name(
    qtbot: QtBot, window_for: Callable[[Any], MainWindow], moto_endpoint: S3Endpoint,
    tmp_path: Path,
) -> None:  # fmt: skip
    window, gate = _held_window(qtbot, window_for, moto_endpoint, tmp_path)
    try:
        window.queue.table.selectRow(0)  # Cancel is enabled with a selection
        stops = _tab_stops(window)
        bar = window.findChild(QToolBar, "mainToolbar")
        assert bar is not None
        buttons = {
            bar.widgetForAction(a) for a in bar.actions() if not a.isSeparator() and a.isEnabled()
        }
        # Add files, Add folder, Pause, Cancel, Clear finished, Accounts: Resume and Retry
        # have nothing to act on while the one upload runs.
        assert len(buttons) == 6 and buttons <= stops
        visited: set[QWidget] = set()
        for _ in range(2 * len(stops)):
            visited.add(_focused())
            qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
        assert stops <= visited, sorted(_name(w) for w in stops - visited)
        for widget in visited:
            face = QAccessible.queryAccessibleInterface(widget)
            assert face is not None and face.text(QAccessible.Text.Name).strip(), _name(widget)
    finally:
        _finish(qtbot, window, gate)


def test_delete_cancels_the_selected_transfer_and_a_keyboard_menu_request_opens_its_menu(
    qtbot: QtBot, window_for: Callable[[Any], MainWindow], moto_endpoint: S3Endpoint,
    tmp_path: Path,
) -> None:  # fmt: skip
    window, gate = _held_window(qtbot, window_for, moto_endpoint, tmp_path)
    try:
        waiting_row = next(r for r in range(2) if window.model.job_at(r).state is JobState.QUEUED)
        # Delete means nothing while the focus is elsewhere (the browser uses it to delete).
        window.destination_box.prefix_edit.setFocus()
        window.queue.table.selectRow(waiting_row)
        qtbot.keyClick(window.destination_box.prefix_edit, Qt.Key.Key_Delete)
        assert window.model.job_at(waiting_row).state is JobState.QUEUED

        window.queue.table.setFocus()
        window.queue.table.selectRow(waiting_row)
        qtbot.keyClick(window.queue.table, Qt.Key.Key_Delete)
        qtbot.waitUntil(lambda: window.model.job_at(waiting_row).state is JobState.CANCELLED)

        # What the menu key becomes (a keyboard context-menu event at the current row).
        at = window.queue.table.visualRect(window.queue.table.currentIndex()).center()
        QApplication.sendEvent(
            window.queue.table.viewport(),
            QContextMenuEvent(
                QContextMenuEvent.Reason.Keyboard,
                at,
                window.queue.table.viewport().mapToGlobal(at),
                Qt.KeyboardModifier.NoModifier,
            ),
        )
        qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
        assert "Set content type…" in texts and "Cancel" in texts
        # The menu shows the shortcuts beside the commands.
        cancel = next(a for a in menu.actions() if a is window.commands.cancel_action)
        option = QStyleOptionMenuItem()
        menu.initStyleOption(option, cancel)
        assert option.text.endswith("\tDel"), option.text
        menu.close()
    finally:
        _finish(qtbot, window, gate)
