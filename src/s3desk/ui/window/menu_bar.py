"""The menu bar: every command of the window in the standard menus, with its shortcut; the
Window menu's minimize, full screen and tabs; the Help menu's About, documentation and
problem report.

Settings, About and Quit carry their menu roles: on macOS Qt moves them to the application
menu, where people look for them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMenu,
    QMenuBar,
    QMessageBox,
    QTabWidget,
)

import s3desk
from s3desk.ui.window.actions import WindowActions


def local_docs() -> Path | None:
    """The README of the source tree s3desk runs from, if it runs from one."""
    readme = Path(s3desk.__file__).resolve().parents[2] / "README.md"
    return readme if readme.is_file() else None


def open_url(url: QUrl) -> bool:
    """Open in the desktop's browser or viewer (tests replace this)."""
    return QDesktopServices.openUrl(url)


class MenuBar(QObject):
    # Something to say in the status bar: (text, milliseconds shown).
    statusMessage = Signal(str, int)

    def __init__(self, window: QMainWindow, commands: WindowActions, tabs: QTabWidget) -> None:
        super().__init__(window)
        self._window = window
        self._tabs = tabs
        self.about_box: QMessageBox | None = None
        self.select_all_action = QAction(self.tr("Select &all"), window)
        self.select_all_action.setShortcut(QKeySequence(QKeySequence.StandardKey.SelectAll))
        self.select_all_action.triggered.connect(self.select_all)
        self.select_all_action.setMenuRole(QAction.MenuRole.NoRole)
        self.select_all_action.setShortcutVisibleInContextMenu(True)
        window.addAction(self.select_all_action)
        self.view_actions = self._view_actions()
        self._show_tab(tabs.currentIndex())
        commands.about_action.triggered.connect(self.show_about)
        commands.docs_action.triggered.connect(self.open_docs)

        bar = window.menuBar()
        self.file_menu = self._menu(bar, self.tr("&File"), [
            commands.add_files_action, commands.add_folder_action, None,
            commands.accounts_action, commands.settings_action, None, commands.quit_action,
        ])  # fmt: skip
        self.edit_menu = self._menu(bar, self.tr("&Edit"), [
            commands.copy_url_action, self.select_all_action,
        ])  # fmt: skip
        # Then the panels the window and its tabs can show or hide (the sidebar, the speed
        # graph, the info panel).
        panels = [
            getattr(tabs.widget(i), name, None)
            for i in range(tabs.count())
            for name in ("graph_action", "info_action")
        ]
        self.view_menu = self._menu(bar, self.tr("&View"), [
            *self.view_actions, None, commands.show_sidebar_action,
            *(a for a in panels if isinstance(a, QAction)), None, commands.favourite_action,
        ])  # fmt: skip
        self.transfers_menu = self._menu(bar, self.tr("&Transfers"), [
            commands.pause_action, commands.resume_action, commands.cancel_action,
            commands.retry_action, None, commands.content_type_action, None,
            commands.clear_action,
        ])  # fmt: skip
        self.window_menu = self._menu(bar, self.tr("&Window"), self._window_actions())
        self.window_menu.aboutToShow.connect(self._show_full_screen)
        self.help_menu = self._menu(bar, self.tr("&Help"), [
            commands.docs_action, commands.report_action, commands.diagnostics_action, None,
            commands.about_action,
        ])  # fmt: skip
        self.menus = [self.file_menu, self.edit_menu, self.view_menu, self.transfers_menu,
                      self.window_menu, self.help_menu]  # fmt: skip

    @staticmethod
    def _menu(bar: QMenuBar, title: str, actions: list[QAction | None]) -> QMenu:
        menu = bar.addMenu(title)
        for action in actions:
            if action is None:
                menu.addSeparator()
            else:
                # Only Settings, About and Quit go to macOS's application menu: an action a
                # panel brings (the speed graph's "Transfer speed graph") must not be moved
                # there for a word in its text.
                if action.menuRole() == QAction.MenuRole.TextHeuristicRole:
                    action.setMenuRole(QAction.MenuRole.NoRole)
                menu.addAction(action)
        return menu

    def _view_actions(self) -> list[QAction | None]:
        """One action per tab, Ctrl+1, Ctrl+2, ...; checked for the tab shown."""
        group = QActionGroup(self)
        actions: list[QAction | None] = []
        for index in range(self._tabs.count()):
            action = QAction(self._tabs.tabText(index), self._window)
            action.setCheckable(True)
            action.setMenuRole(QAction.MenuRole.NoRole)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.setShortcutVisibleInContextMenu(True)
            action.triggered.connect(lambda _=False, i=index: self._tabs.setCurrentIndex(i))
            group.addAction(action)
            self._window.addAction(action)
            actions.append(action)
        self._tabs.currentChanged.connect(self._show_tab)
        return actions

    def _window_actions(self) -> list[QAction | None]:
        """Minimize (Ctrl+M, Cmd+M on macOS), full screen (the platform's key, F11 where Qt
        knows none), and the tabs: the View menu's own actions, so their shortcuts are not
        defined twice."""
        window = self._window
        self.minimize_action = QAction(self.tr("&Minimize"), window)
        self.minimize_action.setShortcut(QKeySequence("Ctrl+M"))
        self.minimize_action.triggered.connect(window.showMinimized)
        self.full_screen_action = QAction(self.tr("&Full screen"), window)
        self.full_screen_action.setCheckable(True)
        keys = QKeySequence.keyBindings(QKeySequence.StandardKey.FullScreen)
        self.full_screen_action.setShortcuts(keys or [QKeySequence("F11")])
        self.full_screen_action.triggered.connect(self.toggle_full_screen)
        for action in (self.minimize_action, self.full_screen_action):
            action.setMenuRole(QAction.MenuRole.NoRole)
            action.setShortcutVisibleInContextMenu(True)
            window.addAction(action)  # the shortcuts work with the menus closed
        return [self.minimize_action, self.full_screen_action, None, *self.view_actions]

    def toggle_full_screen(self) -> None:
        """In or out of full screen as the window is now, whatever the check mark says: the
        window manager may have changed it meanwhile."""
        on = not self._window.isFullScreen()
        state = self._window.windowState()
        full = Qt.WindowState.WindowFullScreen
        self._window.setWindowState(state | full if on else state & ~full)
        self.full_screen_action.setChecked(on)

    def _show_full_screen(self) -> None:
        """The check mark as the window is: it may have left full screen by other means."""
        self.full_screen_action.setChecked(self._window.isFullScreen())

    def _show_tab(self, index: int) -> None:
        action = self.view_actions[index] if 0 <= index < len(self.view_actions) else None
        if action is not None:
            action.setChecked(True)

    def select_all(self) -> None:
        """In the field or list with the focus; else in the list of the tab shown."""
        widget = QApplication.focusWidget()
        if widget is None or not hasattr(widget, "selectAll"):
            current = self._tabs.currentWidget()
            widget = getattr(current, "table", None) if current is not None else None
        if widget is not None and hasattr(widget, "selectAll"):
            widget.selectAll()

    def show_about(self) -> QMessageBox:
        """Name, version, licence, and what s3desk is; not modal."""
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(self.tr("About s3desk"))
        box.setText(self.tr("<b>s3desk</b> {version}").format(version=s3desk.__version__))
        box.setInformativeText(
            self.tr("Put files into Amazon S3 and S3-compatible storage, and manage what is "
                    "there.\n\nFree software under the MIT licence.")
        )  # fmt: skip
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.open()
        self.about_box = box
        return box

    def open_docs(self) -> QUrl | None:
        """The README of the sources s3desk runs from; an installed copy has none to open."""
        readme = local_docs()
        if readme is None:
            self.statusMessage.emit(
                self.tr("The documentation is the README.md that comes with s3desk's sources."),
                10000,
            )
            return None
        url = QUrl.fromLocalFile(str(readme))
        if not open_url(url):
            self.statusMessage.emit(self.tr("Could not open {path}").format(path=readme), 10000)
        return url
