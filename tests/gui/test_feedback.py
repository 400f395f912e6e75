"""Feedback outside the table: a notification per finished batch (how many, which failed),
keyboard shortcuts, and "Copy diagnostic info" without secrets."""

from __future__ import annotations

import os
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication, QKeySequence
from pytestqt.qtbot import QtBot

from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.ui.window.main_window import MainWindow
from tests.gui.conftest import drop_files
from tests.helpers import SendGate

WAIT_MS = 30_000


def test_each_finished_batch_is_notified_with_its_failures(
    qtbot: QtBot, window: MainWindow, bucket: str, tmp_path: Path
) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(name)
    shown: list[tuple[str, str]] = []
    window.notifier.messageShown.connect(lambda title, text: shown.append((title, text)))
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle, timeout=WAIT_MS):
        assert drop_files(window, [tmp_path / "a.txt", tmp_path / "b.txt"])
    assert shown == [("Transfers finished", "2 files done (10 B)")]

    (tmp_path / "c.txt").write_text("c")
    window.destination_box.bucket_box.setEditText("no-such-bucket-here")
    with qtbot.waitSignal(window.bridge.idle, timeout=WAIT_MS):
        assert drop_files(window, [tmp_path / "c.txt"])
    assert shown[1] == ("1 file failed", "c.txt")


def test_notifications_can_be_turned_off(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    window.notifier.enabled = False
    shown: list[Any] = []
    window.notifier.messageShown.connect(lambda *args: shown.append(args))
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle, timeout=WAIT_MS):
        assert drop_files(window, [tmp_path / "a.txt"])
    assert shown == []


def test_ctrl_p_pauses_everything_and_ctrl_r_resumes(
    qtbot: QtBot, window: MainWindow, engine: UploadEngine, s3: Any, bucket: str, tmp_path: Path
) -> None:
    assert window.commands.add_files_action.shortcut() == QKeySequence(
        QKeySequence.StandardKey.Open
    )
    data = os.urandom(11 * MiB)  # three parts: a part in flight does not finish the file
    (tmp_path / "held.bin").write_bytes(data)
    gate = SendGate(engine, "UploadPart")
    assert drop_files(window, [tmp_path / "held.bin"])
    qtbot.waitUntil(lambda: gate.reached.is_set() and window.model.rowCount() == 1)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # window shortcuts need the active window
    window.queue.table.setFocus()
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle, timeout=WAIT_MS):
        qtbot.keyClick(window.queue.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        gate.release.set()
    assert window.model.views()[0].state is JobState.PAUSED
    gate.remove()
    with qtbot.waitSignal(window.bridge.idle, timeout=WAIT_MS):
        qtbot.keyClick(window.queue.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyRelease(window.queue.table, Qt.Key.Key_Control)  # Qt keeps the last modifiers seen
    assert window.model.views()[0].state is JobState.DONE
    assert s3.get_object(Bucket=bucket, Key="held.bin")["Body"].read() == data


def test_diagnostic_info_has_versions_and_no_secret(
    qtbot: QtBot, window: MainWindow, engine: UploadEngine
) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    window.endpoint = replace(engine.endpoint, access_key="AKIAIOSFODNN7EXAMPLE",
                              secret_key=secret)  # fmt: skip
    with qtbot.waitSignal(window.diagnosticsCopied, timeout=WAIT_MS) as copied:
        window.copy_diagnostics()
    text = copied.args[0]
    assert QGuiApplication.clipboard().text() == text
    for expected in ("s3desk ", "keyring backend: ", "Qt platform: offscreen",
                     f"Qt (runtime): {qVersion()}", "credentials: access key"):  # fmt: skip
        assert expected in text
    # The versions of what s3desk runs on, as installed (Qt's bindings are PySide6-Essentials).
    for package in ("boto3", "botocore", "keyring", "PySide6-Essentials", "shiboken6", "qasync",
                    "moto"):  # fmt: skip
        assert f"\n{package}: {metadata.version(package)}\n" in text
    assert "not installed" not in text
    assert secret not in text and "AKIAIOSFODNN7EXAMPLE" not in text
