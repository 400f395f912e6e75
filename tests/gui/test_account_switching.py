"""The account box: uploads go with the chosen account; and a whole sitting leaves no secret
in any file or log."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import Account, AccountKind
from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.config.secrets import SecretStore
from s3desk.core.storage.demo import DEMO_LABEL
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.core.transfer.upload.journal import Journal
from s3desk.ui.app import Storage, connect_accounts, make_engine
from s3desk.ui.window.main_window import MainWindow
from s3desk.ui.window.storage_switcher import DEMO, StorageSwitcher
from tests.conftest import Server
from tests.gui.conftest import answer_questions, drop_files, in_process, pause_half_way
from tests.helpers import SendGate, multipart_uploads, read_object
from tests.memory_keyring import MemoryKeyring

IDLE_MS = 60_000
PARTS = EngineConfig(concurrency=2, multipart_threshold=5 * MiB, part_size=5 * MiB)


@pytest.fixture
def store(tmp_path: Path) -> AccountStore:
    return AccountStore(tmp_path / "accounts.toml", SecretStore(backend=MemoryKeyring()))


def _choose(qtbot: QtBot, window: MainWindow, name: str) -> None:
    """Pick an entry in the account box as a user does (activated, not set in code)."""
    index = window.destination_box.account_box.findText(name)
    assert index >= 0, [
        window.destination_box.account_box.itemText(i)
        for i in range(window.destination_box.account_box.count())
    ]
    window.destination_box.account_box.setCurrentIndex(index)
    window.destination_box.account_box.activated.emit(index)


def _two_accounts(
    store: AccountStore, moto: S3Endpoint, rclone: Server, moto_bucket: str
) -> tuple[Account, Account]:
    assert moto.endpoint_url and rclone.endpoint.endpoint_url and rclone.endpoint.access_key
    first = store.save(
        Account(name="Team moto", kind=AccountKind.COMPATIBLE, access_key_id="testing",
                endpoint_url=moto.endpoint_url, region="us-east-1", bucket=moto_bucket),
        secret_key="testing",
    )  # fmt: skip
    target = f"{moto_bucket[:55]}-rc"  # rclone's server lives for the whole session
    rclone.client.create_bucket(Bucket=target)
    second = store.save(
        Account(name="Team rclone", kind=AccountKind.COMPATIBLE,
                access_key_id=rclone.endpoint.access_key,
                endpoint_url=rclone.endpoint.endpoint_url, region="us-east-1",
                bucket=target, prefix="inbox/"),
        secret_key=rclone.endpoint.secret_key,
    )  # fmt: skip
    return first, second


@pytest.fixture
def storages() -> Iterator[list[Storage]]:
    made: list[Storage] = []
    yield made
    for storage in made:
        if storage.demo is not None:
            storage.demo.stop()  # as the app does when it quits


def _window_on(
    qtbot: QtBot,
    store: AccountStore,
    account: Account,
    make: Callable[[S3Endpoint, bool], Any],
    storages: list[Storage],
) -> tuple[MainWindow, StorageSwitcher]:
    endpoint = store.endpoint(account)
    window = MainWindow(
        make(endpoint, True), bucket=account.bucket, prefix=account.prefix, account_store=store
    )
    qtbot.addWidget(window)
    storage = Storage(endpoint, account=account, store=store)
    storages.append(storage)
    switcher = connect_accounts(window, storage, make)
    window.show()
    return window, switcher


def test_uploads_go_with_the_account_chosen_in_the_box(
    qtbot: QtBot,
    store: AccountStore,
    engines: list[Any],
    storages: list[Storage],
    moto_endpoint: S3Endpoint,
    rclone_server: Server,
    s3: Any,
    bucket: str,
    tmp_path: Path,
    event_loop_qt: Any,
) -> None:
    first, _ = _two_accounts(store, moto_endpoint, rclone_server, bucket)
    window, _ = _window_on(qtbot, store, first, in_process(engines), storages)
    labels = [
        window.destination_box.account_box.itemText(i)
        for i in range(window.destination_box.account_box.count())
    ]
    assert labels[:2] == ["Team moto", "Team rclone"]
    assert window.destination_box.account_box.currentText() == "Team moto"

    (tmp_path / "a.txt").write_text("to moto")
    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_MS):
        assert drop_files(window.queue.drop_hint, [tmp_path / "a.txt"])
    assert read_object(s3, bucket, "a.txt") == b"to moto"

    _choose(qtbot, window, "Team rclone")
    assert window.engine is engines[-1] and len(engines) == 2
    assert window.destination().bucket == f"{bucket[:55]}-rc"
    assert window.destination().prefix == "inbox/"
    assert "Team rclone" in window.destination_box.storage_label.text()
    assert window.model.rowCount() == 0  # the rows of the other account are gone

    # rclone checks signatures: this only arrives with the second account's secret.
    (tmp_path / "b.txt").write_text("to rclone")
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_MS):
        assert drop_files(window.queue.drop_hint, [tmp_path / "b.txt"])
    assert read_object(rclone_server.client, f"{bucket[:55]}-rc", "inbox/b.txt") == b"to rclone"
    assert [window.model.job_at(0).state] == [JobState.DONE]


def test_switching_waits_until_nothing_is_running(
    qtbot: QtBot,
    store: AccountStore,
    engines: list[Any],
    storages: list[Storage],
    moto_endpoint: S3Endpoint,
    rclone_server: Server,
    bucket: str,
    tmp_path: Path,
    event_loop_qt: Any,
) -> None:
    first, _ = _two_accounts(store, moto_endpoint, rclone_server, bucket)
    window, switcher = _window_on(qtbot, store, first, in_process(engines), storages)
    engine = window.engine
    gate = SendGate(engine, "PutObject")
    (tmp_path / "a.txt").write_text("held")
    assert drop_files(window.queue.drop_hint, [tmp_path / "a.txt"])
    assert gate.reached.wait(30)

    _choose(qtbot, window, "Team rclone")
    assert window.engine is engine and len(engines) == 1
    assert window.destination_box.account_box.currentText() == "Team moto"
    assert "Uploads or downloads are still running" in window.statusBar().currentMessage()
    assert switcher.current == first.id

    assert window.bridge is not None
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_MS):
        gate.remove()
    _choose(qtbot, window, "Team rclone")
    assert window.destination_box.account_box.currentText() == "Team rclone"
    assert len(engines) == 2


def _parts_engines(engines: list[Any], journal: Path) -> Callable[[S3Endpoint, bool], Any]:
    """Engines as the app makes them: with a journal unless the storage forgets everything
    (the demo storage); big files in 5 MiB parts, so an upload can be paused half-way."""

    def make(endpoint: S3Endpoint, resumable: bool) -> UploadEngine:
        engine = UploadEngine(endpoint, PARTS, journal=Journal(journal) if resumable else None)
        engines.append(engine)
        return engine

    return make


def test_switching_away_from_the_demo_storage_with_a_paused_upload_asks(
    qtbot: QtBot,
    store: AccountStore,
    engines: list[Any],
    moto_endpoint: S3Endpoint,
    rclone_server: Server,
    s3: Any,
    bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    event_loop_qt: Any,
) -> None:
    """The demo storage keeps nothing: switching away loses a paused upload, so it asks."""
    _two_accounts(store, moto_endpoint, rclone_server, bucket)
    make = _parts_engines(engines, tmp_path / "journal.sqlite3")
    window = MainWindow(make(moto_endpoint, False), bucket=bucket, account_store=store)
    qtbot.addWidget(window)
    fixed = {DEMO: (DEMO_LABEL, moto_endpoint, bucket)}
    switcher = StorageSwitcher(window, store, make, current=DEMO, fixed=fixed)
    window.show()
    engine = window.engine
    pause_half_way(qtbot, window, engine, tmp_path)

    asked = answer_questions(monkeypatch, yes=False)
    _choose(qtbot, window, "Team rclone")
    assert asked == [(
        "Transfers have not finished",
        "1 upload has not finished: film.mov. The local demo storage keeps nothing unfinished "
        "when you switch away, so it will be lost.\n\nSwitch to Team rclone now?",
    )]  # fmt: skip
    assert window.engine is engine and switcher.current == DEMO
    assert window.destination_box.account_box.currentText() == "Local demo storage"
    assert window.model.job_at(0).state is JobState.PAUSED

    asked = answer_questions(monkeypatch, yes=True)
    _choose(qtbot, window, "Team rclone")
    assert len(asked) == 1
    assert window.destination_box.account_box.currentText() == "Team rclone" and len(engines) == 2
    switcher.wait_for_retired()
    assert multipart_uploads(s3, bucket) == []  # lost, as the question said


def test_switching_accounts_with_a_paused_upload_asks_and_it_comes_back_paused(
    qtbot: QtBot,
    store: AccountStore,
    engines: list[Any],
    storages: list[Storage],
    moto_endpoint: S3Endpoint,
    rclone_server: Server,
    bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    event_loop_qt: Any,
) -> None:
    first, _ = _two_accounts(store, moto_endpoint, rclone_server, bucket)
    make = _parts_engines(engines, tmp_path / "journal.sqlite3")
    window, switcher = _window_on(qtbot, store, first, make, storages)
    pause_half_way(qtbot, window, window.engine, tmp_path)

    asked = answer_questions(monkeypatch, yes=True)
    _choose(qtbot, window, "Team rclone")
    assert asked == [(
        "Transfers have not finished",
        "1 upload has not finished: film.mov. If you switch now, it goes on from where it "
        "stopped when you choose Team moto again. It is paused and stays paused until you "
        "resume it.\n\nSwitch to Team rclone now?",
    )]  # fmt: skip
    assert window.destination_box.account_box.currentText() == "Team rclone"
    assert window.model.rowCount() == 0

    switcher.wait_for_retired()
    _choose(qtbot, window, "Team moto")  # nothing unfinished here: no question
    assert len(asked) == 1
    assert window.bridge is not None
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=IDLE_MS)
    assert window.model.job_at(0).name == "film.mov"
    assert window.model.job_at(0).state is JobState.PAUSED


def test_the_demo_storage_starts_when_chosen(
    qtbot: QtBot,
    store: AccountStore,
    engines: list[Any],
    storages: list[Storage],
    moto_endpoint: S3Endpoint,
    rclone_server: Server,
    bucket: str,
    event_loop_qt: Any,
) -> None:
    first, _ = _two_accounts(store, moto_endpoint, rclone_server, bucket)
    window, switcher = _window_on(qtbot, store, first, in_process(engines), storages)
    _choose(qtbot, window, "Local demo storage")
    # It starts off the UI thread; meanwhile the box still shows the account in use.
    assert window.destination_box.account_box.currentText() == "Team moto"
    qtbot.waitUntil(lambda: switcher.current == DEMO, timeout=30_000)
    assert window.destination_box.account_box.currentText() == "Local demo storage"
    assert window.destination().bucket == "demo"
    assert window.endpoint is not None and window.endpoint.note
    assert window.engine is engines[-1] and len(engines) == 2


def test_a_whole_sitting_leaves_no_secret_behind(
    qtbot: QtBot,
    rclone_server: Server,
    rclone_bucket: str,
    tmp_path: Path,
    private_data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    event_loop_qt: Any,
) -> None:
    """Add an account in the dialog, upload with it in the app's own engine process, fail on
    purpose, quit; then search every file s3desk could have written, and its output."""
    from s3desk.core.logs import configure_logging

    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    caplog.set_level(logging.DEBUG)
    endpoint = rclone_server.endpoint
    assert endpoint.endpoint_url and endpoint.access_key and endpoint.secret_key
    secret, token = endpoint.secret_key, "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN"

    root = logging.getLogger()
    handlers_before = list(root.handlers)
    log_file = configure_logging()
    storage = Storage(store=AccountStore(secrets=SecretStore(backend=MemoryKeyring())))
    window = MainWindow(None, account_store=storage.store)
    qtbot.addWidget(window)
    switcher = connect_accounts(window, storage, make_engine)
    window.show()
    try:
        window.commands.accounts_action.trigger()
        dialog = window.dialogs.accounts_dialog
        assert dialog is not None
        dialog.account_form.kind_box.setCurrentIndex(
            dialog.account_form.kind_box.findData(AccountKind.COMPATIBLE)
        )
        qtbot.keyClicks(dialog.account_form.name_edit, "Sitting")
        dialog.account_form.endpoint_edit.setText(endpoint.endpoint_url)
        dialog.account_form.region_edit.setText("us-east-1")
        qtbot.keyClicks(dialog.account_form.key_id_edit, endpoint.access_key)
        qtbot.keyClicks(dialog.account_form.secret_edit, secret)
        qtbot.keyClicks(dialog.account_form.token_edit, token)
        dialog.account_form.bucket_box.setEditText(rclone_bucket)
        with qtbot.waitSignal(window.accountsChanged):
            dialog.save_button.click()
        dialog.close()

        _choose(qtbot, window, "Sitting")
        assert window.bridge is not None and window.engine is not None
        (tmp_path / "ok.txt").write_text("fine")
        with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_MS):
            assert drop_files(window.queue.drop_hint, [tmp_path / "ok.txt"])
        assert read_object(rclone_server.client, rclone_bucket, "ok.txt") == b"fine"

        window.destination_box.bucket_box.setEditText("no-such-bucket-here")
        with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_MS):
            assert drop_files(window.queue.drop_hint, [tmp_path / "ok.txt"])
        states = {window.model.job_at(r).state for r in range(window.model.rowCount())}
        assert states == {JobState.DONE, JobState.FAILED}

        assert window.close()
        window.engine.shutdown(cancel=False, timeout=10)
        switcher.wait_for_retired()
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers_before:
                root.removeHandler(handler)
                handler.close()
        if storage.demo is not None:
            storage.demo.stop()

    written = [
        p
        for folder in (Path(os.environ["S3DESK_CONFIG_DIR"]), private_data_dir, cache)
        for p in folder.rglob("*")
        if p.is_file()
    ]
    names = {p.name for p in written}
    # The scan must have something to scan: the accounts file, the journal, the log.
    assert {"accounts.toml", "journal.sqlite3", "s3desk.log"} <= names, names
    assert log_file is not None and log_file.stat().st_size > 0
    assert "failed" in log_file.read_text()  # the failure was logged, by the engine process
    output = capfd.readouterr()
    texts = [output.out, output.err, caplog.text]
    for needle in (secret, token):
        assert [p for p in written if needle.encode() in p.read_bytes()] == []
        assert not any(needle in text for text in texts)


def test_try_again_reads_the_accounts_renewed_secret(
    qtbot: QtBot,
    store: AccountStore,
    engines: list[Any],
    storages: list[Storage],
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
    tmp_path: Path,
    event_loop_qt: Any,
) -> None:
    from tests.faultproxy import FaultPlan, FaultProxy

    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url, FaultPlan(expired=1.0)) as proxy:
        account = store.save(
            Account(name="Temporary", kind=AccountKind.COMPATIBLE, access_key_id="testing",
                    endpoint_url=proxy.url, region="us-east-1", bucket=bucket),
            secret_key="old-secret", session_token="old-token",
        )  # fmt: skip
        window, _ = _window_on(qtbot, store, account, in_process(engines), storages)
        (tmp_path / "a.txt").write_text("after renewal")
        assert drop_files(window.queue.drop_hint, [tmp_path / "a.txt"])
        qtbot.waitUntil(window.destination_box.unblock_button.isVisible, timeout=IDLE_MS)
        assert "expired" in window.destination_box.problem_label.text()

        # The user pastes new temporary credentials in the Accounts dialog, then: Try again.
        store.save(account, secret_key="new-secret", session_token="new-token")
        proxy.plan = FaultPlan()
        assert window.bridge is not None
        with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_MS):
            window.destination_box.unblock_button.click()
    engine = window.engine
    assert isinstance(engine, UploadEngine)
    assert (engine.endpoint.secret_key, engine.endpoint.session_token) == (
        "new-secret", "new-token",
    )  # fmt: skip
    assert read_object(s3, bucket, "a.txt") == b"after renewal"
    assert not window.destination_box.unblock_button.isVisible()
