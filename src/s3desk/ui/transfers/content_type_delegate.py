"""Editing a waiting upload's content type in its row: a combo box of common types that
takes any other one typed in (the model checks it)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from s3desk.core.compliance import content_types

Index = QModelIndex | QPersistentModelIndex


def type_choices(current: str) -> list[str]:
    """The common types, with ``current`` first when it is not one of them."""
    common = list(content_types.COMMON)
    return common if current in common or not current else [current, *common]


class ContentTypeDelegate(QStyledItemDelegate):
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        box = QComboBox(parent)
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        box.setAccessibleName(self.tr("Content type"))
        return box

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        current = str(index.data(Qt.ItemDataRole.EditRole) or "")
        editor.clear()
        editor.addItems(type_choices(current))
        editor.setCurrentText(current)
        line = editor.lineEdit()
        assert line is not None  # the editor is an editable box
        line.selectAll()

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        editor.setGeometry(option.rect)
