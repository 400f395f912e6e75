"""The empty state: a large, friendly target that says what to do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStyle, QVBoxLayout, QWidget


class DropHint(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropHint")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)

        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon).pixmap(64))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(icon)

        title = QLabel(self.tr("Drop files here"))
        title.setObjectName("dropTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)

        hint = QLabel(
            self.tr(
                "Drag files or whole folders onto this window, or use Add files… and "
                "Add folder…\nFolders keep their structure under the destination folder."
            )
        )
        hint.setObjectName("dropSubtitle")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(hint)
        layout.addStretch(2)
        self.set_highlighted(False)

    def set_highlighted(self, on: bool) -> None:
        """Show that a drag over the window would be accepted."""
        self.setProperty("dragging", "true" if on else "false")  # str: see style.qss
        self.style().unpolish(self)
        self.style().polish(self)
