"""The welcome on a first start: shown when there is nothing to upload with, not otherwise;
each offer does what it says, from the keyboard too; once answered, it is not shown again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import Account, AccountKind
from s3desk.core.config.secrets import SecretStore
from s3desk.core.config.settings_store import SettingsStore
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.ui.app import Storage, choose_storage, connect_accounts
from s3desk.ui.window.main_window import MainWindow
from s3desk.ui.window.storage_switcher import DEMO, StorageSwitcher
from s3desk.ui.window.welcome import WelcomePanel, offer_welcome, welcome_needed
from tests.gui.conftest import drop_files, in_process
from tests.helpers import read_object
from tests.memory_keyring import MemoryKeyring


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A computer where AWS was never set up (the suite's own test keys removed)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def _name(widget: QWidget) -> str:
    face = QAccessible.queryAccessibleInterface(widget)
    assert face is not None
    return face.text(QAccessible.Text.Name)


def test_a_first_start_starts_on_nothing_and_shows_the_welcome(
    no_aws: None,
    qtbot: QtBot,
    storages: list[Storage],
    event_loop_qt: Any,
    engines: list[UploadEngine],
) -> None:
    storage = choose_storage(demo=False, endpoint_url=None)
    storages.append(storage)
    # The demo storage is offered, not started behind the user's back.
    assert storage.welcome and storage.endpoint is None and storage.demo is None
    window, _, panel = _welcome_window(qtbot, storage, in_process(engines))
    assert panel is not None and panel.isVisible()
    assert panel.geometry().bottom() < window.destination_box.geometry().top()
    assert "Files you add go to the bucket and folder shown below" in panel.text.text()
    assert "until s3desk quits" in panel.text.text()  # where the demo storage keeps them
    assert _name(panel) == "Welcome"
    assert [_name(b) for b in (panel.add_button, panel.demo_button, panel.close_button)] == [
        "Add an account", "Try the local demo storage", "Not now",
    ]  # fmt: skip
    # Nothing is in use yet: the account box says so rather than showing the demo storage,
    # and the window's note names no package to install for it.
    box = window.destination_box
    assert box.account_box.currentIndex() == -1 and box.account_box.placeholderText()
    assert "Local demo storage" in box.storage_label.text()
    assert "install" not in box.storage_label.text()
    # Said calmly while the welcome offers the choice, not as a warning beside it.
    assert "No storage chosen yet" in box.storage_label.text()
    assert box.storage_label.property("warning") == "false"
    # Enter takes the first offer: it has the focus, and it is the default.
    assert window.focusWidget() is panel.add_button and panel.add_button.isDefault()


@pytest.mark.parametrize(
    "setup", ["account", "aws", "managed endpoint", "accounts locked", "endpoint url"]
)
def test_no_welcome_when_there_is_something_to_upload_with(
    setup: str,
    no_aws: None,
    monkeypatch: pytest.MonkeyPatch,
    private_data_dir: Path,
    storages: list[Storage],
) -> None:
    endpoint_url = None
    if setup == "account":
        store = AccountStore(secrets=SecretStore(backend=MemoryKeyring()))
        store.save(Account(name="Work", kind=AccountKind.PROFILE, profile="work"))
    elif setup == "aws":
        monkeypatch.setenv("AWS_PROFILE", "work")
    elif setup == "managed endpoint":
        managed = private_data_dir / "no-managed.toml"  # where the suite points at
        managed.write_text('[[endpoints]]\nname = "Company"\nendpoint_url = "https://s3.c.test"\n')
    elif setup == "accounts locked":
        (private_data_dir / "no-managed.toml").write_text("[locked]\naccounts = true\n")
    else:
        endpoint_url = "http://127.0.0.1:9"
    storage = choose_storage(demo=False, endpoint_url=endpoint_url)
    storages.append(storage)  # with the organisation's endpoint only, the demo starts
    assert not storage.welcome
    # An --endpoint-url says where for this start only.
    assert storage.store is not None and welcome_needed(storage.store) is bool(endpoint_url)


def test_add_an_account_opens_accounts_and_the_window_uses_the_account_saved(
    no_aws: None,
    qtbot: QtBot,
    storages: list[Storage],
    moto_endpoint: S3Endpoint,
    bucket: str,
    event_loop_qt: Any,
    engines: list[UploadEngine],
) -> None:
    store = AccountStore(secrets=SecretStore(backend=MemoryKeyring()))
    assert welcome_needed(store)
    storage = Storage(store=store, welcome=True)
    storages.append(storage)
    window, switcher, panel = _welcome_window(qtbot, storage, in_process(engines))
    qtbot.keyClick(panel.add_button, Qt.Key.Key_Return)
    dialog = window.dialogs.accounts_dialog
    assert dialog is not None and dialog.isVisible()
    assert not panel.isVisible()
    assert not welcome_needed(store)  # answered: not shown the next time
    assert SettingsStore().effective().welcome_done

    form = dialog.account_form
    form.kind_box.setCurrentIndex(form.kind_box.findData(AccountKind.COMPATIBLE))
    qtbot.keyClicks(form.name_edit, "Team")
    assert moto_endpoint.endpoint_url
    form.endpoint_edit.setText(moto_endpoint.endpoint_url)
    form.region_edit.setText("us-east-1")
    qtbot.keyClicks(form.key_id_edit, "testing")
    qtbot.keyClicks(form.secret_edit, "testing")
    form.bucket_box.setEditText(bucket)
    with qtbot.waitSignal(window.accountsChanged):
        dialog.save_button.click()
    dialog.close()
    account = store.default()
    assert account is not None and switcher.current == account.id
    assert window.engine is engines[-1] and window.destination().bucket == bucket
    assert window.destination_box.account_box.currentText() == "Team"


def test_try_the_demo_storage_starts_it_and_uploads_go_there(
    tmp_path: Path,
    no_aws: None,
    qtbot: QtBot,
    storages: list[Storage],
    event_loop_qt: Any,
    engines: list[UploadEngine],
) -> None:
    storage = Storage(store=AccountStore(secrets=SecretStore(backend=MemoryKeyring())),
                      welcome=True)  # fmt: skip
    storages.append(storage)
    window, switcher, panel = _welcome_window(qtbot, storage, in_process(engines))
    panel.demo_button.setFocus()
    qtbot.keyClick(panel.demo_button, Qt.Key.Key_Return)
    assert not panel.isVisible()
    qtbot.waitUntil(lambda: switcher.current == DEMO)
    assert window.engine is engines[-1] and window.destination().bucket == "demo"
    assert window.destination_box.account_box.currentText() == "Local demo storage"
    assert window.endpoint is not None and window.endpoint.note  # "cleared when the app quits"
    # The storage is up, with its bucket: a file dropped now lands there.
    (tmp_path / "hello.txt").write_text("hello")
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle):
        assert drop_files(window.queue.drop_hint, [tmp_path / "hello.txt"])
    assert read_object(window.engine.client, "demo", "hello.txt") == b"hello"
    assert not welcome_needed(storage.store)
    # The next start: no welcome, and straight onto the demo storage as before it existed.
    again = choose_storage(demo=False, endpoint_url=None)
    storages.append(again)
    assert not again.welcome and again.demo is not None


def test_not_now_and_esc_put_it_away_until_the_next_start(
    no_aws: None,
    qtbot: QtBot,
    storages: list[Storage],
    event_loop_qt: Any,
    engines: list[UploadEngine],
) -> None:
    store = AccountStore(secrets=SecretStore(backend=MemoryKeyring()))
    for key in (None, Qt.Key.Key_Escape):
        storage = Storage(store=store, welcome=True)
        storages.append(storage)
        window, _, panel = _welcome_window(qtbot, storage, in_process(engines))
        if key is None:
            qtbot.keyClick(panel.close_button, Qt.Key.Key_Space)
        else:
            qtbot.keyClick(panel.add_button, key)
        assert not panel.isVisible()
        assert window.dialogs.accounts_dialog is None  # nothing else happened
        # Put away without a choice: no storage is a warning again.
        label = window.destination_box.storage_label
        assert "No storage is set up" in label.text()
        assert label.property("warning") == "true"
        # The window goes on as without the welcome: Accounts… opens.
        window.commands.accounts_action.trigger()
        assert window.dialogs.accounts_dialog is not None
        window.dialogs.accounts_dialog.close()
        assert welcome_needed(store)  # not answered: shown again next time
    again = choose_storage(demo=False, endpoint_url=None)
    storages.append(again)
    assert again.welcome and again.demo is None


def test_without_the_demo_storage_installed_only_accounts_are_offered(
    no_aws: None,
    qtbot: QtBot,
    storages: list[Storage],
    monkeypatch: pytest.MonkeyPatch,
    event_loop_qt: Any,
    engines: list[UploadEngine],
) -> None:
    import s3desk.ui.app

    monkeypatch.setattr(s3desk.ui.app, "demo_available", lambda: False)
    storage = Storage(store=AccountStore(secrets=SecretStore(backend=MemoryKeyring())),
                      welcome=True)  # fmt: skip
    storages.append(storage)
    _, _, panel = _welcome_window(qtbot, storage, in_process(engines))
    assert panel.add_button.isVisible() and not panel.demo_button.isVisible()
    assert "demo" not in panel.text.text()


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def storages() -> Iterator[list[Storage]]:
    made: list[Storage] = []
    yield made
    for storage in made:
        if storage.demo is not None:
            storage.demo.stop()  # as the app does when it quits


def _welcome_window(
    qtbot: QtBot, storage: Storage, make: Callable[[S3Endpoint, bool], UploadEngine]
) -> tuple[MainWindow, StorageSwitcher, WelcomePanel]:
    """The window as the app opens it on a first start."""
    window = MainWindow(None, account_store=storage.store)
    qtbot.addWidget(window)
    switcher = connect_accounts(window, storage, make)
    panel = offer_welcome(window, switcher)
    with qtbot.waitExposed(window):
        window.show()
    return window, switcher, panel
