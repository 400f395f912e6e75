"""The Accounts dialog as a user meets it: fill in the form, save, test, remove, pick default."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import PRESETS, Account, AccountKind
from s3desk.core.config.secrets import SecretStore, SecretStoreError
from s3desk.core.storage import checksums
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.ui.settings.accounts_dialog import AccountsDialog
from s3desk.ui.window.main_window import MainWindow
from tests.conftest import Server
from tests.gui.conftest import answer_questions
from tests.memory_keyring import MemoryKeyring

VERDICT_TIMEOUT_MS = 30_000


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def accounts_file(tmp_path: Path) -> Path:
    return tmp_path / "accounts.toml"


def _store(path: Path, backend: KeyringBackend) -> AccountStore:
    return AccountStore(path=path, secrets=SecretStore(backend=backend))


@pytest.fixture
def store(accounts_file: Path, keyring_backend: MemoryKeyring) -> AccountStore:
    return _store(accounts_file, keyring_backend)


def _dialog(qtbot: QtBot, store: AccountStore) -> AccountsDialog:
    dialog = AccountsDialog(store)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    return dialog


def _choose_kind(dialog: AccountsDialog, kind: AccountKind) -> None:
    dialog.account_form.kind_box.setCurrentIndex(dialog.account_form.kind_box.findData(kind))


def _list_texts(dialog: AccountsDialog) -> list[str]:
    return [dialog.account_list.item(i).text() for i in range(dialog.account_list.count())]


def _select(dialog: AccountsDialog, name: str) -> None:
    for i in range(dialog.account_list.count()):
        item = dialog.account_list.item(i)
        if item.text().split(" (default)")[0] == name:
            dialog.account_list.setCurrentItem(item)
            return
    raise AssertionError(f"no account {name!r} in {_list_texts(dialog)}")


def _read(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _click(qtbot: QtBot, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_adding_an_access_key_account_keeps_the_secret_in_the_keyring_only(
    qtbot: QtBot,
    store: AccountStore,
    accounts_file: Path,
    keyring_backend: MemoryKeyring,
) -> None:
    dialog = _dialog(qtbot, store)
    assert dialog.account_list.count() == 0  # a new account's form is open
    _choose_kind(dialog, AccountKind.ACCESS_KEY)
    qtbot.keyClicks(dialog.account_form.name_edit, "Work")
    qtbot.keyClicks(dialog.account_form.key_id_edit, "AKIAEXAMPLE123")
    qtbot.keyClicks(dialog.account_form.secret_edit, "s3cr3t/VALUE+xyz")
    dialog.account_form.bucket_box.setEditText("team-uploads")
    dialog.account_form.prefix_edit.setText("incoming/")
    assert (
        dialog.account_form.secret_edit.echoMode()
        == dialog.account_form.secret_edit.EchoMode.Password
    )
    with qtbot.waitSignal(dialog.accountsChanged):
        _click(qtbot, dialog.save_button)

    text = accounts_file.read_text(encoding="utf-8")
    assert "s3cr3t" not in text
    data = _read(accounts_file)
    [entry] = data["accounts"]
    assert entry["name"] == "Work"
    assert entry["kind"] == "access-key"
    assert entry["access_key_id"] == "AKIAEXAMPLE123"
    assert (entry["bucket"], entry["prefix"]) == ("team-uploads", "incoming/")
    assert data["default"] == entry["id"]
    assert keyring_backend.entries == {
        ("s3desk", f"{entry['id']}/secret_access_key"): "s3cr3t/VALUE+xyz"
    }
    assert _list_texts(dialog) == ["Work (default)"]

    # Opened again, on the file as another run of the app would read it.
    again = _dialog(qtbot, _store(accounts_file, keyring_backend))
    assert _list_texts(again) == ["Work (default)"]
    assert again.account_form.name_edit.text() == "Work"
    assert again.account_form.key_id_edit.text() == "AKIAEXAMPLE123"
    assert again.account_form.secret_edit.text() == ""
    assert "keyring" in again.account_form.secret_edit.placeholderText()
    assert "leave empty to keep" in again.account_form.secret_edit.placeholderText()

    # Saving with the secret field empty keeps the stored secret.
    again.account_form.prefix_edit.setText("other/")
    _click(qtbot, again.save_button)
    assert _read(accounts_file)["accounts"][0]["prefix"] == "other/"
    assert keyring_backend.entries[("s3desk", f"{entry['id']}/secret_access_key")] == (
        "s3cr3t/VALUE+xyz"
    )


@pytest.mark.parametrize(
    ("kind", "fill", "expected"),
    [
        (AccountKind.ACCESS_KEY, {"key_id_edit": "AKIA1", "secret_edit": "s"}, "name"),
        (
            AccountKind.COMPATIBLE,
            {"name_edit": "MinIO", "endpoint_edit": "s3.example.com", "key_id_edit": "k",
             "secret_edit": "s"},
            "https://s3.example.com",
        ),
        (AccountKind.ACCESS_KEY, {"name_edit": "Work", "secret_edit": "s"}, "access key ID"),
        (AccountKind.ACCESS_KEY, {"name_edit": "Work", "key_id_edit": "AKIA1"}, "secret"),
    ],
)  # fmt: skip
def test_save_is_refused_with_the_problems_shown_and_nothing_written(
    qtbot: QtBot,
    store: AccountStore,
    accounts_file: Path,
    keyring_backend: MemoryKeyring,
    kind: AccountKind,
    fill: dict[str, str],
    expected: str,
) -> None:
    store.save(Account(name="Existing", kind=AccountKind.PROFILE, profile="default"))
    before = accounts_file.read_bytes()
    dialog = _dialog(qtbot, store)
    _click(qtbot, dialog.add_button)
    _choose_kind(dialog, kind)
    for field, value in fill.items():
        getattr(dialog.account_form, field).setText(value)
    with qtbot.assertNotEmitted(dialog.accountsChanged):
        _click(qtbot, dialog.save_button)

    assert dialog.message_label.isVisible()
    assert dialog.message_label.property("state") == "error"
    assert expected in dialog.message_label.text()
    assert accounts_file.read_bytes() == before
    assert keyring_backend.entries == {}
    assert _list_texts(dialog) == ["Existing (default)"]


def test_an_empty_form_lists_every_problem_at_once(qtbot: QtBot, store: AccountStore) -> None:
    dialog = _dialog(qtbot, store)
    _choose_kind(dialog, AccountKind.COMPATIBLE)
    _click(qtbot, dialog.save_button)
    text = dialog.message_label.text()
    for problem in ("name", "access key ID", "endpoint URL", "secret access key"):
        assert problem in text
    assert not store.path.exists()


def test_a_name_that_is_taken_is_refused(
    qtbot: QtBot, store: AccountStore, accounts_file: Path
) -> None:
    store.save(Account(name="Work", kind=AccountKind.PROFILE, profile="default"))
    before = accounts_file.read_bytes()
    dialog = _dialog(qtbot, store)
    _click(qtbot, dialog.add_button)
    _choose_kind(dialog, AccountKind.PROFILE)
    dialog.account_form.name_edit.setText("work")
    dialog.account_form.profile_box.setEditText("other")
    _click(qtbot, dialog.save_button)
    assert "exists already" in dialog.message_label.text()
    assert accounts_file.read_bytes() == before


def test_the_fields_shown_follow_the_kind(qtbot: QtBot, store: AccountStore) -> None:
    dialog = _dialog(qtbot, store)

    def shown() -> set[str]:
        names = (
            "name_edit", "key_id_edit", "secret_edit", "token_edit", "profile_box",
            "preset_box", "endpoint_edit", "region_edit", "path_style_box", "checksum_box",
            "bucket_box", "prefix_edit",
        )  # fmt: skip
        return {n for n in names if getattr(dialog.account_form, n).isVisibleTo(dialog)}

    always = {"name_edit", "region_edit", "bucket_box", "prefix_edit"}
    keys = {"key_id_edit", "secret_edit", "token_edit"}
    service = {"preset_box", "endpoint_edit", "path_style_box", "checksum_box"}
    _choose_kind(dialog, AccountKind.ACCESS_KEY)
    assert shown() == always | keys
    _choose_kind(dialog, AccountKind.PROFILE)
    assert shown() == always | {"profile_box"}
    assert dialog.account_form.profile_box.isEditable()
    _choose_kind(dialog, AccountKind.COMPATIBLE)
    assert shown() == always | keys | service
    assert [
        dialog.account_form.checksum_box.itemText(i)
        for i in range(dialog.account_form.checksum_box.count())
    ] == [
        "S3 checksums (CRC32)",
        "Compatibility (Content-MD5)",
    ]


def test_a_field_hidden_by_another_kind_is_not_saved(
    qtbot: QtBot, store: AccountStore, accounts_file: Path
) -> None:
    dialog = _dialog(qtbot, store)
    _choose_kind(dialog, AccountKind.COMPATIBLE)
    dialog.account_form.endpoint_edit.setText("not a url")
    _choose_kind(dialog, AccountKind.PROFILE)
    dialog.account_form.name_edit.setText("SSO")
    dialog.account_form.profile_box.setEditText("work-sso")
    _click(qtbot, dialog.save_button)
    [entry] = _read(accounts_file)["accounts"]
    assert entry["kind"] == "aws-profile"
    assert entry["profile"] == "work-sso"
    assert "endpoint_url" not in entry


def test_a_preset_fills_in_the_service_settings(qtbot: QtBot, store: AccountStore) -> None:
    dialog = _dialog(qtbot, store)
    _choose_kind(dialog, AccountKind.COMPATIBLE)
    b2 = next(p for p in PRESETS if p.name == "Backblaze B2")
    dialog.account_form.preset_box.setCurrentIndex(dialog.account_form.preset_box.findText(b2.name))
    dialog.account_form.preset_box.activated.emit(dialog.account_form.preset_box.currentIndex())
    assert dialog.account_form.endpoint_edit.text() == "https://s3.us-west-004.backblazeb2.com"
    assert dialog.account_form.region_edit.text() == "us-west-004"
    assert not dialog.account_form.path_style_box.isChecked()
    assert dialog.account_form.checksum_box.currentData() == checksums.MD5
    assert dialog.account_form.preset_hint.isVisibleTo(dialog)
    assert dialog.account_form.preset_hint.text() == b2.hint

    minio = next(p for p in PRESETS if p.name == "MinIO")
    dialog.account_form.preset_box.setCurrentIndex(
        dialog.account_form.preset_box.findText(minio.name)
    )
    dialog.account_form.preset_box.activated.emit(dialog.account_form.preset_box.currentIndex())
    assert dialog.account_form.endpoint_edit.text() == "http://localhost:9000"
    assert dialog.account_form.path_style_box.isChecked()
    assert dialog.account_form.checksum_box.currentData() == checksums.CRC32

    wasabi = next(p for p in PRESETS if p.name == "Wasabi")
    assert not wasabi.hint
    dialog.account_form.preset_box.setCurrentIndex(
        dialog.account_form.preset_box.findText(wasabi.name)
    )
    dialog.account_form.preset_box.activated.emit(dialog.account_form.preset_box.currentIndex())
    assert dialog.account_form.endpoint_edit.text() == "https://s3.us-east-1.wasabisys.com"
    assert not dialog.account_form.preset_hint.isVisibleTo(dialog)

    # R2's account id must be typed in: it is selected, and saving with it refused.
    r2 = next(p for p in PRESETS if p.name == "Cloudflare R2")
    dialog.account_form.preset_box.setCurrentIndex(dialog.account_form.preset_box.findText(r2.name))
    dialog.account_form.preset_box.activated.emit(dialog.account_form.preset_box.currentIndex())
    assert dialog.account_form.endpoint_edit.selectedText() == "{account_id}"
    assert dialog.account_form.region_edit.text() == "auto"
    dialog.account_form.name_edit.setText("R2")
    dialog.account_form.key_id_edit.setText("k")
    dialog.account_form.secret_edit.setText("s")
    _click(qtbot, dialog.save_button)
    assert "{account_id}" in dialog.message_label.text()
    assert not store.path.exists()


def _wait_for_verdict(qtbot: QtBot, dialog: AccountsDialog) -> str:
    qtbot.waitUntil(
        lambda: dialog.verdict_label.property("state") in ("ok", "error"),
        timeout=VERDICT_TIMEOUT_MS,
    )
    assert dialog.test_button.isEnabled()
    return dialog.verdict_label.text()


def test_testing_a_new_account_against_moto_shows_the_bucket(
    qtbot: QtBot,
    store: AccountStore,
    moto_endpoint: S3Endpoint,
    bucket: str,
    event_loop_qt: asyncio.AbstractEventLoop,
) -> None:
    dialog = _dialog(qtbot, store)
    _choose_kind(dialog, AccountKind.COMPATIBLE)
    dialog.account_form.endpoint_edit.setText(str(moto_endpoint.endpoint_url))
    dialog.account_form.region_edit.setText("us-east-1")
    dialog.account_form.key_id_edit.setText("AKIAMOTO")
    dialog.account_form.secret_edit.setText("testing")
    dialog.account_form.bucket_box.setEditText(bucket)
    _click(qtbot, dialog.test_button)
    # The check runs on a worker thread: the button waits, the dialog says so.
    assert not dialog.test_button.isEnabled()
    assert dialog.verdict_label.text() == "Testing…"

    text = _wait_for_verdict(qtbot, dialog)
    assert dialog.verdict_label.property("state") == "ok"
    assert bucket in text
    buckets = [
        dialog.account_form.bucket_box.itemText(i)
        for i in range(dialog.account_form.bucket_box.count())
    ]
    assert bucket in buckets
    assert dialog.account_form.bucket_box.currentText() == bucket
    assert not store.path.exists()  # testing saves nothing


def test_testing_a_saved_account_uses_its_stored_secret(
    qtbot: QtBot,
    store: AccountStore,
    rclone_server: Server,
    event_loop_qt: asyncio.AbstractEventLoop,
) -> None:
    endpoint = rclone_server.endpoint
    store.save(
        Account(
            name="rclone", kind=AccountKind.COMPATIBLE, endpoint_url=str(endpoint.endpoint_url),
            region="us-east-1", access_key_id=str(endpoint.access_key),
        ),
        secret_key=str(endpoint.secret_key),
    )  # fmt: skip
    dialog = _dialog(qtbot, store)
    assert dialog.account_form.secret_edit.text() == ""
    _click(qtbot, dialog.test_button)
    assert _wait_for_verdict(qtbot, dialog).startswith("Connected")
    assert dialog.verdict_label.property("state") == "ok"

    # A secret typed in is tried instead, before it is saved: here a wrong one.
    dialog.account_form.secret_edit.setText("not-the-secret")
    _click(qtbot, dialog.test_button)
    text = _wait_for_verdict(qtbot, dialog)
    assert dialog.verdict_label.property("state") == "error"
    assert "secret" in text


def test_a_keyring_that_cannot_keep_secrets_is_explained_and_nothing_written(
    qtbot: QtBot, accounts_file: Path
) -> None:
    store = _store(accounts_file, fail.Keyring())
    dialog = _dialog(qtbot, store)
    _choose_kind(dialog, AccountKind.ACCESS_KEY)
    dialog.account_form.name_edit.setText("Work")
    dialog.account_form.key_id_edit.setText("AKIA1")
    dialog.account_form.secret_edit.setText("secret")
    with qtbot.assertNotEmitted(dialog.accountsChanged):
        _click(qtbot, dialog.save_button)
    with pytest.raises(SecretStoreError) as refusal:
        SecretStore(backend=fail.Keyring()).check()
    text = dialog.message_label.text()
    assert str(refusal.value) in text
    assert "AWS profile still work" in text
    assert dialog.message_label.property("state") == "error"
    assert not accounts_file.exists()


def test_without_a_keyring_the_form_says_so_before_save(qtbot: QtBot, accounts_file: Path) -> None:
    dialog = _dialog(qtbot, _store(accounts_file, fail.Keyring()))
    _choose_kind(dialog, AccountKind.ACCESS_KEY)
    with pytest.raises(SecretStoreError) as refusal:
        SecretStore(backend=fail.Keyring()).check()
    assert dialog.keyring_label.isVisible()  # nothing typed, nothing saved yet
    assert str(refusal.value) in dialog.keyring_label.text()
    assert "AWS profile still work" in dialog.keyring_label.text()
    # A profile account needs no secret here: no note for it.
    _choose_kind(dialog, AccountKind.PROFILE)
    assert not dialog.keyring_label.isVisible()
    _choose_kind(dialog, AccountKind.COMPATIBLE)
    assert dialog.keyring_label.isVisible()


def test_with_a_keyring_the_form_has_no_keyring_note(qtbot: QtBot, store: AccountStore) -> None:
    dialog = _dialog(qtbot, store)
    _choose_kind(dialog, AccountKind.ACCESS_KEY)
    assert not dialog.keyring_label.isVisible()


@pytest.mark.parametrize(
    ("typed", "says", "never"),
    [
        ("htps//minio:9000", "did you mean https://minio:9000?", "https://htps"),
        ("htps//minio local:9000", "The host name 'minio local' contains a space", "https://htps"),
        ("https:/s3.example.com", "did you mean https://s3.example.com?", "https://https"),
        ("ftp://s3.example.com", "not 'ftp://'", "https://ftp"),
        ("http://minio local:9000", "'minio local' contains a space", "e.g."),
    ],
)
def test_a_mistyped_endpoint_gets_a_sensible_suggestion(
    qtbot: QtBot, store: AccountStore, typed: str, says: str, never: str
) -> None:
    dialog = _dialog(qtbot, store)
    _choose_kind(dialog, AccountKind.COMPATIBLE)
    form = dialog.account_form
    for field, value in {"name_edit": "MinIO", "endpoint_edit": typed, "key_id_edit": "k",
                         "secret_edit": "s"}.items():  # fmt: skip
        getattr(form, field).setText(value)
    assert not dialog.save()
    text = dialog.message_label.text()
    assert says in text and never not in text


def test_removing_asks_first_then_deletes_the_account_and_its_secret(
    qtbot: QtBot,
    store: AccountStore,
    accounts_file: Path,
    keyring_backend: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work = store.save(
        Account(name="Work", kind=AccountKind.ACCESS_KEY, access_key_id="A"), secret_key="s1"
    )
    home = store.save(
        Account(name="Home", kind=AccountKind.ACCESS_KEY, access_key_id="B"), secret_key="s2"
    )
    dialog = _dialog(qtbot, store)
    _select(dialog, "Work")
    asked = answer_questions(monkeypatch, yes=False)
    _click(qtbot, dialog.remove_button)
    assert "Work" in asked[0][1]
    assert [a.name for a in _store(accounts_file, keyring_backend).accounts()] == ["Work", "Home"]

    answer_questions(monkeypatch, yes=True)
    with qtbot.waitSignal(dialog.accountsChanged):
        _click(qtbot, dialog.remove_button)
    assert [a.name for a in _store(accounts_file, keyring_backend).accounts()] == ["Home"]
    assert list(keyring_backend.entries) == [("s3desk", f"{home.id}/secret_access_key")]
    assert work.id not in accounts_file.read_text(encoding="utf-8")
    assert _list_texts(dialog) == ["Home (default)"]


def test_set_as_default_moves_the_marker_and_writes_the_file(
    qtbot: QtBot, store: AccountStore, accounts_file: Path
) -> None:
    store.save(Account(name="Work", kind=AccountKind.PROFILE, profile="work"))
    home = store.save(Account(name="Home", kind=AccountKind.PROFILE, profile="home"))
    dialog = _dialog(qtbot, store)
    assert _list_texts(dialog) == ["Work (default)", "Home"]
    _select(dialog, "Home")
    assert dialog.account_form.name_edit.text() == "Home"
    with qtbot.waitSignal(dialog.accountsChanged):
        _click(qtbot, dialog.default_button)
    assert _list_texts(dialog) == ["Work", "Home (default)"]
    assert _read(accounts_file)["default"] == home.id
    assert dialog.account_form.name_edit.text() == "Home"  # still editing the same account


def test_the_main_window_opens_the_dialog(
    qtbot: QtBot, store: AccountStore, event_loop_qt: asyncio.AbstractEventLoop
) -> None:
    store.save(Account(name="Work", kind=AccountKind.PROFILE, profile="work"))
    window = MainWindow(None, account_store=store)
    qtbot.addWidget(window)
    window.show()
    window.commands.accounts_action.trigger()
    dialog = window.dialogs.accounts_dialog
    assert isinstance(dialog, AccountsDialog)
    qtbot.waitUntil(lambda: (handle := dialog.windowHandle()) is not None and handle.isExposed())
    assert _list_texts(dialog) == ["Work (default)"]
    # Triggered again, the same dialog comes to the front.
    window.commands.accounts_action.trigger()
    assert window.dialogs.accounts_dialog is dialog


def test_the_main_window_reports_an_unreadable_accounts_file(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "accounts.toml").write_text("this is [not toml", encoding="utf-8")
    monkeypatch.setenv("S3DESK_CONFIG_DIR", str(tmp_path))
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.commands.accounts_action.trigger()
    assert window.dialogs.accounts_dialog is None
    assert "not valid TOML" in window.statusBar().currentMessage()
