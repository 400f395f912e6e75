"""A keyboard-only walk through the whole window, as a screen-reader user makes it: on every
tab, Tab comes round to where it started after visiting every control in view; the focus
never rests on something hidden; each control reached has a name a screen reader reads
(through Qt's accessibility interface, as assistive technology gets it); every menu command
has a shortcut or a mnemonic and runs from the keyboard; the Settings and Accounts dialogs
walk the same way.

The walks are generic: whatever controls a tab or dialog holds, they are held to this."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QFileDialog,
    QMenu,
    QWidget,
)
from pytestqt.qtbot import QtBot

from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.secrets import SecretStore
from s3desk.ui.app import Storage, connect_accounts, make_engine
from s3desk.ui.window import menu_bar
from s3desk.ui.window.main_window import MainWindow
from s3desk.ui.window.welcome import offer_welcome
from tests.gui.conftest import drop_files
from tests.memory_keyring import MemoryKeyring


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def _describe(widget: QWidget) -> str:
    return f"{type(widget).__name__}({widget.objectName() or widget.accessibleName()!r})"


def _spoken_name(widget: QWidget) -> str:
    """What a screen reader says for the widget: its accessible interface's name."""
    face = QAccessible.queryAccessibleInterface(widget)
    assert face is not None, _describe(widget)
    return face.text(QAccessible.Text.Name).strip()


def _tab_stops(root: QWidget) -> set[QWidget]:
    """The controls in view under ``root`` that Tab should reach: enabled, visible, taking
    the focus from Tab, not standing in for another (a focus proxy) and not Qt's own parts
    (the tab bar's scroll buttons, a combo box's inner line edit...)."""
    stops = set()
    for widget in root.findChildren(QWidget):
        if (
            bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
            and widget.isVisible() and widget.isEnabled()
            and widget.focusProxy() is None and not widget.objectName().startswith("qt_")
            and widget.window() is root.window()
        ):  # fmt: skip
            stops.add(widget)
    return stops


def _walk(qtbot: QtBot, start: QWidget, root: QWidget) -> list[QWidget]:
    """Press Tab from ``start`` until the focus comes back to it; every step checked."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    visited: list[QWidget] = []
    limit = 4 * len(_tab_stops(root)) + 10
    while True:
        widget = _focused()
        assert widget.isVisible(), f"the focus rests on something hidden: {_describe(widget)}"
        assert widget.window() is root.window(), f"Tab left the window: {_describe(widget)}"
        if visited and widget is visited[0]:
            return visited
        assert widget not in visited, (
            "Tab goes round without coming back to the start: "
            + " → ".join(_describe(w) for w in [*visited, widget])
        )
        visited.append(widget)
        assert len(visited) <= limit
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        assert _focused() is not widget, f"Tab stays in {_describe(widget)}"


def _check_walk(qtbot: QtBot, root: QWidget, start: QWidget) -> list[QWidget]:
    visited = _walk(qtbot, start, root)
    missed = _tab_stops(root) - set(visited)
    assert not missed, "Tab never reaches " + ", ".join(sorted(map(_describe, missed)))
    unnamed = [_describe(w) for w in visited if not _spoken_name(w)]
    assert not unnamed, f"no name for a screen reader: {unnamed}"
    return visited


@pytest.fixture
def active(qtbot: QtBot, window: MainWindow) -> MainWindow:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # the keyboard goes to the active window
    return window


def test_tab_walks_every_control_of_every_tab_each_with_a_name(
    qtbot: QtBot, active: MainWindow, s3: Any, bucket: str, tmp_path: Path
) -> None:
    window = active
    s3.put_object(Bucket=bucket, Key="folder/report.txt", Body=b"x")
    (tmp_path / "readme.txt").write_text("x")  # a row in Transfers, an entry in History
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle):
        assert drop_files(window.queue.drop_hint, [tmp_path / "readme.txt"])
    tab_bar = window.tabs.tabBar()
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        if window.tabs.currentWidget() is window.browser:
            qtbot.waitUntil(lambda: window.browser.model.rowCount() == 2)
        visited = _check_walk(qtbot, window, tab_bar)
        inside = [w for w in visited if window.tabs.currentWidget().isAncestorOf(w)]
        assert inside, f"nothing on the {window.tabs.tabText(index)} tab takes the focus"


def test_the_settings_and_accounts_dialogs_walk_every_field_each_with_a_name(
    qtbot: QtBot, active: MainWindow
) -> None:
    window = active
    window.commands.settings_action.trigger()
    settings = window.dialogs.settings_dialog
    assert settings is not None
    qtbot.waitExposed(settings)
    qtbot.waitUntil(settings.isActiveWindow)
    visited = _check_walk(qtbot, settings, settings.focusWidget() or settings)
    assert any(isinstance(w, QAbstractButton) for w in visited)  # OK, Cancel...
    settings.reject()

    window.commands.accounts_action.trigger()
    accounts = window.dialogs.accounts_dialog
    assert accounts is not None
    qtbot.waitExposed(accounts)
    accounts.activateWindow()
    qtbot.waitUntil(accounts.isActiveWindow)
    form = accounts.account_form
    for kind in range(form.kind_box.count()):  # each kind of account shows other fields
        form.kind_box.setCurrentIndex(kind)
        _check_walk(qtbot, accounts, form.kind_box)
    accounts.close()


def test_the_first_start_welcome_is_walked_too(
    qtbot: QtBot, active: MainWindow, tmp_path: Path
) -> None:
    store = AccountStore(tmp_path / "accounts.toml", SecretStore(backend=MemoryKeyring()))
    switcher = connect_accounts(active, Storage(store=store, welcome=True), make_engine)
    panel = offer_welcome(active, switcher)
    visited = _check_walk(qtbot, active, panel.add_button)
    offers = [panel.add_button, panel.demo_button, panel.close_button]
    assert [w for w in visited if w in offers] == offers


def _mnemonic(text: str) -> str:
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].lower() if 0 <= at < len(plain) - 1 else ""


def _menu_items(window: MainWindow) -> list[tuple[QMenu, QAction]]:
    return [
        (menu, action)
        for menu in window.menus.menus
        for action in menu.actions()
        if not action.isSeparator() and action.isVisible()
    ]


def test_every_menu_command_has_a_shortcut_or_a_mnemonic_and_runs_from_the_keyboard(
    qtbot: QtBot, active: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    window = active
    (tmp_path / "done.txt").write_text("x")  # a finished row: the row commands have one
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle):
        assert drop_files(window.queue.drop_hint, [tmp_path / "done.txt"])
    window.queue.table.selectRow(0)
    # What the commands open outside the window answers at once here.
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([], ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    monkeypatch.setattr(menu_bar, "open_url", lambda url: True)

    titles = [_mnemonic(menu.title()) for menu in window.menus.menus]
    assert all(titles) and len(set(titles)) == len(titles), titles
    for menu in window.menus.menus:
        letters = [_mnemonic(a.text()) for a in menu.actions() if _mnemonic(a.text())]
        assert len(set(letters)) == len(letters), (menu.title(), letters)
    ran: list[str] = []
    for menu, action in _menu_items(window):
        letter = _mnemonic(action.text())
        assert letter or not action.shortcut().isEmpty(), f"{action.text()}: no way by keyboard"
        if action is window.commands.quit_action or not action.isEnabled():
            continue  # Quit ends the walk: test_sigterm_app and the quit tests have it
        with qtbot.waitSignal(action.triggered):
            if letter:
                # Alt+the menu's letter opens it; the command's letter runs the command.
                qtbot.keyClick(window, _mnemonic(menu.title()), Qt.KeyboardModifier.AltModifier)
                qtbot.waitUntil(menu.isVisible)
                qtbot.keyClick(menu, letter)
            else:
                qtbot.keySequence(window, action.shortcut())
        ran.append(action.text())
        _back_to_the_window(qtbot, window)
    assert len(ran) >= 20, ran


def _back_to_the_window(qtbot: QtBot, window: MainWindow) -> None:
    """Close what the command opened and give the window the keyboard again."""
    for widget in QApplication.topLevelWidgets():
        if widget is not window and widget.isVisible() and isinstance(widget, QDialog | QMenu):
            widget.close()
    if window.isFullScreen() or window.isMinimized():
        window.showNormal()
    window.tabs.setCurrentIndex(0)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def test_no_two_commands_share_a_key(active: MainWindow) -> None:
    """Qt runs neither of two commands that share a key: every window-wide key is one
    command's, the Window menu's included."""
    seen: dict[str, str] = {}
    for action in active.findChildren(QAction):
        if action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut:
            continue  # only where one widget has the focus (Delete in the transfers list)
        for key in action.shortcuts():
            words = key.toString(QKeySequence.SequenceFormat.PortableText)
            assert words not in seen, (words, seen[words], action.text())
            seen[words] = action.text()
