"""Preferences: transfers, conflicts, notifications, light or dark, and what every upload
carries. Settings the organisation locked are shown, greyed out, with the reason.

All reading and writing goes through the core's SettingsStore, which also refuses a locked
setting; the dialog only shows and collects values.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from s3desk.core.compliance.upload_options import STORAGE_CLASSES
from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.config.settings import (
    Appearance,
    Encryption,
    SettingLocked,
    SettingsFileError,
    label,
    labelled,
)
from s3desk.core.config.settings_store import SettingsStore
from s3desk.core.phrases import Phrase
from s3desk.core.storage.parts import MAX_PART_SIZE, MIN_PART_SIZE, MiB
from s3desk.core.units import exact_rate, parse_amount
from s3desk.ui.common.core_phrases import shown

KiB = 1024
# Marked for the catalogue here, translated when the dialog is built.
_CONFLICTS = (
    (ConflictPolicy.ASK, QT_TRANSLATE_NOOP("SettingsDialog", "Ask me")),
    (ConflictPolicy.RENAME, QT_TRANSLATE_NOOP("SettingsDialog", "Keep both (name (1).ext)")),
    (ConflictPolicy.SKIP, QT_TRANSLATE_NOOP("SettingsDialog", "Skip the file")),
    (ConflictPolicy.OVERWRITE, QT_TRANSLATE_NOOP("SettingsDialog", "Replace the object")),
)
_APPEARANCES = (
    (Appearance.SYSTEM, QT_TRANSLATE_NOOP("SettingsDialog", "As the system is")),
    (Appearance.LIGHT, QT_TRANSLATE_NOOP("SettingsDialog", "Light")),
    (Appearance.DARK, QT_TRANSLATE_NOOP("SettingsDialog", "Dark")),
)
_ENCRYPTIONS = (
    (Encryption.NONE, QT_TRANSLATE_NOOP("SettingsDialog", "None (the bucket's default)")),
    (Encryption.SSE_S3, QT_TRANSLATE_NOOP("SettingsDialog", "SSE-S3 (keys managed by S3)")),
    (Encryption.SSE_KMS, QT_TRANSLATE_NOOP("SettingsDialog", "SSE-KMS (AWS KMS key)")),
)


class SettingsDialog(QDialog):
    # The settings were saved (the window applies what it can at once).
    saved = Signal()

    def __init__(self, store: SettingsStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(self.tr("Settings"))  # Qt adds the name where the platform does
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.fields: dict[str, QWidget] = {}
        self._build()
        self.note_label = QLabel()
        self.note_label.setObjectName("fieldHint")
        self.note_label.setWordWrap(True)
        layout.addWidget(self.note_label)
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.load()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        self._section(self.tr("Transfers"))
        concurrency = QSpinBox()
        concurrency.setRange(1, 256)
        self._add("concurrency", shown(label("concurrency")), concurrency)
        part = QSpinBox()
        part.setRange(MIN_PART_SIZE // MiB, MAX_PART_SIZE // MiB)
        part.setSuffix(self.tr(" MiB"))
        self._add("part_size", shown(label("part_size")), part)
        # Typed as the command line's --bwlimit takes it ("20M", "10 MiB/s"); a number
        # alone is KiB/s, as this field has always read it, and is shown back with its unit.
        bandwidth = QLineEdit()
        bandwidth.setPlaceholderText(self.tr("Unlimited"))
        bandwidth.editingFinished.connect(self._tidy_bandwidth)
        self._add("bandwidth_limit", shown(label("bandwidth_limit")), bandwidth)
        self._add("conflict", shown(label("conflict")), _combo(_translated(_CONFLICTS)))
        self._section(self.tr("Notifications and appearance"))
        self._add("notifications", "", QCheckBox(shown(label("notifications"))))
        self._add("appearance", shown(label("appearance")), _combo(_translated(_APPEARANCES)))
        self._section(self.tr("Every upload"))
        encryptions = _combo(_translated(_ENCRYPTIONS))
        self._add("encryption", shown(label("encryption")), encryptions)
        kms = QLineEdit()
        kms.setPlaceholderText(self.tr("key id, alias or ARN; empty: the aws/s3 key"))
        self._add("kms_key_id", shown(label("kms_key_id")), kms)
        self._add("require_encryption", "", QCheckBox(shown(label("require_encryption"))))
        classes = [(c, c or self.tr("The bucket's default")) for c in STORAGE_CLASSES]
        self._add("storage_class", shown(label("storage_class")), _combo(classes))
        self._add("cache_control", shown(label("cache_control")), QLineEdit())
        self._add("content_disposition", shown(label("content_disposition")), QLineEdit())

    def _section(self, title: str) -> None:
        label = QLabel(f"<b>{title}</b>")
        self.form.addRow(label)

    def _add(self, name: str, label: str, field: QWidget) -> None:
        # A check box has no label beside it: its own text names it.
        field.setAccessibleName(label or field.property("text") or "")
        self.fields[name] = field
        self.form.addRow(label, field)

    # ------------------------------------------------------------------ values

    def load(self) -> None:
        """Show the effective values; lock what the organisation set."""
        settings = self.store.effective()
        for name, field in self.fields.items():
            _put(field, _shown(name, getattr(settings, name)))
            reason = self.store.lock_reason(name)
            field.setEnabled(not reason)
            field.setToolTip(shown(reason))
        if not self.store.is_locked("bandwidth_limit"):
            self.fields["bandwidth_limit"].setToolTip(self._bandwidth_hint())
        locked = [n for n in self.fields if self.store.is_locked(n)]
        notes = [shown(labelled(note)) for note in self.store.notes]
        if locked:
            notes.insert(0, self.tr("Greyed-out settings are set by your organisation."))
        notes.append(
            self.tr(
                "Transfer, notification and appearance settings apply at once (a new part "
                "size to uploads not yet started). The options of every upload apply after "
                "s3desk restarts or another account is chosen."
            )
        )
        self.note_label.setText("\n".join(notes))

    def save(self) -> bool:
        """Store every changed, unlocked value; on a problem say which and keep the dialog."""
        current = self.store.effective()
        try:
            for name, field in self.fields.items():
                if self.store.is_locked(name):
                    continue
                value = self._stored(name, _get(field))
                if value != getattr(current, name):
                    self._set(name, value)
            self.store.save()
        except (SettingLocked, ValueError, SettingsFileError) as exc:
            self.error_label.setText(_message(exc))
            self.error_label.setVisible(True)
            return False
        self.error_label.setVisible(False)
        self.saved.emit()
        self.accept()
        return True

    def _set(self, name: str, value: Any) -> None:
        """store.set, its refusal naming the setting as this dialog labels it."""
        try:
            self.store.set(name, value)
        except ValueError as exc:
            text = _message(exc)
            if text.startswith(f"{name} "):  # the core's check names the key
                text = shown(label(name)) + text[len(name) :]
            raise ValueError(text) from None

    def _stored(self, name: str, value: Any) -> Any:
        if name == "part_size":
            return value * MiB
        if name == "bandwidth_limit":
            try:
                return self._bandwidth(value)
            except ValueError:
                raise ValueError(
                    self.tr("%1: “%2” is not a rate. %3")
                    .replace("%1", shown(label(name)))
                    .replace("%2", value)
                    .replace("%3", self._bandwidth_hint())
                ) from None
        return value

    def _bandwidth(self, text: str) -> int:
        """Bytes per second from the bandwidth field; empty (or "Unlimited") is 0."""
        if not text or text.casefold() in ("0", self.tr("Unlimited").casefold()):
            return 0
        return parse_amount(text, bare=KiB, rate=True)

    def _bandwidth_hint(self) -> str:
        return self.tr(
            "For example 500K, 20M or 10 MiB/s; a number alone is KiB/s; empty is unlimited."
        )

    def _tidy_bandwidth(self) -> None:
        """Show what was typed in the form it is understood in: "10" becomes "10 KiB/s"."""
        field = self.fields["bandwidth_limit"]
        assert isinstance(field, QLineEdit)
        try:
            value = self._bandwidth(field.text().strip())
        except ValueError:
            return  # left as typed: Save says what is wrong with it
        field.setText(_rate_text(value))


def _message(exc: BaseException) -> str:
    """An error of the core in the user's language (its Phrase, when it carries one)."""
    first = exc.args[0] if exc.args else ""
    return shown(first) if isinstance(first, Phrase) else str(exc)


def _rate_text(value: int) -> str:
    return exact_rate(value) if value else ""


def _translated(choices: Any) -> list[tuple[Any, str]]:
    return [
        (value, QCoreApplication.translate("SettingsDialog", title)) for value, title in choices
    ]


def _combo(choices: Any) -> QComboBox:
    box = QComboBox()
    for value, title in choices:
        box.addItem(title, value)
    return box


def _shown(name: str, value: Any) -> Any:
    """A setting as its field shows it (sizes in the field's unit)."""
    if name == "part_size":
        return value // MiB
    if name == "bandwidth_limit":
        return _rate_text(value)
    return value


def _put(field: QWidget, value: Any) -> None:
    if isinstance(field, QSpinBox):
        field.setValue(int(value))
    elif isinstance(field, QCheckBox):
        field.setChecked(bool(value))
    elif isinstance(field, QComboBox):
        index = field.findData(value)
        field.setCurrentIndex(max(index, 0))
    elif isinstance(field, QLineEdit):
        field.setText(str(value))


def _get(field: QWidget) -> Any:
    if isinstance(field, QSpinBox):
        return field.value()
    if isinstance(field, QCheckBox):
        return field.isChecked()
    if isinstance(field, QComboBox):
        return field.currentData()
    if isinstance(field, QLineEdit):
        return field.text().strip()
    raise TypeError(type(field).__name__)
