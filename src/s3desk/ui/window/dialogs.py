"""The Settings and Accounts dialogs the window opens: made when first asked for; the
Accounts dialog is kept, and shows the accounts file as it is now when opened again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import AccountsFileError
from s3desk.core.config.secrets import SecretStoreError
from s3desk.ui.settings.accounts_dialog import AccountsDialog

if TYPE_CHECKING:
    from s3desk.ui.settings.settings_dialog import SettingsDialog


class WindowDialogs(QObject):
    # Accounts were added, changed or removed in the Accounts dialog.
    accountsChanged = Signal()
    # The settings were saved: they take effect at once.
    settingsSaved = Signal()
    # A dialog could not open: (why, milliseconds shown) for the status bar.
    statusMessage = Signal(str, int)

    def __init__(self, window: QWidget, account_store: AccountStore | None) -> None:
        super().__init__(window)
        self._window = window
        self._account_store = account_store  # read when the Accounts dialog first opens
        self.accounts_dialog: AccountsDialog | None = None
        self.settings_dialog: SettingsDialog | None = None

    def open_settings(self) -> SettingsDialog | None:
        """The preferences, with what the organisation locked greyed out."""
        from s3desk.core.config.managed import ManagedConfigError
        from s3desk.core.config.settings import SettingsFileError
        from s3desk.core.config.settings_store import SettingsStore
        from s3desk.ui.settings.settings_dialog import SettingsDialog

        try:
            store = SettingsStore()
        except (SettingsFileError, ManagedConfigError) as exc:
            self.statusMessage.emit(str(exc), 15000)
            return None
        dialog = SettingsDialog(store, self._window)
        dialog.saved.connect(self.settingsSaved)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def open_accounts(self) -> None:
        """Show the Accounts dialog; not modal, so the uploads stay in view."""
        try:
            if self._account_store is None:
                self._account_store = AccountStore()
            if self.accounts_dialog is None:
                self.accounts_dialog = AccountsDialog(self._account_store, self._window)
                self.accounts_dialog.accountsChanged.connect(self.accountsChanged)
            elif not self.accounts_dialog.isVisible():
                self._account_store.reload()  # the file may have changed (s3desk accounts)
                self.accounts_dialog.reload()
        except (AccountsFileError, SecretStoreError) as exc:
            self.statusMessage.emit(str(exc), 15000)
            return
        self.accounts_dialog.show()
        self.accounts_dialog.raise_()
        self.accounts_dialog.activateWindow()
