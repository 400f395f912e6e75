"""The menu bar, the window titles and small windows: every command in a menu with its
shortcut and the platform's roles, the application's name once in each title, and every
toolbar button in view at 800 by 500 pixels."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QAccessible, QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QMenu,
    QStyle,
    QStyleOptionFrame,
    QStyleOptionMenuItem,
    QToolBar,
    QToolButton,
)
from pytestqt.qtbot import QtBot

from s3desk.ui.window import menu_bar
from s3desk.ui.window.main_window import MainWindow


def shown_title(title: str) -> str:
    """The title as X11 and Windows show it: Qt adds " — <display name>" to a title that
    does not end with that name (QPlatformWindow::formatWindowTitle)."""
    name = QGuiApplication.applicationDisplayName()
    return title if title.endswith(name) else f"{title} — {name}"


def _menu_actions(window: MainWindow) -> list[tuple[QMenu, QAction]]:
    return [
        (menu, action)
        for menu in window.menus.menus
        for action in menu.actions()
        if not action.isSeparator()
    ]


def _mnemonic(text: str) -> str:
    at = text.replace("&&", "").find("&")
    return text.replace("&&", "")[at + 1].lower() if at >= 0 else ""


def test_the_menu_bar_holds_the_standard_menus_with_mnemonics(window: MainWindow) -> None:
    titles = [menu.title() for menu in window.menus.menus]
    assert [t.replace("&", "") for t in titles] == [
        "File", "Edit", "View", "Transfers", "Window", "Help",
    ]  # fmt: skip
    letters = [_mnemonic(t) for t in titles]
    assert all(letters) and len(set(letters)) == len(letters)
    shown = {a.text().replace("&", "") for _, a in _menu_actions(window)}
    assert {
        "Add files…", "Add folder…", "Accounts…", "Settings…", "Quit", "Select all",
        "Copy S3 URL", "Transfers", "Browse", "History", "Pause", "Resume", "Cancel", "Retry",
        "Clear finished", "About s3desk", "Documentation", "Report a problem…",
    } <= shown  # fmt: skip
    # No "More" button left in the toolbar: the menu bar has what it held.
    assert not [b for b in window.findChildren(QToolButton) if b.text() == "More"]


def test_every_menu_action_has_a_name_a_shortcut_or_mnemonic_and_shows_its_shortcut(
    window: MainWindow,
) -> None:
    per_menu: dict[str, list[str]] = {}
    for menu, action in _menu_actions(window):
        letter = _mnemonic(action.text())
        assert letter or not action.shortcut().isEmpty(), action.text()
        if letter:
            per_menu.setdefault(menu.title(), []).append(letter)
        if not action.shortcut().isEmpty():
            option = QStyleOptionMenuItem()
            menu.initStyleOption(option, action)
            words = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            assert option.text.endswith("\t" + words), (action.text(), option.text)
    for title, letters in per_menu.items():
        assert len(set(letters)) == len(letters), (title, letters)
    # What a screen reader reads for each item, through Qt's accessibility interface.
    for menu in window.menus.menus:
        face = QAccessible.queryAccessibleInterface(menu)
        names = [face.child(i).text(QAccessible.Text.Name) for i in range(face.childCount())]
        items = [a for a in menu.actions() if not a.isSeparator()]
        assert len([n for n in names if n.strip()]) == len(items), (menu.title(), names)
    # The toolbar's tooltips name the shortcuts too (Add folder: Ctrl+Shift+O, ...).
    bar = window.findChild(QToolBar, "mainToolbar")
    assert bar is not None
    for action in bar.actions():
        words = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert action.isSeparator() or (words and words in action.toolTip()), action.text()
    # No two of the window's shortcuts clash (Qt would then run neither).
    seen: dict[str, str] = {}
    for action in window.actions():
        for key in action.shortcuts():
            text = key.toString()
            assert text not in seen, (text, seen.get(text), action.text())
            seen[text] = action.text()


def test_settings_about_and_quit_carry_their_menu_roles(window: MainWindow) -> None:
    commands = window.commands
    role = QAction.MenuRole
    assert commands.settings_action.menuRole() == role.PreferencesRole
    assert commands.about_action.menuRole() == role.AboutRole
    assert commands.quit_action.menuRole() == role.QuitRole
    others = {a.menuRole() for _, a in _menu_actions(window)} - {
        role.PreferencesRole,
        role.AboutRole,
        role.QuitRole,
    }
    assert others == {role.NoRole}
    # Qt's standard key where the platform has one, Ctrl+, where it has none.
    standard = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
    assert commands.settings_action.shortcuts() == (standard or [QKeySequence("Ctrl+,")])


def test_shortcuts_open_settings_accounts_and_the_tabs(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.queue.table.setFocus()
    qtbot.keyClick(window.queue.table, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.dialogs.settings_dialog is not None)
    settings = window.dialogs.settings_dialog
    assert settings is not None and settings.isVisible()
    assert shown_title(settings.windowTitle()) == "Settings — s3desk"
    settings.reject()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_A, ctrl_shift)
    qtbot.waitUntil(lambda: window.dialogs.accounts_dialog is not None)
    accounts = window.dialogs.accounts_dialog
    assert accounts is not None and accounts.isVisible()
    assert shown_title(accounts.windowTitle()) == "Accounts — s3desk"
    accounts.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.history
    assert window.menus.view_actions[2] is not None and window.menus.view_actions[2].isChecked()
    window.menus.view_actions[0].trigger()
    assert window.tabs.currentWidget() is window.queue


def test_the_window_menu_minimizes_goes_full_screen_and_shows_the_tabs(
    qtbot: QtBot, window: MainWindow
) -> None:
    menus = window.menus
    items = [a for a in menus.window_menu.actions() if not a.isSeparator()]
    assert [a.text().replace("&", "") for a in items] == [
        "Minimize", "Full screen", "Transfers", "Browse", "History",
    ]  # fmt: skip
    assert menus.minimize_action.shortcut() == QKeySequence("Ctrl+M")
    standard = QKeySequence.keyBindings(QKeySequence.StandardKey.FullScreen)
    assert menus.full_screen_action.shortcuts() == (standard or [QKeySequence("F11")])
    # The tabs are the View menu's actions, with their Ctrl+1, 2, 3: defined once.
    assert items[2:] == menus.view_actions
    assert [a.shortcut().toString() for a in items[2:]] == ["Ctrl+1", "Ctrl+2", "Ctrl+3"]

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    first_key = menus.full_screen_action.shortcuts()[0]
    qtbot.keySequence(window, first_key)
    qtbot.waitUntil(window.isFullScreen)
    menus.window_menu.aboutToShow.emit()
    assert menus.full_screen_action.isChecked()
    menus.full_screen_action.trigger()
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert not menus.full_screen_action.isChecked()

    items[4].trigger()
    assert window.tabs.currentWidget() is window.history
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.isMinimized)


def test_help_menu_about_documentation_and_problem_report(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(menu_bar, "open_url", lambda url: opened.append(url) or True)
    window.commands.about_action.trigger()
    box = window.menus.about_box
    assert box is not None and box.isVisible()
    assert "0." in box.text() and "MIT" in box.informativeText()
    assert box.windowTitle() == "About s3desk" == shown_title(box.windowTitle())
    box.close()

    window.commands.docs_action.trigger()
    readme = Path(__file__).resolve().parents[2] / "README.md"
    assert opened == [QUrl.fromLocalFile(str(readme))]

    with qtbot.waitSignal(window.diagnosticsCopied) as copied:
        window.commands.report_action.trigger()
    assert QGuiApplication.clipboard().text() == copied.args[0]


def test_the_main_window_title_names_the_app_once(window: MainWindow) -> None:
    assert window.windowTitle() == "s3desk" == shown_title(window.windowTitle())
    from s3desk.ui.window.main_window import window_title

    assert shown_title(window_title("57%")) == "57% — s3desk"


def _extension_button(bar: QToolBar) -> QToolButton | None:
    return bar.findChild(QToolButton, "qt_toolbar_ext_button")


def test_at_800_by_500_every_toolbar_button_is_in_view(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(800, 500)
    bar = window.findChild(QToolBar, "mainToolbar")
    assert bar is not None
    qtbot.waitUntil(lambda: window.width() == 800)
    qtbot.waitUntil(lambda: bar.width() <= 800)
    actions = [a for a in bar.actions() if not a.isSeparator()]
    assert len(actions) == 8
    for action in actions:
        button = bar.widgetForAction(action)
        assert button is not None and button.isVisible(), action.text()
        assert button.geometry().right() <= bar.width(), action.text()
    extension = _extension_button(bar)
    assert extension is None or not extension.isVisible()
    # Wide again: the text comes back beside the icons.
    window.resize(1400, 640)
    qtbot.waitUntil(lambda: bar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon)


def test_at_the_smallest_size_the_folder_field_shows_its_placeholder(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.resize(QSize(200, 200))  # Qt keeps the window at its minimum size
    qtbot.waitUntil(lambda: window.height() == window.minimumHeight())
    assert window.minimumHeight() >= 400
    edit = window.destination_box.prefix_edit
    qtbot.waitUntil(lambda: edit.width() == edit.minimumWidth() or edit.width() < 400)
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    room = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
    margins = edit.textMargins()
    text_room = room.width() - margins.left() - margins.right() - 4  # Qt's horizontal margin
    assert text_room >= edit.fontMetrics().horizontalAdvance(edit.placeholderText())
