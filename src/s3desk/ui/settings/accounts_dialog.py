"""The Accounts dialog: add, edit, remove and test storage accounts, and pick the default.

The accounts are listed on the left; the one chosen is edited in the form on the right
(``account_form``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import Account, AccountsFileError, endpoint_for
from s3desk.core.config.aws_setup import aws_profiles
from s3desk.core.config.secrets import SecretStoreError
from s3desk.core.storage.connection_check import Verdict, check_connection
from s3desk.ui.common.core_phrases import shown
from s3desk.ui.common.questions import confirm
from s3desk.ui.settings.account_form import AccountForm


class AccountsDialog(QDialog):
    # After an account was saved or removed, or the default changed.
    accountsChanged = Signal()
    # When a connection test has ended: whether it worked, and what the dialog says.
    connectionTested = Signal(bool, str)

    def __init__(self, store: AccountStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._test_task: asyncio.Future[None] | None = None
        self._keyring_problem: str | None = None  # None: not asked yet; "": it works
        self.setObjectName("accountsDialog")
        self.setWindowTitle(self.tr("Accounts"))
        self.resize(860, 580)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 14, 14, 10)
        outer.setSpacing(10)
        panes = QHBoxLayout()
        panes.setSpacing(16)
        panes.addLayout(self._build_list(), 0)
        panes.addWidget(self._build_editor(), 1)
        outer.addLayout(panes, 1)
        line = QFrame()  # Close is for the whole dialog, not the account being edited
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        outer.addWidget(line)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        for standard in buttons.buttons():
            if isinstance(standard, QPushButton):  # a dialog button box makes push buttons
                standard.setAutoDefault(False)
        outer.addWidget(buttons)

        self.reload()

    # ------------------------------------------------------------------ construction

    def _build_list(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(6)
        self.account_list = QListWidget()
        self.account_list.setObjectName("accountList")
        self.account_list.setMinimumWidth(220)
        self.account_list.setAccessibleName(self.tr("Accounts"))
        self.account_list.currentItemChanged.connect(self._on_current_changed)
        column.addWidget(self.account_list, 1)

        row = QHBoxLayout()
        row.setSpacing(6)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setToolTip(self.tr("Add a new account"))
        self.add_button.clicked.connect(self.new_account)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setToolTip(self.tr("Remove the account and its stored secrets"))
        self.remove_button.clicked.connect(self.remove_selected)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        column.addLayout(row)
        self.default_button = QPushButton(self.tr("Set as default"))
        self.default_button.setToolTip(self.tr("Use this account when s3desk starts"))
        self.default_button.clicked.connect(self.make_selected_default)
        column.addWidget(self.default_button)
        for button in (self.add_button, self.remove_button, self.default_button):
            button.setAutoDefault(False)
        return column

    def _build_editor(self) -> QWidget:
        editor = QWidget()
        column = QVBoxLayout(editor)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        self.title_label = QLabel()
        self.title_label.setObjectName("accountTitle")
        column.addWidget(self.title_label)
        self.account_form = AccountForm(aws_profiles())
        self.account_form.kind_box.currentIndexChanged.connect(self._update_keyring_note)
        column.addWidget(self.account_form)

        # Said as soon as a kind that needs a secret is in the form, not first after Save.
        self.keyring_label = QLabel()
        self.keyring_label.setObjectName("keyringNote")
        self.keyring_label.setWordWrap(True)
        self.keyring_label.setProperty("state", "error")
        self.keyring_label.setVisible(False)
        column.addWidget(self.keyring_label)

        self.message_label = QLabel()
        self.message_label.setObjectName("accountMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setVisible(False)
        column.addWidget(self.message_label)
        column.addStretch(1)

        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("connectionVerdict")
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verdict_label.setVisible(False)
        column.addWidget(self.verdict_label)

        row = QHBoxLayout()
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test_connection)
        row.addWidget(self.test_button)
        row.addStretch(1)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        column.addLayout(row)
        return editor

    # ------------------------------------------------------------------ the list

    def reload(self, select_id: str | None = None) -> None:
        """Fill the list from the store; select ``select_id``, else the current or default
        account, else start a new one."""
        editing = self.account_form.editing
        current = select_id or (editing.id if editing else None)
        default = self.store.default()
        self.account_list.blockSignals(True)
        self.account_list.clear()
        chosen: QListWidgetItem | None = None
        for account in self.store.accounts():
            is_default = default is not None and account.id == default.id
            text = (
                self.tr("%1 (default)").replace("%1", account.name) if is_default else account.name
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, account.id)
            item.setToolTip(shown(account.kind.display_name))
            if is_default:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.account_list.addItem(item)
            if account.id == current or (chosen is None and current is None and is_default):
                chosen = item
        self.account_list.blockSignals(False)
        if chosen is not None:
            self.account_list.setCurrentItem(chosen)
            self._load(self.store.find(str(chosen.data(Qt.ItemDataRole.UserRole))))
        else:
            self.new_account()

    def _on_current_changed(self, item: QListWidgetItem | None, _: object = None) -> None:
        if item is not None:
            self._load(self.store.find(str(item.data(Qt.ItemDataRole.UserRole))))

    def selected_account(self) -> Account | None:
        item = self.account_list.currentItem()
        if item is None or not item.isSelected():
            return None
        return self.store.find(str(item.data(Qt.ItemDataRole.UserRole)))

    def new_account(self) -> None:
        self.account_list.blockSignals(True)
        self.account_list.clearSelection()
        self.account_list.setCurrentRow(-1)
        self.account_list.blockSignals(False)
        self._load(None)
        self.account_form.name_edit.setFocus()

    def remove_selected(self) -> None:
        account = self.selected_account()
        if account is None:
            return
        text = self.tr("Remove the account “%1” and its secrets from the keyring?").replace(
            "%1", account.name
        )
        text += "\n\n" + self.tr("Files already uploaded stay where they are.")
        if not confirm(
            self, self.tr("Remove account"), text, self.tr("Remove"), self.tr("Don't remove")
        ):
            return
        if not self._change(lambda: self.store.remove(account.id)):
            return
        self.account_form.editing = None
        self.reload()

    def make_selected_default(self) -> None:
        account = self.selected_account()
        if account is not None and self._change(lambda: self.store.set_default(account.id)):
            self.reload(account.id)

    def _change(self, action: Callable[[], object]) -> bool:
        """Run a change of the store; show why it failed, or announce it."""
        try:
            action()
        except (AccountsFileError, SecretStoreError, ValueError, KeyError) as exc:
            self._show_message(_error_text(exc))
            return False
        self.accountsChanged.emit()
        return True

    # ------------------------------------------------------------------ the form

    def _load(self, account: Account | None) -> None:
        """Show ``account`` in the form, or an empty form for a new account."""
        self._cancel_test()
        self.title_label.setText(
            f"<b>{_escape(account.name)}</b>" if account else self.tr("<b>New account</b>")
        )
        self.account_form.load(account)
        self._update_keyring_note()
        self._show_message("")
        self.verdict_label.setVisible(False)
        self.remove_button.setEnabled(account is not None)
        self.default_button.setEnabled(account is not None)

    def _update_keyring_note(self) -> None:
        """Say that secrets cannot be kept here while the form's kind needs one. The
        keyring is asked once, when such a kind is first shown."""
        if not self.account_form.kind().has_secret:
            self.keyring_label.setVisible(False)
            return
        if self._keyring_problem is None:
            try:
                self.store.secrets.check()
                self._keyring_problem = ""
            except SecretStoreError as exc:
                self._keyring_problem = _error_text(exc)
        self.keyring_label.setText(self._keyring_problem)
        self.keyring_label.setVisible(bool(self._keyring_problem))

    # ------------------------------------------------------------------ saving

    def save(self) -> bool:
        """Save the form; on any problem, say what it is and write nothing."""
        account = self.account_form.form_account()
        problems = self.account_form.problems(account)
        if problems:
            self._show_message("\n".join(f"• {p}" for p in problems))
            return False
        secret: str | None = None
        token: str | None = None
        if account.kind.has_secret:
            secret = self.account_form.secret_edit.text() or None  # None keeps the stored one
            # A session token belongs to its secret key: a new key without one drops the old.
            token = self.account_form.token_edit.text() or ("" if secret is not None else None)
        try:
            saved = self.store.save(account, secret_key=secret, session_token=token)
        except (AccountsFileError, SecretStoreError, ValueError) as exc:
            self._show_message(_error_text(exc))
            return False
        self.accountsChanged.emit()
        self.account_form.editing = saved
        self.reload(saved.id)
        self._show_message(self.tr("Saved “%1”.").replace("%1", saved.name), ok=True)
        return True

    def _show_message(self, text: str, *, ok: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setProperty("state", "ok" if ok else "error")
        _restyle(self.message_label)
        self.message_label.setVisible(bool(text))

    # ------------------------------------------------------------------ testing

    def test_connection(self) -> None:
        """Try the form's account against its service, off the UI thread."""
        if self._test_task is not None and not self._test_task.done():
            return
        form = self.account_form
        account = form.form_account()
        # A name is needed to save, not to test.
        probe = replace(account, name=account.name or self.tr("New account"))
        problems = form.problems(probe)
        if problems:
            self._show_verdict(False, "\n".join(f"• {p}" for p in problems))
            return
        # Busy at once, not when the coroutine first runs: a second click cannot slip in.
        self.test_button.setEnabled(False)
        self.verdict_label.setText(self.tr("Testing…"))
        self.verdict_label.setProperty("state", "busy")
        _restyle(self.verdict_label)
        self.verdict_label.setVisible(True)
        self._test_task = asyncio.ensure_future(
            self._run_test(probe, form.secret_edit.text(), form.token_edit.text())
        )

    async def _run_test(self, account: Account, secret: str, token: str) -> None:
        store = self.store

        def work() -> Verdict:  # on a worker thread: no widgets here
            try:
                if account.kind.has_secret and not secret:
                    endpoint = store.endpoint(account)  # the stored secret
                    if token:
                        endpoint = replace(endpoint, session_token=token)
                else:
                    endpoint = endpoint_for(account, secret or None, token or None)
            except (SecretStoreError, KeyError, ValueError) as exc:
                return Verdict(False, "failed", _error_text(exc))
            return check_connection(endpoint, account.bucket)

        try:
            verdict = await asyncio.get_running_loop().run_in_executor(None, work)
        except Exception as exc:  # a bug must not leave the button disabled for good
            message = self.tr("The connection test failed: {error}").format(error=exc)
            verdict = Verdict(False, "failed", message)
        # (When cancelled, the dialog may be gone: _cancel_test has reset the button.)
        self.test_button.setEnabled(True)
        if verdict.buckets:
            typed = self.account_form.bucket_box.currentText()
            self.account_form.bucket_box.clear()
            self.account_form.bucket_box.addItems(list(verdict.buckets))
            self.account_form.bucket_box.setEditText(typed)
        self._show_verdict(verdict.ok, verdict.message)

    def _show_verdict(self, ok: bool, text: str) -> None:
        self.verdict_label.setText(text)
        self.verdict_label.setProperty("state", "ok" if ok else "error")
        _restyle(self.verdict_label)
        self.verdict_label.setVisible(True)
        self.connectionTested.emit(ok, text)

    def _cancel_test(self) -> None:
        """Forget a running test (its thread finishes on its own; its verdict is dropped)."""
        if self._test_task is not None and not self._test_task.done():
            self._test_task.cancel()
        self._test_task = None
        self.test_button.setEnabled(True)

    def done(self, result: int) -> None:
        self._cancel_test()
        super().done(result)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    text = str(exc)
    if isinstance(exc, SecretStoreError) and exc.reason == "no-backend":
        text += "\n\n" + QCoreApplication.translate(
            "AccountsDialog",
            "Accounts that use an AWS profile still work: they need no secret stored here.",
        )
    return text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _restyle(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property it matches on changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
