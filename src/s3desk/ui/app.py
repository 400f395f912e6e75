"""Start the desktop app: choose the storage, open the window, run Qt and asyncio together.

SIGTERM (a session ending, ``kill``, a service manager) quits as the window's close does,
without the question: uploads are interrupted and stay in the journal to go on next time,
the engine process is stopped, and the exit status is 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import Account, AccountsFileError
from s3desk.core.config.aws_setup import NO_STORAGE_HINT, aws_configured
from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.config.secrets import SecretStoreError
from s3desk.core.paths import journal_path
from s3desk.core.resources import resource_bytes
from s3desk.core.storage.demo import DEMO_BUCKET, DEMO_LABEL, DemoStorage, demo_available
from s3desk.core.storage.endpoint import S3Endpoint, custom_endpoint
from s3desk.core.transfer.engine_process import EngineProcess

if TYPE_CHECKING:
    from PySide6.QtCore import QLocale, QTranslator

    from s3desk.ui.window.engine import Engine
    from s3desk.ui.window.storage_switcher import EngineFactory, StorageSwitcher

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


def make_application(appearance: str = "system") -> Any:
    """The QApplication with s3desk's name, icon, style in ``appearance`` ("system",
    "light" or "dark") and the system's language (LANG, LC_ALL, ...), reused by tools and
    benchmarks."""
    from PySide6.QtCore import QLocale
    from PySide6.QtGui import QIcon, QPixmap
    from PySide6.QtWidgets import QApplication

    from s3desk.ui.common.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("s3desk")
    app.setApplicationDisplayName("s3desk")
    app.setDesktopFileName("s3desk")
    icon = QPixmap()
    icon.loadFromData(resource_bytes("s3desk.svg"))
    app.setWindowIcon(QIcon(icon))
    apply_theme(app, appearance)
    install_translators(app, QLocale.system())
    return app


def translations_folder() -> Path:
    """Where s3desk's compiled translations (s3desk_<language>.qm) are."""
    from importlib import resources

    return Path(str(resources.files("s3desk") / "resources" / "translations"))


def install_translators(app: Any, locale: QLocale, folder: Path | None = None) -> list[QTranslator]:
    """Install s3desk's translation for ``locale`` and Qt's own (standard buttons and
    dialogs) in the same language, replacing any this function installed before; returns
    those found.

    Qt's catalogue follows s3desk's: a window in English with German "Abbrechen" buttons
    reads worse than one all in English. QTranslator.load tries the locale's UI languages in
    turn (de_AT, then de). The translators are kept on ``app``: Qt does not own installed
    translators."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    for old in getattr(app, "s3desk_translators", []):
        app.removeTranslator(old)
    s3desk_folder = str(folder if folder is not None else translations_folder())
    installed: list[QTranslator] = []

    def load(name: str, where: str, language: QLocale) -> QTranslator | None:
        translator = QTranslator(app)
        if translator.load(language, name, "_", where):
            return translator
        translator.deleteLater()
        return None

    english = QLocale(QLocale.Language.English)
    # Without a catalogue for the language the window stays in English, with its plurals.
    own = load("s3desk", s3desk_folder, locale)
    if own is None:
        own = load("s3desk", s3desk_folder, english)
    if own is not None:
        language = QLocale(Path(own.filePath()).stem.removeprefix("s3desk_"))
        qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qt = load("qtbase", qt_folder, language)
        installed += [qt] if qt is not None else []
        if language.language() != english.language():
            # English plural forms ("1 file", "2 files") for the texts the language's
            # catalogue lacks; installed first, so the language's own come first.
            fallback = load("s3desk", s3desk_folder, english)
            installed += [fallback] if fallback is not None else []
        installed.append(own)
    for translator in installed:
        app.installTranslator(translator)
    app.s3desk_translators = installed
    if installed:
        log.info("translations for %s: %s", locale.name(), [t.filePath() for t in installed])
    return installed


@dataclass
class Storage:
    """Where the window starts uploading to, and what it says if that is nowhere."""

    endpoint: S3Endpoint | None = None
    demo: DemoStorage | None = None
    account: Account | None = None
    problem: str = ""
    store: AccountStore | None = None  # None when accounts.toml cannot be read
    welcome: bool = False  # a first start with nothing to upload with: the window greets


def choose_storage(
    demo: bool, endpoint_url: str | None, account_name: str | None = None
) -> Storage:
    """An explicit endpoint or account, else the default account, else nothing on a first
    start (the window's welcome offers the choice), else AWS if it is set up, else the demo
    storage if installed."""
    try:
        store: AccountStore | None = AccountStore()
    except AccountsFileError as exc:
        return Storage(problem=str(exc))
    assert store is not None
    if endpoint_url:
        return Storage(custom_endpoint(endpoint_url), store=store)
    if not demo:
        try:
            account = store.find(account_name) if account_name else store.default()
            if account_name and account is None:
                return Storage(problem=f"No account named '{account_name}'.", store=store)
            if account is not None:
                return Storage(store.endpoint(account), account=account, store=store)
        except (SecretStoreError, KeyError) as exc:
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            return Storage(problem=str(message), store=store)
        from s3desk.ui.window.welcome import welcome_needed

        if welcome_needed(store):  # the welcome offers the demo storage: it starts if chosen
            return Storage(store=store, welcome=True)
    if demo or (not aws_configured() and demo_available()):
        storage = DemoStorage()
        return Storage(storage.start(), storage, store=store)
    if aws_configured():
        return Storage(S3Endpoint(), store=store)
    return Storage(store=store)


def connect_accounts(
    window: Any, storage: Storage, engine_factory: EngineFactory
) -> StorageSwitcher:
    """The window's account box: the accounts, plus the storage the app started on when that
    is not an account (demo storage, the environment's AWS credentials, --endpoint-url)."""
    from s3desk.ui.window.storage_switcher import DEMO, ENVIRONMENT, StorageSwitcher

    fixed: dict[str, tuple[str, S3Endpoint | None, str]] = {}
    current = storage.account.id if storage.account else ""
    start_demo = None
    if storage.demo is not None:
        fixed[DEMO] = (DEMO_LABEL, storage.endpoint, DEMO_BUCKET)
        current = DEMO
    elif storage.account is None and storage.endpoint is not None:
        fixed[ENVIRONMENT] = (storage.endpoint.display, storage.endpoint, "")
        current = ENVIRONMENT
    elif demo_available():
        demo = DemoStorage()
        storage.demo = demo
        fixed[DEMO] = (DEMO_LABEL, None, DEMO_BUCKET)
        start_demo = demo.start
    return StorageSwitcher(
        window, storage.store, engine_factory, current=current, fixed=fixed,
        start_demo=start_demo,
    )  # fmt: skip


def make_engine(
    endpoint: S3Endpoint, resumable: bool, conflict: ConflictPolicy = ConflictPolicy.ASK
) -> EngineProcess:
    """The engine as the app runs it: in a process of its own, so that its threads cannot
    starve the UI thread; with a journal unless the storage forgets everything anyway (the
    demo storage); taken names are a question for the user (the CLI overwrites)."""
    journal = journal_path() if resumable else None
    return EngineProcess(endpoint, transfer_config(endpoint, conflict), journal)


def transfer_config(endpoint: S3Endpoint, conflict: ConflictPolicy) -> EngineConfig:
    """The engine's configuration from the settings (over the organisation's managed
    configuration) and the account's upload rules and options. Settings that cannot be read
    leave the defaults, with the reason in the log (the window shows the log's problems in
    its diagnostic info)."""
    from s3desk.core.config.settings_store import SettingsStore, account_engine_config

    try:
        store = SettingsStore()
        account = AccountStore().find(endpoint.account_id) if endpoint.account_id else None
        return account_engine_config(store, account)
    except Exception as exc:  # a broken settings file must not keep the app from starting
        logging.getLogger(__name__).warning("settings not applied: %s", exc)
        return EngineConfig(conflict=conflict)


def settings_appearance() -> str:
    """The appearance the settings choose, so the first window is drawn in it; "system"
    when the settings cannot be read (the window's own reading of them logs why)."""
    from s3desk.core.config.settings_store import SettingsStore

    try:
        return SettingsStore().effective().appearance.value
    except Exception:  # a broken settings file must not keep the app from starting
        return "system"


def run_gui(
    demo: bool = False,
    endpoint_url: str | None = None,
    bucket: str | None = None,
    account: str | None = None,
) -> int:
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2

    import qasync

    from s3desk.ui.window.main_window import MainWindow

    app = make_application(settings_appearance())
    storage = choose_storage(demo, endpoint_url, account)
    endpoint, demo_storage = storage.endpoint, storage.demo
    engine: Engine | None = (
        make_engine(endpoint, resumable=demo_storage is None) if endpoint else None
    )
    default_bucket = bucket or (DEMO_BUCKET if demo_storage else "")
    prefix = ""
    if storage.account is not None:
        default_bucket = default_bucket or storage.account.bucket
        prefix = storage.account.prefix
    hint = f"{storage.problem} {NO_STORAGE_HINT}" if storage.problem else NO_STORAGE_HINT
    window = MainWindow(
        engine, bucket=default_bucket, prefix=prefix, setup_hint=hint,
        account_store=storage.store,
    )  # fmt: skip
    switcher = connect_accounts(window, storage, make_engine)
    if storage.welcome:
        from s3desk.ui.window.welcome import offer_welcome

        offer_welcome(window, switcher)

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    stop_listening = quit_on_sigterm(app, window)
    window.show()
    window.start()
    if engine is not None and window.bridge is not None:
        engine.restore()  # uploads left from last time go on
        window.bridge.wake()
    try:
        with loop:
            loop.run_until_complete(closed.wait())
    finally:
        engine = window.engine  # the account may have changed since the start
        if engine is not None:
            # With a journal, unfinished uploads stay recorded and resume next time.
            engine.shutdown(cancel=engine.journal is None, timeout=10)
        switcher.wait_for_retired()
        if storage.demo is not None:
            storage.demo.stop()
        stop_listening()
    return 0


def quit_on_sigterm(app: Any, window: Any) -> Callable[[], None]:
    """On SIGTERM, close every window (the main one without its question) and quit. Returns
    what undoes this.

    Python runs a signal handler only when it next runs Python code, and Qt's event loop may
    wait in C for a long time: the signal's wakeup byte, written to a socket pair that a
    QSocketNotifier watches, wakes the loop, and the handler runs then."""
    from PySide6.QtCore import QSocketNotifier, QTimer
    from PySide6.QtWidgets import QApplication

    def close_all() -> None:
        window.quit_without_asking()
        QApplication.closeAllWindows()  # dialogs too: a modal one would hold the quit
        app.quit()

    def on_sigterm(_signum: int, _frame: Any) -> None:
        log.info("SIGTERM: quitting, unfinished uploads stay in the journal")
        QTimer.singleShot(0, close_all)

    wakeup, wakeup_write = socket.socketpair()
    for end in (wakeup, wakeup_write):
        end.setblocking(False)
    previous_fd = signal.set_wakeup_fd(wakeup_write.fileno())
    notifier = QSocketNotifier(wakeup.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda *_: _drain(wakeup))
    previous = signal.signal(signal.SIGTERM, on_sigterm)

    def undo() -> None:
        signal.signal(signal.SIGTERM, previous)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        notifier.deleteLater()
        wakeup.close()
        wakeup_write.close()

    return undo


def _drain(wakeup: socket.socket) -> None:
    """Read the signals' wakeup bytes (the handlers themselves run in Python's own time)."""
    with contextlib.suppress(OSError):
        while wakeup.recv(64):
            pass
