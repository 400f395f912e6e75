"""GUI fixtures: the main window on a real engine and server, and real drag-and-drop events."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.ui.window.main_window import MainWindow
from tests.helpers import SendGate

# How long a GUI test waits for a condition or a signal unless it says otherwise: generous,
# as the rest of the suite is, so a busy machine makes a test slower, never failed.
WAIT_MS = 30_000


class PatientQtBot(QtBot):
    """pytest-qt's ``qtbot`` waiting ``WAIT_MS`` by default instead of its 5 seconds (its
    PEP 8 spellings, ``wait_until`` and so on, are bound to these in ``__init__``), whose
    key clicks let go of their modifiers."""

    @staticmethod
    def keyClick(
        widget: QWidget,
        key: Qt.Key | str,
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
        delay: int = -1,
    ) -> None:
        QTest.keyClick(widget, key, modifier, delay)
        if modifier != Qt.KeyboardModifier.NoModifier:
            _let_go_of_modifiers()

    @staticmethod
    def keySequence(widget: QWidget, key_sequence: QKeySequence) -> None:
        QTest.keySequence(widget, key_sequence)
        _let_go_of_modifiers()

    def waitUntil(self, callback: Callable[[], bool | None], *, timeout: int = WAIT_MS) -> None:
        super().waitUntil(callback, timeout=timeout)

    def waitSignal(self, signal: Any, *, timeout: int = WAIT_MS, **kwargs: Any) -> Any:
        return super().waitSignal(signal, timeout=timeout, **kwargs)

    def waitSignals(self, signals: Any, *, timeout: int = WAIT_MS, **kwargs: Any) -> Any:
        return super().waitSignals(signals, timeout=timeout, **kwargs)

    def waitCallback(self, *, timeout: int = WAIT_MS, **kwargs: Any) -> Any:
        return super().waitCallback(timeout=timeout, **kwargs)

    def waitExposed(self, widget: QWidget, *, timeout: int = WAIT_MS) -> Any:
        return super().waitExposed(widget, timeout=timeout)

    def waitActive(self, widget: QWidget, *, timeout: int = WAIT_MS) -> Any:
        return super().waitActive(widget, timeout=timeout)


def _let_go_of_modifiers() -> None:
    """QTest's click releases Ctrl (or Shift...) with an event that still carries it, and Qt
    takes the modifiers of the last key event as those held: until the next key or mouse
    event, Qt would believe Ctrl held, and ``selectRow`` on a row already selected would
    toggle it off, in this test or the next. A release carrying none lets go of them all."""
    if QGuiApplication.keyboardModifiers() != Qt.KeyboardModifier.NoModifier:
        QTest.keyRelease(QWidget(), Qt.Key.Key_Control)


@pytest.fixture(scope="session", autouse=True)
def named_as_the_app(qapp: QApplication) -> None:
    """The application named as ui/app.py names it, so window titles are tested as people
    see them (they end with it). Set here, not with pytest-qt's qt_qapp_name: the core's
    suite runs without pytest-qt, where that option would be unknown."""
    qapp.setApplicationName("s3desk")
    qapp.setApplicationDisplayName("s3desk")


@pytest.fixture
def qtbot(qapp: QApplication, request: pytest.FixtureRequest) -> QtBot:
    """Replaces pytest-qt's ``qtbot`` (which is only ``QtBot(request)``) for every GUI test."""
    return PatientQtBot(request)


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal question nobody answers would hang the suite: fail instead."""
    from PySide6.QtWidgets import QMessageBox

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"unexpected modal dialog: {args[1:3]}")

    def refuse_box(box: QMessageBox) -> int:
        raise AssertionError(f"unexpected modal dialog: {box.windowTitle()}: {box.text()}")

    monkeypatch.setattr(QMessageBox, "question", refuse)
    monkeypatch.setattr(QMessageBox, "exec", refuse_box)


@pytest.fixture(autouse=True)
def english(qapp: QApplication) -> Iterator[None]:
    """English, as the app installs it (with its plural forms: "1 file", "2 files"),
    whatever language the machine running the tests speaks."""
    from PySide6.QtCore import QLocale

    from s3desk.ui.app import install_translators

    installed = install_translators(qapp, QLocale(QLocale.Language.English))
    assert "s3desk_en.qm" in [t.filePath().rsplit("/", 1)[-1] for t in installed]
    yield
    for translator in getattr(qapp, "s3desk_translators", []):
        qapp.removeTranslator(translator)
    qapp.s3desk_translators = []  # type: ignore[attr-defined]


@pytest.fixture
def event_loop_qt(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """qasync's loop on top of the Qt loop pytest-qt already runs."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    # Plain threads for run_in_executor, shut down here: the loop itself is never closed
    # (pytest-qt owns the running Qt loop), so its own executor would outlive the test.
    executor = ThreadPoolExecutor(2, thread_name_prefix="test-executor")
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)
    executor.shutdown(wait=True)


@pytest.fixture
def engine(moto_endpoint: S3Endpoint) -> Iterator[UploadEngine]:
    engine = UploadEngine(
        moto_endpoint, EngineConfig(concurrency=4, multipart_threshold=5 * MiB, part_size=5 * MiB)
    )
    yield engine
    engine.shutdown(cancel=True)


@pytest.fixture
def engines() -> Iterator[list[UploadEngine]]:
    """The engines a test's windows made (see ``in_process``), shut down after it."""
    made: list[UploadEngine] = []
    yield made
    for engine in made:
        engine.shutdown(cancel=True, timeout=10)


def in_process(engines: list[UploadEngine]) -> Callable[[S3Endpoint, bool], UploadEngine]:
    """A window's engine maker that builds in-process engines and keeps them in ``engines``."""

    def make(endpoint: S3Endpoint, resumable: bool) -> UploadEngine:
        engine = UploadEngine(endpoint, EngineConfig(concurrency=2))
        engines.append(engine)
        return engine

    return make


def _closed_by_teardown(monkeypatch: pytest.MonkeyPatch) -> Callable[[MainWindow], None]:
    """For closing a window after its test: whatever was left unfinished, that close asks
    nothing (tests of the question answer it themselves)."""

    def before_close(window: MainWindow) -> None:
        monkeypatch.setattr(window, "confirm_quit", lambda: True)

    return before_close


@pytest.fixture
def window(
    qtbot: QtBot,
    engine: UploadEngine,
    bucket: str,
    event_loop_qt: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
) -> MainWindow:
    window = MainWindow(engine, bucket=bucket)
    qtbot.addWidget(window, before_close_func=_closed_by_teardown(monkeypatch))
    with qtbot.waitExposed(window):
        window.show()
    return window


@pytest.fixture
def window_for(
    qtbot: QtBot,
    bucket: str,
    event_loop_qt: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[Any], MainWindow]]:
    """Make a main window on a given engine (in-process or its own process); the engines are
    shut down after the test."""
    engines: list[Any] = []

    def make(engine: Any) -> MainWindow:
        engines.append(engine)
        window = MainWindow(engine, bucket=bucket)
        qtbot.addWidget(window, before_close_func=_closed_by_teardown(monkeypatch))
        return window

    yield make
    for engine in engines:
        engine.shutdown(cancel=True, timeout=10)


def drop_files(target: QWidget, paths: Iterable[Path]) -> bool:
    """Drag ``paths`` over ``target`` and drop them, as a file manager would.

    Returns whether the drop was accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = target.rect().center()
    enter = QDragEnterEvent(
        pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(
        QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()


def answer_boxes(monkeypatch: pytest.MonkeyPatch, button: str) -> list[dict[str, Any]]:
    """Answer every message box the window asks with (``exec``: not the static questions)
    by clicking the button labelled ``button``; returns what each box showed."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[dict[str, Any]] = []

    def exec_(box: QMessageBox) -> int:
        buttons = {b.text(): b for b in box.buttons()}
        shown.append({
            "title": box.windowTitle(), "text": box.text(), "more": box.informativeText(),
            "buttons": sorted(buttons),
        })  # fmt: skip
        buttons[button].click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return shown


def pause_half_way(qtbot: QtBot, window: MainWindow, engine: Any, folder: Path) -> None:
    """film.mov (20 MiB, sent in 5 MiB parts) paused after its first part: the engine is
    idle, the upload not finished."""
    (folder / "film.mov").write_bytes(os.urandom(20 * MiB))
    gate = SendGate(engine, "UploadPart", let_through=1)
    try:
        assert drop_files(window.queue.drop_hint, [folder / "film.mov"])
        qtbot.waitUntil(lambda: gate.reached.is_set() and window.model.rowCount() == 1,
                        timeout=60_000)  # fmt: skip
        window.queue.table.selectRow(0)
        window.commands.pause_action.trigger()
    finally:
        gate.remove()
    qtbot.waitUntil(engine.is_idle, timeout=60_000)
    assert window.bridge is not None
    window.bridge.refresh()
    assert window.model.job_at(0).state is JobState.PAUSED


def answer_questions(monkeypatch: pytest.MonkeyPatch, yes: bool) -> list[tuple[str, str]]:
    """Answer every question (``s3desk.ui.common.questions.confirm``) with the button that acts
    (``yes``) or the one that leaves everything as it is; returns each (title, text)."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[tuple[str, str]] = []

    def exec_(box: QMessageBox) -> int:
        asked.append((box.windowTitle(), box.text()))
        keep = box.escapeButton()
        chosen = [b for b in box.buttons() if (b is not keep) == yes]
        assert len(chosen) == 1, [b.text() for b in box.buttons()]
        chosen[0].click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked
