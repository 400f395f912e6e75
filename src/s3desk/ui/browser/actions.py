"""What can be done in the Browse tab, as actions with their shortcuts: the context menu
lists them with their keys, and the keys work while the list has the focus (the ones about
the selection only there, so that Delete in the filter field deletes a letter)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

if TYPE_CHECKING:
    from s3desk.ui.browser.view import BrowserView

Keys = str | QKeySequence.StandardKey


class BrowserActions(QObject):
    def __init__(self, view: BrowserView) -> None:
        super().__init__(view)
        self.view = view
        table = view.table
        self.refresh = self._action(self.tr("Refresh"), QKeySequence.StandardKey.Refresh,
                                    view.refresh, view)  # fmt: skip
        self.new_folder = self._action(
            self.tr("New folder…"), "Ctrl+Shift+N", view.new_folder.ask_new_folder, view
        )
        self.download = self._action(
            self.tr("Download…"), "Ctrl+D", view.downloading.download_selected, table
        )
        self.share = self._action(
            self.tr("Copy share link…"), "Ctrl+K", view.share_links.ask_share_link, table
        )
        self.delete = self._action(self.tr("Delete…"), QKeySequence.StandardKey.Delete,
                                   view.deleting.delete_selected, table)  # fmt: skip
        self.delete_permanently = self._action(
            self.tr("Delete permanently (all versions)…"), "Shift+Del",
            view.deleting.delete_selected_permanently, table,
        )  # fmt: skip
        # Mirrors the bar's Versions button, which shows or hides the versions below.
        versions_button = view.bar.versions_button
        self.versions = self._action(self.tr("Versions"), "Ctrl+Shift+V", versions_button.click,
                                     table)  # fmt: skip
        self.versions.setCheckable(True)
        versions_button.toggled.connect(self.versions.setChecked)
        # Window-wide, as the View menu lists it.
        self.info = self._action(self.tr("Show info panel"), "Ctrl+I", None, view,
                                 Qt.ShortcutContext.WindowShortcut)  # fmt: skip
        self.info.setCheckable(True)
        self.info.setMenuRole(QAction.MenuRole.NoRole)  # macOS: stays in the View menu
        self.info.setChecked(True)
        self.info.setToolTip(self.tr("Show or hide the details of the selection beside the list"))
        self.info.setStatusTip(self.info.toolTip())
        # The bar's buttons whose shortcut is new here say it in their tooltip too.
        for button, action in ((view.bar.new_folder_button, self.new_folder),
                               (view.bar.share_button, self.share),
                               (versions_button, self.versions)):  # fmt: skip
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(f"{button.toolTip()} ({keys})")

    def _action(
        self,
        text: str,
        keys: Keys,
        slot: Callable[[], object] | None,
        widget: QWidget,
        context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut,
    ) -> QAction:
        action = QAction(text, widget)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(context)
        action.setShortcutVisibleInContextMenu(True)
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        widget.addAction(action)
        return action

    def update(self) -> None:
        """Enable what the selection and the folder shown allow (as the bar's buttons)."""
        view, bar = self.view, self.view.bar
        self.new_folder.setEnabled(bar.new_folder_button.isEnabled())
        self.download.setEnabled(bar.download_button.isEnabled())
        self.share.setEnabled(bar.share_button.isEnabled())
        self.delete.setEnabled(bar.delete_button.isEnabled())
        self.delete_permanently.setEnabled(bar.delete_button.isEnabled())
        self.versions.setEnabled(bool(view.bucket))

    def context_menu(self) -> QMenu:
        """The list's context menu: what can be done here now, each with its shortcut."""
        view = self.view
        menu = QMenu(view)
        menu.addAction(self.refresh)
        if view.bucket:
            menu.addAction(self.new_folder)
        if self.download.isEnabled():
            menu.addAction(self.download)
        if self.share.isEnabled():
            menu.addAction(self.share)
        if view.selected_object() is not None:  # the versions shown are an object's
            menu.addAction(self.versions)
        menu.addAction(self.info)
        if self.delete.isEnabled():
            menu.addSeparator()
            menu.addAction(self.delete)
            menu.addAction(self.delete_permanently)
        return menu

    def show_context_menu(self, pos: QPoint) -> None:
        self.context_menu().popup(self.view.table.viewport().mapToGlobal(pos))
