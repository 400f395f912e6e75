"""The window's commands as actions, with their shortcuts, and the toolbar that shows them.

The queue panel connects and enables the actions on rows; the window the others. The menu
bar (``menu_bar.py``) carries every action; the toolbar the ones used most.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QMainWindow, QToolBar, QWidget

from s3desk.ui.common.icons import icon


def preferences_keys() -> list[QKeySequence]:
    """The platform's key for preferences (Ctrl+, or Ctrl+Alt+S where its theme says so);
    Ctrl+, where Qt knows none, as on most Linux desktops."""
    keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
    return keys or [QKeySequence("Ctrl+,")]


def shortcut_words(action: QAction) -> str:
    """The action's shortcut as the menus show it, for tooltips."""
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


class WindowActions(QObject):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        # The actions belong to the window: their shortcuts work wherever the focus is in it.
        self.add_files_action = QAction(icon("list-add"), self.tr("&Add files…"), window)
        self.add_files_action.setShortcut(QKeySequence.StandardKey.Open)
        self.add_files_action.setToolTip(self.tr("Choose files to upload"))
        self.add_folder_action = QAction(icon("folder-new"), self.tr("Add f&older…"), window)
        self.add_folder_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.add_folder_action.setToolTip(self.tr("Choose a folder to upload, with its contents"))
        self._queue_actions(window)
        self._app_actions(window)
        self._sidebar_actions(window)
        self._finish(window)

    def _queue_actions(self, window: QMainWindow) -> None:
        """What acts on the rows of the Transfers tab."""
        self.pause_action = QAction(icon("media-playback-pause"), self.tr("&Pause"), window)
        self.pause_action.setShortcut(QKeySequence("Ctrl+P"))
        self.pause_action.setToolTip(self.tr("Pause the selected transfers, or all"))
        self.resume_action = QAction(icon("media-playback-start"), self.tr("&Resume"), window)
        self.resume_action.setShortcut(QKeySequence("Ctrl+R"))
        self.resume_action.setToolTip(self.tr("Resume the selected transfers, or all"))
        self.cancel_action = QAction(icon("process-stop"), self.tr("&Cancel"), window)
        self.cancel_action.setToolTip(self.tr("Cancel the selected transfers"))
        # Delete only while the transfers table has the focus: in the browser it deletes.
        self.cancel_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.cancel_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.retry_action = QAction(icon("view-refresh"), self.tr("Re&try"), window)
        self.retry_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.retry_action.setToolTip(self.tr("Retry the selected transfers, or all failed ones"))
        self.clear_action = QAction(icon("edit-clear"), self.tr("C&lear finished"), window)
        self.clear_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.clear_action.setToolTip(self.tr("Remove finished transfers from the list"))
        self.copy_url_action = QAction(self.tr("Copy S3 &URL"), window)
        self.copy_url_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        # Ctrl+C copies the URLs only from the transfers table: elsewhere it copies text.
        self.copy_url_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.content_type_action = QAction(self.tr("Set content t&ype…"), window)
        self.content_type_action.setToolTip(
            self.tr("Choose the Content-Type the selected waiting uploads are stored with")
        )

    def _app_actions(self, window: QMainWindow) -> None:
        """Accounts, settings, help and quitting."""
        self.accounts_action = QAction(icon("network-server"), self.tr("A&ccounts…"), window)
        self.accounts_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.accounts_action.setToolTip(self.tr("Add, edit and test storage accounts"))
        self.diagnostics_action = QAction(self.tr("Copy diagnostic &info"), window)
        self.diagnostics_action.setToolTip(
            self.tr("Versions, settings and recent errors for a support request (no secrets)")
        )
        self.settings_action = QAction(self.tr("&Settings…"), window)
        self.settings_action.setShortcuts(preferences_keys())
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.quit_action = QAction(self.tr("&Quit"), window)
        self.quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.about_action = QAction(self.tr("&About s3desk"), window)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.docs_action = QAction(self.tr("&Documentation"), window)
        self.docs_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.report_action = QAction(self.tr("&Report a problem…"), window)
        self.report_action.setToolTip(
            self.tr("Copy the diagnostic info to paste into a problem report")
        )

    def _sidebar_actions(self, window: QMainWindow) -> None:
        """Showing the sidebar of accounts, buckets and favourites, and adding to it."""
        self.show_sidebar_action = QAction(self.tr("Show &sidebar"), window)
        self.show_sidebar_action.setCheckable(True)
        self.show_sidebar_action.setChecked(True)
        self.show_sidebar_action.setShortcut(QKeySequence("F9"))
        self.show_sidebar_action.setToolTip(self.tr("Show or hide the accounts, buckets and "
                                                    "favourites beside the tabs"))  # fmt: skip
        # Not Ctrl+D: in Browse that downloads the selection.
        self.favourite_action = QAction(self.tr("Add to &favourites"), window)
        self.favourite_action.setShortcut(QKeySequence("Ctrl+B"))
        self.favourite_action.setToolTip(
            self.tr("Keep the folder shown in Browse in the sidebar's favourites")
        )
        self.favourite_action.setEnabled(False)  # until Browse shows a bucket

    def _finish(self, window: QMainWindow) -> None:
        for action in self.all_actions():
            # Only the three above go to the application menu on macOS, whatever their text.
            if action.menuRole() == QAction.MenuRole.TextHeuristicRole:
                action.setMenuRole(QAction.MenuRole.NoRole)
            action.setShortcutVisibleInContextMenu(True)
            words = shortcut_words(action)
            if words and action.toolTip() and words not in action.toolTip():
                action.setToolTip(f"{action.toolTip()} ({words})")
            if action.shortcutContext() != Qt.ShortcutContext.WidgetShortcut:
                window.addAction(action)  # the shortcuts work with the menus closed

    def all_actions(self) -> list[QAction]:
        return [value for value in vars(self).values() if isinstance(value, QAction)]

    def set_can_add(self, can: bool) -> None:
        """Adding files needs an engine to hand them to."""
        for action in (self.add_files_action, self.add_folder_action):
            action.setEnabled(can)

    def build_toolbar(self) -> QToolBar:
        """Adding, the queue's commands, accounts; every button in the Tab chain. The rest
        is in the menu bar."""
        bar = AdaptiveToolBar(self.tr("Main"))
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        shown = (
            self.add_files_action, self.add_folder_action, None, self.pause_action,
            self.resume_action, self.cancel_action, self.retry_action, self.clear_action, None,
            self.accounts_action,
        )  # fmt: skip
        for action in shown:
            if action is None:
                bar.addSeparator()
                continue
            bar.addAction(action)
            button = bar.widgetForAction(action)
            # Tool buttons take no focus by default: without it the keyboard cannot reach them.
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        return bar


class AdaptiveToolBar(QToolBar):
    """Text beside the icons where the window is wide enough for all of them, icons alone
    (with their tooltips) where it is not: no button is hidden behind the » menu."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._wide_width = 0  # what all buttons need with their text, once measured

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit(event.size().width())

    def fit(self, width: int) -> None:
        wide = Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        if self.toolButtonStyle() == wide:
            self._wide_width = self.sizeHint().width()
            if self._wide_width > width:
                self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        elif width >= self._wide_width:
            self.setToolButtonStyle(wide)
