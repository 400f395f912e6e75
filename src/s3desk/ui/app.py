"""Start the desktop app: choose the storage, open the window, run Qt and asyncio together."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from s3desk.core.demo import DEMO_BUCKET, DemoStorage, demo_available
from s3desk.core.engine import UploadEngine
from s3desk.core.resources import resource_bytes, resource_text
from s3desk.core.s3 import S3Endpoint, custom_endpoint
from s3desk.core.setup import NO_STORAGE_HINT, aws_configured

log = logging.getLogger(__name__)


def display_problem() -> str | None:
    """A sentence explaining why no window can open here, or None if one can."""
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM"):
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return (
                "s3desk needs a graphical desktop, and none was found (DISPLAY and "
                "WAYLAND_DISPLAY are unset). Start it from a desktop session, or use "
                "'s3desk upload' on the command line."
            )
    return None


def run_gui(demo: bool = False, endpoint_url: str | None = None, bucket: str | None = None) -> int:
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2

    import qasync
    from PySide6.QtGui import QIcon, QPixmap
    from PySide6.QtWidgets import QApplication

    from s3desk.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("s3desk")
    app.setApplicationDisplayName("s3desk")
    app.setDesktopFileName("s3desk")
    icon = QPixmap()
    icon.loadFromData(resource_bytes("s3desk.svg"))
    app.setWindowIcon(QIcon(icon))
    app.setStyleSheet(resource_text("style.qss"))

    demo_storage: DemoStorage | None = None
    endpoint: S3Endpoint | None = None
    default_bucket = bucket or ""
    if endpoint_url:
        endpoint = custom_endpoint(endpoint_url)
    elif demo or (not aws_configured() and demo_available()):
        demo_storage = DemoStorage()
        endpoint = demo_storage.start()
        default_bucket = default_bucket or DEMO_BUCKET
    elif aws_configured():
        endpoint = S3Endpoint()

    engine = UploadEngine(endpoint) if endpoint else None
    window = MainWindow(engine, bucket=default_bucket, setup_hint=NO_STORAGE_HINT)

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    window.show()
    window.start()
    try:
        with loop:
            loop.run_until_complete(closed.wait())
    finally:
        if engine is not None:
            engine.shutdown(cancel=True, timeout=10)
        if demo_storage is not None:
            demo_storage.stop()
    return 0
