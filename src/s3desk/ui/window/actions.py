"""The window's commands as actions, with their shortcuts, and the toolbar that shows them.

The queue panel connects and enables the actions on rows; the window the others.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar, QToolButton


class WindowActions(QObject):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        # The actions belong to the window: their shortcuts work wherever the focus is in it.
        icon = window.style().standardIcon
        sp = QStyle.StandardPixmap
        self.add_files_action = QAction(icon(sp.SP_FileIcon), self.tr("Add files…"), window)
        self.add_files_action.setShortcut(QKeySequence.StandardKey.Open)
        self.add_folder_action = QAction(icon(sp.SP_DirIcon), self.tr("Add folder…"), window)
        self.add_folder_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.pause_action = QAction(icon(sp.SP_MediaPause), self.tr("Pause"), window)
        self.pause_action.setShortcut(QKeySequence("Ctrl+P"))
        self.pause_action.setToolTip(self.tr("Pause the selected transfers, or all (Ctrl+P)"))
        self.resume_action = QAction(icon(sp.SP_MediaPlay), self.tr("Resume"), window)
        self.resume_action.setShortcut(QKeySequence("Ctrl+R"))
        self.resume_action.setToolTip(self.tr("Resume the selected transfers, or all (Ctrl+R)"))
        self.cancel_action = QAction(icon(sp.SP_DialogCancelButton), self.tr("Cancel"), window)
        self.cancel_action.setToolTip(self.tr("Cancel the selected transfers (Delete)"))
        # Delete only while the transfers table has the focus: in the browser it deletes.
        self.cancel_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.cancel_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.retry_action = QAction(icon(sp.SP_BrowserReload), self.tr("Retry"), window)
        self.retry_action.setToolTip(self.tr("Retry the selected transfers, or all failed ones"))
        self.clear_action = QAction(
            icon(sp.SP_DialogResetButton), self.tr("Clear finished"), window
        )
        self.clear_action.setToolTip(self.tr("Remove finished uploads from the list"))
        self.copy_url_action = QAction(self.tr("Copy S3 URL"), window)
        self.content_type_action = QAction(self.tr("Set content type…"), window)
        self.content_type_action.setToolTip(
            self.tr("Choose the Content-Type the selected waiting uploads are stored with")
        )
        self.accounts_action = QAction(icon(sp.SP_DriveNetIcon), self.tr("Accounts…"), window)
        self.accounts_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.accounts_action.setToolTip(self.tr("Add, edit and test storage accounts"))
        self.diagnostics_action = QAction(self.tr("Copy diagnostic info"), window)
        self.diagnostics_action.setToolTip(
            self.tr("Versions, settings and recent errors for a support request (no secrets)")
        )
        self.settings_action = QAction(self.tr("Settings…"), window)
        self.settings_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Preferences))
        window.addAction(self.settings_action)  # the shortcut works with the menu closed

    def set_can_add(self, can: bool) -> None:
        """Adding files needs an engine to hand them to."""
        for action in (self.add_files_action, self.add_folder_action):
            action.setEnabled(can)

    def build_toolbar(self) -> QToolBar:
        """Adding, the queue's commands, accounts; settings and diagnostics under More."""
        bar = QToolBar(self.tr("Main"))
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addAction(self.add_files_action)
        bar.addAction(self.add_folder_action)
        bar.addSeparator()
        bar.addAction(self.pause_action)
        bar.addAction(self.resume_action)
        bar.addAction(self.cancel_action)
        bar.addAction(self.retry_action)
        bar.addAction(self.clear_action)
        bar.addSeparator()
        bar.addAction(self.accounts_action)
        more = QToolButton()
        more.setText(self.tr("More"))
        more.setAccessibleName(self.tr("More actions"))
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more_menu = QMenu(more)
        more_menu.addAction(self.settings_action)
        more_menu.addAction(self.diagnostics_action)
        more.setMenu(more_menu)
        self.more_menu = more_menu
        bar.addWidget(more)
        return bar
