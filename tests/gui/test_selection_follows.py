"""A selection is on items, not on row numbers: sorting, filtering, reading again and rows
arriving leave it on the same object, job, entry, version or upload in every table, so what
is deleted or cancelled is what the person sees highlighted."""

from __future__ import annotations

import asyncio
import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt
from pytestqt.qtbot import QtBot

from s3desk.core.bucket.browse import Entry
from s3desk.core.compliance.audit import AuditLog
from s3desk.core.storage.endpoint import S3Endpoint, make_client
from s3desk.core.transfer.jobs import JobState, JobView
from s3desk.ui.browser.incomplete_uploads import KEY, IncompleteUploadsDialog
from s3desk.ui.browser.model import BrowserModel
from s3desk.ui.history.model import EntryRole, HistoryModel, prepare_rows
from s3desk.ui.history.view import HistoryView
from s3desk.ui.transfers.model import JobIdRole, TransferModel
from s3desk.ui.window.main_window import MainWindow
from tests.gui.conftest import answer_questions

WAIT_MS = 30_000
FOLDER = "inbox/2026/"


def _fails(qtlog: Any) -> list[str]:
    """What Qt's model tester reported."""
    return [r.message for r in qtlog.records if "FAIL!" in r.message]


def _object(name: str, size: int) -> Entry:
    return Entry(key=FOLDER + name, name=name, is_folder=False, size=size)


def _folder(name: str) -> Entry:
    return Entry(key=f"{FOLDER}{name}/", name=name, is_folder=True)


def _browser_row(model: BrowserModel, name: str) -> int:
    return [e.name for e in model.entries()].index(name)


def _name(index: QPersistentModelIndex) -> str:
    assert index.isValid()
    entry = index.data(Qt.ItemDataRole.UserRole + 1)
    return str(entry.name)


# -- the models ----------------------------------------------------------------------------


def test_the_browser_model_keeps_indexes_on_their_entries_through_sort_filter_and_pages(
    qtmodeltester: Any, qtlog: Any
) -> None:
    model = BrowserModel()
    qtmodeltester.check(model)
    model.add_page([_object("medium.bin", 5000), _object("photo.jpg", 300), _object("a.txt", 10)])
    model.sort(BrowserModel.SIZE, Qt.SortOrder.DescendingOrder)  # medium, photo, a
    photo = QPersistentModelIndex(model.index(_browser_row(model, "photo.jpg"), BrowserModel.SIZE))
    assert photo.row() == 1

    model.sort(BrowserModel.NAME)  # a, medium, photo
    assert _name(photo) == "photo.jpg" and photo.row() == 2
    assert photo.column() == BrowserModel.SIZE

    model.set_filter("o")  # a.txt and medium.bin go: photo.jpg is the only row
    assert _name(photo) == "photo.jpg" and photo.row() == 0
    model.set_filter("")
    assert _name(photo) == "photo.jpg" and photo.row() == 2

    # Pages arriving: a page with folders puts them above the objects already listed.
    model.add_page([_folder("older"), _object("zebra.png", 1)])
    assert _name(photo) == "photo.jpg" and photo.row() == 3
    model.sort(BrowserModel.SIZE)  # older/, zebra, a, photo, medium
    model.add_page([_object("big.iso", 9000), _object("b.txt", 2)])
    assert _name(photo) == "photo.jpg"
    assert [e.name for e in model.entries()].index("photo.jpg") == photo.row()

    model.set_filter("medium")  # the entry is no longer shown: the index goes with it
    assert not photo.isValid()
    assert _fails(qtlog) == []


def _job(job_id: int, name: str, state: JobState) -> JobView:
    return JobView(
        id=job_id, source=f"/data/{name}", bucket="b", key=name, size=10, bytes_done=0,
        state=state, error="", note="", speed=0.0, eta=None,
    )  # fmt: skip


def test_the_transfer_model_keeps_indexes_on_their_jobs_when_finished_rows_go(
    qtmodeltester: Any, qtlog: Any
) -> None:
    model = TransferModel()
    qtmodeltester.check(model)
    model.apply([
        _job(1, "done-1.txt", JobState.DONE),
        _job(2, "running.bin", JobState.UPLOADING),
        _job(3, "done-2.txt", JobState.DONE),
        _job(4, "waiting.bin", JobState.QUEUED),
    ])  # fmt: skip
    waiting = QPersistentModelIndex(model.index(3, TransferModel.STATUS))
    done = QPersistentModelIndex(model.index(2, 0))
    assert model.remove_finished(frozenset({JobState.DONE})) == [1, 3]
    assert waiting.isValid() and waiting.data(JobIdRole) == 4 and waiting.row() == 1
    assert waiting.column() == TransferModel.STATUS
    assert not done.isValid()
    assert _fails(qtlog) == []


def _history(*keys: str) -> list[dict[str, Any]]:
    start = datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC)
    return [
        {"time": (start + datetime.timedelta(minutes=n)).isoformat(), "action": "delete",
         "bucket": "b", "key": key, "result": "ok"}
        for n, key in enumerate(keys)
    ]  # fmt: skip


def test_the_history_model_keeps_indexes_on_their_entries_when_read_again_and_filtered(
    qtmodeltester: Any, qtlog: Any
) -> None:
    model = HistoryModel()
    qtmodeltester.check(model)
    model.set_rows(prepare_rows(_history("a.jpg", "dog.jpg", "c.txt")))  # newest first
    dog = QPersistentModelIndex(model.index(1, HistoryModel.LOCATION))

    # The log read again: two newer entries come above, the one selected moves down.
    model.set_rows(prepare_rows(_history("a.jpg", "dog.jpg", "c.txt", "d.txt", "e.txt")))
    assert dog.isValid() and dog.data(EntryRole)["key"] == "dog.jpg" and dog.row() == 3
    model.set_filter("jpg", None)
    assert dog.isValid() and dog.data(EntryRole)["key"] == "dog.jpg" and dog.row() == 0
    model.set_filter("txt", None)
    assert not dog.isValid()
    assert _fails(qtlog) == []


# -- the window ----------------------------------------------------------------------------


def _put(s3: Any, bucket: str, sizes: dict[str, int]) -> None:
    for name, size in sizes.items():
        s3.put_object(Bucket=bucket, Key=FOLDER + name, Body=b"x" * size)


def _open_folder(qtbot: QtBot, window: MainWindow, bucket: str) -> None:
    with qtbot.waitSignal(window.browser.listingDone, timeout=WAIT_MS):
        window.tabs.setCurrentWidget(window.browser)
    with qtbot.waitSignal(window.browser.listingDone, timeout=WAIT_MS):
        window.browser.open_location(bucket, FOLDER)


def _select(window: MainWindow, name: str) -> None:
    model = window.browser.model
    window.browser.table.selectRow(_browser_row(model, name))


def _selected(window: MainWindow) -> list[str]:
    return [e.name for e in window.browser.selected_entries()]


def test_delete_after_sorting_asks_about_the_object_still_highlighted(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen: photo.jpg selected, sorted by name, and Delete asked about medium.bin."""
    _put(s3, bucket, {"medium.bin": 5000, "photo.jpg": 300, "a.txt": 10, "zz.log": 50})
    asked = answer_questions(monkeypatch, yes=False)
    _open_folder(qtbot, window, bucket)
    table = window.browser.table
    table.sortByColumn(BrowserModel.SIZE, Qt.SortOrder.DescendingOrder)
    with qtbot.waitSignal(window.browser.detailsShown, timeout=WAIT_MS) as shown:
        _select(window, "photo.jpg")
    assert shown.args == [FOLDER + "photo.jpg"]
    table.sortByColumn(BrowserModel.NAME, Qt.SortOrder.AscendingOrder)
    assert _selected(window) == ["photo.jpg"]
    rows = {i.row() for i in table.selectionModel().selectedRows()}
    assert rows == {_browser_row(window.browser.model, "photo.jpg")}
    assert table.currentIndex().row() == _browser_row(window.browser.model, "photo.jpg")

    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: bool(asked), timeout=WAIT_MS)
    assert asked[0][1].startswith(f"Delete photo.jpg (300 B) from s3://{bucket}/{FOLDER}?")
    assert "medium.bin" not in asked[0][1]


def test_filtering_keeps_the_selection_on_its_object_or_drops_it(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    _put(s3, bucket, {"medium.bin": 5000, "photo.jpg": 300, "a.txt": 10})
    _open_folder(qtbot, window, bucket)
    _select(window, "photo.jpg")
    window.browser.bar.filter_edit.setText("o")
    assert _selected(window) == ["photo.jpg"]
    assert window.browser.bar.delete_button.isEnabled()

    window.browser.bar.filter_edit.setText("medium")  # photo.jpg is hidden: it is not selected
    assert _selected(window) == []
    assert not window.browser.bar.delete_button.isEnabled()
    assert window.browser.info_panel.values() == {}  # nothing described


def test_refreshing_keeps_the_selection_on_its_objects(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    _put(s3, bucket, {"medium.bin": 5000, "photo.jpg": 300, "zz.log": 50})
    _open_folder(qtbot, window, bucket)
    selection = window.browser.table.selectionModel()
    for name in ("photo.jpg", "zz.log"):
        index = window.browser.model.index(_browser_row(window.browser.model, name), 0)
        selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    # Meanwhile, objects that list above them arrive, and one selected goes.
    _put(s3, bucket, {"a.txt": 1, "b.txt": 2})
    s3.delete_object(Bucket=bucket, Key=FOLDER + "zz.log")
    with qtbot.waitSignal(window.browser.listingDone, timeout=WAIT_MS):
        window.browser.refresh()
    assert _selected(window) == ["photo.jpg"]


def test_the_version_chosen_stays_chosen_when_the_versions_are_listed_again(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"first draft", b"second draft"):
        s3.put_object(Bucket=bucket, Key=FOLDER + "plan.txt", Body=body)
    browser = window.browser
    _open_folder(qtbot, window, bucket)
    browser.bar.versions_button.setChecked(True)
    with qtbot.waitSignal(browser.versionsShown, timeout=WAIT_MS):
        _select(window, "plan.txt")
    browser.versions_box.versions_table.selectRow(1)
    first = browser.versions_box.versions_table.item(1, 0).text()
    with qtbot.waitSignal(browser.versionsShown, timeout=WAIT_MS):
        # a new current version comes first in the list
        browser.versions_box.restore_selected_version()
    rows = {i.row() for i in browser.versions_box.versions_table.selectionModel().selectedRows()}
    assert [browser.versions_box.versions_table.item(r, 0).text() for r in rows] == [first]


def test_an_incomplete_upload_stays_selected_when_the_list_is_read_again(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
) -> None:
    for key in ("videos/raw.mov", "backups/empty.tar"):
        s3.create_multipart_upload(Bucket=bucket, Key=key)
    dialog = IncompleteUploadsDialog(lambda: make_client(moto_endpoint, 2), bucket)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.listed, timeout=WAIT_MS):
        dialog.show()
    dialog.table.sortByColumn(KEY, Qt.SortOrder.AscendingOrder)
    keys = [dialog.table.item(r, KEY).text() for r in range(dialog.table.rowCount())]
    dialog.table.selectRow(keys.index("videos/raw.mov"))
    s3.create_multipart_upload(Bucket=bucket, Key="archive/first.bin")  # lists above it
    with qtbot.waitSignal(dialog.listed, timeout=WAIT_MS):
        dialog.refresh()
    assert [u.key for u in dialog.selected_uploads()] == ["videos/raw.mov"]


def test_the_history_entry_selected_stays_selected_when_the_log_is_read_again(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    for key in ("a.jpg", "dog.jpg"):
        audit.append("delete", bucket="b", key=key, result="ok")
    view = HistoryView(audit)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.reload()
    view.table.selectRow(0)  # newest first: dog.jpg
    audit.append("upload", bucket="b", key="new.txt", result="ok")
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.reload()
    rows = [i.row() for i in view.table.selectionModel().selectedRows()]
    assert [view.model.index(r, 0).data(EntryRole)["key"] for r in rows] == ["dog.jpg"]


def test_the_transfer_selected_stays_selected_when_finished_ones_are_cleared(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.model.apply([
        _job(1, "done.txt", JobState.DONE),
        _job(2, "waiting.bin", JobState.PAUSED),
    ])  # fmt: skip
    window.queue.table.selectRow(1)
    window.queue.clear_finished()
    assert window.queue.selected_job_ids() == [2]
    assert window.commands.cancel_action.isEnabled()
