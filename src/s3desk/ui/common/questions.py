"""A question before something is deleted, cancelled or lost: its buttons say what they do
("Delete", "Don't delete"), never only "Yes" and "No", and the one that leaves everything as
it is answers Enter and Escape."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm(parent: QWidget, title: str, text: str, act: str, keep: str) -> bool:
    """Ask; True only when the user chose ``act``."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    acting = box.addButton(act, QMessageBox.ButtonRole.DestructiveRole)
    keeping = box.addButton(keep, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keeping)
    box.setEscapeButton(keeping)
    box.exec()
    return box.clickedButton() is acting
