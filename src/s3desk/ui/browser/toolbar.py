"""The Browse tab's bar: going back and up, what can be done to the selection, where the
listing is, and the filter. The view connects the buttons and decides when they work.

Going back, up and refreshing are icons everyone knows; the actions on the selection say
what they do beside their icon where the window is wide enough (a narrow one keeps the
icons; the incomplete uploads keep their count). The texts come before the folder's path
and the filter's width: the path gives way first (the destination row above the tabs and
the path's tooltip still say where), then the filter down to a few characters. Every
button names itself to screen readers and its tooltip gives its shortcut. Icons come from
the desktop's theme (freedesktop names), with s3desk's own drawings where the theme has
none."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from s3desk.ui.browser.texts import plural
from s3desk.ui.common.icons import icon

# Characters the filter keeps room for when the bar is short of width.
FILTER_LEAST_CHARS = 12


class BrowserBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        self.back_button = self._tool("go-previous", self.tr("Back"), "Alt+Left")
        self.up_button = self._tool("go-up", self.tr("Up one folder"), "Backspace")
        self.refresh_button = self._tool("view-refresh", self.tr("Refresh"), "F5")
        self.new_folder_button = self._tool("folder-new", self.tr("New folder…"), text=True)
        self.download_button = self._tool(
            "document-save", self.tr("Download…"), "Ctrl+D", text=True
        )
        self.share_button = self._tool("insert-link", self.tr("Copy share link…"), text=True)
        self.delete_button = self._tool("edit-delete", self.tr("Delete…"), "Delete", text=True)
        self.stop_button = self._tool("process-stop", self.tr("Stop deleting"), text=True)
        self.stop_button.setVisible(False)
        self.versions_button = self._tool("document-open-recent", self.tr("Versions"), text=True)
        self.versions_button.setCheckable(True)
        self.versions_button.setToolTip(self.tr("Show the versions of the selected object"))
        self.incomplete_button = self._tool(
            "dialog-warning", self.tr("Incomplete uploads"), text=True
        )
        # The texts that give way in a narrow window; the incomplete uploads keep theirs,
        # a warning sign alone says nothing.
        self._texted = [
            self.new_folder_button, self.download_button, self.share_button,
            self.delete_button, self.stop_button, self.versions_button,
        ]  # fmt: skip
        self._with_texts = True
        self.show_incomplete_count(0)
        for button in (self.back_button, self.up_button, self.refresh_button):
            bar.addWidget(button)
        bar.addSpacing(8)
        for button in [*self._texted, self.incomplete_button]:
            bar.addWidget(button)
        self.location_label = QLabel()
        self.location_label.setObjectName("browserLocation")
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long path must not widen the window: the label gives way, its tooltip has it all.
        self.location_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.location_label, 1)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter this folder"))
        self.filter_edit.setAccessibleName(self.tr("Filter this folder"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMaximumWidth(260)
        self.filter_edit.setMinimumWidth(
            self.filter_edit.fontMetrics().averageCharWidth() * FILTER_LEAST_CHARS
        )
        bar.addWidget(self.filter_edit)

    def show_location(self, text: str) -> None:
        self.location_label.setText(text)
        self.location_label.setToolTip(text)

    def show_incomplete_count(self, count: int) -> None:
        """The incomplete uploads below the folder shown: the button is there only when
        there are some, and says how many."""
        self.incomplete_button.setText(
            plural(count, self.tr("{n} incomplete upload"), self.tr("{n} incomplete uploads"))
        )
        self.incomplete_button.setAccessibleName(self.incomplete_button.text())
        self.incomplete_button.setToolTip(
            self.tr("{count}: uploads started here and never finished. Their parts take "
                    "space and cost money until they are removed.").format(
                count=self.incomplete_button.text()
            )
        )  # fmt: skip
        self.incomplete_button.setVisible(count > 0)
        self.updateGeometry()
        self._fit_texts(self.width())

    def minimumSizeHint(self) -> QSize:
        # With the icons alone: a narrow window drops the texts instead of growing.
        hint = super().minimumSizeHint()
        if self._with_texts:
            hint.setWidth(hint.width() - self._text_room())
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_texts(event.size().width())

    def _fit_texts(self, width: int) -> None:
        icons_only = self.minimumSizeHint().width()
        # The icons alone with the path hidden and the filter at its least: what the texts
        # need beyond that is all they wait for.
        wide = width >= icons_only + self._text_room()
        if wide != self._with_texts:
            self._with_texts = wide
            style = Qt.ToolButtonStyle
            for button in self._texted:
                button.setToolButtonStyle(
                    style.ToolButtonTextBesideIcon if wide else style.ToolButtonIconOnly
                )

    def _text_room(self) -> int:
        """How much wider the texts beside the icons make the bar."""
        return sum(
            button.fontMetrics().horizontalAdvance(button.text()) + 14
            for button in self._texted
            if not button.isHidden()
        )

    def _tool(
        self, icon_name: str, name: str, shortcut: str = "", *, text: bool = False
    ) -> QToolButton:
        """A button named ``name`` (for its text, screen readers and tooltip, which adds the
        shortcut), showing the icon ``icon_name`` (a freedesktop name: ``icons.icon``)."""
        button = QToolButton()
        button.setIcon(icon(icon_name))
        button.setText(name)
        button.setAccessibleName(name.rstrip("…"))
        keys = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{name} ({keys})" if shortcut else name)
        if text:
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        return button
