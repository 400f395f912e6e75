"""The Browse tab stays true to what is there: uploads into the folder shown appear in it,
the header says where files added now go, messages and the info panel never describe
what is over or no longer selected, and the download dialog opens on a folder that exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from s3desk.ui.browser.downloading import Downloading
from s3desk.ui.window.main_window import MainWindow
from tests.gui.conftest import drop_files
from tests.gui.test_browser import LIST_MS, _names, _open_row, _select, _show_browser


def test_an_upload_into_the_folder_shown_appears_without_a_refresh(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, tmp_path: Path
) -> None:
    s3.put_object(Bucket=bucket, Key="reports/old.txt", Body=b"old")
    _show_browser(qtbot, window)
    _open_row(qtbot, window, "reports/")
    window.browser.bar.filter_edit.setText(".txt")
    (tmp_path / "new.txt").write_text("new")
    with qtbot.waitSignal(window.browser.listingDone, timeout=LIST_MS):
        assert drop_files(window, [tmp_path / "new.txt"])  # listed again by itself
    assert _names(window) == ["new.txt", "old.txt"]
    assert window.browser.bar.filter_edit.text() == ".txt"  # what the person typed stays


def test_the_header_says_files_go_to_the_folder_shown_in_browse(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="reports/old.txt", Body=b"old")
    header = window.destination_box.destination_preview
    assert header.text() == f"Files go to s3://{bucket}/…"
    _show_browser(qtbot, window)
    _open_row(qtbot, window, "reports/")
    assert f"s3://{bucket}/reports/…" in header.text()
    window.tabs.setCurrentWidget(window.queue)
    assert header.text() == f"Files go to s3://{bucket}/…"


def test_a_download_message_gives_way_when_it_ends_and_to_a_new_folder(
    qtbot: QtBot,
    window: MainWindow,
    s3: Any,
    bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    browser = window.browser
    monkeypatch.setattr(browser.downloading, "choose_download_folder", lambda: str(tmp_path))
    _show_browser(qtbot, window)
    _select(qtbot, window, "a.txt")
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle, timeout=LIST_MS):
        browser.downloading.download_selected()
    assert browser.message_label.text() == f"Downloaded 1 file (1 B) to {tmp_path}."
    with qtbot.waitSignal(browser.listingDone, timeout=LIST_MS):
        browser.new_folder.create_folder_named("Invoices")
    assert browser.message_label.text() == "Made the folder Invoices"


def test_a_failed_restore_is_not_said_once_another_object_is_chosen(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=bucket, Key="plan.txt", Body=b"one")["VersionId"]
    s3.put_object(Bucket=bucket, Key="plan.txt", Body=b"two")
    s3.put_object(Bucket=bucket, Key="other.txt", Body=b"o")
    browser = window.browser
    _show_browser(qtbot, window)
    browser.bar.versions_button.setChecked(True)
    with qtbot.waitSignal(browser.versionsShown, timeout=LIST_MS):
        _select(qtbot, window, "plan.txt")
    browser.versions_box.versions_table.selectRow(1)
    s3.delete_object(Bucket=bucket, Key="plan.txt", VersionId=old)  # gone meanwhile
    with qtbot.waitSignal(browser.actionFailed, timeout=LIST_MS):
        browser.versions_box.restore_selected_version()
    assert browser.message_label.text().startswith("Restore failed")
    _select(qtbot, window, "other.txt")
    assert browser.message_label.text() == ""


def test_the_info_panel_describes_only_the_object_selected(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    for key in ("a.txt", "b.txt", "docs/c.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    browser = window.browser
    panel = browser.info_panel
    _show_browser(qtbot, window)
    with qtbot.waitSignal(browser.detailsShown, timeout=LIST_MS):
        _select(qtbot, window, "a.txt")
    assert panel.values()["Path"] == f"s3://{bucket}/a.txt"
    with qtbot.waitSignal(browser.detailsShown, timeout=LIST_MS) as shown:
        _select(qtbot, window, "b.txt")
        # a.txt's details went at once: what the listing knows of b.txt until its own come
        assert panel.values()["Path"] == f"s3://{bucket}/b.txt"
        assert "ETag" not in panel.values()
    assert shown.args == ["b.txt"] and panel.values()["ETag"]
    with qtbot.waitSignal(browser.listingDone, timeout=LIST_MS):
        browser.open_location(bucket, "docs/")
    assert panel.values() == {} and panel.title_label.text() == "Nothing selected"


def test_the_download_dialog_opens_on_a_folder_that_exists(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    opened: list[str] = []

    def record(parent: Any, title: str, folder: str) -> str:
        opened.append(folder)
        return ""

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", record)
    downloading = Downloading(window.browser)
    downloading.choose_download_folder()  # a new home: no Downloads folder yet
    (home / "Downloads").mkdir()
    downloading.choose_download_folder()
    assert opened == [str(home), str(home / "Downloads")]
