"""The sidebar: the accounts, their buckets listed from the storage when expanded, and the
favourite places; opening one shows it in Browse, by mouse or by keyboard alone."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QRect, Qt
from PySide6.QtGui import QKeySequence, QScreen
from PySide6.QtWidgets import QApplication, QLineEdit, QStyle
from pytestqt.qtbot import QtBot

from s3desk.core.bucket.buckets import list_bucket_names_at
from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import Account, AccountKind
from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.config.favourites import Favourite, FavouritesStore, favourites_path
from s3desk.core.config.secrets import SecretStore
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.jobs import Destination
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.ui.app import Storage, connect_accounts
from s3desk.ui.common.core_phrases import describe_error
from s3desk.ui.window.main_window import MainWindow
from s3desk.ui.window.places_model import BUCKET, KIND
from tests.conftest import Server
from tests.gui.conftest import in_process
from tests.memory_keyring import MemoryKeyring


@pytest.fixture
def store(tmp_path: Path) -> AccountStore:
    return AccountStore(tmp_path / "accounts.toml", SecretStore(backend=MemoryKeyring()))


def _window_with_accounts(
    qtbot: QtBot, store: AccountStore, account: Account, engines: list[Any]
) -> MainWindow:
    """The window as the app makes it: the account box filled by the switcher."""
    make = in_process(engines)
    endpoint = store.endpoint(account)
    window = MainWindow(make(endpoint, True), bucket=account.bucket, account_store=store)
    qtbot.addWidget(window)
    connect_accounts(window, Storage(endpoint, account=account, store=store), make)
    window.show()
    return window


def _moto_account(store: AccountStore, moto: S3Endpoint, name: str) -> Account:
    assert moto.endpoint_url
    return store.save(
        Account(name=name, kind=AccountKind.COMPATIBLE, access_key_id="testing",
                endpoint_url=moto.endpoint_url, region="us-east-1"),
        secret_key="testing",
    )  # fmt: skip


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _top_rows(window: MainWindow) -> list[str]:
    model = window.sidebar.model
    return [model.item(row).text() for row in range(model.rowCount())]


def _children(index: QModelIndex) -> list[QModelIndex]:
    model = index.model()
    return [model.index(row, 0, index) for row in range(model.rowCount(index))]


def _expand(qtbot: QtBot, window: MainWindow, row: int) -> QModelIndex:
    """Expand the account in ``row`` as a click on its arrow does; wait for its buckets."""
    index = window.sidebar.model.index(row, 0)
    with qtbot.waitSignal(window.sidebar.bucketsListed):
        window.sidebar.tree.expand(index)
    return index


def _bucket_row(index: QModelIndex, bucket: str) -> QModelIndex:
    rows = [child for child in _children(index) if child.data(BUCKET) == bucket]
    assert len(rows) == 1, [child.data() for child in _children(index)]
    return rows[0]


def test_the_accounts_are_listed_and_the_one_in_use_marked(
    qtbot: QtBot,
    store: AccountStore,
    engines: list[Any],
    moto_endpoint: S3Endpoint,
    event_loop_qt: Any,
) -> None:
    first = _moto_account(store, moto_endpoint, "Team moto")
    second = _moto_account(store, moto_endpoint, "Archive")
    window = _window_with_accounts(qtbot, store, first, engines)
    box = window.destination_box.account_box
    qtbot.waitUntil(lambda: _top_rows(window) == [box.itemText(i) for i in range(box.count())])
    assert _top_rows(window)[:2] == ["Team moto", "Archive"]
    sidebar, model = window.sidebar, window.sidebar.model
    assert sidebar.windowTitle() == "Places" and sidebar.accessibleName()
    assert sidebar.tree.accessibleName() == "Accounts, buckets and favourites"
    assert sidebar.tree.focusPolicy() & Qt.FocusPolicy.TabFocus
    current, other = model.item(0), model.item(1)
    assert current.font().bold() and not other.font().bold()
    description = Qt.ItemDataRole.AccessibleDescriptionRole
    assert current.data(description) == "current account" and not other.data(description)
    assert other.data(Qt.ItemDataRole.AccessibleTextRole) == "Archive"

    # A change in the Accounts dialog (new credentials perhaps) lists the buckets again.
    _expand(qtbot, window, 1)
    with qtbot.waitSignal(sidebar.bucketsListed, check_params_cb=lambda key: key == second.id):
        window.accountsChanged.emit()
    # Accounts added there appear; the account in use follows the box.
    _moto_account(store, moto_endpoint, "Later")
    window.accountsChanged.emit()
    qtbot.waitUntil(lambda: "Later" in _top_rows(window))
    box.setCurrentIndex(box.findText("Archive"))
    box.activated.emit(box.currentIndex())
    qtbot.waitUntil(lambda: model.item(1).font().bold())
    assert model.item(1).data(description) == "current account"
    assert not model.item(0).font().bold()


def test_expanding_the_account_in_use_lists_its_buckets(
    qtbot: QtBot, window: MainWindow, bucket: str, s3: Any
) -> None:
    assert window.endpoint is not None
    assert _top_rows(window) == [window.endpoint.label]  # no account box: the storage in use
    account = _expand(qtbot, window, 0)
    listed = [child.data() for child in _children(account)]
    assert listed == sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
    row = _bucket_row(account, bucket)
    assert row.data(Qt.ItemDataRole.AccessibleTextRole) == f"Bucket {bucket}"


def test_another_account_lists_with_its_own_credentials_and_a_failure_says_why(
    qtbot: QtBot,
    store: AccountStore,
    engines: list[Any],
    moto_endpoint: S3Endpoint,
    rclone_server: Server,
    bucket: str,
    event_loop_qt: Any,
) -> None:
    first = _moto_account(store, moto_endpoint, "Team moto")
    rclone = rclone_server.endpoint
    assert rclone.endpoint_url and rclone.access_key
    target = f"{bucket[:55]}-rc"
    rclone_server.client.create_bucket(Bucket=target)
    store.save(
        Account(name="Team rclone", kind=AccountKind.COMPATIBLE, access_key_id=rclone.access_key,
                endpoint_url=rclone.endpoint_url, region="us-east-1"),
        secret_key=rclone.secret_key,
    )  # fmt: skip
    offline = store.save(
        Account(name="Offline", kind=AccountKind.COMPATIBLE, access_key_id="k",
                endpoint_url=f"http://127.0.0.1:{_closed_port()}", region="us-east-1"),
        secret_key="s",
    )  # fmt: skip
    window = _window_with_accounts(qtbot, store, first, engines)
    qtbot.waitUntil(lambda: _top_rows(window)[:3] == ["Team moto", "Team rclone", "Offline"])

    # rclone checks signatures: its buckets come only with that account's own secret.
    other = _expand(qtbot, window, 1)
    assert target in [child.data() for child in _children(other)]
    assert bucket not in [child.data() for child in _children(other)]

    failed = _expand(qtbot, window, 2)
    with pytest.raises(Exception) as refused:
        list_bucket_names_at(store.endpoint(offline))
    rows = [child.data() for child in _children(failed)]
    assert rows == [f"Could not list buckets: {describe_error(refused.value)}"]
    assert _children(failed)[0].data(KIND) == "note"

    # Opening the other account's bucket switches to that account first.
    tree = window.sidebar.tree
    tree.setCurrentIndex(_bucket_row(other, target))
    with qtbot.waitSignal(window.browser.listingDone):
        tree.activated.emit(tree.currentIndex())
    assert window.engine is engines[-1] and len(engines) == 2
    assert window.destination_box.account_box.currentText() == "Team rclone"
    assert window.tabs.currentWidget() is window.browser and window.browser.bucket == target
    # The tree marks the account now in use; the cursor comes back to the bucket opened.
    qtbot.waitUntil(lambda: window.sidebar.model.item(1).font().bold())
    qtbot.waitUntil(lambda: tree.currentIndex().data(BUCKET) == target)
    assert tree.currentIndex().parent().data() == "Team rclone"
    assert tree.isExpanded(tree.currentIndex().parent())


def test_opening_a_bucket_shows_it_in_browse_where_drops_go(
    qtbot: QtBot, window: MainWindow, bucket: str, s3: Any
) -> None:
    s3.put_object(Bucket=bucket, Key="report.pdf", Body=b"x")
    account = _expand(qtbot, window, 0)
    row = _bucket_row(account, bucket)
    tree = window.sidebar.tree
    tree.scrollTo(row)
    where = tree.visualRect(row).center()
    with qtbot.waitSignal(window.browser.listingDone):
        # A double click as the platform sends it: a press and release, then the second.
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert window.tabs.currentWidget() is window.browser
    assert (window.browser.bucket, window.browser.prefix) == (bucket, "")
    assert window.browser.model.entry_at(0).key == "report.pdf"
    assert window._upload_destination() == Destination(bucket, "")


def _favourite_rows(window: MainWindow) -> list[QModelIndex]:
    group = window.sidebar.model.favourites_group(window.sidebar.current_key())
    return _children(group.index()) if group is not None else []


def _activate(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts go to the active window


def test_add_to_favourites_keeps_the_place_for_the_next_window(
    qtbot: QtBot,
    window: MainWindow,
    window_for: Callable[[Any], MainWindow],
    moto_endpoint: S3Endpoint,
    bucket: str,
    s3: Any,
) -> None:
    s3.put_object(Bucket=bucket, Key="reports/2024/q1.pdf", Body=b"x")
    action = window.commands.favourite_action
    assert action.shortcut() == QKeySequence("Ctrl+B")
    assert action in window.menus.view_menu.actions()
    assert not action.isEnabled()  # nothing browsed yet
    window.tabs.setCurrentWidget(window.browser)
    with qtbot.waitSignal(window.browser.listingDone):
        window.browser.open_location(bucket, "reports/2024/")
    assert action.isEnabled()
    _activate(qtbot, window)
    qtbot.keyClick(window.browser.table, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert [row.data() for row in _favourite_rows(window)] == [f"{bucket}/reports/2024/"]
    assert "Added" in window.statusBar().currentMessage()
    window.close()

    later = window_for(UploadEngine(moto_endpoint, EngineConfig(concurrency=1)))
    later.show()
    rows = _favourite_rows(later)
    assert [row.data() for row in rows] == [f"{bucket}/reports/2024/"]
    assert rows[0].data(Qt.ItemDataRole.AccessibleTextRole) == (
        f"Favourite {bucket}/reports/2024/, s3://{bucket}/reports/2024/"
    )
    later.sidebar.tree.expand(rows[0].parent().parent())
    with qtbot.waitSignal(later.browser.listingDone):
        later.sidebar.tree.activated.emit(rows[0])
    assert (later.browser.bucket, later.browser.prefix) == (bucket, "reports/2024/")
    assert later.browser.model.entry_at(0).key == "reports/2024/q1.pdf"


def test_delete_removes_a_favourite_not_the_objects_in_browse(
    qtbot: QtBot, window: MainWindow, bucket: str, s3: Any
) -> None:
    s3.put_object(Bucket=bucket, Key="keep.txt", Body=b"x")
    window.tabs.setCurrentWidget(window.browser)
    with qtbot.waitSignal(window.browser.listingDone):
        window.browser.open_location(bucket, "")
    window.browser.table.selectRow(0)  # what Delete would delete there
    window.commands.favourite_action.trigger()
    (row,) = _favourite_rows(window)
    menu = window.sidebar.context_menu(row)
    keys = {a.text().replace("&", ""): a.shortcut().toString() for a in menu.actions()}
    assert keys["Remove from favourites"] == "Del" and keys["Open"] == "Return"
    assert keys["Add to favourites"] == "Ctrl+B"

    _activate(qtbot, window)
    tree = window.sidebar.tree
    tree.setFocus()
    tree.setCurrentIndex(row)
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    assert _favourite_rows(window) == []
    stored = FavouritesStore()
    stored.load()
    assert stored.favourites(window.sidebar.current_key()) == []
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["keep.txt"]


def test_f2_renames_a_favourite_and_an_empty_name_shows_the_place(
    qtbot: QtBot, window: MainWindow, bucket: str
) -> None:
    window.tabs.setCurrentWidget(window.browser)
    with qtbot.waitSignal(window.browser.listingDone):
        window.browser.open_location(bucket, "")
    window.commands.favourite_action.trigger()
    _activate(qtbot, window)
    tree = window.sidebar.tree
    (row,) = _favourite_rows(window)
    tree.expand(row.parent().parent())
    tree.expand(row.parent())
    tree.setFocus()
    tree.setCurrentIndex(row)
    qtbot.keyClick(tree, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == bucket
    editor.setText("Inbox")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [r.data() for r in _favourite_rows(window)] == ["Inbox"])
    stored = FavouritesStore()
    stored.load()
    assert stored.favourites(window.sidebar.current_key()) == [
        Favourite(window.sidebar.current_key(), bucket, "", name="Inbox")
    ]

    (row,) = _favourite_rows(window)
    tree.setCurrentIndex(row)
    qtbot.keyClick(tree, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.clear()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [r.data() for r in _favourite_rows(window)] == [bucket])
    stored.load()
    assert stored.favourites(window.sidebar.current_key())[0].name == ""


def test_a_broken_favourites_file_is_shown_and_left_as_it_is(
    qtbot: QtBot, window_for: Callable[[Any], MainWindow], moto_endpoint: S3Endpoint
) -> None:
    favourites_path().parent.mkdir(parents=True, exist_ok=True)
    favourites_path().write_text("version = 1\n[[favourites]\n")
    window = window_for(UploadEngine(moto_endpoint, EngineConfig(concurrency=1)))
    (row,) = _favourite_rows(window)
    assert row.data().startswith("Favourites could not be read: ")
    assert "favourites.toml" in row.data()
    window.sidebar.add_browsed()  # nothing browsed: nothing to add
    assert favourites_path().read_text() == "version = 1\n[[favourites]\n"
    assert FavouritesStore().favourites("x") == [] and Favourite("a", "b").place == "b"


def test_show_sidebar_hides_and_shows_it(qtbot: QtBot, window: MainWindow) -> None:
    action = window.commands.show_sidebar_action
    assert action.isCheckable() and action.isChecked() and window.sidebar.isVisible()
    assert action.shortcut() == QKeySequence("F9")
    assert action in window.menus.view_menu.actions()
    _activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert not window.sidebar.isVisible() and not action.isChecked()
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert window.sidebar.isVisible() and action.isChecked()
    window.sidebar.close()  # its own close button
    assert not action.isChecked()


def test_keyboard_alone_opens_a_bucket(
    qtbot: QtBot, window: MainWindow, bucket: str, s3: Any
) -> None:
    s3.put_object(Bucket=bucket, Key="only.txt", Body=b"x")
    _activate(qtbot, window)
    tree = window.sidebar.tree
    tree.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is tree)
    qtbot.keyClick(tree, Qt.Key.Key_Down)  # the first row: the account
    assert tree.currentIndex() == window.sidebar.model.index(0, 0)
    with qtbot.waitSignal(window.sidebar.bucketsListed):
        qtbot.keyClick(tree, Qt.Key.Key_Right)  # expands it
    names = [child.data() for child in _children(tree.currentIndex())]
    for _ in range(names.index(bucket) + 1):
        qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert tree.currentIndex().data(BUCKET) == bucket
    with qtbot.waitSignal(window.browser.listingDone):
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert window.tabs.currentWidget() is window.browser
    assert window.browser.bucket == bucket
    assert window.browser.model.entry_at(0).key == "only.txt"


WIDTH_WITHOUT_SIDEBAR = 1100  # the window's width as it opened before it had a sidebar


@pytest.mark.parametrize("screen_width", [1920, 1280])
def test_the_sidebar_opens_narrow_beside_a_main_area_as_wide_as_before_where_there_is_room(
    qtbot: QtBot,
    window_for: Callable[[Any], MainWindow],
    engine: UploadEngine,
    monkeypatch: pytest.MonkeyPatch,
    screen_width: int,
) -> None:
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _s: QRect(0, 0, screen_width, 1000))
    window = window_for(engine)
    with qtbot.waitExposed(window):
        window.show()
    sidebar = window.sidebar
    assert 180 <= sidebar.width() <= 220, "room for an account's name, not much more"
    separator = window.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetSeparatorExtent)
    if screen_width == 1920:
        assert window.centralWidget().width() >= WIDTH_WITHOUT_SIDEBAR - separator
    else:  # no wider than before on a small screen: the sidebar takes its room
        assert window.width() == WIDTH_WITHOUT_SIDEBAR

    # A favourite's place longer than that keeps its bucket and last folder in view.
    assert sidebar.tree.textElideMode() == Qt.TextElideMode.ElideMiddle
    # The person can make it wider, as for a long account name.
    window.resizeDocks([sidebar], [320], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: sidebar.width() == 320)
