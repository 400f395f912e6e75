"""The Accounts dialog: add, edit, remove and test storage accounts, and pick the default."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from s3desk.core import checksums
from s3desk.core.account_store import AccountStore
from s3desk.core.accounts import PRESETS, Account, AccountKind, AccountsFileError, endpoint_for
from s3desk.core.connection_check import Verdict, check_connection
from s3desk.core.secrets import SecretStoreError
from s3desk.ui.common.core_phrases import shown
from s3desk.ui.common.questions import confirm

# Marked for the catalogue here, translated where shown.
_CHECKSUM_TITLES = (
    (checksums.CRC32, QT_TRANSLATE_NOOP("AccountsDialog", "S3 checksums (CRC32)")),
    (checksums.MD5, QT_TRANSLATE_NOOP("AccountsDialog", "Compatibility (Content-MD5)")),
)
_KEEP_SECRET = QT_TRANSLATE_NOOP("AccountsDialog", "Stored in the keyring — leave empty to keep")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")  # a preset's {account_id} the user must replace

# Which kinds show which form field; the other fields keep what the file has (same kind) or
# their defaults (kind changed), so a hidden field never fails validation unseen.
_ALL = frozenset(AccountKind)
_WITH_SECRET = frozenset(k for k in AccountKind if k.has_secret)
_WITH_KEY_ID = frozenset(k for k in AccountKind if k.has_key_id)
_COMPATIBLE = frozenset({AccountKind.COMPATIBLE})
_WITH_URL = frozenset({AccountKind.COMPATIBLE, AccountKind.UPLOAD_SERVICE})
# An upload service decides the bucket, folder and region itself.
_S3 = _ALL - {AccountKind.UPLOAD_SERVICE}
_PROFILE = frozenset({AccountKind.PROFILE})


class AccountsDialog(QDialog):
    # After an account was saved or removed, or the default changed.
    accountsChanged = Signal()
    # When a connection test has ended: whether it worked, and what the dialog says.
    connectionTested = Signal(bool, str)

    def __init__(self, store: AccountStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._editing: Account | None = None  # the saved account in the form; None: a new one
        self._test_task: asyncio.Future[None] | None = None
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
        for button in buttons.buttons():
            button.setAutoDefault(False)
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

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.setHorizontalSpacing(10)
        self.form.setVerticalSpacing(7)
        self._shown_for: dict[QWidget, frozenset[AccountKind]] = {}

        self._add_service_rows()
        self._add_credential_rows()
        self._add_destination_rows()
        column.addLayout(self.form)

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

    def _add_service_rows(self) -> None:
        self.kind_box = QComboBox()
        for kind in AccountKind:
            self.kind_box.addItem(shown(kind.display_name), kind)
        self.kind_box.currentIndexChanged.connect(self._update_kind)
        self._add_row(self.tr("Kind"), self.kind_box, _ALL)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("e.g. Work"))
        self._add_row(self.tr("Name"), self.name_edit, _ALL)

        self.preset_box = QComboBox()
        self.preset_box.addItem(self.tr("Fill in for a service…"), None)
        for preset in PRESETS:
            self.preset_box.addItem(preset.name, preset)
        self.preset_box.activated.connect(self._apply_preset)
        self._add_row(self.tr("Preset"), self.preset_box, _COMPATIBLE)
        self.preset_hint = QLabel()
        self.preset_hint.setObjectName("fieldHint")
        self.preset_hint.setWordWrap(True)
        self._add_row("", self.preset_hint, _COMPATIBLE)
        self.endpoint_edit = QLineEdit()
        self.endpoint_edit.setPlaceholderText("https://s3.example.com")
        self._add_row(self.tr("Endpoint URL"), self.endpoint_edit, _WITH_URL)

        self.profile_box = QComboBox()
        self.profile_box.setEditable(True)
        self.profile_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.profile_box.addItems(_aws_profiles())
        self.profile_box.lineEdit().setPlaceholderText(self.tr("profile name"))
        self._add_row(self.tr("AWS profile"), self.profile_box, _PROFILE)

        self.region_edit = QLineEdit()
        self._add_row(self.tr("Region"), self.region_edit, _S3)
        self.path_style_box = QCheckBox(
            self.tr("Path-style addressing (MinIO, Ceph, IP addresses)")
        )
        self._add_row("", self.path_style_box, _COMPATIBLE)
        self.checksum_box = QComboBox()
        for mode, title in _CHECKSUM_TITLES:
            self.checksum_box.addItem(_tr(title), mode)
        self.checksum_box.setToolTip(
            self.tr("Use Content-MD5 for services that reject S3's newer checksum headers")
        )
        self._add_row(self.tr("Checksums"), self.checksum_box, _COMPATIBLE)

    def _add_credential_rows(self) -> None:
        self.key_id_edit = QLineEdit()
        self.key_id_edit.setPlaceholderText("AKIA…")  # notr: the start of every key ID
        self._add_row(self.tr("Access key ID"), self.key_id_edit, _WITH_KEY_ID)
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self._add_row(self.tr("Secret access key"), self.secret_edit, _WITH_SECRET)
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self._add_row(self.tr("Session token"), self.token_edit, _WITH_KEY_ID)

    def _add_destination_rows(self) -> None:
        self.bucket_box = QComboBox()
        self.bucket_box.setEditable(True)
        self.bucket_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.bucket_box.lineEdit().setPlaceholderText(
            self.tr("optional; Test connection lists them")
        )
        self._add_row(self.tr("Default bucket"), self.bucket_box, _S3)
        self.prefix_edit = QLineEdit()
        self.prefix_edit.setPlaceholderText(self.tr("(top level)"))
        self._add_row(self.tr("Default folder"), self.prefix_edit, _S3)

    def _add_row(self, label: str, field: QWidget, kinds: frozenset[AccountKind]) -> None:
        self.form.addRow(label, field)  # an empty label keeps the field lined up with the rest
        self._shown_for[field] = kinds

    # ------------------------------------------------------------------ the list

    def reload(self, select_id: str | None = None) -> None:
        """Fill the list from the store; select ``select_id``, else the current or default
        account, else start a new one."""
        current = select_id or (self._editing.id if self._editing else None)
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
        self.name_edit.setFocus()

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
        self._editing = None
        self.reload()

    def make_selected_default(self) -> None:
        account = self.selected_account()
        if account is not None and self._change(lambda: self.store.set_default(account.id)):
            self.reload(account.id)

    def _change(self, action: Any) -> bool:
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
        self._editing = account
        shown = account or Account(name="", kind=AccountKind.ACCESS_KEY)
        self.title_label.setText(
            f"<b>{_escape(account.name)}</b>" if account else self.tr("<b>New account</b>")
        )
        self.kind_box.setCurrentIndex(self.kind_box.findData(shown.kind))
        self.name_edit.setText(shown.name)
        self.preset_box.setCurrentIndex(0)
        self.preset_hint.clear()
        self.endpoint_edit.setText(shown.endpoint_url)
        self.region_edit.setText(shown.region)
        self.path_style_box.setChecked(shown.path_style)
        self.checksum_box.setCurrentIndex(max(0, self.checksum_box.findData(shown.checksum_mode)))
        self.key_id_edit.setText(shown.access_key_id)
        # Stored secrets are never read into the form: empty means "keep".
        self.secret_edit.clear()
        self.token_edit.clear()
        self.profile_box.setEditText(shown.profile)
        self.bucket_box.clear()
        self.bucket_box.setEditText(shown.bucket)
        self.prefix_edit.setText(shown.prefix)
        self._show_message("")
        self.verdict_label.setVisible(False)
        self.remove_button.setEnabled(account is not None)
        self.default_button.setEnabled(account is not None)
        self._update_kind()

    def _kind(self) -> AccountKind:
        return AccountKind(self.kind_box.currentData())

    def _update_kind(self) -> None:
        kind = self._kind()
        for field, kinds in self._shown_for.items():
            self.form.setRowVisible(field, kind in kinds)
        self.form.setRowVisible(
            self.preset_hint, kind is AccountKind.COMPATIBLE and bool(self.preset_hint.text())
        )
        self.region_edit.setPlaceholderText(
            self.tr("e.g. us-east-1")
            if kind is AccountKind.COMPATIBLE
            else self.tr("optional, e.g. eu-west-1")
        )
        service = kind is AccountKind.UPLOAD_SERVICE
        _relabel(self.form, self.endpoint_edit, self.tr("Service address") if service
                 else self.tr("Endpoint URL"))  # fmt: skip
        _relabel(self.form, self.secret_edit, self.tr("Access token") if service
                 else self.tr("Secret access key"))  # fmt: skip
        self.endpoint_edit.setPlaceholderText(
            "https://uploads.example.com" if service else "https://s3.example.com"
        )
        if self._has_stored_secret():
            self.secret_edit.setPlaceholderText(_tr(_KEEP_SECRET))
            self.token_edit.setPlaceholderText(self.tr("optional; leave empty to keep"))
        else:
            self.secret_edit.setPlaceholderText(self.tr("required"))
            self.token_edit.setPlaceholderText(self.tr("optional, for temporary credentials"))

    def _has_stored_secret(self) -> bool:
        """Whether the keyring has (or should have) a secret for the account in the form."""
        return (
            self._editing is not None and self._editing.kind.has_secret and self._kind().has_secret
        )

    def _apply_preset(self, index: int) -> None:
        preset = self.preset_box.itemData(index)
        if preset is None:
            self.preset_hint.clear()
            self.form.setRowVisible(self.preset_hint, False)
            return
        url = preset.endpoint_url.replace("{region}", preset.region)
        self.endpoint_edit.setText(url)
        self.region_edit.setText(preset.region)
        self.path_style_box.setChecked(preset.path_style)
        self.checksum_box.setCurrentIndex(self.checksum_box.findData(preset.checksum_mode))
        self.preset_hint.setText(preset.hint)
        self.form.setRowVisible(self.preset_hint, bool(preset.hint))
        if not self.name_edit.text().strip():
            self.name_edit.setText(preset.name)
        placeholder = _PLACEHOLDER.search(url)
        if placeholder:  # select it, so typing replaces it
            self.endpoint_edit.setFocus()
            self.endpoint_edit.setSelection(placeholder.start(), len(placeholder.group()))

    def form_account(self) -> Account:
        """The account as the form describes it (not saved)."""
        kind = self._kind()
        same_kind = self._editing is not None and self._editing.kind is kind
        base = self._editing if same_kind and self._editing else Account(name="", kind=kind)
        values: dict[str, Any] = {
            "name": self.name_edit.text().strip(),
            "access_key_id": self.key_id_edit.text().strip(),
            "profile": self.profile_box.currentText().strip(),
            "endpoint_url": self.endpoint_edit.text().strip(),
            "region": self.region_edit.text().strip(),
            "path_style": self.path_style_box.isChecked(),
            "checksum_mode": self.checksum_box.currentData(),
            "bucket": self.bucket_box.currentText().strip(),
            "prefix": self.prefix_edit.text().strip(),
        }
        fields = {
            "name": self.name_edit,
            "access_key_id": self.key_id_edit,
            "profile": self.profile_box,
            "endpoint_url": self.endpoint_edit,
            "region": self.region_edit,
            "path_style": self.path_style_box,
            "checksum_mode": self.checksum_box,
            "bucket": self.bucket_box,
            "prefix": self.prefix_edit,
        }
        shown = {k: v for k, v in values.items() if kind in self._shown_for[fields[k]]}
        account = replace(base, kind=kind, **shown)
        if self._editing is not None:
            account = replace(account, id=self._editing.id)
        return account

    def _form_problems(self, account: Account) -> list[str]:
        problems = account.problems()
        placeholder = _PLACEHOLDER.search(account.endpoint_url)
        if account.kind is AccountKind.COMPATIBLE and placeholder:
            problems.append(
                self.tr("Replace %1 in the endpoint URL").replace("%1", placeholder.group())
            )
        if (
            account.kind.has_secret
            and not self.secret_edit.text()
            and not self._has_stored_secret()
        ):
            problems.append(self.tr("Enter the %1").replace("%1", account.kind.secret_name))
        return problems

    # ------------------------------------------------------------------ saving

    def save(self) -> bool:
        """Save the form; on any problem, say what it is and write nothing."""
        account = self.form_account()
        problems = self._form_problems(account)
        if problems:
            self._show_message("\n".join(f"• {p}" for p in problems))
            return False
        secret: str | None = None
        token: str | None = None
        if account.kind.has_secret:
            secret = self.secret_edit.text() or None  # None keeps the stored one
            # A session token belongs to its secret key: a new key without one drops the old.
            token = self.token_edit.text() or ("" if secret is not None else None)
        try:
            saved = self.store.save(account, secret_key=secret, session_token=token)
        except (AccountsFileError, SecretStoreError, ValueError) as exc:
            self._show_message(_error_text(exc))
            return False
        self.accountsChanged.emit()
        self._editing = saved
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
        account = self.form_account()
        # A name is needed to save, not to test.
        probe = replace(account, name=account.name or self.tr("New account"))
        problems = self._form_problems(probe)
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
            self._run_test(probe, self.secret_edit.text(), self.token_edit.text())
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
            typed = self.bucket_box.currentText()
            self.bucket_box.clear()
            self.bucket_box.addItems(list(verdict.buckets))
            self.bucket_box.setEditText(typed)
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


def _tr(text: str) -> str:
    """Translate outside the dialog's methods, in its context."""
    return QCoreApplication.translate("AccountsDialog", text)


def _aws_profiles() -> list[str]:
    """The profiles of the shared AWS config, for the profile picker."""
    try:
        import botocore.session

        return sorted(botocore.session.Session().available_profiles)
    except Exception:  # a malformed config file: typing a name still works
        return []


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _restyle(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property it matches on changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def _relabel(form: Any, field: QWidget, text: str) -> None:
    label = form.labelForField(field)
    if label is not None:
        label.setText(text)
