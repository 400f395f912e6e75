"""Every question before something is deleted, cancelled or lost names what: the objects (a
few names, then how many more), the folder, how much. Cancelling a transfer that has sent
more than a little asks, and offers to pause instead; quitting with anything unfinished,
paused or not, asks."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from pytestqt.qtbot import QtBot

from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint, make_client
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.core.transfer.upload.journal import Journal
from s3desk.ui.browser.incomplete_uploads import KEY, IncompleteUploadsDialog
from s3desk.ui.window.main_window import MainWindow
from tests.gui.conftest import answer_boxes, answer_questions, drop_files, pause_half_way
from tests.helpers import SendGate, multipart_uploads, read_object

WAIT_MS = 60_000
PARTS = EngineConfig(concurrency=2, multipart_threshold=5 * MiB, part_size=5 * MiB)


# -- deleting in the browser ----------------------------------------------------------------


def _browse(qtbot: QtBot, window: MainWindow, bucket: str, prefix: str = "") -> None:
    with qtbot.waitSignal(window.browser.listingDone, timeout=WAIT_MS):
        window.tabs.setCurrentWidget(window.browser)
    if prefix:
        with qtbot.waitSignal(window.browser.listingDone, timeout=WAIT_MS):
            window.browser.open_location(bucket, prefix)


def _select(window: MainWindow, *names: str) -> None:
    shown = [e.name for e in window.browser.model.entries()]
    selection = window.browser.table.selectionModel()
    for name in names:
        index = window.browser.model.index(shown.index(name), 0)
        selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)


def _ask_delete(qtbot: QtBot, window: MainWindow, asked: list[Any], **options: bool) -> str:
    window.browser.deleting.delete_selected(**options)
    qtbot.waitUntil(lambda: bool(asked), timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: window.browser.message_label.text() == "Nothing was deleted.", timeout=WAIT_MS
    )
    return str(asked[-1][1])


def test_deleting_a_folder_names_the_folder(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(5):
        s3.put_object(Bucket=bucket, Key=f"inbox/2026/file-{n}.bin", Body=b"x" * 1000)
    s3.put_object(Bucket=bucket, Key="other.txt", Body=b"o")
    asked = answer_questions(monkeypatch, yes=False)
    _browse(qtbot, window, bucket)
    _select(window, "inbox")
    text = _ask_delete(qtbot, window, asked)
    assert text.startswith(
        f"Delete the folder inbox/ and the 5 objects in it (4.9 KiB) from s3://{bucket}/?"
    )


def test_deleting_a_folder_and_a_file_says_the_count_includes_the_folder(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(5):
        s3.put_object(Bucket=bucket, Key=f"inbox/file-{n}.bin", Body=b"x" * 100)
    s3.put_object(Bucket=bucket, Key="film.mov", Body=b"f" * 100)
    asked = answer_questions(monkeypatch, yes=False)
    _browse(qtbot, window, bucket)
    _select(window, "inbox", "film.mov")
    text = _ask_delete(qtbot, window, asked)
    assert text.startswith(
        f"Delete inbox/, film.mov from s3://{bucket}/? With everything in the folders, that is "
        "6 objects (600 B)."
    )


def test_deleting_many_objects_names_a_few_and_how_many_more(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg", "f.jpg"):
        s3.put_object(Bucket=bucket, Key=f"pics/{name}", Body=b"x" * 10)
    shown = answer_boxes(monkeypatch, "Don't delete")
    _browse(qtbot, window, bucket, "pics/")
    _select(window, "a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg")
    window.browser.deleting.delete_selected()
    qtbot.waitUntil(
        lambda: window.browser.message_label.text() == "Nothing was deleted.", timeout=WAIT_MS
    )
    assert [(s["title"], s["buttons"]) for s in shown] == [
        ("Delete objects?", ["Delete", "Don't delete"])
    ]
    assert shown[0]["text"].startswith(
        f"Delete 5 objects (50 B) from s3://{bucket}/pics/: a.jpg, b.jpg, c.jpg and 2 more?"
    )


def test_a_permanent_delete_names_the_object(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"one", b"two!"):
        s3.put_object(Bucket=bucket, Key="plan.txt", Body=body)
    s3.put_object(Bucket=bucket, Key="other.txt", Body=b"o")
    asked = answer_questions(monkeypatch, yes=False)
    _browse(qtbot, window, bucket)
    _select(window, "plan.txt")
    text = _ask_delete(qtbot, window, asked, all_versions=True)
    assert text.startswith(f"Permanently delete 2 versions (7 B) of plan.txt from s3://{bucket}/?")
    assert asked[-1][0] == "Delete permanently?"


def test_downloading_over_local_files_names_them(
    qtbot: QtBot,
    window: MainWindow,
    s3: Any,
    bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = ("a.txt", "b.txt", "c.txt", "d.txt", "e.txt")
    for name in names:
        s3.put_object(Bucket=bucket, Key=name, Body=b"theirs")
        (tmp_path / name).write_bytes(b"mine")
    monkeypatch.setattr(window.browser.downloading, "choose_download_folder", lambda: str(tmp_path))
    shown = answer_boxes(monkeypatch, "Cancel")
    _browse(qtbot, window, bucket)
    _select(window, *names)
    window.browser.downloading.download_selected()
    qtbot.waitUntil(
        lambda: window.browser.message_label.text() == "Nothing was downloaded.", timeout=WAIT_MS
    )
    assert [(s["title"], s["text"]) for s in shown] == [(
        "Files already exist",
        f"5 files to download already exist in {tmp_path}: a.txt, b.txt, c.txt and 2 more",
    )]  # fmt: skip
    assert {p.read_bytes() for p in tmp_path.iterdir()} == {b"mine"}


def test_aborting_incomplete_uploads_names_them(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("raw-1.mov", "raw-2.mov", "raw-3.mov", "raw-4.mov", "raw-5.mov"):
        s3.create_multipart_upload(Bucket=bucket, Key=f"videos/{name}")
    asked = answer_questions(monkeypatch, yes=False)
    dialog = IncompleteUploadsDialog(lambda: make_client(moto_endpoint, 2), bucket, "videos/")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.listed, timeout=WAIT_MS):
        dialog.show()
    dialog.table.sortByColumn(KEY, Qt.SortOrder.AscendingOrder)
    dialog.table.selectAll()
    dialog.abort_selected()
    assert asked == [(
        "Abort uploads?",
        f"Abort 5 incomplete uploads (0 B) in s3://{bucket}/videos/: raw-1.mov, raw-2.mov, "
        "raw-3.mov and 2 more?\n\nThe parts already sent will be deleted, and an upload that "
        "is still running will fail. This cannot be undone.",
    )]  # fmt: skip
    assert len(multipart_uploads(s3, bucket)) == 5


# -- taken names ----------------------------------------------------------------------------


def test_the_taken_names_bar_names_the_files_its_buttons_act_on(
    qtbot: QtBot,
    window_for: Callable[[Any], MainWindow],
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
    tmp_path: Path,
) -> None:
    """Overwrite replaces objects for good: the bar says which, all of them or the selected."""
    engine = UploadEngine(moto_endpoint, EngineConfig(conflict=ConflictPolicy.ASK))
    window = window_for(engine)
    names = ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
    for name in names:
        s3.put_object(Bucket=bucket, Key=name, Body=b"old")
        (tmp_path / name).write_text("new")
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle, timeout=WAIT_MS):
        assert drop_files(window.queue.drop_hint, [tmp_path / name for name in names])
    assert window.conflict_bar.conflict_label.text() == (
        "5 files already exist in the bucket: a.txt, b.txt, c.txt and 2 more. What should "
        "happen to them?"
    )
    rows = {view.name: window.model.row_of(view.id) for view in window.model.views()}
    selection = window.queue.table.selectionModel()
    for name in ("b.txt", "d.txt"):
        index = window.model.index(rows[name], 0)
        selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    assert window.conflict_bar.conflict_label.text() == (
        "2 selected files already exist in the bucket: b.txt, d.txt. What should happen to them?"
    )
    with qtbot.waitSignal(window.bridge.idle, timeout=WAIT_MS):
        window.conflict_bar.conflict_buttons[ConflictPolicy.OVERWRITE].click()
    replaced = [name for name in names if read_object(s3, bucket, name) == b"new"]
    assert replaced == ["b.txt", "d.txt"]


def test_long_taken_names_are_shown_whole_in_a_narrow_window(
    qtbot: QtBot,
    window_for: Callable[[Any], MainWindow],
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
    tmp_path: Path,
) -> None:
    engine = UploadEngine(moto_endpoint, EngineConfig(conflict=ConflictPolicy.ASK))
    window = window_for(engine)
    window.show()
    names = [f"{n} quarterly report for the board, final version, signed by all.pdf" for n in "ab"]
    for name in names:
        s3.put_object(Bucket=bucket, Key=name, Body=b"old")
        (tmp_path / name).write_text("new")
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle, timeout=WAIT_MS):
        assert drop_files(window.queue.drop_hint, [tmp_path / name for name in names])
    assert names[1] in window.conflict_bar.conflict_label.text()
    window.resize(700, 600)
    label = window.conflict_bar.conflict_label
    qtbot.waitUntil(lambda: label.width() < 700)
    needed = label.fontMetrics().boundingRect(
        QRect(0, 0, label.width(), 10_000), Qt.TextFlag.TextWordWrap, label.text()
    )
    qtbot.waitUntil(lambda: label.height() >= needed.height())  # every line shown


# -- cancelling a transfer --------------------------------------------------------------------


def _half_sent(
    qtbot: QtBot, window_for: Callable[[Any], MainWindow], endpoint: S3Endpoint, tmp_path: Path
) -> tuple[MainWindow, UploadEngine, SendGate]:
    """A 20 MiB upload with its first 5 MiB part sent (more than a little) and the next
    ones held."""
    engine = UploadEngine(endpoint, PARTS)
    window = window_for(engine)
    with qtbot.waitExposed(window):
        window.show()
    (tmp_path / "film.mov").write_bytes(os.urandom(20 * MiB))
    gate = SendGate(engine, "UploadPart", let_through=1)
    assert drop_files(window.queue.drop_hint, [tmp_path / "film.mov"])
    qtbot.waitUntil(
        lambda: window.model.rowCount() == 1 and window.model.job_at(0).bytes_done >= 5 * MiB,
        timeout=WAIT_MS,
    )
    return window, engine, gate


def _press_delete(qtbot: QtBot, window: MainWindow) -> None:
    window.queue.table.setFocus()
    window.queue.table.selectRow(0)
    qtbot.keyClick(window.queue.table, Qt.Key.Key_Delete)


def test_cancelling_an_upload_half_sent_asks_and_can_pause_instead(
    qtbot: QtBot,
    window_for: Callable[[Any], MainWindow],
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window, engine, gate = _half_sent(qtbot, window_for, moto_endpoint, tmp_path)
    try:
        shown = answer_boxes(monkeypatch, "Don't cancel")
        _press_delete(qtbot, window)
        assert len(shown) == 1
        assert shown[0]["title"] == "Cancel transfers?"
        assert shown[0]["text"].startswith(
            "Cancel 1 transfer: film.mov?\n\n5.0 MiB of 20.0 MiB is already sent, and "
            "cancelling throws it away: the parts already in the bucket are deleted."
        )
        assert "Pause instead" in shown[0]["more"]
        assert shown[0]["buttons"] == ["Cancel and discard", "Don't cancel", "Pause instead"]
        window.bridge.refresh()
        assert not window.model.job_at(0).state.finished  # left as it was

        shown = answer_boxes(monkeypatch, "Pause instead")
        _press_delete(qtbot, window)
        assert len(shown) == 1
        qtbot.waitUntil(lambda: window.model.job_at(0).state is JobState.PAUSED, timeout=WAIT_MS)
    finally:
        gate.remove()
    qtbot.waitUntil(engine.is_idle, timeout=WAIT_MS)

    # Paused, it asks again (what was sent is kept only while paused), without "pause".
    shown = answer_boxes(monkeypatch, "Cancel and discard")
    _press_delete(qtbot, window)
    assert shown[0]["buttons"] == ["Cancel and discard", "Don't cancel"]
    assert "paused transfer keeps what was sent" in shown[0]["more"]
    qtbot.waitUntil(lambda: window.model.job_at(0).state is JobState.CANCELLED, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: multipart_uploads(s3, bucket) == [], timeout=WAIT_MS)


def test_the_context_menu_cancel_asks_too(
    qtbot: QtBot,
    window_for: Callable[[Any], MainWindow],
    moto_endpoint: S3Endpoint,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window, _, gate = _half_sent(qtbot, window_for, moto_endpoint, tmp_path)
    try:
        shown = answer_boxes(monkeypatch, "Cancel and discard")
        window.queue.table.selectRow(0)
        window.commands.cancel_action.trigger()  # the toolbar button and the menu item
        assert [s["title"] for s in shown] == ["Cancel transfers?"]
        qtbot.waitUntil(lambda: window.model.job_at(0).state is JobState.CANCELLED, timeout=WAIT_MS)
    finally:
        gate.remove()


# -- quitting -------------------------------------------------------------------------------


def test_quitting_with_a_paused_upload_on_storage_that_forgets_asks(
    qtbot: QtBot,
    window_for: Callable[[Any], MainWindow],
    moto_endpoint: S3Endpoint,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo storage: nothing is kept for next time."""
    engine = UploadEngine(moto_endpoint, PARTS)
    window = window_for(engine)
    pause_half_way(qtbot, window, engine, tmp_path)
    shown = answer_boxes(monkeypatch, "Don't quit")
    assert not window.close()
    assert [(s["title"], s["text"], s["buttons"]) for s in shown] == [(
        "Transfers have not finished",
        "1 upload has not finished: film.mov. The local demo storage is cleared when s3desk "
        "quits, so it will be lost.\n\nQuit now?",
        ["Don't quit", "Quit"],
    )]  # fmt: skip


def test_quitting_with_a_paused_upload_says_it_comes_back_paused(
    qtbot: QtBot,
    window_for: Callable[[Any], MainWindow],
    moto_endpoint: S3Endpoint,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = UploadEngine(moto_endpoint, PARTS, journal=Journal(tmp_path / "journal.sqlite3"))
    window = window_for(engine)
    pause_half_way(qtbot, window, engine, tmp_path)
    asked = answer_questions(monkeypatch, yes=True)
    assert window.close()
    assert asked == [(
        "Transfers have not finished",
        "1 upload has not finished: film.mov. If you quit now, it goes on from where it "
        "stopped the next time you open s3desk. It is paused and stays paused until you "
        "resume it.\n\nQuit now?",
    )]  # fmt: skip
