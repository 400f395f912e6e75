"""The Browse tab's bar: every action says what it does (beside its icon, to screen readers,
and with its shortcut in the tooltip), the incomplete uploads are counted and shown only when
there are some, and going back or up works only where there is somewhere to go."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAccessible, QImage
from PySide6.QtWidgets import QStyle, QToolButton
from pytestqt.qtbot import QtBot

from s3desk.ui.window.main_window import MainWindow
from tests.gui.test_browser import LIST_MS, _open_row, _show_browser

# A bar wider than its buttons with their texts, the incomplete uploads' count, the path and
# the filter need.
WIDE_BAR = 1200


def _picture(button: QToolButton) -> QImage:
    return button.icon().pixmap(16, 16).toImage()


def test_every_action_is_named_with_its_shortcut(qtbot: QtBot, window: MainWindow) -> None:
    bar = window.browser.bar
    expected = [
        (bar.back_button, "Back", "Back (Alt+Left)"),
        (bar.up_button, "Up one folder", "Up one folder (Backspace)"),
        (bar.refresh_button, "Refresh", "Refresh (F5)"),
        (bar.new_folder_button, "New folder", "New folder… (Ctrl+Shift+N)"),
        (bar.download_button, "Download", "Download… (Ctrl+D)"),
        (bar.share_button, "Copy share link", "Copy share link… (Ctrl+K)"),
        (bar.delete_button, "Delete", "Delete… (Del)"),
    ]
    for button, name, tip in expected:
        accessible = QAccessible.queryAccessibleInterface(button)
        assert accessible.text(QAccessible.Text.Name) == name
        assert button.toolTip() == tip
    # The actions on the selection say what they do beside their icon.
    for button, _, tip in expected[3:]:
        assert button.text() == tip.partition(" (")[0]
        assert button.toolButtonStyle().name == "ToolButtonTextBesideIcon"


def test_download_and_share_link_icons_are_not_an_arrow_and_a_disk(
    qtbot: QtBot, window: MainWindow
) -> None:
    bar, style = window.browser.bar, window.style()
    arrow = style.standardIcon(QStyle.StandardPixmap.SP_ArrowDown).pixmap(16, 16).toImage()
    disk = style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton).pixmap(16, 16).toImage()
    assert _picture(bar.download_button) != arrow
    assert _picture(bar.share_button) != disk


def test_incomplete_uploads_are_counted_and_shown_only_when_there_are_some(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    browser = window.browser
    button = browser.bar.incomplete_button
    s3.put_object(Bucket=bucket, Key="done.txt", Body=b"d")
    _show_browser(qtbot, window)
    assert button.isHidden()
    s3.create_multipart_upload(Bucket=bucket, Key="half/a.bin")
    s3.create_multipart_upload(Bucket=bucket, Key="half/b.bin")
    with qtbot.waitSignal(browser.listingDone, timeout=LIST_MS):
        browser.refresh()
    qtbot.waitUntil(lambda: not button.isHidden(), timeout=LIST_MS)
    assert button.text() == "2 incomplete uploads"
    name = QAccessible.queryAccessibleInterface(button).text(QAccessible.Text.Name)
    assert name == "2 incomplete uploads"


def test_back_and_up_only_where_there_is_somewhere_to_go(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="docs/a.txt", Body=b"a")
    browser, bar = window.browser, window.browser.bar
    _show_browser(qtbot, window)  # the bucket's top level, the first place shown
    assert not bar.back_button.isEnabled() and not bar.up_button.isEnabled()
    browser.back()
    browser.up()
    assert (browser.bucket, browser.prefix) == (bucket, "")

    _open_row(qtbot, window, "docs/")
    assert bar.back_button.isEnabled() and bar.up_button.isEnabled()
    with qtbot.waitSignal(browser.listingDone, timeout=LIST_MS):
        bar.up_button.click()
    assert browser.prefix == ""
    assert bar.back_button.isEnabled() and not bar.up_button.isEnabled()
    with qtbot.waitSignal(browser.listingDone, timeout=LIST_MS):
        bar.back_button.click()
    assert browser.prefix == "docs/"


def test_the_window_as_it_opens_says_what_the_actions_do_beside_the_places(
    qtbot: QtBot, window: MainWindow
) -> None:
    bar, browser = window.browser.bar, window.browser
    _show_browser(qtbot, window)
    assert window.sidebar.isVisible() and window.sidebar.width() > 0
    # The bar spans the list and the details beside it: the panel takes none of its width.
    assert bar.width() >= browser.table.width() + browser.info_panel.width()
    for button in (bar.new_folder_button, bar.download_button, bar.share_button,
                   bar.delete_button, bar.versions_button):  # fmt: skip
        assert button.toolButtonStyle().name == "ToolButtonTextBesideIcon", button.text()
    # The path and the filter gave way first, within the bar: the filter can still be used.
    assert bar.width() <= browser.width()
    assert bar.filter_edit.width() >= bar.filter_edit.minimumWidth() > 0


def test_a_narrow_window_keeps_the_icons_and_the_incomplete_uploads_count(
    qtbot: QtBot, window: MainWindow, s3: Any, bucket: str
) -> None:
    bar = window.browser.bar
    s3.create_multipart_upload(Bucket=bucket, Key="half.bin")
    _show_browser(qtbot, window)
    qtbot.waitUntil(lambda: not bar.incomplete_button.isHidden(), timeout=LIST_MS)
    style = bar.download_button.toolButtonStyle
    # Wide: the bar itself (whatever the places beside it take) has room for everything.
    window.resize(window.width() - bar.width() + WIDE_BAR, 640)
    qtbot.waitUntil(lambda: bar.width() == WIDE_BAR)
    qtbot.waitUntil(lambda: style().name == "ToolButtonTextBesideIcon")
    window.resize(window.minimumSizeHint().width(), 640)
    qtbot.waitUntil(lambda: style().name == "ToolButtonIconOnly")
    assert bar.width() <= window.width()  # the texts gave way: the window did not grow
    assert bar.incomplete_button.text() == "1 incomplete upload"
    assert bar.incomplete_button.toolButtonStyle().name == "ToolButtonTextBesideIcon"
