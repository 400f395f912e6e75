"""The Browse tab: buckets and folders, listing streamed page by page, filter, sort, and
drops uploading into the folder shown."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from s3desk.ui.browser.model import BrowserModel
from s3desk.ui.window.main_window import MainWindow
from tests.gui.conftest import answer_questions, drop_files
from tests.helpers import read_object

LIST_MS = 30_000


def _names(window: MainWindow) -> list[str]:
    model = window.browser.model
    return [model.index(r, BrowserModel.NAME).data() for r in range(model.rowCount())]


def _open_row(qtbot: QtBot, window: MainWindow, name: str) -> None:
    row = _names(window).index(name)
    index = window.browser.model.index(row, 0)
    with qtbot.waitSignal(window.browser.listingDone, timeout=LIST_MS):
        window.browser.table.doubleClicked.emit(index)


def _show_browser(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.browser.listingDone, timeout=LIST_MS):
        window.tabs.setCurrentWidget(window.browser)


def test_browsing_buckets_and_folders(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    for key in ("top.txt", "docs/a.txt", "docs/b.txt", "docs/deeper/c.txt", "zeta/z.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    _show_browser(qtbot, window)  # opens on the window's destination bucket
    assert window.browser.bar.location_label.text() == f"s3://{bucket}/"
    assert _names(window) == ["docs/", "zeta/", "top.txt"]  # folders first

    _open_row(qtbot, window, "docs/")
    assert _names(window) == ["deeper/", "a.txt", "b.txt"]
    assert window.browser.bar.location_label.text() == f"s3://{bucket}/docs/"

    with qtbot.waitSignal(window.browser.listingDone, timeout=LIST_MS):
        window.browser.up()
    assert window.browser.prefix == ""
    with qtbot.waitSignal(window.browser.listingDone, timeout=LIST_MS):
        window.browser.open_location("")  # the list of buckets
    assert bucket + "/" in _names(window)
    with qtbot.waitSignal(window.browser.listingDone, timeout=LIST_MS):
        window.browser.back()
    assert (window.browser.bucket, window.browser.prefix) == (bucket, "")


def test_a_big_folder_streams_in_pages(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    keys = [f"many/{n:05d}.txt" for n in range(2_345)]
    with ThreadPoolExecutor(4) as pool:  # the test client's connection pool
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=b"x"), keys))
    window.destination_box.bucket_box.setEditText(bucket)
    window.destination_box.prefix_edit.setText("many/")
    first: list[int] = []
    window.browser.firstPageShown.connect(first.append)
    _show_browser(qtbot, window)
    assert first == [200]  # a small first page was in the model before the rest
    assert window.browser.model.loaded_count() == 2_345
    assert _names(window)[:2] == ["00000.txt", "00001.txt"]

    window.browser.bar.filter_edit.setText("0234")
    assert _names(window) == ["00234.txt"] + [f"0234{n}.txt" for n in range(5)]
    window.browser.bar.filter_edit.clear()
    window.browser.table.sortByColumn(BrowserModel.NAME, Qt.SortOrder.DescendingOrder)
    assert _names(window)[0] == "02344.txt"


def test_dropping_on_the_browser_uploads_into_the_folder_shown(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, tmp_path: Path
) -> None:
    s3.put_object(Bucket=bucket, Key="reports/old.txt", Body=b"old")
    _show_browser(qtbot, window)
    _open_row(qtbot, window, "reports/")
    (tmp_path / "new.txt").write_text("new")
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle, timeout=LIST_MS):
        assert drop_files(window, [tmp_path / "new.txt"])
    assert read_object(s3, bucket, "reports/new.txt") == b"new"
    with qtbot.waitSignal(window.browser.listingDone, timeout=LIST_MS):
        window.browser.refresh()
    assert _names(window) == ["new.txt", "old.txt"]


def test_a_missing_bucket_is_explained_in_the_browser(
    qtbot: QtBot, window: MainWindow, bucket: str
) -> None:
    window.tabs.setCurrentWidget(window.browser)
    with qtbot.waitSignal(window.browser.listingFailed, timeout=LIST_MS) as failed:
        window.browser.open_location("no-such-bucket-anywhere")
    assert "does not exist" in failed.args[0]
    assert "does not exist" in window.browser.status_label.text()
    assert window.browser.model.rowCount() == 0


def _select(qtbot: QtBot, window: MainWindow, name: str) -> None:
    row = _names(window).index(name)
    window.browser.table.selectRow(row)


def test_details_of_the_selected_object(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.put_object(
        Bucket=bucket, Key="report.pdf", Body=b"%PDF", ContentType="application/pdf",
        ServerSideEncryption="AES256", Metadata={"owner": "finance"},
        ChecksumAlgorithm="CRC32",
    )  # fmt: skip
    _show_browser(qtbot, window)
    with qtbot.waitSignal(window.browser.detailsShown, timeout=LIST_MS):
        _select(qtbot, window, "report.pdf")
    values = window.browser.info_panel.values()
    assert (values["Content type"], values["Encryption"]) == ("application/pdf", "SSE-S3 (AES256)")
    assert (values["Metadata owner"], values["Checksum algorithm"]) == ("finance", "CRC32")
    assert values["Size"] == "4 bytes"


def test_new_folder_and_a_refused_name(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    _show_browser(qtbot, window)
    with qtbot.waitSignal(window.browser.listingDone, timeout=LIST_MS):
        window.browser.new_folder.create_folder_named("Invoices 2026")
    assert "Invoices 2026/" in _names(window)
    assert "Invoices 2026/" in [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    with qtbot.waitSignal(window.browser.actionFailed, timeout=LIST_MS) as failed:
        window.browser.new_folder.create_folder_named("a/b")
    assert "/" in failed.args[0] and "Traceback" not in failed.args[0]


def test_making_a_folder_is_in_the_history_made_or_failed(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, event_loop_qt: Any
) -> None:
    from s3desk.ui.history.model import HistoryModel
    from s3desk.ui.history.view import HistoryView

    _show_browser(qtbot, window)
    with qtbot.waitSignal(window.browser.listingDone, timeout=LIST_MS):
        window.browser.new_folder.create_folder_named("Invoices 2026")
    with qtbot.waitSignal(window.browser.actionFailed, timeout=LIST_MS):
        window.browser.new_folder.create_folder_named("a/b")
    history = HistoryView(window.browser.audit, window)  # the History tab reads this log
    with qtbot.waitSignal(history.loaded, timeout=LIST_MS):
        history.reload()
    model = history.model
    rows = [
        [model.index(r, c).data() for c in (model.ACTION, model.RESULT, model.LOCATION)]
        + [model.index(r, HistoryModel.ACCOUNT).data()]
        for r in range(model.rowCount())
    ]
    assert rows == [
        ["new folder", "refused", f"{bucket}/a/b/", window.browser.account],
        ["new folder", "ok", f"{bucket}/Invoices 2026/", window.browser.account],
    ]
    assert window.browser.account  # the account is named


def test_share_link_is_copied_fetchable_and_audited(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, private_data_dir: Path
) -> None:
    import json
    import urllib.request

    from PySide6.QtGui import QGuiApplication

    s3.put_object(Bucket=bucket, Key="photo.jpg", Body=b"jpeg bytes")
    _show_browser(qtbot, window)
    _select(qtbot, window, "photo.jpg")
    entry = window.browser.selected_object()
    assert entry is not None and window.browser.bar.share_button.isEnabled()
    with qtbot.waitSignal(window.browser.shareLinkMade, timeout=LIST_MS) as made:
        window.browser.share_links.make_share_link(entry, 3600)
    url = made.args[0]
    assert QGuiApplication.clipboard().text() == url
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url and "X-Amz-Expires=3600" in url
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"jpeg bytes"
    assert "valid for 1 hour" in window.browser.message_label.text()
    lines = (private_data_dir / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    entry_logged = json.loads(lines[-1])
    assert (entry_logged["action"], entry_logged["key"]) == ("share-link", "photo.jpg")
    assert "Signature" not in lines[-1] and "http" not in lines[-1]


def test_deleting_a_folder_and_a_file_with_the_delete_key_after_confirming(
    qtbot: QtBot,
    window: MainWindow,
    s3: Any,
    bucket: str,
    private_data_dir: Path,
    monkeypatch: Any,
) -> None:
    import json

    for key in ("old/a.txt", "old/deep/b.txt", "old/deep/c.txt", "loose.txt", "keep/x.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"12345")
    s3.put_object(Bucket=bucket, Key="old-but-kept.txt", Body=b"k")
    asked = answer_questions(monkeypatch, yes=True)
    _show_browser(qtbot, window)
    rows = [_names(window).index(n) for n in ("old/", "loose.txt")]
    selection = window.browser.table.selectionModel()
    for row in rows:
        selection.select(
            window.browser.model.index(row, 0),
            selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
        )
    window.browser.table.setFocus()
    with qtbot.waitSignal(window.browser.deleteFinished, timeout=LIST_MS) as finished:
        qtbot.keyClick(window.browser.table, Qt.Key.Key_Delete)
    assert len(asked) == 1 and "4 objects (20 B)" in asked[0][1]
    result = finished.args[0]
    assert len(result.deleted) == 4 and result.failed == []
    remaining = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert remaining == ["keep/x.txt", "old-but-kept.txt"]
    assert window.browser.message_label.text().startswith("Deleted 4 objects")
    audit = [
        json.loads(line) for line in (private_data_dir / "audit.jsonl").read_text().splitlines()
    ]
    assert sorted(e["key"] for e in audit if e["action"] == "delete") == [
        "loose.txt", "old/a.txt", "old/deep/b.txt", "old/deep/c.txt",
    ]  # fmt: skip


def test_declining_the_confirmation_deletes_nothing(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, monkeypatch: Any
) -> None:
    s3.put_object(Bucket=bucket, Key="precious.txt", Body=b"p")
    answer_questions(monkeypatch, yes=False)
    _show_browser(qtbot, window)
    _select(qtbot, window, "precious.txt")
    window.browser.deleting.delete_selected()
    qtbot.waitUntil(
        lambda: window.browser.message_label.text() == "Nothing was deleted.", timeout=LIST_MS
    )
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["precious.txt"]


def test_versions_delete_marker_restore_and_permanent_delete(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, monkeypatch: Any
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="plan.txt", Body=b"first draft")
    s3.put_object(Bucket=bucket, Key="plan.txt", Body=b"second draft")
    asked = answer_questions(monkeypatch, yes=True)
    browser = window.browser
    _show_browser(qtbot, window)
    browser.bar.versions_button.setChecked(True)
    with qtbot.waitSignal(browser.versionsShown, timeout=LIST_MS) as shown:
        _select(qtbot, window, "plan.txt")
    assert shown.args[0] == 2 and browser.versions_box.isVisible()
    assert browser.versions_box.versions_table.item(0, 3).text() == "current"

    # Restore the older draft: it becomes current, and both earlier versions stay.
    browser.versions_box.versions_table.selectRow(1)
    with qtbot.waitSignal(browser.versionRestored, timeout=LIST_MS):
        browser.versions_box.restore_selected_version()
    assert read_object(s3, bucket, "plan.txt") == b"first draft"
    qtbot.waitUntil(lambda: browser.versions_box.versions_table.rowCount() == 3, timeout=LIST_MS)

    # An ordinary delete leaves a delete marker; the versions stay.
    with qtbot.waitSignal(browser.deleteFinished, timeout=LIST_MS):
        browser.deleting.delete_selected()
    versions = s3.list_object_versions(Bucket=bucket)
    assert len(versions["Versions"]) == 3 and len(versions["DeleteMarkers"]) == 1
    assert asked[-1][0] == "Delete objects?"

    # Permanently: every version and the marker go, and the question says so.
    with qtbot.waitSignal(browser.listingDone, timeout=LIST_MS):
        browser.open_location(bucket, "")
    assert "plan.txt" not in _names(window)  # hidden behind its delete marker
    s3.put_object(Bucket=bucket, Key="plan.txt", Body=b"third")
    with qtbot.waitSignal(browser.listingDone, timeout=LIST_MS):
        browser.refresh()
    _select(qtbot, window, "plan.txt")
    with qtbot.waitSignal(browser.deleteFinished, timeout=LIST_MS):
        browser.deleting.delete_selected_permanently()
    title, text = asked[-1]
    assert title == "Delete permanently?"
    assert "4 versions" in text and "1 delete marker" in text and "cannot be undone" in text
    versions = s3.list_object_versions(Bucket=bucket)
    assert versions.get("Versions", []) == [] and versions.get("DeleteMarkers", []) == []


def test_the_incomplete_uploads_of_the_bucket_open_from_the_browser(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.create_multipart_upload(Bucket=bucket, Key="half/done.bin")
    _show_browser(qtbot, window)
    assert window.browser.bar.incomplete_button.isEnabled()
    window.browser.show_incomplete_uploads()
    dialog = window.browser.incomplete_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=LIST_MS)
    assert dialog.table.item(0, 0).text() == "half/done.bin"
    dialog.close()


def test_versions_where_versioning_is_off_have_nothing_to_restore(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="plain.txt", Body=b"only one")
    browser = window.browser
    box = browser.versions_box
    _show_browser(qtbot, window)
    browser.bar.versions_button.setChecked(True)
    with qtbot.waitSignal(browser.versionsShown, timeout=LIST_MS) as shown:
        _select(qtbot, window, "plain.txt")
    assert shown.args[0] == 1
    assert box.versions_table.item(0, 0).text() == ""  # not S3's "null"
    assert box.note_label.isVisibleTo(box)
    assert box.note_label.text().startswith("Versioning is off for this bucket")
    box.versions_table.selectRow(0)
    assert not box.restore_button.isEnabled()


def test_restore_works_only_on_an_earlier_version(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"one", b"two"):
        s3.put_object(Bucket=bucket, Key="plan.txt", Body=body)
    browser = window.browser
    box = browser.versions_box
    _show_browser(qtbot, window)
    browser.bar.versions_button.setChecked(True)
    with qtbot.waitSignal(browser.versionsShown, timeout=LIST_MS):
        _select(qtbot, window, "plan.txt")
    assert not box.note_label.isVisibleTo(box)
    assert box.versions_table.item(0, 0).text() not in ("", "null")
    assert not box.restore_button.isEnabled()  # nothing chosen
    box.versions_table.selectRow(0)
    assert not box.restore_button.isEnabled()  # the current one
    box.versions_table.selectRow(1)
    assert box.restore_button.isEnabled()
