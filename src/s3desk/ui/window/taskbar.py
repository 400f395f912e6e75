"""Overall progress on the app's taskbar button or dock icon, where the platform has a way.

- Linux and the BSDs: the ``com.canonical.Unity.LauncherEntry`` D-Bus signal. Unity made it
  up and it outlived Unity: KDE Plasma's task manager, Dash to Dock / Ubuntu Dock and Plank
  listen to it. It names the app by its desktop file, so that must be the installed one.
- Windows: ``ITaskbarList3`` through ctypes.
- macOS: nothing (the dock badge needs AppKit).

``TaskbarProgress`` never raises into its caller: a back end that fails is switched off with
one log line, and the window title still shows the progress.
"""

from __future__ import annotations

import logging
import math
import sys
import zlib
from typing import Any, Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

# resources/s3desk.desktop, installed as /usr/share/applications/s3desk.desktop by
# packaging/linux/build-deb.sh; docks match the signal to the running app through it.
DESKTOP_FILE_ID = "s3desk.desktop"
APP_URI = f"application://{DESKTOP_FILE_ID}"
LAUNCHER_ENTRY_INTERFACE = "com.canonical.Unity.LauncherEntry"
# Any path will do (docks listen on all); libunity's form, keyed by the app, for familiarity.
LAUNCHER_ENTRY_PATH = f"/com/canonical/unity/launcherentry/{zlib.crc32(APP_URI.encode())}"


class _Backend(Protocol):
    name: str

    def show(self, percent: int, count: int) -> bool:
        """Show ``percent`` (0..100) and ``count``; False: not now, try again next time."""
        ...

    def clear(self) -> bool: ...


class _NoTaskbar:
    """Where there is no way (macOS: the dock badge needs AppKit), or the way failed."""

    name = "none"

    def show(self, percent: int, count: int) -> bool:
        return True

    def clear(self) -> bool:
        return True


class _LauncherEntry:
    """The Unity LauncherEntry signal on the session bus."""

    name = "unity-launcher-entry"

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def show(self, percent: int, count: int) -> bool:
        # The spec says int64 for "count", but PySide6 turns a small Python int into an int32
        # and offers no way to ask for int64. KDE and Dash to Dock take any integer; Plank and
        # elementary's dock read int64 only and see 0.
        return self._send(
            {
                "progress": percent / 100,
                "progress-visible": True,
                "count": count,
                "count-visible": count > 0,
            }
        )

    def clear(self) -> bool:
        return self._send(
            {"progress": 0.0, "progress-visible": False, "count": 0, "count-visible": False}
        )

    def _send(self, properties: dict[str, object]) -> bool:
        from PySide6.QtDBus import QDBusMessage

        message = QDBusMessage.createSignal(LAUNCHER_ENTRY_PATH, LAUNCHER_ENTRY_INTERFACE, "Update")
        message.setArguments([APP_URI, properties])
        if not self.connection.send(message):
            raise RuntimeError(self.connection.lastError().message() or "send failed")
        return True


def _launcher_entry(connection: Any | None) -> _Backend:
    try:
        from PySide6.QtDBus import QDBusConnection
    except ImportError:  # a build without QtDBus
        log.debug("taskbar progress off: no QtDBus")
        return _NoTaskbar()
    if connection is None:
        connection = QDBusConnection.sessionBus()
    if not connection.isConnected():
        log.debug(
            "taskbar progress off: no D-Bus session bus (%s)", connection.lastError().message()
        )
        return _NoTaskbar()
    return _LauncherEntry(connection)


class _WindowsTaskbar:
    """``ITaskbarList3`` of the Windows shell, called through its COM vtable."""

    name = "windows-taskbar"

    # ITaskbarList3 vtable: IUnknown 0-2 (QueryInterface, AddRef, Release), ITaskbarList
    # 3-7 (HrInit, AddTab, DeleteTab, ActivateTab, SetActiveAlt), ITaskbarList2 8
    # (MarkFullscreenWindow), then ITaskbarList3's own.
    _HR_INIT = 3
    _SET_PROGRESS_VALUE = 9
    _SET_PROGRESS_STATE = 10
    _TBPF_NOPROGRESS = 0
    _TBPF_NORMAL = 2
    _CLSID_TASKBAR_LIST = "{56FDF344-FD6D-11d0-958A-006097C9A090}"
    _IID_ITASKBAR_LIST3 = "{EA1AFB91-9E28-4B86-90E9-9E9F8A5EEFAF}"
    _CLSCTX_INPROC_SERVER = 1
    _RPC_E_CHANGED_MODE = -2147417850  # COM already set up otherwise on this thread: fine

    def __init__(self, window: QWidget) -> None:
        import ctypes
        import uuid

        self.window = window
        self._ctypes = ctypes
        ole32 = ctypes.windll.ole32  # type: ignore[attr-defined]
        # Qt has usually initialised COM on the GUI thread already (S_FALSE); never undone,
        # as the object lives as long as the app.
        hr = ole32.CoInitialize(None)
        if hr < 0 and hr != self._RPC_E_CHANGED_MODE:
            raise OSError(f"CoInitialize failed: {hr:#x}")

        def guid(text: str) -> Any:
            return (ctypes.c_byte * 16).from_buffer_copy(uuid.UUID(text).bytes_le)

        self._clsid = guid(self._CLSID_TASKBAR_LIST)
        self._iid = guid(self._IID_ITASKBAR_LIST3)
        self._object = ctypes.c_void_p()
        hr = ole32.CoCreateInstance(
            ctypes.byref(self._clsid), None, self._CLSCTX_INPROC_SERVER,
            ctypes.byref(self._iid), ctypes.byref(self._object),
        )  # fmt: skip
        if hr < 0 or not self._object:
            raise OSError(f"CoCreateInstance(TaskbarList) failed: {hr:#x}")
        self._call(self._HR_INIT, [])

    def _call(self, index: int, args: list[tuple[Any, Any]]) -> None:
        """Call method ``index`` of the vtable with (ctypes type, value) arguments."""
        ctypes = self._ctypes
        vtable = ctypes.cast(self._object, ctypes.POINTER(ctypes.POINTER(ctypes.c_void_p)))
        prototype = ctypes.WINFUNCTYPE(ctypes.c_long, ctypes.c_void_p, *(kind for kind, _ in args))
        method = prototype(vtable.contents[index])
        hr = method(self._object, *(value for _, value in args))
        if hr < 0:
            raise OSError(f"ITaskbarList3 method {index} failed: {hr:#x}")

    def _hwnd(self) -> Any:
        # Asked each time: Qt can recreate the native window.
        return self._ctypes.c_void_p(int(self.window.winId()))

    def show(self, percent: int, count: int) -> bool:
        # Before the taskbar button exists the calls fail: wait for the window. The count has
        # no place here (an overlay icon would be needed).
        if not self.window.isVisible():
            return False
        ctypes = self._ctypes
        hwnd = (ctypes.c_void_p, self._hwnd())
        self._call(self._SET_PROGRESS_STATE, [hwnd, (ctypes.c_int, self._TBPF_NORMAL)])
        self._call(
            self._SET_PROGRESS_VALUE,
            [hwnd, (ctypes.c_ulonglong, percent), (ctypes.c_ulonglong, 100)],
        )
        return True

    def clear(self) -> bool:
        if not self.window.isVisible():
            return False
        ctypes = self._ctypes
        self._call(
            self._SET_PROGRESS_STATE,
            [(ctypes.c_void_p, self._hwnd()), (ctypes.c_int, self._TBPF_NOPROGRESS)],
        )
        return True


class TaskbarProgress(QObject):
    """Overall progress (and the number of unfinished transfers) on the taskbar or dock.

    Call ``show`` as often as the totals change: only a change of the whole percentage, the
    count or the visibility goes out. ``connection`` (a QDBusConnection) is for tests; by
    default the session bus.
    """

    def __init__(self, window: QWidget, connection: Any | None = None) -> None:
        super().__init__(window)
        self._shown: tuple[int, int] | None = None  # (percent, count) last sent; None: hidden
        self._backend: _Backend = _NoTaskbar()
        self._failed = False
        try:
            self._backend = self._choose(window, connection)
        except Exception as exc:
            self._give_up(exc)

    @staticmethod
    def _choose(window: QWidget, connection: Any | None) -> _Backend:
        if sys.platform == "win32":
            return _WindowsTaskbar(window)
        if sys.platform == "darwin":
            return _NoTaskbar()
        return _launcher_entry(connection)

    @property
    def backend(self) -> str:
        """Which way progress is shown: "unity-launcher-entry", "windows-taskbar" or "none"."""
        return self._backend.name

    def show(self, fraction: float, count: int) -> None:
        """Show ``fraction`` (0..1) done, with ``count`` transfers unfinished."""
        try:
            fraction = min(max(fraction, 0.0), 1.0) if math.isfinite(fraction) else 0.0
            state = (round(fraction * 100), max(int(count), 0))
            if state != self._shown:
                self._apply(state)
        except Exception as exc:
            self._give_up(exc)

    def clear(self) -> None:
        """Nothing in progress: take the bar and the count off."""
        try:
            if self._shown is not None:
                self._apply(None)
        except Exception as exc:
            self._give_up(exc)

    def _apply(self, state: tuple[int, int] | None) -> None:
        sent = self._backend.show(*state) if state is not None else self._backend.clear()
        if sent:  # else: the platform is not ready; the next call tries again
            self._shown = state

    def _give_up(self, exc: Exception) -> None:
        if not self._failed:  # one line, not one per progress tick
            log.warning("taskbar progress off: %s", exc)
        self._failed = True
        self._backend = _NoTaskbar()
        self._shown = None
