"""Where uploads go: the storage, the account to upload with, the bucket and folder, and why
uploads are waiting when they are."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.jobs import Destination
from s3desk.ui.common.core_phrases import shown


def fitting_width(edit: QLineEdit, sample: str) -> int:
    """The width that shows the placeholder, or ``sample``, whole: the text's width plus
    what the frame and margins take (QLineEdit's own hint is 17 'x' wide plus those)."""
    metrics = edit.fontMetrics()
    around = edit.sizeHint().width() - 17 * metrics.horizontalAdvance("x")
    text = max(metrics.horizontalAdvance(edit.placeholderText()), metrics.horizontalAdvance(sample))
    return text + around


class DestinationBox(QFrame):
    # The user picked another entry in the account box: its key (an account id, "demo", ...).
    accountChosen = Signal(str)
    # "Try again" after uploads stopped waiting for the user (e.g. expired credentials).
    unblockRequested = Signal()

    def __init__(
        self, bucket: str, prefix: str, setup_hint: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("destination")
        self._setup_hint = setup_hint
        # While the first-start welcome offers the choice, no storage is not yet a problem.
        self._first_start = False
        self._endpoint: S3Endpoint | None = None  # the storage shown (show_storage)
        # An organisation's upload service chooses where files go (set_upload_service).
        self._service = False
        # The folder shown in Browse while that tab is open: files added then go there.
        self._browsed: Destination | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 10)
        outer.setSpacing(6)
        self.storage_label = QLabel()
        self.storage_label.setObjectName("storageLabel")
        self.storage_label.setWordWrap(True)
        self.storage_label.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.storage_label)

        row = QHBoxLayout()
        row.setSpacing(6)
        self._build_account_box(row)
        row.addWidget(QLabel(self.tr("to bucket")))
        self.bucket_box = QComboBox()
        self.bucket_box.setEditable(True)
        self.bucket_box.setMinimumWidth(220)
        self.bucket_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line = self.bucket_box.lineEdit()
        assert line is not None  # an editable box has one
        line.setPlaceholderText(self.tr("bucket name"))
        self.bucket_box.setAccessibleName(self.tr("Destination bucket"))
        if bucket:
            self.bucket_box.setEditText(bucket)
        row.addWidget(self.bucket_box)
        row.addWidget(QLabel(self.tr("in folder")))
        self.prefix_edit = QLineEdit(prefix)
        self.prefix_edit.setPlaceholderText(self.tr("(top level)"))
        self.prefix_edit.setAccessibleName(self.tr("Destination folder"))
        self.prefix_edit.setMinimumWidth(fitting_width(self.prefix_edit, "bucket/folder"))
        row.addWidget(self.prefix_edit, 1)
        outer.addLayout(row)
        outer.addLayout(self._build_problem_row())

        self.destination_preview = QLabel()
        self.destination_preview.setObjectName("destinationPreview")
        self.destination_preview.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        outer.addWidget(self.destination_preview)
        self.bucket_box.editTextChanged.connect(self._update_preview)
        self.prefix_edit.textChanged.connect(self._update_preview)
        self._update_preview()

    def _build_problem_row(self) -> QHBoxLayout:
        """Why uploads wait, with "Try again"; hidden while nothing is wrong."""
        self.problem_label = QLabel()
        self.problem_label.setObjectName("problemLabel")
        self.problem_label.setWordWrap(True)
        self.problem_label.setVisible(False)
        self.unblock_button = QPushButton(self.tr("Try again"))
        self.unblock_button.setVisible(False)
        self.unblock_button.clicked.connect(self.unblockRequested)
        problem_row = QHBoxLayout()
        problem_row.addWidget(self.problem_label, 1)
        problem_row.addWidget(self.unblock_button)
        return problem_row

    def _build_account_box(self, row: QHBoxLayout) -> None:
        """Which account uploads go with; hidden until there is something to choose."""
        self.account_label = QLabel(self.tr("Upload with"))
        row.addWidget(self.account_label)
        self.account_box = QComboBox()
        self.account_box.setAccessibleName(self.tr("Account"))
        self.account_box.setPlaceholderText(self.tr("Choose…"))  # while none is in use
        self.account_box.setMinimumWidth(180)
        self.account_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.account_box.activated.connect(
            lambda index: self.accountChosen.emit(str(self.account_box.itemData(index)))
        )
        row.addWidget(self.account_box)
        self.account_label.setVisible(False)
        self.account_box.setVisible(False)

    # ------------------------------------------------------------------ storage and account

    def set_setup_hint(self, hint: str) -> None:
        """What to set up, said while there is no storage (shown by ``show_storage``)."""
        self._setup_hint = hint

    def set_first_start(self, first: bool) -> None:
        """While the welcome is shown, no storage is said calmly, not as a warning."""
        self._first_start = first
        self.show_storage(self._endpoint)

    def show_storage(self, endpoint: S3Endpoint | None) -> None:
        """The storage's name, note and address; without one, what to set up."""
        self._endpoint = endpoint
        self._write_storage()
        self.storage_label.setProperty("warning", "false")
        if endpoint is None:
            self.storage_label.setProperty("warning", "false" if self._first_start else "true")
            self.storage_label.setProperty("demo", "false")
        else:
            self.storage_label.setProperty("demo", "true" if endpoint.note else "false")
        self.storage_label.style().unpolish(self.storage_label)
        self.storage_label.style().polish(self.storage_label)

    def _write_storage(self) -> None:
        endpoint = self._endpoint
        if endpoint is None and self._first_start:
            text = self.tr("<b>No storage chosen yet.</b> {hint}").format(hint=self._setup_hint)
        elif endpoint is None:
            text = self.tr("<b>No storage is set up.</b> {hint}").format(hint=self._setup_hint)
        else:
            note = f" — {shown(endpoint.note)}" if endpoint.note else ""
            address = endpoint.upload_service_url or endpoint.endpoint_url
            # Quieter than the name, in the palette's colour for secondary text: it reads on
            # the demo note's box and the panel in light and dark (and is written again when
            # the appearance changes).
            dim = QApplication.palette().color(QPalette.ColorRole.PlaceholderText).name()
            where = f"<span style='color:{dim}'> · {address}</span>" if address else ""
            text = f"<b>{shown(endpoint.label)}</b>{note}{where}"
        if text != self.storage_label.text():
            self.storage_label.setText(text)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
            self._write_storage()

    def set_account_choices(self, choices: list[tuple[str, str]], current: str) -> None:
        """Fill the account box with (key, label) pairs and select ``current``."""
        self.account_box.clear()
        for key, label in choices:
            self.account_box.addItem(label, key)
        self.show_account(current)
        visible = bool(choices)
        self.account_label.setVisible(visible)
        self.account_box.setVisible(visible)

    def show_account(self, key: str) -> None:
        """The entry ``key``; none (the placeholder) when that is not in the box."""
        self.account_box.setCurrentIndex(self.account_box.findData(key))

    def current_account(self) -> str:
        return str(self.account_box.currentData() or "")

    def account_name(self, key: str) -> str:
        """The name the account box shows for ``key``."""
        return self.account_box.itemText(self.account_box.findData(key))

    def show_problem(self, blocked: str, warning: str) -> None:
        text = blocked or warning
        waiting = self.tr("Uploads are waiting: {reason}").format(reason=blocked)
        self.problem_label.setText(waiting if blocked else text)
        self.problem_label.setVisible(bool(text))
        self.unblock_button.setVisible(bool(blocked))

    # ------------------------------------------------------------------ bucket and folder

    def destination(self) -> Destination:
        return Destination(self.bucket_box.currentText().strip(), self.prefix_edit.text().strip())

    def set_destination(self, bucket: str, prefix: str) -> None:
        """Another account's: its bucket names are listed again."""
        self.bucket_box.clear()
        self.bucket_box.setEditText(bucket)
        self.prefix_edit.setText(prefix)

    def show_buckets(self, names: list[str]) -> None:
        """The bucket names listed; what was typed stays, else the first is chosen."""
        current = self.bucket_box.currentText()
        self.bucket_box.clear()
        self.bucket_box.addItems(names)
        self.bucket_box.setEditText(current or (names[0] if names else ""))

    def set_upload_service(self, service: bool) -> None:
        """With an organisation's upload service there is no bucket or folder to choose."""
        self._service = service
        for field in (self.bucket_box, self.prefix_edit):
            field.setEnabled(not service)
        self._update_preview()

    def show_browsed(self, browsed: Destination | None) -> None:
        """Files added go to ``browsed`` (the folder shown in Browse), not to the bucket and
        folder chosen here; None: to those again."""
        self._browsed = browsed
        self._update_preview()

    def _update_preview(self) -> None:
        dest = self.destination()
        if self._service:
            self.destination_preview.setText(
                self.tr("Files go to your organisation's upload folder; its upload service "
                        "checks them and chooses their names.")
            )  # fmt: skip
            return
        if self._browsed is not None:
            prefix = self._browsed.prefix.strip("/")
            self.destination_preview.setText(
                self.tr("Files go to {location} (the folder shown in Browse)").format(
                    location=f"s3://{self._browsed.bucket}/{prefix + '/' if prefix else ''}…"
                )
            )
            return
        if not dest.bucket:
            self.destination_preview.setText(self.tr("Choose a bucket to upload to."))
            return
        prefix = dest.prefix.strip("/")
        self.destination_preview.setText(
            self.tr("Files go to {location}").format(
                location=f"s3://{dest.bucket}/{prefix + '/' if prefix else ''}…"
            )
        )
