"""The tests' key clicks are whole clicks: the modifiers they press are let go of after, so a
later selection in the same test, or in the next one, is not taken as a Ctrl+click."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTableView
from pytestqt.qtbot import QtBot


def _table(qtbot: QtBot) -> QTableView:
    model = QStandardItemModel(3, 1)
    for row in range(3):
        model.setItem(row, 0, QStandardItem(f"row {row}"))
    table = QTableView()
    table.setModel(model)
    model.setParent(table)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    qtbot.addWidget(table)
    table.show()
    return table


def _selected(table: QTableView) -> list[int]:
    return sorted(index.row() for index in table.selectionModel().selectedRows())


def test_selecting_a_row_again_after_a_ctrl_click_keeps_it_selected(qtbot: QtBot) -> None:
    table = _table(qtbot)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert _selected(table) == [0, 1, 2]  # the click itself was Ctrl+A
    qtbot.keyClick(table, Qt.Key.Key_Z, ctrl_shift)
    assert QGuiApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier
    table.selectRow(1)
    table.selectRow(1)  # as a test does after an action: not a Ctrl+click that toggles it off
    assert _selected(table) == [1]


def test_a_key_sequence_lets_go_of_its_modifiers(qtbot: QtBot) -> None:
    table = _table(qtbot)
    qtbot.keySequence(table, QKeySequence("Ctrl+Shift+Z"))
    assert QGuiApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier
