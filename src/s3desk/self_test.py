"""``s3desk --self-test``: does this installation work on this computer?

Meant for IT after deploying an installer (and for the package tests): it starts Qt, loads
the icon, style sheet and translations, the OS keyring's backend and boto3, builds an S3
client without touching the network, starts the transfer engine's process, and opens and
closes the main window. Each check prints one line; the exit status is 0 when all passed,
1 otherwise.

Without a display (and without ``QT_QPA_PLATFORM``) it uses Qt's offscreen platform and says
so: the window is then drawn in memory, which still proves that Qt and its plugins load.
Nothing is uploaded and no setting, account or secret is written.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from s3desk import __version__

OFFSCREEN_NOTE = (
    "no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the self-test uses Qt's "
    "offscreen platform: the window is drawn in memory"
)
# An address where nothing answers: the checks below must not need the network.
_OFFLINE_URL = "http://127.0.0.1:9"
_ENGINE_TIMEOUT = 60.0


class SelfTest:
    """Runs checks one by one; a failed check is reported and the next one still runs."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.passed = 0
        self.failed: list[str] = []

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def check(self, name: str, func: Callable[[], str]) -> bool:
        # The name goes out before the check runs: should Qt abort the process (a platform
        # plugin that cannot load), the output still shows what was being tried.
        print(f"  {name}: ", end="", file=self.out, flush=True)
        try:
            detail = func()
        except Exception as exc:
            self.failed.append(name)
            incomplete = " (this installation is incomplete: reinstall s3desk)"
            self.say(
                f"FAILED. {_one_line(exc)}{incomplete if isinstance(exc, ImportError) else ''}"
            )
            if os.environ.get("S3DESK_SELF_TEST_TRACEBACK"):
                self.say(traceback.format_exc())
            return False
        self.passed += 1
        self.say(f"ok. {detail}")
        return True


def run_self_test(out: TextIO | None = None) -> int:
    """Run every check, print what was checked; 0 if all passed, else 1."""
    test = SelfTest(out or sys.stdout)
    test.say(f"s3desk {__version__} self-test")
    test.check("program", _program)
    _packages(test)
    platform_note = _choose_qt_platform()
    app: dict[str, Any] = {}
    qt_ok = test.check("Qt", lambda: _qt(app, platform_note))
    if qt_ok:
        test.check("icon, style sheet and translations", lambda: _resources(app["app"]))
    test.check("keyring", _keyring)
    test.check("boto3", _boto3)
    test.check("transfer engine process", _engine_process)
    if qt_ok:
        test.check("main window", lambda: _main_window(app["app"]))
    _where_files_live(test)
    _managed_config(test)
    total = test.passed + len(test.failed)
    if test.failed:
        test.say(
            f"Self-test FAILED: {len(test.failed)} of {total} checks failed "
            f"({', '.join(test.failed)}). Set S3DESK_SELF_TEST_TRACEBACK=1 for details to "
            "send to support."
        )
        return 1
    test.say(f"Self-test passed: all {total} checks succeeded.")
    return 0


def _program() -> str:
    frozen = getattr(sys, "frozen", False)
    kind = "installed build" if frozen else "Python package"
    where = sys.executable if frozen else os.path.dirname(os.path.abspath(__file__))
    return (
        f"s3desk {__version__} ({kind}, {where}); Python {platform.python_version()} on "
        f"{platform.platform()}"
    )


def _packages(test: SelfTest) -> None:
    """The versions of what s3desk runs on, as "Copy diagnostic info" reports them."""
    from s3desk.core.diagnostics import package_versions

    versions = ", ".join(f"{name} {version}" for name, version in package_versions())
    test.say(f"  packages: {versions}")


def _choose_qt_platform() -> str:
    """Fall back to the offscreen platform where no window could open; a note saying so."""
    from s3desk.ui.app import display_problem

    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is not None and widgets.QApplication.instance() is not None:
        return ""  # Qt runs already (tests): on whatever platform it chose
    if display_problem() is None:
        return ""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return OFFSCREEN_NOTE


def _qt(app: dict[str, Any], platform_note: str) -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    from s3desk.ui.app import make_application

    app["app"] = make_application()
    detail = f"Qt {qVersion()} (PySide6 {pyside_version}), platform '{app['app'].platformName()}'"
    return f"{detail}; {platform_note}" if platform_note else detail


def _resources(app: Any) -> str:
    from PySide6.QtGui import QImageReader

    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    if "svg" not in formats:
        raise RuntimeError(
            f"Qt cannot read SVG images (its svg image-format plugin is missing); it reads "
            f"{', '.join(sorted(formats)) or 'nothing'}"
        )
    pixmap = app.windowIcon().pixmap(64)
    if pixmap.isNull():
        raise RuntimeError("the application icon (s3desk.svg) could not be loaded")
    style = app.styleSheet()
    if not style.strip():
        raise RuntimeError("the style sheet (style.qss) is empty or missing")
    catalogues = [Path(t.filePath()).name for t in getattr(app, "s3desk_translators", [])]
    if not any(name.startswith("s3desk_") for name in catalogues):
        raise RuntimeError("s3desk's translations (s3desk_en.qm and others) are missing")
    return (
        f"icon drawn at {pixmap.width()}x{pixmap.height()}, style sheet {len(style)} "
        f"characters, translations {', '.join(catalogues)}"
    )


def _keyring() -> str:
    """The OS keyring's backend module must load (frozen builds lose the entry points
    keyring finds backends through); a keyring service that is not running is only noted."""
    import keyring

    modules: list[str] = []
    if sys.platform == "win32":
        from keyring.backends import Windows

        if not Windows.WinVaultKeyring.viable:
            raise RuntimeError("the Windows Credential Manager backend cannot run here")
        modules.append("Windows Credential Manager")
    elif sys.platform == "darwin":
        from keyring.backends import macOS

        if not macOS.Keyring.viable:
            raise RuntimeError("the macOS Keychain backend cannot run here")
        modules.append("macOS Keychain")
    else:
        import jeepney
        import secretstorage
        from keyring.backends import SecretService, kwallet  # noqa: F401

        modules.append(
            f"Secret Service (secretstorage {secretstorage.__version__}, "
            f"jeepney {jeepney.__version__}), KWallet"
        )
    from s3desk.core.config.secrets import SecretStoreError, default_backend

    loaded = f"keyring {_version(keyring)}: {', '.join(modules)} backend loaded"
    try:
        backend = default_backend()
    except SecretStoreError as exc:
        return f"{loaded}; no password store answers here, so only profile accounts work: {exc}"
    return f"{loaded}; in use: {type(backend).__module__}.{type(backend).__name__}"


def _boto3() -> str:
    import boto3
    import botocore

    from s3desk.core.storage.endpoint import S3Endpoint, make_client

    endpoint = S3Endpoint(
        label="self-test", endpoint_url=_OFFLINE_URL, region="us-east-1",
        access_key="SELFTESTKEY", secret_key="self-test-secret", path_style=True,
    )  # fmt: skip
    client = make_client(endpoint, 1)
    url = client.generate_presigned_url(
        "get_object", Params={"Bucket": "self-test", "Key": "a.txt"}, ExpiresIn=60
    )
    if "X-Amz-Signature=" not in url:
        raise RuntimeError(f"the pre-signed URL has no signature: {url[:60]}...")
    # Amazon S3's own endpoints come from botocore's data files: a build without them fails here.
    aws = boto3.session.Session(
        aws_access_key_id="SELFTESTKEY", aws_secret_access_key="x", region_name="eu-west-1"
    ).client("s3")
    if "eu-west-1" not in aws.meta.endpoint_url:
        raise RuntimeError(f"unexpected Amazon S3 address {aws.meta.endpoint_url}")
    return (
        f"boto3 {boto3.__version__}, botocore {botocore.__version__}: S3 clients built "
        f"offline ({aws.meta.endpoint_url}), a request signed"
    )


def _engine_process() -> str:
    """Transfers run in a child process (spawned, not forked): start it, have it answer one
    command, stop it."""
    from s3desk.core.storage.endpoint import S3Endpoint
    from s3desk.core.transfer.engine_process import EngineProcess

    endpoint = S3Endpoint(
        label="self-test", endpoint_url=_OFFLINE_URL, region="us-east-1",
        access_key="SELFTESTKEY", secret_key="self-test-secret", path_style=True,
    )  # fmt: skip
    started = time.monotonic()
    engine = EngineProcess(endpoint, journal_path=None)
    try:
        engine.pause_all()
        deadline = started + _ENGINE_TIMEOUT
        while True:
            engine.drain()
            if engine.warning:
                raise RuntimeError(engine.warning)
            if engine.is_idle():
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"no answer from the engine in {_ENGINE_TIMEOUT:.0f} s")
            time.sleep(0.02)
        pid = engine.pid
    finally:
        engine.shutdown(cancel=True, timeout=5)
    return f"started (pid {pid}), answered in {time.monotonic() - started:.1f} s, stopped"


def _main_window(app: Any) -> str:
    from PySide6.QtCore import qInstallMessageHandler

    from s3desk.core.config.aws_setup import NO_STORAGE_HINT
    from s3desk.ui.window.main_window import MainWindow

    def quiet(kind: Any, context: Any, message: str) -> None:
        # The offscreen platform warns that it cannot size windows; nothing to act on.
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(quiet)
    window = MainWindow(None, setup_hint=NO_STORAGE_HINT)
    try:
        window.show()
        app.processEvents()
        if not window.isVisible():
            raise RuntimeError("the window did not show")
        size = window.size()
        title = window.windowTitle()
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
        qInstallMessageHandler(previous)
    return f"'{title}' opened ({size.width()}x{size.height()}) and closed"


def _where_files_live(test: SelfTest) -> None:
    from s3desk.core.logs import LOG_FILE
    from s3desk.core.paths import config_dir, data_dir, log_dir

    test.say(f"  settings: {config_dir()}")
    test.say(f"  data (upload journal, audit log): {data_dir()}")
    test.say(f"  log file: {log_dir() / LOG_FILE}")


def _managed_config(test: SelfTest) -> None:
    """The organisation's managed configuration, if there is one, must be usable: the app
    refuses to start on one it cannot read."""
    from s3desk.core.config.managed import ManagedConfig, managed_path  # missing: a broken build

    path = managed_path()
    if not path.exists():
        test.say(f"  managed configuration: none ({path})")
        return

    def load() -> str:
        config = ManagedConfig.load(path)
        locked = len(getattr(config, "locked", ()))
        accounts = len(getattr(config, "accounts", ()))
        return f"{path}: read, {locked} locked settings, {accounts} preset accounts"

    test.check("managed configuration", load)


def _version(module: Any) -> str:
    try:
        from importlib import metadata

        return metadata.version(module.__name__)
    except Exception:
        return str(getattr(module, "__version__", "?"))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if not isinstance(exc, RuntimeError) else text
