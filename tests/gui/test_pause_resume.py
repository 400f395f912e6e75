"""Pausing, resuming and going on after a restart, as the window shows them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.core.transfer.upload.journal import Journal
from s3desk.ui.transfers.model import TransferModel
from s3desk.ui.window.main_window import MainWindow
from tests.gui.conftest import answer_boxes, drop_files
from tests.helpers import SendGate, multipart_uploads, read_object, wait_for

IDLE_TIMEOUT_MS = 60_000
PARTS = EngineConfig(concurrency=2, multipart_threshold=5 * MiB, part_size=5 * MiB)


def _status(window: MainWindow, row: int = 0) -> str:
    return str(window.model.index(row, TransferModel.STATUS).data())


def test_pause_and_resume_from_the_toolbar(
    qtbot: QtBot,
    window_for: Callable[[Any], MainWindow],
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
    tmp_path: Path,
) -> None:
    engine = UploadEngine(moto_endpoint, PARTS)
    window = window_for(engine)
    data = os.urandom(4 * 5 * MiB)
    (tmp_path / "film.mov").write_bytes(data)
    gate = SendGate(engine, "UploadPart", let_through=1)
    assert drop_files(window.queue.drop_hint, [tmp_path / "film.mov"])
    assert gate.reached.wait(30)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    window.queue.table.selectRow(0)
    window.commands.pause_action.trigger()
    assert _status(window) == "Paused"
    gate.remove()
    qtbot.waitUntil(engine.is_idle)
    assert window.model.job_at(0).state is JobState.PAUSED

    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
        window.commands.resume_action.trigger()
    assert _status(window) == "Done"
    assert read_object(s3, bucket, "film.mov") == data
    assert multipart_uploads(s3, bucket) == []


def test_uploads_left_from_last_time_appear_and_finish(
    qtbot: QtBot,
    window_for: Callable[[Any], MainWindow],
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    data = os.urandom(4 * 5 * MiB)
    (tmp_path / "film.mov").write_bytes(data)
    before = UploadEngine(moto_endpoint, PARTS, journal=journal)
    gate = SendGate(before, "UploadPart", let_through=2)
    before.submit_file(tmp_path / "film.mov", bucket, "film.mov")
    assert gate.reached.wait(30)
    wait_for(lambda: len(journal.unfinished(moto_endpoint.identity)[0].parts) == 2)
    before.shutdown(cancel=False, timeout=0)  # the app was killed here

    engine = UploadEngine(moto_endpoint, PARTS, journal=journal)
    window = window_for(engine)
    try:
        with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
            assert engine.restore() == 1
            window.bridge.wake()
        assert window.queue.currentWidget() is window.queue.table
        assert window.model.rowCount() == 1
        assert _status(window) == "Done"
        assert read_object(s3, bucket, "film.mov") == data
        assert multipart_uploads(s3, bucket) == []
    finally:
        gate.release.set()
        engine.shutdown()
        journal.close()


def test_rows_show_retries_and_the_expired_credentials_banner(
    qtbot: QtBot,
    window_for: Callable[[Any], MainWindow],
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
    tmp_path: Path,
) -> None:
    from dataclasses import replace

    from tests.faultproxy import FaultPlan, FaultProxy

    assert moto_endpoint.endpoint_url
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    with FaultProxy.for_url(moto_endpoint.endpoint_url, FaultPlan(slowdown=1.0)) as proxy:
        config = EngineConfig(concurrency=2, backoff_base=0.2, backoff_cap=0.4)
        engine = UploadEngine(replace(moto_endpoint, endpoint_url=proxy.url), config)
        window = window_for(engine)
        assert drop_files(window.queue.drop_hint, [tmp_path / "a.txt"])
        qtbot.waitUntil(lambda: _status(window).startswith("Retrying ("))
        assert "server asked to slow down" in _status(window)
        with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
            proxy.plan = FaultPlan()
        assert _status(window) == "Done"

        proxy.plan = FaultPlan(expired=1.0)
        assert drop_files(window.queue.table.viewport(), [tmp_path / "b.txt"])
        qtbot.waitUntil(lambda: not window.destination_box.problem_label.isHidden())
        assert "expired" in window.destination_box.problem_label.text()
        assert not window.destination_box.unblock_button.isHidden()
        proxy.plan = FaultPlan()
        with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
            window.destination_box.unblock_button.click()
        assert window.destination_box.problem_label.isHidden()
        assert _status(window, 1) == "Done"
        assert read_object(s3, bucket, "b.txt") == b"b"


def test_pause_cancel_and_retry_reach_the_engine_process(
    qtbot: QtBot,
    window_for: Callable[[Any], MainWindow],
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    """Commands to an engine in its own process show up in the rows a moment later."""
    from s3desk.ui.app import make_engine

    engine = make_engine(moto_endpoint, resumable=True)
    engine.set_bandwidth_limit(2 * MiB)  # slow enough to pause it half-way
    window = window_for(engine)
    data = os.urandom(24 * MiB)
    (tmp_path / "film.mov").write_bytes(data)
    assert drop_files(window.queue.drop_hint, [tmp_path / "film.mov"])
    qtbot.waitUntil(
        lambda: window.model.rowCount() == 1 and window.model.job_at(0).bytes_done > 0,
        timeout=IDLE_TIMEOUT_MS,
    )
    window.queue.table.selectRow(0)
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
        window.commands.pause_action.trigger()  # the engine goes quiet: snapshots stop
    assert _status(window) == "Paused"
    answer_boxes(monkeypatch, "Cancel and discard")  # if more than a little was sent
    window.commands.cancel_action.trigger()  # so this must start watching again by itself
    qtbot.waitUntil(lambda: _status(window) == "Cancelled", timeout=IDLE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: multipart_uploads(s3, bucket) == [], timeout=IDLE_TIMEOUT_MS)
    engine.set_bandwidth_limit(0)
    with qtbot.waitSignal(window.bridge.idle, timeout=IDLE_TIMEOUT_MS):
        window.commands.retry_action.trigger()
    assert _status(window) == "Done"
    assert read_object(s3, bucket, "film.mov") == data
    assert multipart_uploads(s3, bucket) == []
