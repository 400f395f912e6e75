"""Every GUI test's waits default to the suite's generous limit, not pytest-qt's 5 seconds:
on a busy machine a test gets slower, it does not fail."""

from __future__ import annotations

import inspect

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from tests.gui.conftest import WAIT_MS, PatientQtBot

WAITS = ("waitUntil", "waitSignal", "waitSignals", "waitCallback", "waitExposed", "waitActive")


class _Emitter(QObject):
    fired = Signal()


def test_every_wait_defaults_to_the_suite_limit(qtbot: QtBot) -> None:
    assert isinstance(qtbot, PatientQtBot)
    for name in (*WAITS, "wait_until", "wait_signal", "wait_signals", "wait_callback"):
        default = inspect.signature(getattr(qtbot, name)).parameters["timeout"].default
        assert default == WAIT_MS, name
    emitter = _Emitter()
    with qtbot.waitSignal(emitter.fired) as blocker:
        emitter.fired.emit()
    assert blocker.timeout == WAIT_MS
    with qtbot.waitCallback() as callback:
        callback()
    assert callback.timeout == WAIT_MS
    with qtbot.waitSignal(emitter.fired, timeout=1234) as blocker:  # a test's own limit stands
        emitter.fired.emit()
    assert blocker.timeout == 1234
