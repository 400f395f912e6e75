"""The empty state: a large, friendly target that says what to do."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from s3desk.ui.common.icons import icon


class DropHint(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropHint")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)

        self._picture = QLabel()
        self._picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._draw_picture()
        layout.addWidget(self._picture)

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

    def _draw_picture(self) -> None:
        size, scale = QSize(64, 64), self.devicePixelRatioF()
        self._picture.setPixmap(icon("folder-open").pixmap(size, scale))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._draw_picture()  # in the new text colour (a light or dark palette)

    def set_highlighted(self, on: bool) -> None:
        """Show that a drag over the window would be accepted."""
        self.setProperty("dragging", "true" if on else "false")  # str: see style.qss
        self.style().unpolish(self)
        self.style().polish(self)
