"""Downloading from the Browse tab: the selection (files and whole folders) goes through the
transfer queue with the uploads, local files are never replaced without asking, and the
queue's controls work on download rows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.download.plan import DownloadPlan
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.queue import Transfers
from s3desk.ui.browser.model import BrowserModel
from s3desk.ui.transfers.model import TransferModel
from s3desk.ui.window.main_window import MainWindow
from tests.gui.conftest import answer_boxes
from tests.helpers import SendGate

WAIT_MS = 30_000


def _names(window: MainWindow) -> list[str]:
    model = window.browser.model
    return [model.index(r, BrowserModel.NAME).data() for r in range(model.rowCount())]


def _show_browser(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.browser.listingDone, timeout=WAIT_MS):
        window.tabs.setCurrentWidget(window.browser)


def _select(window: MainWindow, *names: str) -> None:
    selection = window.browser.table.selectionModel()
    selection.clear()
    for name in names:
        row = _names(window).index(name)
        selection.select(
            window.browser.model.index(row, 0),
            selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
        )


@pytest.fixture
def download_to(window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder the user picks in the folder dialog."""
    dest = tmp_path / "Downloads"
    dest.mkdir()
    monkeypatch.setattr(window.browser.downloading, "choose_download_folder", lambda: str(dest))
    return dest


def _rows(window: MainWindow) -> list[tuple[str, str, JobState]]:
    return [(view.name, view.target, view.state) for view in window.model.views() if view.target]


def test_a_folder_and_a_big_file_download_with_progress_rows(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, download_to: Path
) -> None:
    big = os.urandom(11 * MiB)  # fetched in ranged parts
    s3.put_object(Bucket=bucket, Key="big.bin", Body=big)
    for key in ("docs/a.txt", "docs/deep/b.txt", "docs/émoji 😀.txt", "other/no.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    _show_browser(qtbot, window)
    _select(window, "docs/", "big.bin")
    window.browser.table.setFocus()
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle, timeout=WAIT_MS):
        qtbot.keyClick(window.browser.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        # Let go of Ctrl: Qt keeps the last modifiers it saw, and a later test's selectRow
        # would toggle rows as if Ctrl were held.
        qtbot.keyRelease(window.browser.table, Qt.Key.Key_Control)
    assert (download_to / "big.bin").read_bytes() == big
    for key in ("docs/a.txt", "docs/deep/b.txt", "docs/émoji 😀.txt"):
        assert (download_to / key).read_bytes() == key.encode()
    assert not (download_to / "other").exists()
    message = window.browser.message_label.text()  # the download has ended: it says so
    assert message == f"Downloaded 4 files (11.0 MiB) to {download_to}.", message
    rows = _rows(window)
    assert {(name, state) for name, _, state in rows} == {
        ("big.bin", JobState.DONE), ("a.txt", JobState.DONE), ("b.txt", JobState.DONE),
        ("émoji 😀.txt", JobState.DONE),
    }  # fmt: skip
    row = window.model.row_of(next(v.id for v in window.model.views() if v.name == "big.bin"))
    assert row is not None
    shown = window.model.index(row, TransferModel.DESTINATION).data()
    assert shown == str(download_to / "big.bin")
    assert window.totals_label.text().startswith("4 of 4 files done")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (ConflictPolicy.RENAME, {"a.txt": b"mine", "a (1).txt": b"theirs", "b.txt": b"new"}),
        (ConflictPolicy.SKIP, {"a.txt": b"mine", "b.txt": b"new"}),
        (ConflictPolicy.OVERWRITE, {"a.txt": b"theirs", "b.txt": b"new"}),
    ],
)
def test_existing_local_files_are_asked_about_once(
    qtbot: QtBot,
    window: MainWindow,
    s3: Any,
    bucket: str,
    download_to: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: ConflictPolicy,
    expected: dict[str, bytes],
) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"theirs")
    s3.put_object(Bucket=bucket, Key="b.txt", Body=b"new")
    (download_to / "a.txt").write_bytes(b"mine")
    asked: list[list[str]] = []

    def ask(plan: DownloadPlan, dest: str) -> ConflictPolicy:
        asked.append([item.key for item in plan.taken])
        return answer

    monkeypatch.setattr(window.browser.downloading, "ask_download_conflict", ask)
    _show_browser(qtbot, window)
    _select(window, "a.txt", "b.txt")
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle, timeout=WAIT_MS):
        window.browser.downloading.download_selected()
    assert asked == [["a.txt"]]
    assert {p.name: p.read_bytes() for p in download_to.iterdir()} == expected


def test_cancelling_the_question_downloads_nothing(
    qtbot: QtBot,
    window: MainWindow,
    s3: Any,
    bucket: str,
    download_to: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"theirs")
    (download_to / "a.txt").write_bytes(b"mine")
    monkeypatch.setattr(
        window.browser.downloading, "ask_download_conflict", lambda plan, dest: None
    )
    requested: list[Any] = []
    window.browser.downloadRequested.connect(lambda *args: requested.append(args))
    _show_browser(qtbot, window)
    _select(window, "a.txt")
    window.browser.downloading.download_selected()
    qtbot.waitUntil(
        lambda: window.browser.message_label.text() == "Nothing was downloaded.", timeout=WAIT_MS
    )
    assert requested == []
    assert (download_to / "a.txt").read_bytes() == b"mine"


def test_the_queue_controls_cancel_a_download_row(
    qtbot: QtBot,
    window: MainWindow,
    s3: Any,
    bucket: str,
    download_to: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s3.put_object(Bucket=bucket, Key="big.bin", Body=os.urandom(11 * MiB))
    transfers = window.transfers
    assert isinstance(transfers, Transfers)
    gate = SendGate(transfers.downloads, "GetObject", let_through=1)
    _show_browser(qtbot, window)
    _select(window, "big.bin")
    window.browser.downloading.download_selected()
    assert window.bridge is not None
    qtbot.waitUntil(gate.reached.is_set, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(_rows(window)), timeout=WAIT_MS)
    window.tabs.setCurrentIndex(0)
    window.queue.table.selectRow(0)
    answer_boxes(monkeypatch, "Cancel and discard")  # asked once more than a little came
    with qtbot.waitSignal(window.bridge.idle, timeout=WAIT_MS):
        window.queue.cancel_selected()
        gate.remove()
    assert _rows(window) == [("big.bin", str(download_to / "big.bin"), JobState.CANCELLED)]
    assert list(download_to.iterdir()) == []  # no partial file, under any name


def test_a_key_that_cannot_be_a_local_file_is_named_and_the_rest_downloads(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, download_to: Path
) -> None:
    s3.put_object(Bucket=bucket, Key="set/ok.txt", Body=b"ok")
    s3.put_object(Bucket=bucket, Key="set/../evil.txt", Body=b"no")
    _show_browser(qtbot, window)
    _select(window, "set/")
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle, timeout=WAIT_MS):
        window.browser.downloading.download_selected()
    assert window.browser.message_label.text() == (
        f"Downloaded 1 file (2 B) to {download_to}; 1 object cannot be saved under its "
        "name here (see the tooltip)."
    )
    assert "set/../evil.txt" in window.browser.message_label.toolTip()
    assert (download_to / "set" / "ok.txt").read_bytes() == b"ok"
    assert sorted(p.name for p in download_to.rglob("*")) == ["ok.txt", "set"]
