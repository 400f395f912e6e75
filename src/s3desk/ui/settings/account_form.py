"""The Accounts dialog's form: one account's fields, those its kind uses shown, filled from
a preset on request, and read back as the account it describes."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from s3desk.core.config.accounts import PRESETS, Account, AccountKind
from s3desk.core.storage import checksums
from s3desk.ui.common.core_phrases import shown

# Marked for the catalogue here, translated where shown.
_CHECKSUM_TITLES = (
    (checksums.CRC32, QT_TRANSLATE_NOOP("AccountForm", "S3 checksums (CRC32)")),
    (checksums.MD5, QT_TRANSLATE_NOOP("AccountForm", "Compatibility (Content-MD5)")),
)
_KEEP_SECRET = QT_TRANSLATE_NOOP("AccountForm", "Stored in the keyring — leave empty to keep")
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


class AccountForm(QWidget):
    def __init__(self, profiles: list[str], parent: QWidget | None = None) -> None:
        """``profiles``: the AWS profiles the profile box offers."""
        super().__init__(parent)
        self.editing: Account | None = None  # the saved account in the form; None: a new one
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.setHorizontalSpacing(10)
        self.form.setVerticalSpacing(7)
        self._shown_for: dict[QWidget, frozenset[AccountKind]] = {}

        self._add_service_rows(profiles)
        self._add_credential_rows()
        self._add_destination_rows()

    def _add_service_rows(self, profiles: list[str]) -> None:
        self.kind_box = QComboBox()
        for kind in AccountKind:
            self.kind_box.addItem(shown(kind.display_name), kind)
        self.kind_box.currentIndexChanged.connect(self.update_kind)
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
        self.profile_box.addItems(profiles)
        line = self.profile_box.lineEdit()
        assert line is not None  # an editable box has one
        line.setPlaceholderText(self.tr("profile name"))
        self._add_row(self.tr("AWS profile"), self.profile_box, _PROFILE)

        self.region_edit = QLineEdit()
        self._add_row(self.tr("Region"), self.region_edit, _S3)
        self.path_style_box = QCheckBox(
            self.tr("Path-style addressing (MinIO, Ceph, IP addresses)")
        )
        self._add_row("", self.path_style_box, _COMPATIBLE)
        self.checksum_box = QComboBox()
        for mode, title in _CHECKSUM_TITLES:
            self.checksum_box.addItem(_tr(str(title)), mode)
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
        line = self.bucket_box.lineEdit()
        assert line is not None  # an editable box has one
        line.setPlaceholderText(self.tr("optional; Test connection lists them"))
        self._add_row(self.tr("Default bucket"), self.bucket_box, _S3)
        self.prefix_edit = QLineEdit()
        self.prefix_edit.setPlaceholderText(self.tr("(top level)"))
        self._add_row(self.tr("Default folder"), self.prefix_edit, _S3)

    def _add_row(self, label: str, field: QWidget, kinds: frozenset[AccountKind]) -> None:
        self.form.addRow(label, field)  # an empty label keeps the field lined up with the rest
        self._shown_for[field] = kinds

    def load(self, account: Account | None) -> None:
        """Show ``account``, or an empty form for a new account."""
        self.editing = account
        shown = account or Account(name="", kind=AccountKind.ACCESS_KEY)
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
        self.update_kind()

    def kind(self) -> AccountKind:
        return AccountKind(self.kind_box.currentData())

    def update_kind(self) -> None:
        kind = self.kind()
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
        if self.has_stored_secret():
            self.secret_edit.setPlaceholderText(_tr(str(_KEEP_SECRET)))
            self.token_edit.setPlaceholderText(self.tr("optional; leave empty to keep"))
        else:
            self.secret_edit.setPlaceholderText(self.tr("required"))
            self.token_edit.setPlaceholderText(self.tr("optional, for temporary credentials"))

    def has_stored_secret(self) -> bool:
        """Whether the keyring has (or should have) a secret for the account in the form."""
        return self.editing is not None and self.editing.kind.has_secret and self.kind().has_secret

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
        kind = self.kind()
        same_kind = self.editing is not None and self.editing.kind is kind
        base = self.editing if same_kind and self.editing else Account(name="", kind=kind)
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
        if self.editing is not None:
            account = replace(account, id=self.editing.id)
        return account

    def problems(self, account: Account) -> list[str]:
        problems = account.problems()
        placeholder = _PLACEHOLDER.search(account.endpoint_url)
        if account.kind is AccountKind.COMPATIBLE and placeholder:
            problems.append(
                self.tr("Replace %1 in the endpoint URL").replace("%1", placeholder.group())
            )
        if account.kind.has_secret and not self.secret_edit.text() and not self.has_stored_secret():
            problems.append(self.tr("Enter the %1").replace("%1", account.kind.secret_name))
        return problems


def _tr(text: str) -> str:
    """Translate outside the form's methods, in its context."""
    return QCoreApplication.translate("AccountForm", text)


def _relabel(form: QFormLayout, field: QWidget, text: str) -> None:
    label = form.labelForField(field)
    if isinstance(label, QLabel):
        label.setText(text)
