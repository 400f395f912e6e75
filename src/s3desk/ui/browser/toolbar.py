"""The Browse tab's bar: going back and up, what can be done to the selection, where the
listing is, and the filter. The view connects the buttons and decides when they work."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QStyle, QToolButton, QWidget


class BrowserBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        icon = self.style().standardIcon
        sp = QStyle.StandardPixmap
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        self.back_button = _tool(icon(sp.SP_ArrowBack), self.tr("Back"))
        self.up_button = _tool(icon(sp.SP_ArrowUp), self.tr("Up one folder"))
        self.refresh_button = _tool(icon(sp.SP_BrowserReload), self.tr("Refresh (F5)"))
        self.new_folder_button = _tool(icon(sp.SP_FileDialogNewFolder), self.tr("New folder…"))
        self.download_button = _tool(
            icon(sp.SP_ArrowDown), self.tr("Download the selection… (Ctrl+D)")
        )
        self.share_button = _tool(icon(sp.SP_DialogSaveButton), self.tr("Copy a share link…"))
        self.delete_button = _tool(icon(sp.SP_TrashIcon), self.tr("Delete the selection… (Delete)"))
        self.stop_button = _tool(icon(sp.SP_BrowserStop), self.tr("Stop deleting"))
        self.stop_button.setVisible(False)
        self.versions_button = _tool(icon(sp.SP_FileDialogDetailedView), self.tr("Show versions"))
        self.versions_button.setCheckable(True)
        self.incomplete_button = _tool(
            icon(sp.SP_MessageBoxWarning),
            self.tr("Incomplete uploads in this bucket (they take space and cost money)…"),
        )
        for button in (self.back_button, self.up_button, self.refresh_button):
            bar.addWidget(button)
        bar.addSpacing(8)
        bar.addWidget(self.new_folder_button)
        bar.addWidget(self.download_button)
        bar.addWidget(self.share_button)
        bar.addWidget(self.delete_button)
        bar.addWidget(self.stop_button)
        bar.addWidget(self.versions_button)
        bar.addWidget(self.incomplete_button)
        self.location_label = QLabel()
        self.location_label.setObjectName("browserLocation")
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar.addWidget(self.location_label, 1)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter this folder"))
        self.filter_edit.setAccessibleName(self.tr("Filter this folder"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMaximumWidth(260)
        bar.addWidget(self.filter_edit)


def _tool(icon: QIcon, tip: str) -> QToolButton:
    button = QToolButton()
    button.setIcon(icon)
    button.setToolTip(tip)
    button.setAccessibleName(tip.partition(" (")[0].rstrip("…"))  # icon-only: what it does
    button.setAutoRaise(True)
    return button
