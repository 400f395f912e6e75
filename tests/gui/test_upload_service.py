"""An "Organisation upload service" account in the app: set up in the Accounts dialog with an
access token (kept in the keyring), and a window that uploads through the service without
AWS keys, with no bucket to choose or browse."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import AccountKind
from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.config.secrets import SecretStore
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.ui.settings.accounts_dialog import AccountsDialog
from s3desk.ui.window.main_window import MainWindow
from tests.broker import conftest as broker_fixtures
from tests.broker.conftest import Running
from tests.gui.conftest import drop_files
from tests.helpers import read_object
from tests.memory_keyring import MemoryKeyring

WAIT_MS = 30_000

# The service on moto's server, as its own tests run it.
moto_broker_client = broker_fixtures.moto_broker_client
start_broker = broker_fixtures.start_broker
broker = broker_fixtures.broker


def test_the_accounts_dialog_sets_up_a_service_account_with_a_token(
    qtbot: QtBot, broker: Running, tmp_path: Path, event_loop_qt: asyncio.AbstractEventLoop
) -> None:
    keyring = MemoryKeyring()
    store = AccountStore(path=tmp_path / "accounts.toml", secrets=SecretStore(backend=keyring))
    dialog = AccountsDialog(store)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    form = dialog.account_form
    form.kind_box.setCurrentIndex(form.kind_box.findData(AccountKind.UPLOAD_SERVICE))
    # Only what a service account needs is asked for, under its own names.
    assert form.form.labelForField(form.secret_edit).text() == "Access token"
    assert form.form.labelForField(form.endpoint_edit).text() == "Service address"
    for hidden in (form.key_id_edit, form.region_edit, form.bucket_box, form.token_edit):
        assert not form.form.isRowVisible(hidden)
    form.name_edit.setText("Company uploads")
    form.endpoint_edit.setText(broker.url)
    form.secret_edit.setText(broker.tokens["alice"])
    with qtbot.waitSignal(dialog.connectionTested, timeout=WAIT_MS) as tested:
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    ok, message = tested.args
    assert ok, message
    assert message.startswith("Connected as alice. Files go to s3://")
    with qtbot.waitSignal(dialog.accountsChanged):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    text = (tmp_path / "accounts.toml").read_text(encoding="utf-8")
    assert broker.tokens["alice"] not in text  # the token is in the keyring only
    (saved,) = tomllib.loads(text)["accounts"]
    assert (saved["kind"], saved["endpoint_url"]) == ("upload-service", broker.url)
    endpoint = store.endpoint(store.accounts()[0])
    token = broker.tokens["alice"]
    assert (endpoint.upload_service_url, endpoint.upload_service_token) == (broker.url, token)
    assert endpoint.access_key is None and endpoint.secret_key is None


def test_a_wrong_token_is_explained_by_the_connection_test(
    qtbot: QtBot, broker: Running, tmp_path: Path, event_loop_qt: asyncio.AbstractEventLoop
) -> None:
    store = AccountStore(
        path=tmp_path / "accounts.toml", secrets=SecretStore(backend=MemoryKeyring())
    )
    dialog = AccountsDialog(store)
    qtbot.addWidget(dialog)
    form = dialog.account_form
    form.kind_box.setCurrentIndex(form.kind_box.findData(AccountKind.UPLOAD_SERVICE))
    form.endpoint_edit.setText(broker.url)
    form.secret_edit.setText("s3db_not-a-token")
    with qtbot.waitSignal(dialog.connectionTested, timeout=WAIT_MS) as tested:
        dialog.test_connection()
    ok, message = tested.args
    assert not ok
    assert "access token is not valid" in message


def test_the_window_uploads_through_the_service_and_has_nothing_to_browse(
    qtbot: QtBot,
    broker: Running,
    s3: Any,
    bucket: str,
    tmp_path: Path,
    event_loop_qt: asyncio.AbstractEventLoop,
) -> None:
    from tests.broker.conftest import service_endpoint

    engine = UploadEngine(service_endpoint(broker, "alice"), EngineConfig(concurrency=2))
    window = MainWindow(engine)
    qtbot.addWidget(window)
    window.show()
    try:
        assert (
            not window.destination_box.bucket_box.isEnabled()
            and not window.destination_box.prefix_edit.isEnabled()
        )
        assert "upload service" in window.destination_box.destination_preview.text()
        (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7\n" + bytes(2000))
        (tmp_path / "tool.exe").write_bytes(b"MZ" + bytes(100))
        assert window.bridge is not None
        with qtbot.waitSignal(window.bridge.idle, timeout=WAIT_MS):
            assert drop_files(window, [tmp_path / "report.pdf", tmp_path / "tool.exe"])
        rows = {Path(v.source).name: v for v in window.model.views()}
        assert (rows["report.pdf"].state, rows["report.pdf"].key) == (
            JobState.DONE, "uploads/alice/report.pdf",
        )  # fmt: skip
        assert rows["tool.exe"].state is JobState.FAILED
        assert rows["tool.exe"].error.startswith("Files of type .exe are not allowed")
        assert read_object(s3, bucket, "uploads/alice/report.pdf").startswith(b"%PDF-1.7")
        window.tabs.setCurrentWidget(window.browser)
        assert "no bucket to browse" in window.browser.status_label.text()
    finally:
        engine.shutdown()
