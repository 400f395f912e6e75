"""The main window as a user meets it: drop files, watch rows, read errors, cancel, retry."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.ui.transfers.model import TransferModel
from s3desk.ui.window.main_window import MainWindow
from tests.gui.conftest import drop_files
from tests.helpers import SendGate, list_keys, read_object

IDLE_TIMEOUT_MS = 60_000


def _rows(window: MainWindow) -> dict[str, tuple[JobState, str]]:
    model = window.model
    return {
        model.job_at(r).key: (model.job_at(r).state, model.index(r, TransferModel.STATUS).data())
        for r in range(model.rowCount())
    }


def test_dropping_files_and_a_nested_folder_uploads_them(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, tmp_path: Path
) -> None:
    window.destination_box.prefix_edit.setText("inbox")
    files = {
        "report.pdf": os.urandom(20_000),
        "video.bin": os.urandom(6 * 1024 * 1024),  # above the multipart threshold
        "empty.txt": b"",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    nested = tmp_path / "holiday" / "day 1"
    nested.mkdir(parents=True)
    (nested / "beach é.jpg").write_bytes(b"jpeg bytes")
    assert window.queue.currentWidget() is window.queue.drop_hint

    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
        assert drop_files(
            window.queue.drop_hint, [*(tmp_path / n for n in files), tmp_path / "holiday"]
        )

    assert window.queue.currentWidget() is window.queue.table
    expected = {f"inbox/{n}": d for n, d in files.items()}
    expected["inbox/holiday/day 1/beach é.jpg"] = b"jpeg bytes"
    rows = _rows(window)
    assert sorted(rows) == sorted(expected)
    assert {state for state, _ in rows.values()} == {JobState.DONE}
    assert list_keys(s3, bucket) == sorted(expected)
    for key, data in expected.items():
        assert read_object(s3, bucket, key) == data
    assert window.totals_label.text().startswith("4 of 4 files done")
    assert window.windowTitle() == "s3desk"


def test_missing_bucket_shows_a_readable_error_and_other_rows_finish(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "lost.txt").write_text("lost")
    (tmp_path / "kept.txt").write_text("kept")
    window.destination_box.bucket_box.setEditText("no-such-bucket-gui")
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
        assert drop_files(window.queue.drop_hint, [tmp_path / "lost.txt"])
    window.destination_box.bucket_box.setEditText(bucket)
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
        assert drop_files(window.queue.table.viewport(), [tmp_path / "kept.txt"])

    rows = _rows(window)
    state, status = rows["lost.txt"]
    assert state is JobState.FAILED
    assert status.startswith("Failed — Bucket 'no-such-bucket-gui' does not exist")
    assert rows["kept.txt"][0] is JobState.DONE
    assert list_keys(s3, bucket) == ["kept.txt"]
    assert "1 failed" in window.totals_label.text()
    failed_row = window.model.row_of(
        next(j.id for j in window.model.views() if j.key == "lost.txt")
    )
    assert failed_row is not None
    colour = window.model.index(failed_row, TransferModel.STATUS).data(
        Qt.ItemDataRole.ForegroundRole
    )
    assert colour is not None and colour.red() > colour.green()


def test_bucket_list_loads_in_the_background(qtbot: QtBot, window: MainWindow, bucket: str) -> None:
    with qtbot.waitSignal(window.bucketsLoaded, timeout=IDLE_TIMEOUT_MS) as blocker:
        window.start()
    assert bucket in blocker.args[0]
    assert window.destination_box.bucket_box.findText(bucket) >= 0
    assert window.destination_box.bucket_box.currentText() == bucket  # the chosen bucket is kept


def test_snapshots_are_coalesced(
    qtbot: QtBot, window: MainWindow, bucket: str, tmp_path: Path
) -> None:
    for n in range(300):
        (tmp_path / f"note-{n:03d}.txt").write_text(str(n))
    snapshots, repaints, inserts = [], [], []
    window.bridge.totalsChanged.connect(snapshots.append)
    window.model.dataChanged.connect(lambda *a: repaints.append(a))
    window.model.rowsInserted.connect(lambda *a: inserts.append(a))
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
        assert drop_files(window.queue.drop_hint, [tmp_path])
    assert window.model.rowCount() == 300
    # At most one repaint and one insertion per snapshot, however many files changed.
    assert len(repaints) <= len(snapshots)
    assert len(inserts) <= len(snapshots)
    assert len(inserts) < 300


def test_cancel_and_retry_from_the_toolbar(
    qtbot: QtBot, window: MainWindow, engine: UploadEngine, s3: Any, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "slow.txt").write_text("eventually")
    gate = SendGate(engine, "PutObject")
    assert drop_files(window.queue.drop_hint, [tmp_path / "slow.txt"])
    qtbot.waitUntil(lambda: gate.reached.is_set() and window.model.rowCount() == 1)
    window.queue.table.selectRow(0)
    assert window.commands.cancel_action.isEnabled()
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
        window.commands.cancel_action.trigger()
        gate.release.set()
    assert _rows(window)["slow.txt"][0] is JobState.CANCELLED

    gate.remove()
    window.queue.table.selectRow(0)
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
        window.commands.retry_action.trigger()
    assert _rows(window)["slow.txt"][0] is JobState.DONE
    assert read_object(s3, bucket, "slow.txt") == b"eventually"


def test_drop_without_a_bucket_asks_for_one(window: MainWindow, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    window.destination_box.bucket_box.setEditText("")
    assert not drop_files(window.queue.drop_hint, [tmp_path / "a.txt"])
    assert window.model.rowCount() == 0
    assert "Choose a bucket" in window.statusBar().currentMessage()
    assert "Choose a bucket" in window.destination_box.destination_preview.text()


def test_quitting_with_uploads_running_asks_first(
    qtbot: QtBot, window: MainWindow, engine: UploadEngine, tmp_path: Path, monkeypatch: Any
) -> None:
    (tmp_path / "a.txt").write_text("a")
    gate = SendGate(engine, "PutObject")
    assert drop_files(window.queue.drop_hint, [tmp_path / "a.txt"])
    qtbot.waitUntil(gate.reached.is_set)
    asked: list[bool] = []
    monkeypatch.setattr(window, "confirm_quit", lambda: asked.append(True) or False)
    assert not window.close()
    assert asked == [True]
    assert window.isVisible()
    gate.remove()


def test_window_without_storage_explains_what_to_do(qtbot: QtBot) -> None:
    window = MainWindow(None, setup_hint="Set AWS credentials and restart.")
    qtbot.addWidget(window)
    assert "No storage is set up" in window.destination_box.storage_label.text()
    assert "Set AWS credentials" in window.destination_box.storage_label.text()
    assert not window.commands.add_files_action.isEnabled()
    assert not window.acceptDrops()


def test_taken_names_ask_once_in_a_bar(
    qtbot: QtBot,
    window_for: Callable[[Any], MainWindow],
    moto_endpoint: Any,
    s3: Any,
    bucket: str,
    tmp_path: Path,
) -> None:
    from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig

    engine = UploadEngine(moto_endpoint, EngineConfig(conflict=ConflictPolicy.ASK))
    window = window_for(engine)
    for name in ("a.txt", "b.txt", "c.txt"):
        s3.put_object(Bucket=bucket, Key=name, Body=b"old")
        (tmp_path / name).write_text(f"new {name}")
    (tmp_path / "d.txt").write_text("new d.txt")
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
        assert drop_files(window.queue.drop_hint, [tmp_path / f"{n}.txt" for n in "abcd"])
    assert not window.conflict_bar.isHidden()
    assert "3 files already exist" in window.conflict_bar.conflict_label.text()
    rows = _rows(window)
    assert rows["a.txt"][1].startswith("Exists")
    assert rows["d.txt"][0] is JobState.DONE

    a_row = window.model.row_of(next(v.id for v in window.model.views() if v.key == "a.txt"))
    assert a_row is not None
    window.queue.table.selectRow(a_row)
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
        window.conflict_bar.conflict_buttons[ConflictPolicy.RENAME].click()  # only the selected row
    assert "2 files" in window.conflict_bar.conflict_label.text()
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
        window.conflict_bar.conflict_buttons[ConflictPolicy.SKIP].click()  # all the others
    assert window.conflict_bar.isHidden()
    assert list_keys(s3, bucket) == ["a (1).txt", "a.txt", "b.txt", "c.txt", "d.txt"]
    assert read_object(s3, bucket, "a (1).txt") == b"new a.txt"
    assert read_object(s3, bucket, "b.txt") == b"old"


def test_window_with_the_engine_in_its_own_process(
    qtbot: QtBot,
    window_for: Callable[[Any], MainWindow],
    moto_endpoint: Any,
    s3: Any,
    bucket: str,
    tmp_path: Path,
) -> None:
    """The app runs the engine in a child process; the window works the same."""
    from s3desk.ui.app import make_engine

    engine = make_engine(moto_endpoint, resumable=True)
    window = window_for(engine)
    data = {f"doc{n}.txt": os.urandom(100 + n) for n in range(5)}
    for name, content in data.items():
        (tmp_path / name).write_bytes(content)
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
        assert drop_files(window.queue.drop_hint, [tmp_path / n for n in data])
    assert {state for state, _ in _rows(window).values()} == {JobState.DONE}
    assert window.totals_label.text().startswith("5 of 5 files done")
    for name, content in data.items():
        assert read_object(s3, bucket, name) == content
