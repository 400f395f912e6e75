"""The main views in light and dark, at 100 % and 200 %, for the README and for review:
``docs/screenshots/<view>-<light|dark>-<100|200>.png``.

Run under Xvfb (``make screenshots``). A view is one entry in ``VIEWS``: its name and a
coroutine that brings the window into the state to show and returns the widget to grab.
Each scheme and scale runs in a process of its own, since Qt reads ``QT_SCALE_FACTOR``
once, when the application starts; 200 % is Qt's own scaling, so text and icons are drawn
at twice the pixels, not enlarged afterwards.

The uploads go to the local demo storage, gone when the script ends; settings, accounts
(in a keyring in memory), the journal and the audit log are in a temporary folder, so the
user's own are never read or changed.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

# The in-memory keyring the tests use: this script runs from a checkout, like the tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import _make_files, _release, _settle, _until

SCHEMES = ("light", "dark")
SCALES = (100, 200)


@dataclass
class Scene:
    """What the views are shown from: the window on the demo storage, its engine, the
    files dropped and the folder settings and accounts live in."""

    window: Any
    engine: Any
    files: dict[str, Any]
    home: Path
    closers: list[Callable[[], None]]


@dataclass(frozen=True)
class View:
    name: str
    show: Callable[[Scene], Awaitable[Any]]  # the widget to grab


async def transfers(scene: Scene) -> Any:
    """A batch uploading: several rows part-way, the totals below."""
    window, files = scene.window, scene.files
    window.tabs.setCurrentIndex(0)
    window.destination_box.prefix_edit.setText("projects/apollo")
    window.add_paths(files["batch"])
    await _until(lambda: _part_way(window.model.views()))
    await _settle()
    return window


def _part_way(views: list[Any]) -> bool:
    """One row well under way and another started: the table as it looks mid-batch."""
    return any(0.2 < v.fraction < 0.8 for v in views) and sum(v.fraction > 0 for v in views) >= 2


async def browse(scene: Scene) -> Any:
    """The folder the batch went to, in the Browse tab."""
    window = scene.window
    await _until(scene.engine.is_idle)
    done: list[int] = []
    window.browser.listingDone.connect(done.append)
    window.tabs.setCurrentWidget(window.browser)
    await _until(lambda: bool(done))
    window.browser.open_location("demo", "projects/apollo/")
    await _until(lambda: len(done) >= 2)
    window.browser.table.selectRow(1)
    await _settle()
    return window


async def sidebar(scene: Scene) -> Any:
    """The places beside the tabs: the demo storage opened on its buckets, and the folder
    the batch went to kept as a favourite."""
    window = scene.window
    sidebar = window.sidebar
    window.browser.open_location("demo", "projects/apollo/")
    await _until(lambda: window.browser.prefix == "projects/apollo/")
    sidebar.add_browsed()
    listed: list[str] = []
    sidebar.bucketsListed.connect(listed.append)
    model = sidebar.model
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if "demo" in str(index.data()).lower():
            sidebar.tree.expand(index)
            await _until(lambda index=index: bool(listed) and model.rowCount(index) > 0)
            sidebar.tree.setCurrentIndex(index)
    await _settle()
    return window


async def history(scene: Scene) -> Any:
    """The log with its chart: bars on the days of the earlier entries and of today's."""
    window = scene.window
    window.tabs.setCurrentWidget(window.history)
    await _until(lambda: window.history.model.rowCount() > len(EARLIER_DAYS))
    await _settle()
    return window


async def welcome(scene: Scene) -> Any:
    """A first start: no account yet, the welcome above the destination."""
    from tests.memory_keyring import MemoryKeyring

    from s3desk.core.config.account_store import AccountStore
    from s3desk.core.config.secrets import SecretStore
    from s3desk.ui.app import Storage, connect_accounts
    from s3desk.ui.window.main_window import MainWindow
    from s3desk.ui.window.welcome import offer_welcome

    for closer in scene.closers:
        closer()
    scene.closers.clear()
    empty = scene.home / "first-start"
    empty.mkdir()
    store = AccountStore(empty / "accounts.toml", SecretStore(backend=MemoryKeyring()))
    window = MainWindow(None, account_store=store)

    def no_engine(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the screenshot chooses no storage")

    offer_welcome(window, connect_accounts(window, Storage(store=store, welcome=True), no_engine))
    window.show()
    scene.closers.append(lambda: _release(window))
    await _settle()
    return window


async def settings(scene: Scene) -> Any:
    dialog = scene.window.dialogs.open_settings()
    scene.closers.append(dialog.close)
    await _settle()
    return dialog


async def accounts(scene: Scene) -> Any:
    """Two accounts, one chosen."""
    from tests.memory_keyring import MemoryKeyring

    from s3desk.core.config.account_store import AccountStore
    from s3desk.core.config.accounts import Account, AccountKind
    from s3desk.core.config.secrets import SecretStore
    from s3desk.core.storage import checksums
    from s3desk.ui.settings.accounts_dialog import AccountsDialog

    for closer in scene.closers:
        closer()
    store = AccountStore(scene.home / "accounts.toml", SecretStore(backend=MemoryKeyring()))
    store.save(
        Account(
            name="AWS via SSO", kind=AccountKind.PROFILE, profile="work-sso", region="eu-west-1",
            bucket="team-uploads", prefix="incoming/",
        )
    )  # fmt: skip
    b2 = store.save(
        Account(
            name="Backblaze B2", kind=AccountKind.COMPATIBLE,
            endpoint_url="https://s3.eu-central-003.backblazeb2.com", region="eu-central-003",
            checksum_mode=checksums.MD5, access_key_id="003a1b2c3d4e5f60000000007",
            bucket="photo-archive",
        ),
        secret_key="K003-example-secret",
    )  # fmt: skip
    dialog = AccountsDialog(store, scene.window)
    dialog.show()
    scene.closers.append(dialog.close)
    for i in range(dialog.account_list.count()):
        if dialog.account_list.item(i).text().startswith(b2.name):
            dialog.account_list.setCurrentRow(i)
    await _settle()
    return dialog


# In the order they are taken: each starts from the state the one before left.
VIEWS: tuple[View, ...] = (
    View("transfers", transfers),
    View("browse", browse),
    View("sidebar", sidebar),
    View("history", history),
    View("settings", settings),
    View("accounts", accounts),
    View("welcome", welcome),
)

# Days before today with uploads and downloads in the audit log, so the History chart has
# bars on more than one day: (days ago, action, MiB).
EARLIER_DAYS = ((1, "upload", 900), (2, "download", 300), (4, "upload", 1200),
                (4, "download", 500), (6, "upload", 400), (9, "upload", 700))  # fmt: skip


def _write_earlier_days() -> None:
    """Entries on earlier days in the (temporary) audit log the window reads."""
    from s3desk.core.compliance.audit import AuditLog

    now = datetime.datetime.now(datetime.UTC)
    AuditLog().append_many(
        [
            (action, {
                "time": (now - datetime.timedelta(days=ago)).isoformat(timespec="milliseconds"),
                "account": "Local demo storage", "bucket": "demo",
                "key": f"archive/day-{ago}-{action}.bin", "size": mib * 2**20, "result": "ok",
            })
            for ago, action, mib in EARLIER_DAYS
        ]
    )  # fmt: skip


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    if len(sys.argv) > 3:
        return capture(out, sys.argv[2], int(sys.argv[3]))
    for scheme in SCHEMES:
        for scale in SCALES:
            env = {**os.environ, "QT_SCALE_FACTOR": str(scale / 100)}
            env.pop("QT_AUTO_SCREEN_SCALE_FACTOR", None)
            done = subprocess.run(
                [sys.executable, __file__, str(out), scheme, str(scale)], env=env, check=False
            )
            if done.returncode:
                return done.returncode
    return 0


def capture(out: Path, scheme: str, scale: int) -> int:
    """Every view in ``scheme`` at ``scale`` (this process's QT_SCALE_FACTOR)."""
    with TemporaryDirectory(prefix="s3desk-shots-") as tmp:
        home = Path(tmp)
        os.environ["S3DESK_CONFIG_DIR"] = str(home / "config")
        os.environ["S3DESK_DATA_DIR"] = str(home / "data")
        os.environ["S3DESK_MANAGED_CONFIG"] = str(home / "no-managed.toml")
        os.environ["AWS_CONFIG_FILE"] = str(home / "aws-config")
        (home / "aws-config").write_text("[profile work-sso]\n[default]\n", encoding="utf-8")
        (home / "config").mkdir()
        # The window applies the settings' appearance, as it does for a person.
        (home / "config" / "settings.toml").write_text(f'version = 2\nappearance = "{scheme}"\n')
        _capture(out, scheme, scale, home)
    return 0


def _capture(out: Path, scheme: str, scale: int, home: Path) -> None:
    import qasync

    from s3desk.core.compliance.audit import AuditLog
    from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
    from s3desk.core.storage.demo import DemoStorage
    from s3desk.core.transfer.upload.engine import UploadEngine
    from s3desk.ui.app import make_application
    from s3desk.ui.window.main_window import MainWindow

    app = make_application(scheme)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with DemoStorage() as endpoint:
        files = _make_files(home / "files")
        # Few workers, so several rows are visibly in progress at once.
        config = EngineConfig(concurrency=3, conflict=ConflictPolicy.ASK)
        engine = UploadEngine(endpoint, config, audit=AuditLog())
        _write_earlier_days()
        window = MainWindow(engine, bucket="demo")
        window.destination_box.set_account_choices(
            [("team", "Team archive (B2)"), ("sso", "AWS via SSO"), ("demo", "Local demo storage")],
            "demo",
        )
        window.show()
        window.start()
        scene = Scene(window, engine, files, home, [])

        async def run() -> None:
            await _settle()
            for view in VIEWS:
                widget = await view.show(scene)
                await _settle()
                path = out / f"{view.name}-{scheme}-{scale}.png"
                widget.grab().save(str(path))
                print(f"saved {path}")
            for closer in scene.closers:
                closer()

        try:
            with loop:  # closing the loop also stops its executor threads
                loop.run_until_complete(run())
        finally:
            engine.shutdown(cancel=True)
            _release(window)


if __name__ == "__main__":
    raise SystemExit(main())
