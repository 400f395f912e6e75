"""The account box: which storage the window uploads to, and switching between them.

Each account gets an engine of its own (its endpoint and credentials are the engine's), so
choosing another account replaces the window's engine. That happens only while nothing is
running: a running upload belongs to the account it started on. Unfinished uploads of an
account stay in the journal under its id and come back when the account is chosen again;
when something would be left behind (paused, waiting for a choice), the window asks first.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject

from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import AccountsFileError
from s3desk.core.config.secrets import SecretStoreError
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.ui.common.core_phrases import shown
from s3desk.ui.window.engine import Engine
from s3desk.ui.window.main_window import MainWindow

# Keys of the entries that are not accounts.
DEMO, ENVIRONMENT = "demo", "environment"

EngineFactory = Callable[[S3Endpoint, bool], Engine]  # (endpoint, resumable) -> engine


class StorageSwitcher(QObject):
    def __init__(
        self,
        window: MainWindow,
        store: AccountStore | None,
        make_engine: EngineFactory,
        *,
        current: str,
        fixed: dict[str, tuple[str, S3Endpoint | None, str]] | None = None,
        start_demo: Callable[[], S3Endpoint] | None = None,
    ) -> None:
        """``fixed``: entries that are not accounts, key -> (label, endpoint, bucket): the
        demo storage, or the AWS credentials of the environment. The demo's endpoint may be
        None until chosen: ``start_demo`` then starts it, off the UI thread."""
        super().__init__(window)
        self.window = window
        self.store = store
        self.make_engine = make_engine
        self.current = current
        self.fixed = dict(fixed or {})
        self.start_demo = start_demo
        self._retiring: list[threading.Thread] = []
        self._starting: asyncio.Future[None] | None = None
        window.accountChosen.connect(self.choose)
        window.renewed_endpoint = self.renewed_endpoint
        window.accountsChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Fill the account box again (after the Accounts dialog changed something)."""
        choices: list[tuple[str, str]] = []
        if self.store is not None:
            try:
                self.store.reload()
                choices = [(a.id, a.name) for a in self.store.accounts()]
            except AccountsFileError as exc:
                self.window.statusBar().showMessage(str(exc), 15000)
        choices += [(key, shown(label)) for key, (label, _, _) in self.fixed.items()]
        self.window.destination_box.set_account_choices(choices, self.current)

    def choose(self, key: str, *, asked: bool = False) -> bool:
        """Switch the window to the storage ``key``; False (and the box reverts) if not now.
        ``asked``: the user already agreed to leave what has not finished behind."""
        if key == self.current:
            return True
        transfers = self.window.transfers
        if transfers is not None and not transfers.is_idle():
            self._refuse(
                self.tr(
                    "Uploads or downloads are still running. Wait for them, or pause or "
                    "cancel them, before switching accounts."
                )
            )
            return False
        if not asked and self.window.unfinished_jobs():  # paused, or waiting for a choice
            box = self.window.destination_box
            leaving, chosen = box.account_name(self.current), box.account_name(key)
            if not self.window.confirm_switch(leaving, chosen):
                self.window.destination_box.show_account(self.current)
                return False
        if key == DEMO and self.fixed[DEMO][1] is None:
            # The box shows the account in use until the demo storage is up.
            self.window.destination_box.show_account(self.current)
            self.window.statusBar().showMessage(self.tr("Starting the local demo storage…"))
            if self._starting is None or self._starting.done():
                self._starting = asyncio.ensure_future(self._start_demo_then_choose())
            return False
        try:
            endpoint, bucket, prefix, resumable = self._target(key)
        except (AccountsFileError, SecretStoreError, KeyError, LookupError) as exc:
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            self._refuse(str(message))
            return False
        self._switch(key, endpoint, bucket, prefix, resumable)
        return True

    async def _start_demo_then_choose(self) -> None:
        assert self.start_demo is not None
        try:
            endpoint = await asyncio.get_running_loop().run_in_executor(None, self.start_demo)
        except Exception as exc:
            self._refuse(self.tr("The local demo storage did not start: {error}").format(error=exc))
            return
        label, _, bucket = self.fixed[DEMO]
        self.fixed[DEMO] = (label, endpoint, bucket)
        if self.choose(DEMO, asked=True):
            self.window.destination_box.show_account(DEMO)

    def _switch(
        self, key: str, endpoint: S3Endpoint, bucket: str, prefix: str, resumable: bool
    ) -> None:
        engine = self.window.engine
        new_engine = self.make_engine(endpoint, resumable)
        self.window.attach_engine(new_engine, bucket, prefix)
        self.current = key
        if resumable and new_engine.restore():  # this account's unfinished uploads
            assert self.window.bridge is not None
            self.window.bridge.wake()
        if engine is not None:
            self._retire(engine)
        self.window.statusBar().showMessage(
            self.tr("Uploading with {account}").format(account=shown(endpoint.label)), 5000
        )

    def renewed_endpoint(self) -> S3Endpoint | None:
        """The current account's endpoint with its secrets read again (they may have been
        replaced in the Accounts dialog); None when that is not an account or fails."""
        if self.current in self.fixed or self.store is None:
            return None
        try:
            self.store.reload()
            return self._target(self.current)[0]
        except (AccountsFileError, SecretStoreError, KeyError, LookupError):
            return None

    def _target(self, key: str) -> tuple[S3Endpoint, str, str, bool]:
        if key in self.fixed:
            _, endpoint, bucket = self.fixed[key]
            assert endpoint is not None
            return endpoint, bucket, "", key != DEMO
        if self.store is None:
            raise LookupError(key)
        account = self.store.find(key)
        if account is None:
            raise LookupError(self.tr("That account no longer exists."))
        return self.store.endpoint(account), account.bucket, account.prefix, True

    def _refuse(self, message: str) -> None:
        self.window.destination_box.show_account(self.current)
        self.window.statusBar().showMessage(message, 10000)

    def _retire(self, engine: Engine) -> None:
        """Shut the previous engine down without making the window wait for it; what it had
        paused stays in the journal."""
        cancel = engine.journal is None
        thread = threading.Thread(
            target=engine.shutdown, kwargs={"cancel": cancel, "timeout": 10},
            name="s3desk-retire-engine", daemon=True,
        )  # fmt: skip
        thread.start()
        self._retiring.append(thread)

    def wait_for_retired(self, timeout: float = 10) -> None:
        """At quit: let engines from earlier accounts finish shutting down."""
        for thread in self._retiring:
            thread.join(timeout)
