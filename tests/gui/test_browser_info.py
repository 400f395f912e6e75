"""The Browse tab's info panel: every field of the object selected, a folder, several
entries, details that come too late, hiding and showing it, copying, and the keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from s3desk.core.storage.endpoint import S3Endpoint, make_client
from s3desk.ui.browser.info_panel import InfoPanel
from s3desk.ui.window.main_window import MainWindow
from tests.faultproxy import FaultProxy, Rule
from tests.gui.test_browser import _names, _select, _show_browser


def _panel(window: MainWindow) -> InfoPanel:
    return window.browser.info_panel


def _select_many(window: MainWindow, names: list[str]) -> None:
    table = window.browser.table
    table.clearSelection()
    for name in names:
        row = _names(window).index(name)
        table.selectionModel().select(
            window.browser.model.index(row, 0),
            table.selectionModel().SelectionFlag.Select | table.selectionModel().SelectionFlag.Rows,
        )


@contextmanager
def _through_proxy(window: MainWindow, endpoint: S3Endpoint, *rules: Rule) -> Iterator[FaultProxy]:
    """The browser's requests pass a proxy that applies ``rules``."""
    assert endpoint.endpoint_url
    with FaultProxy.for_url(endpoint.endpoint_url) as proxy:
        for rule in rules:
            proxy.add_rule(rule)
        client = make_client(replace(endpoint, endpoint_url=proxy.url), attempts=1)
        window.browser.set_client(lambda: client)
        yield proxy


def test_the_panel_shows_every_field_of_the_object_selected(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.put_object(
        Bucket=bucket, Key="report.pdf", Body=b"hello", ContentType="application/pdf",
        ServerSideEncryption="AES256", Metadata={"owner": "finance"},
        ChecksumAlgorithm="SHA256", Tagging="project=apollo",
        CacheControl="no-cache", ContentDisposition="attachment",
    )  # fmt: skip
    _show_browser(qtbot, window)
    with qtbot.waitSignal(window.browser.detailsShown) as shown:
        _select(qtbot, window, "report.pdf")
    assert shown.args == ["report.pdf"]
    values = _panel(window).values()
    modified = values.pop("Last modified")
    assert modified.startswith("20") and len(modified) >= len("2026-01-01 00:00:00")
    assert values == {
        "Name": "report.pdf",
        "Path": f"s3://{bucket}/report.pdf",
        "Size": "5 bytes",
        "Content type": "application/pdf",
        "Storage class": "STANDARD",
        "Encryption": "SSE-S3 (AES256)",
        "Checksum algorithm": "SHA256",
        "Checksum": "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=",
        "ETag": "5d41402abc4b2a76b9719d911017c592",
        "Cache-Control": "no-cache",
        "Content-Disposition": "attachment",
        "Versions": "versioning off",
        "Metadata owner": "finance",
        "Tag project": "apollo",
    }
    assert _panel(window).title_label.text() == "report.pdf"


def test_the_versions_of_an_object_are_counted(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"1", b"22"):
        s3.put_object(Bucket=bucket, Key="plan.txt", Body=body)
    _show_browser(qtbot, window)
    with qtbot.waitSignal(window.browser.detailsShown):
        _select(qtbot, window, "plan.txt")
    values = _panel(window).values()
    assert values["Versions"] == "2"
    assert (values["User metadata"], values["Tags"]) == ("none", "none")
    assert values["Version ID"]


def test_a_folder_and_a_selection_of_several(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="docs/a.txt", Body=b"a")
    s3.put_object(Bucket=bucket, Key="one.bin", Body=b"x" * 2000)
    s3.put_object(Bucket=bucket, Key="two.bin", Body=b"y" * 1000)
    _show_browser(qtbot, window)
    _select(qtbot, window, "docs/")
    panel = _panel(window)
    assert panel.values() == {"Name": "docs", "Path": f"s3://{bucket}/docs/", "Kind": "Folder"}
    assert not panel.busy()  # a folder is described without asking the server
    menu = [a.text() for a in window.browser.commands.context_menu().actions()]
    assert "Download…" in menu and "Versions" not in menu  # versions are an object's

    _select_many(window, ["docs/", "one.bin", "two.bin"])
    assert panel.title_label.text() == "3 items selected"
    assert panel.values() == {
        "Selected": "3",
        "Files": "2",
        "Total size of the files": "2.9 KiB (3,000 bytes)",
        "Folders": "1",
    }
    assert not panel.copy_path_button.isVisibleTo(panel)


def test_details_that_arrive_after_the_selection_moved_on_are_dropped(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, moto_endpoint: S3Endpoint
) -> None:
    for key in ("a.txt", "b.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode() * 3)
    held = Rule("HEAD", f"/{bucket}/a.txt", "hold")
    panel = _panel(window)
    shown: list[str] = []
    window.browser.detailsShown.connect(shown.append)
    with _through_proxy(window, moto_endpoint, held):
        _show_browser(qtbot, window)
        _select(qtbot, window, "a.txt")
        qtbot.waitUntil(held.reached.is_set)  # a.txt's details are on their way
        with qtbot.waitSignal(window.browser.detailsShown):
            _select(qtbot, window, "b.txt")
        held.release.set()
        qtbot.waitUntil(lambda: not panel.busy())  # a.txt's came back, and went
    assert shown == ["b.txt"]
    assert (panel.values()["Name"], panel.values()["Size"]) == ("b.txt", "15 bytes")
    assert panel.title_label.text() == "b.txt"


def test_a_refused_head_is_said_in_the_panel_and_refused_tags_in_their_field(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str, moto_endpoint: S3Endpoint
) -> None:
    for key in ("locked.txt", "open.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"abc", Tagging="a=1")
    head_refused = Rule("HEAD", "/locked.txt", "forbidden", times=5)
    tags_refused = Rule("GET", "/open.txt?tagging", "forbidden", times=5)
    panel = _panel(window)
    with _through_proxy(window, moto_endpoint, head_refused, tags_refused):
        _show_browser(qtbot, window)
        _select(qtbot, window, "locked.txt")
        qtbot.waitUntil(lambda: not panel.busy())
        assert panel.status_label.text().startswith("Details not available: ")
        assert panel.status_label.text() == (
            "Details not available: access denied (these credentials may not read it)"
        )
        # What the listing knows stays: the path can still be copied.
        assert panel.values()["Path"] == f"s3://{bucket}/locked.txt"

        with qtbot.waitSignal(window.browser.detailsShown):
            _select(qtbot, window, "open.txt")
    assert panel.status_label.text() == ""
    assert panel.values()["Tags"] == "Access denied to tags"
    assert panel.values()["Size"] == "3 bytes"


def test_the_panel_is_hidden_and_shown_with_its_action(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    s3.put_object(Bucket=bucket, Key="b.txt", Body=b"bb")
    browser = window.browser
    action = browser.info_action
    assert action in window.menus.view_menu.actions()  # listed in the View menu
    assert action.isCheckable() and action.shortcut().toString() == "Ctrl+I"
    _show_browser(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    browser.table.setFocus()
    with qtbot.waitSignal(browser.detailsShown):
        _select(qtbot, window, "a.txt")
    qtbot.waitUntil(lambda: not browser.info_panel.busy())
    _select_many(window, ["b.txt"])
    assert browser.info_panel.busy()  # b.txt's details are to be asked for
    qtbot.keyClick(browser.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert not browser.info_panel.isVisible() and not action.isChecked()
    assert not browser.info_panel.busy()  # hidden, it asks nothing more
    _select_many(window, ["a.txt"])
    assert not browser.info_panel.busy()
    assert browser.info_panel.values()["Name"] == "b.txt"

    with qtbot.waitSignal(browser.detailsShown) as shown:
        action.trigger()  # shown again: about the selection of now
        assert browser.info_panel.isVisible()
        assert browser.info_panel.values()["Name"] == "a.txt"
    assert shown.args == ["a.txt"]


def test_a_field_and_the_path_are_copied_and_the_note_goes_with_the_selection(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a", Metadata={"owner": "Ann"})
    s3.put_object(Bucket=bucket, Key="b.txt", Body=b"b")
    browser = window.browser
    _show_browser(qtbot, window)
    with qtbot.waitSignal(browser.detailsShown):
        _select(qtbot, window, "a.txt")
    owner = browser.info_panel.field("Metadata owner")
    assert owner is not None
    copy = next(a for a in owner.context_menu().actions() if a.text() == "Copy")
    copy.trigger()
    assert QApplication.clipboard().text() == "Ann"

    browser.info_panel.copy_path_button.click()
    assert QApplication.clipboard().text() == f"s3://{bucket}/a.txt"
    assert browser.message_label.text() == f"Copied s3://{bucket}/a.txt"
    _select(qtbot, window, "b.txt")
    assert browser.message_label.text() == ""  # it was about a.txt


def test_the_fields_are_reached_by_tab_with_their_names(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"abc", Metadata={"owner": "Ann"})
    browser = window.browser
    _show_browser(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(browser.detailsShown):
        _select(qtbot, window, "a.txt")
    qtbot.waitUntil(browser.info_panel.fields[-1].isVisible)  # Qt shows new rows next turn
    browser.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is browser.table)
    visited: list[str] = []
    for _ in range(len(browser.info_panel.fields) + 1):
        widget = QApplication.focusWidget()
        assert isinstance(widget, QWidget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is not None
        visited.append(focused.accessibleName())
    names = [field.accessibleName() for field in browser.info_panel.fields]
    assert visited == ["Copy path", *names]
    assert names[:3] == ["Name", "Path", "Size"] and "Metadata owner" in names
    # Tab selects the value, so Ctrl+C copies it.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == browser.info_panel.fields[-1].text()


@pytest.fixture
def declined(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every dialog the Browse tab's actions open, declined; returns what was asked."""
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    asked: list[str] = []

    def refuse(name: str) -> Any:
        def answer(*args: Any, **kwargs: Any) -> tuple[str, bool]:
            asked.append(name)
            return "", False

        return answer

    def decline_box(box: QMessageBox) -> int:
        asked.append(box.windowTitle())
        keep = box.escapeButton()
        assert keep is not None
        keep.click()
        return 0

    monkeypatch.setattr(QInputDialog, "getText", refuse("new folder"))
    monkeypatch.setattr(QInputDialog, "getItem", refuse("share link"))
    monkeypatch.setattr(QMessageBox, "exec", decline_box)
    return asked


def test_the_context_menu_shows_shortcuts_that_work_with_the_list_focused(
    qtbot: QtBot,
    window: MainWindow,
    s3: Any,
    bucket: str,
    declined: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    browser = window.browser
    monkeypatch.setattr(browser.downloading, "choose_download_folder",
                        lambda: declined.append("download") or "")  # fmt: skip
    _show_browser(qtbot, window)
    _select(qtbot, window, "a.txt")
    actions = [a for a in browser.commands.context_menu().actions() if not a.isSeparator()]
    keys = {a.text(): a.shortcut().toString() for a in actions}
    assert keys == {
        "Refresh": "F5",
        "New folder…": "Ctrl+Shift+N",
        "Download…": "Ctrl+D",
        "Copy share link…": "Ctrl+K",
        "Versions": "Ctrl+Shift+V",
        "Show info panel": "Ctrl+I",
        "Delete…": "Del",
        "Delete permanently (all versions)…": "Shift+Del",
    }
    assert all(a.isShortcutVisibleInContextMenu() for a in actions)

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    browser.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is browser.table)
    triggered: list[str] = []
    for action in actions:
        action.triggered.connect(lambda _=False, a=action: triggered.append(a.text()))
    for action in actions:
        if action.text() == "Refresh":
            continue  # last: it lists the folder again
        sequence = action.shortcut()[0]
        qtbot.keyClick(browser.table, sequence.key(), sequence.keyboardModifiers())
    with qtbot.waitSignal(browser.listingDone):
        qtbot.keyClick(browser.table, Qt.Key.Key_F5)
    assert sorted(triggered) == sorted(keys)
    assert browser.bar.versions_button.isChecked()  # Ctrl+Shift+V showed the versions
    assert not browser.info_panel.isVisible()  # Ctrl+I hid the panel
    qtbot.waitUntil(lambda: len(declined) == 5)
    assert sorted(declined) == sorted([
        "new folder", "download", "share link", "Delete objects?", "Delete permanently?",
    ])  # fmt: skip
