"""Progress on the taskbar button / dock icon: on Linux the Unity LauncherEntry signal, checked
on a private D-Bus bus as a dock would receive it."""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from configparser import ConfigParser
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import SLOT, QObject, Slot
from PySide6.QtDBus import QDBusConnection, QDBusMessage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from s3desk.ui.window import taskbar
from s3desk.ui.window.taskbar import TaskbarProgress
from tests.gui.conftest import WAIT_MS

ROOT = Path(__file__).resolve().parents[2]
_names = itertools.count()


@pytest.fixture
def bus_address() -> Iterator[str]:
    """A private session bus of our own, whatever the environment has."""
    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed (Debian package: dbus)")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--print-address", "--nofork"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()  # printed once it listens
    yield address
    daemon.terminate()
    daemon.wait(timeout=10)


@pytest.fixture
def connect(bus_address: str) -> Iterator[Any]:
    """Make connections to the private bus under unique names; closed after the test."""
    names: list[str] = []

    def make() -> QDBusConnection:
        name = f"s3desk-test-taskbar-{next(_names)}"
        names.append(name)
        connection = QDBusConnection.connectToBus(bus_address, name)
        assert connection.isConnected(), connection.lastError().message()
        return connection

    yield make
    for name in names:
        QDBusConnection.disconnectFromBus(name)


class Dock(QObject):
    """Listens for LauncherEntry updates, as KDE's task manager or Dash to Dock do."""

    def __init__(self, connection: QDBusConnection) -> None:
        super().__init__()
        self.updates: list[tuple[str, str, dict[str, Any]]] = []  # (path, app URI, properties)
        ok = connection.connect(
            "", "", taskbar.LAUNCHER_ENTRY_INTERFACE, "Update",
            self, SLOT("on_update(QString,QVariantMap,QDBusMessage)"),
        )  # fmt: skip
        assert ok, connection.lastError().message()
        # The match rule goes to the bus without a reply; a call on the same connection
        # returns only once the bus has handled it.
        ping = QDBusMessage.createMethodCall(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId"
        )
        reply = connection.call(ping)
        assert reply.type() == QDBusMessage.MessageType.ReplyMessage, reply.errorMessage()

    @Slot(str, "QVariantMap", QDBusMessage)
    def on_update(self, app_uri: str, properties: dict[str, Any], message: QDBusMessage) -> None:
        self.updates.append((message.path(), app_uri, dict(properties)))

    def properties(self) -> list[dict[str, Any]]:
        return [props for _, _, props in self.updates]


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    window = QWidget()
    qtbot.addWidget(window)
    return window


@pytest.fixture
def dock(connect: Any) -> Dock:
    return Dock(connect())


@pytest.fixture
def progress(window: QWidget, connect: Any) -> TaskbarProgress:
    progress = TaskbarProgress(window, connection=connect())
    assert progress.backend == "unity-launcher-entry"
    return progress


def test_progress_and_count_reach_the_dock(
    qtbot: QtBot, dock: Dock, progress: TaskbarProgress
) -> None:
    progress.show(0.4237, 3)

    qtbot.waitUntil(lambda: len(dock.updates) == 1, timeout=WAIT_MS)
    path, app_uri, properties = dock.updates[0]
    assert app_uri == "application://s3desk.desktop"
    assert path.startswith("/com/canonical/unity/launcherentry/")
    assert properties == {
        "progress": pytest.approx(0.42),
        "progress-visible": True,
        "count": 3,
        "count-visible": True,
    }


def test_only_changes_are_sent(qtbot: QtBot, dock: Dock, progress: TaskbarProgress) -> None:
    progress.show(0.50, 2)
    qtbot.waitUntil(lambda: len(dock.updates) == 1, timeout=WAIT_MS)
    # Every ~150 ms the same whole percentage and count: nothing new on the bus.
    for fraction in (0.501, 0.5, 0.504, 0.496):
        progress.show(fraction, 2)
    progress.show(0.51, 2)  # a new percentage
    progress.show(0.51, 1)  # a new count
    progress.show(0.51, 1)

    # Signals from one connection arrive in order: had the repeats gone out, they would be
    # among the first three.
    qtbot.waitUntil(lambda: len(dock.updates) >= 3, timeout=WAIT_MS)
    assert [(p["progress"], p["count"]) for p in dock.properties()] == [
        (pytest.approx(0.50), 2),
        (pytest.approx(0.51), 2),
        (pytest.approx(0.51), 1),
    ]


def test_clear_hides_the_bar_and_the_count(
    qtbot: QtBot, dock: Dock, progress: TaskbarProgress
) -> None:
    progress.clear()  # nothing shown yet: nothing to take off
    progress.show(1.0, 0)
    progress.clear()
    progress.clear()
    progress.show(1.0, 0)  # shown again after a clear, though the same value as before

    qtbot.waitUntil(lambda: len(dock.updates) >= 3, timeout=WAIT_MS)
    first, cleared, again = dock.properties()
    assert first["progress-visible"] is True
    assert first["count-visible"] is False  # no badge for zero
    assert cleared["progress-visible"] is False
    assert cleared["count-visible"] is False
    assert again["progress-visible"] is True


def test_odd_values_are_clamped(qtbot: QtBot, dock: Dock, progress: TaskbarProgress) -> None:
    progress.show(1.7, -2)
    progress.show(float("nan"), 1)

    qtbot.waitUntil(lambda: len(dock.updates) >= 2, timeout=WAIT_MS)
    assert [(p["progress"], p["count"]) for p in dock.properties()] == [(1.0, 0), (0.0, 1)]


def test_no_bus_no_error_no_noise(
    window: QWidget, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG, logger=taskbar.__name__)
    nowhere = QDBusConnection.connectToBus("unix:path=/nonexistent/bus", "s3desk-test-no-bus")
    try:
        progress = TaskbarProgress(window, connection=nowhere)
        for fraction in (0.1, 0.2, 0.3):
            progress.show(fraction, 1)
        progress.clear()
    finally:
        QDBusConnection.disconnectFromBus("s3desk-test-no-bus")

    assert progress.backend == "none"
    assert len(caplog.records) == 1
    assert caplog.records[0].levelno == logging.DEBUG
    assert capfd.readouterr().err == ""


# The app's own choice, made in a fresh process: Qt connects to the session bus once per
# process, so only there does the bus the environment names decide it.
_CHOOSE = """
from PySide6.QtDBus import QDBusConnection, QDBusMessage
from PySide6.QtWidgets import QApplication, QWidget
from s3desk.ui.window.taskbar import TaskbarProgress
from tests.gui.conftest import WAIT_MS

app = QApplication([])
progress = TaskbarProgress(QWidget())
progress.show(0.3, 1)
bus = QDBusConnection.sessionBus()
if bus.isConnected():  # a call returns once the bus has the signal sent before it
    bus.call(QDBusMessage.createMethodCall(
        "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId"))
print(progress.backend)
"""


def _backend_chosen_with(bus: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", _CHOOSE], capture_output=True, text=True, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "DBUS_SESSION_BUS_ADDRESS": bus},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no error, no noise
    return result.stdout.strip()


@pytest.mark.skipif(sys.platform in {"win32", "darwin"}, reason="the D-Bus back end's choice")
def test_without_a_session_bus_there_is_no_progress_and_no_error() -> None:
    assert _backend_chosen_with("unix:path=/nonexistent/bus") == "none"


@pytest.mark.skipif(sys.platform in {"win32", "darwin"}, reason="the D-Bus back end's choice")
def test_the_session_bus_carries_the_progress(qtbot: QtBot, bus_address: str, dock: Dock) -> None:
    assert _backend_chosen_with(bus_address) == "unity-launcher-entry"
    qtbot.waitUntil(lambda: len(dock.updates) == 1, timeout=WAIT_MS)
    assert dock.properties()[0]["progress"] == pytest.approx(0.3)


def test_a_failing_back_end_is_switched_off_with_one_line(
    window: QWidget, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        def isConnected(self) -> bool:
            return True

        def send(self, message: QDBusMessage) -> bool:
            raise RuntimeError("bus gone")

    progress = TaskbarProgress(window, connection=Broken())
    assert progress.backend == "unity-launcher-entry"
    with caplog.at_level(logging.DEBUG, logger=taskbar.__name__):
        for fraction in (0.1, 0.2, 0.3):
            progress.show(fraction, 1)
        progress.clear()

    assert progress.backend == "none"
    assert [r.getMessage() for r in caplog.records] == ["taskbar progress off: bus gone"]


def test_the_linux_back_end_is_chosen_here_and_windows_only_on_windows(
    window: QWidget, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sys.platform in {"win32", "darwin"}:
        pytest.skip("checks the choice made on Linux and the BSDs")
    assert TaskbarProgress(window, connection=connect()).backend == "unity-launcher-entry"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert TaskbarProgress(window).backend == "none"
    # The Windows back end, constructed where there is no ctypes.windll: off, not raising.
    monkeypatch.setattr(sys, "platform", "win32")
    progress = TaskbarProgress(window)
    progress.show(0.5, 1)
    assert progress.backend == "none"


def test_the_app_uri_names_the_installed_desktop_file() -> None:
    desktop = ROOT / "resources" / taskbar.DESKTOP_FILE_ID
    entry = ConfigParser(interpolation=None)
    entry.read(desktop, encoding="utf-8")
    assert entry["Desktop Entry"]["Type"] == "Application"
    build_deb = (ROOT / "packaging" / "linux" / "build-deb.sh").read_text()
    assert f"/usr/share/applications/{taskbar.DESKTOP_FILE_ID}" in build_deb


def test_the_main_window_shows_its_uploads_on_the_dock(
    qtbot: QtBot,
    dock: Dock,
    connect: Any,
    window_for: Any,
    moto_endpoint: Any,
    tmp_path: Path,
) -> None:
    from s3desk.core.config.engine_config import EngineConfig
    from s3desk.core.storage.parts import MiB
    from s3desk.core.transfer.upload.engine import UploadEngine
    from tests.gui.conftest import drop_files
    from tests.helpers import SendGate

    engine = UploadEngine(
        moto_endpoint, EngineConfig(concurrency=1, multipart_threshold=5 * MiB, part_size=5 * MiB)
    )
    main = window_for(engine)
    main.taskbar = TaskbarProgress(main, connection=connect())
    (tmp_path / "film.mov").write_bytes(b"\0" * (4 * 5 * MiB))
    gate = SendGate(engine, "UploadPart", let_through=2)
    try:
        assert drop_files(main.queue.drop_hint, [tmp_path / "film.mov"])
        assert gate.reached.wait(30)
        # Two of four parts are sent: the bar shows half, the badge one transfer.
        qtbot.waitUntil(
            lambda: any(
                p["progress-visible"] and p["progress"] == pytest.approx(0.5)
                for p in dock.properties()
            ),
            timeout=WAIT_MS,
        )
        assert main.windowTitle() == "50% — s3desk"
        assert dock.properties()[-1]["count"] == 1
    finally:
        gate.remove()
    qtbot.waitUntil(lambda: not dock.properties()[-1]["progress-visible"], timeout=30_000)
    assert main.windowTitle() == "s3desk"
