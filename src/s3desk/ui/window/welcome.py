"""The welcome on a first start: nothing to upload with yet (no account, no AWS credentials,
nothing the organisation preset). A panel above the destination, not a dialog: the window
stays usable around it. It offers adding an account or trying the local demo storage, and
says where files go. Once one of those is chosen (the ``welcome_done`` setting), or an
account exists, it is not shown again; "Not now" only puts it away until the next start.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.aws_setup import aws_configured
from s3desk.ui.window.main_window import MainWindow
from s3desk.ui.window.storage_switcher import DEMO, StorageSwitcher

log = logging.getLogger(__name__)


def welcome_needed(store: AccountStore | None) -> bool:
    """A first start: no account (the organisation's included), no endpoint the organisation
    offers nor a lock on adding accounts, no AWS credentials in the environment or profiles,
    and the welcome never answered. Unreadable settings count as answered: better no
    welcome than one on every start."""
    from s3desk.core.config.settings_store import SettingsStore

    if store is None or store.accounts() or aws_configured():
        return False
    if store.managed.endpoints or store.managed.accounts_locked:
        return False  # the organisation says where files go, or lets nobody add accounts
    try:
        return not SettingsStore().effective().welcome_done
    except Exception as exc:  # a broken settings file: the window says so elsewhere
        log.warning("settings not read for the welcome: %s", exc)
        return False


def remember_welcome_answered() -> None:
    """Not shown again: the user chose how to start."""
    from s3desk.core.config.settings_store import SettingsStore

    try:
        store = SettingsStore()
        store.set("welcome_done", True)
        store.save()
    except Exception as exc:  # locked or unwritable: it shows again next time, no harm
        log.warning("the welcome's answer was not saved: %s", exc)


class WelcomePanel(QFrame):
    addAccountChosen = Signal()
    demoChosen = Signal()
    # The panel was put away (Not now, Esc, or one of its offers taken).
    closed = Signal()

    def __init__(self, demo_offered: bool) -> None:
        super().__init__()
        self.setObjectName("welcome")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.heading = QLabel(self.tr("<b>Welcome to s3desk</b>"))
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.heading)
        where = self.tr(
            "Files you add go to the bucket and folder shown below, in the storage of the "
            "account chosen there."
        )
        if demo_offered:
            start = self.tr(
                "To start, add the account you upload with, or try s3desk on the local demo "
                "storage: it keeps files in memory on this computer until s3desk quits."
            )
        else:
            start = self.tr("To start, add the account you upload with.")
        self.text = QLabel(f"{start} {where}")
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        self.setAccessibleName(self.tr("Welcome"))
        # What the window says while there is no storage: the demo storage is in the account
        # box, not yet started, so there is nothing to install for it.
        self.setup_hint = (
            self.tr("Add an account (Accounts…), or choose Local demo storage under Upload "
                    "with to try s3desk.")
            if demo_offered else ""
        )  # fmt: skip
        self.setAccessibleDescription(self.text.text())

        buttons = QHBoxLayout()
        self.add_button = self._button(self.tr("Add an account…"), buttons)
        self.add_button.setToolTip(self.tr("Open Accounts to add the storage you upload to"))
        self.add_button.clicked.connect(self.addAccountChosen)
        self.demo_button = self._button(self.tr("Try the local demo storage"), buttons)
        self.demo_button.setToolTip(
            self.tr("Upload to a storage on this computer that is cleared when s3desk quits")
        )
        self.demo_button.clicked.connect(self.demoChosen)
        self.demo_button.setVisible(demo_offered)
        buttons.addStretch(1)
        self.close_button = self._button(self.tr("Not now"), buttons)
        self.close_button.setToolTip(self.tr("Put this away (Esc)"))
        self.close_button.clicked.connect(self.put_away)
        layout.addLayout(buttons)
        # Enter takes the first offer; Esc puts the panel away, while the focus is in it.
        self.add_button.setDefault(True)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.put_away)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def put_away(self) -> None:
        self.hide()
        self.closed.emit()

    @staticmethod
    def _button(text: str, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text)
        button.setAutoDefault(True)  # Enter presses the one with the focus (not a dialog)
        button.setAccessibleName(text.rstrip("…"))
        row.addWidget(button)
        return button


def offer_welcome(window: MainWindow, switcher: StorageSwitcher) -> WelcomePanel:
    """Show the welcome above the window's destination, with the focus on its first offer.
    "Add an account" opens Accounts, and the window starts using the first account saved
    there; "Try the local demo storage" starts it and switches to it."""
    panel = WelcomePanel(demo_offered=DEMO in switcher.fixed)
    box = window.destination_box
    parent = box.parentWidget()
    layout = parent.layout() if parent is not None else None
    assert isinstance(layout, QBoxLayout)  # the destination sits in the central column
    layout.insertWidget(layout.indexOf(box), panel)
    if panel.setup_hint:
        box.set_setup_hint(panel.setup_hint)
        box.show_storage(window.endpoint)

    def add_account() -> None:
        remember_welcome_answered()
        panel.put_away()
        window.dialogs.open_accounts()

    def try_demo() -> None:
        remember_welcome_answered()
        panel.put_away()
        switcher.choose(DEMO)

    def use_first_account() -> None:
        """The account just added, while the window has nothing to upload with."""
        store = switcher.store
        account = store.default() if store is not None else None
        if account is None:
            return
        panel.put_away()
        if window.engine is None and switcher.choose(account.id):
            box.show_account(account.id)

    def warn_again() -> None:
        """Put away: without storage, what to set up is said as a warning again."""
        box.set_first_start(False)

    panel.closed.connect(warn_again)
    box.set_first_start(True)
    panel.addAccountChosen.connect(add_account)
    panel.demoChosen.connect(try_demo)
    window.accountsChanged.connect(use_first_account)
    panel.show()
    panel.add_button.setFocus()
    return panel
