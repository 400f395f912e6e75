"""The Type column: detected types shown before upload, edited in the row (mouse or F2) or
for a selection, refused when malformed, and stored on the server as chosen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QInputDialog
from pytestqt.qtbot import QtBot

from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.ui.transfers.model import TransferModel
from s3desk.ui.window.main_window import MainWindow
from tests.gui.conftest import drop_files
from tests.helpers import SendGate

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
ONE_AT_A_TIME = EngineConfig(concurrency=1, conflict=ConflictPolicy.OVERWRITE)


def _type_cell(window: MainWindow, name: str) -> Any:
    row = next(r for r in range(window.model.rowCount()) if window.model.job_at(r).name == name)
    return window.model.index(row, TransferModel.TYPE)


def _all_done(window: MainWindow) -> bool:
    return all(v.state is JobState.DONE for v in window.model.views())


@pytest.fixture
def held(
    qtbot: QtBot, window_for: Callable[[Any], MainWindow], moto_endpoint: S3Endpoint,
    tmp_path: Path,
) -> Any:  # fmt: skip
    """A window whose first upload is held on its way out, so the others wait in the queue."""
    engine = UploadEngine(moto_endpoint, ONE_AT_A_TIME)
    window = window_for(engine)
    (tmp_path / "a-first.txt").write_text("first")
    (tmp_path / "notes.md").write_text("# notes")
    (tmp_path / "scan").write_bytes(PDF)
    (tmp_path / "page.html").write_text("<p>x</p>")
    gate = SendGate(engine, "PutObject")
    files = sorted(tmp_path.iterdir())
    assert drop_files(window.queue.drop_hint, files)
    assert gate.reached.wait(30)
    qtbot.waitUntil(lambda: window.model.rowCount() == len(files))
    yield window, engine, gate
    gate.remove()


def test_detected_types_show_and_a_waiting_row_takes_a_typed_one(
    qtbot: QtBot, held: Any, s3: Any, bucket: str
) -> None:
    window, _, gate = held
    assert _type_cell(window, "scan").data() == "application/pdf"  # from its first bytes
    assert _type_cell(window, "notes.md").data() == "text/markdown"
    sending = next(v for v in window.model.views() if v.state is JobState.UPLOADING)
    assert not (_type_cell(window, sending.name).flags() & Qt.ItemFlag.ItemIsEditable)
    cell = _type_cell(window, "notes.md")
    assert cell.flags() & Qt.ItemFlag.ItemIsEditable
    assert "F2" in cell.data(Qt.ItemDataRole.ToolTipRole)

    # Keyboard only: go to the cell, F2 opens the editor, type, Enter.
    window.queue.table.setFocus()
    window.queue.table.setCurrentIndex(cell)
    qtbot.keyClick(window.queue.table, Qt.Key.Key_F2)
    editor = window.queue.table.indexWidget(cell) or window.queue.table.focusWidget()
    assert isinstance(editor, QComboBox), editor
    editor.lineEdit().setText("text/markdown; charset=utf-8")
    qtbot.keyClick(editor.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _type_cell(window, "notes.md").data() == "text/markdown; charset=utf-8")

    # Something that is no content type is refused, with the reason in the status bar.
    with qtbot.waitSignal(window.model.contentTypeRefused):
        assert not window.model.setData(_type_cell(window, "page.html"), "html page")
    assert "is not a content type" in window.statusBar().currentMessage()
    assert _type_cell(window, "page.html").data() == "text/html"

    gate.remove()
    qtbot.waitUntil(lambda: _all_done(window), timeout=30_000)
    notes = next(v for v in window.model.views() if v.name == "notes.md")
    assert s3.head_object(Bucket=bucket, Key=notes.key)["ContentType"] == (
        "text/markdown; charset=utf-8"
    )
    assert not any(
        window.model.index(r, TransferModel.TYPE).flags() & Qt.ItemFlag.ItemIsEditable
        for r in range(window.model.rowCount())
    )


def test_one_type_for_a_selection_skips_the_rows_already_sending(
    qtbot: QtBot, held: Any, s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _, gate = held
    asked: list[tuple[str, list[str]]] = []

    def answer(parent: Any, title: str, label: str, items: list[str], *args: Any) -> Any:
        asked.append((label, items))
        return "application/x-evidence", True

    monkeypatch.setattr(QInputDialog, "getItem", answer)
    window.queue.table.selectAll()
    window.commands.content_type_action.trigger()
    assert asked and asked[0][0] == "Store 3 selected uploads as:"
    assert "application/pdf" in asked[0][1]
    assert window.statusBar().currentMessage() == "1 upload already started keeps its content type."
    waiting = [v.name for v in window.model.views() if v.state is JobState.QUEUED]
    qtbot.waitUntil(
        lambda: all(_type_cell(window, n).data() == "application/x-evidence" for n in waiting)
    )
    gate.remove()
    qtbot.waitUntil(lambda: _all_done(window), timeout=30_000)
    for view in window.model.views():
        stored = s3.head_object(Bucket=bucket, Key=view.key)["ContentType"]
        assert (stored == "application/x-evidence") == (view.name in waiting)
