"""Asks once for all files whose names are taken in the bucket, without a modal dialog per
file."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.ui.common.names import name_list


class ConflictBar(QFrame):
    # A button was pressed: the ConflictPolicy for the files the bar names.
    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictBar")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        self.conflict_label = QLabel()
        self.conflict_label.setWordWrap(True)  # long names must not widen the window
        row.addWidget(self.conflict_label, 1)
        self.conflict_buttons: dict[ConflictPolicy, QPushButton] = {}
        for choice, text, tip in (
            (ConflictPolicy.OVERWRITE, self.tr("Overwrite"), self.tr("Replace what is there")),
            (ConflictPolicy.RENAME, self.tr("Keep both"), self.tr("Upload as “name (1)”")),
            (ConflictPolicy.SKIP, self.tr("Skip"), self.tr("Leave these files out")),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, c=choice: self.chosen.emit(c))
            row.addWidget(button)
            self.conflict_buttons[choice] = button
        self.setVisible(False)

    def show_names(self, names: list[str], selected: bool) -> None:
        """Name the files the buttons act on (Overwrite replaces them for good): the
        ``selected`` ones, or all that ask; hidden when none asks."""
        self.setVisible(bool(names))
        if not names:
            return
        listed = name_list(names)
        if selected:
            text = self.tr("%n selected file(s) already exist in the bucket: {names}. What "
                           "should happen to them?", "", len(names))  # fmt: skip
        else:
            text = self.tr("%n file(s) already exist in the bucket: {names}. What should "
                           "happen to them?", "", len(names))  # fmt: skip
        self.conflict_label.setText(text.format(names=listed))
