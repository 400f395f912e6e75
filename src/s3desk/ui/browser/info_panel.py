"""The side panel about the selection: one object's details (read off the UI thread), a
folder's path, or how many entries are selected and how large the files among them are.

What it shows is always about what is selected now: a new selection replaces the rows at
once with what the listing knows, and details that arrive for an earlier selection are
dropped. Every value is selectable text with a "Copy" context menu, reached by Tab, and the
path is copied with one click."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from s3desk.core.bucket.browse import Entry
from s3desk.core.bucket.object_info import is_denied, object_info, object_path
from s3desk.ui.browser.info_rows import (
    Row,
    folder_rows,
    listed_rows,
    object_rows,
    selection_rows,
)
from s3desk.ui.browser.texts import plural
from s3desk.ui.common.core_phrases import describe_error

if TYPE_CHECKING:
    from s3desk.ui.browser.listing import ClientProvider

# A selection held this long is described: moving through the list with the arrow keys
# asks nothing of the server for the rows passed over.
SETTLE_MS = 150
# The panel's width to begin with; the splitter handle changes it.
PANEL_WIDTH = 320


class InfoField(QLineEdit):
    """One value: read-only, selectable, focusable, named for screen readers; its context
    menu copies it whole (or what is selected of it)."""

    def __init__(self, row: Row, parent: QWidget | None = None) -> None:
        super().__init__(row.value, parent)
        self.setReadOnly(True)
        self.setFrame(False)
        self.setCursorPosition(0)  # a long value shows its beginning
        self.setToolTip(row.value)
        self.setAccessibleName(row.accessible_name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)

    def copy_value(self) -> None:
        QApplication.clipboard().setText(self.selectedText() or self.text())

    def context_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.addAction(self.tr("Copy"), self.copy_value)
        menu.addAction(self.tr("Select all"), self.selectAll)
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        self.context_menu().popup(self.mapToGlobal(pos))


class InfoPanel(QWidget):
    # An object's details are shown (its key).
    detailsShown = Signal(str)
    # The path was copied to the clipboard (the path).
    pathCopied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("browserInfo")
        self.setAccessibleName(self.tr("Selection details"))
        self.client: ClientProvider | None = None
        self._request = 0  # counts selections: details for an older one are dropped
        self._pending: set[asyncio.Future[None]] = set()
        self._path = ""
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._ask)
        self._asked: tuple[str, Entry] | None = None  # waiting for SETTLE_MS
        self.fields: list[InfoField] = []
        self._build()
        self.show_selection("", [])

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        self.title_label = QLabel()
        self.title_label.setObjectName("browserInfoTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.title_label.font())
        font.setBold(True)
        self.title_label.setFont(font)
        header = QHBoxLayout()
        header.addWidget(self.title_label, 1)
        self.copy_path_button = QPushButton(self.tr("Copy path"))
        self.copy_path_button.setAccessibleName(self.tr("Copy path"))
        self.copy_path_button.setAccessibleDescription(
            self.tr("Copies the s3:// path of the selection to the clipboard")
        )
        self.copy_path_button.clicked.connect(self.copy_path)
        header.addWidget(self.copy_path_button)
        layout.addLayout(header)
        self.status_label = QLabel()
        self.status_label.setObjectName("browserInfoStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status_label)
        self._form_holder = QWidget()
        self._form = QFormLayout(self._form_holder)
        self._form.setContentsMargins(0, 0, 0, 0)
        # Each label above its value: a narrow panel still shows long values (paths, keys).
        self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        scroll = QScrollArea()
        scroll.setWidget(self._form_holder)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take the focus
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(scroll, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

    def _say(self, text: str) -> None:
        """A line over the values: loading, or why the details are missing ("": none)."""
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    def sizeHint(self) -> QSize:
        return QSize(PANEL_WIDTH, super().sizeHint().height())

    # ------------------------------------------------------------------ what is shown

    def show_selection(self, bucket: str, entries: list[Entry]) -> None:
        """Describe ``entries`` (the selection in ``bucket``; "": the list of buckets)."""
        self._request += 1
        self._asked = None
        self._settle.stop()
        self._say("")
        if not entries:
            self._show(self.tr("Nothing selected"), [], "")
            self._say(self.tr("Select a file or folder to see its details."))
        elif len(entries) > 1:
            title = plural(len(entries), self.tr("{n} item selected"),
                           self.tr("{n} items selected"))  # fmt: skip
            self._show(title, selection_rows(entries), "")
        elif entries[0].is_folder or not bucket:
            entry = entries[0]
            rows = folder_rows(bucket, entry)
            self._show(entry.name + "/", rows, rows[1].value)
        else:
            entry = entries[0]
            self._show(entry.name, listed_rows(bucket, entry), object_path(bucket, entry.key))
            if self.client is None:
                return
            self._say(self.tr("Loading details…"))
            self._asked = (bucket, entry)
            self._settle.start()

    def stop(self) -> None:
        """Hidden: ask nothing more, and drop the details on their way."""
        self._request += 1
        self._asked = None
        self._settle.stop()

    def _ask(self) -> None:
        if self._asked is None or self.client is None:
            return
        bucket, entry = self._asked
        task = asyncio.ensure_future(self._load(self._request, self.client, bucket, entry))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def busy(self) -> bool:
        """Details asked for have not all come back (shown or dropped)."""
        return bool(self._pending) or self._settle.isActive()

    async def _load(self, request: int, client_of: ClientProvider, bucket: str,
                    entry: Entry) -> None:  # fmt: skip
        loop = asyncio.get_running_loop()
        try:
            info = await loop.run_in_executor(
                None, lambda: object_info(client_of(), bucket, entry.key)
            )
        except Exception as exc:
            if self._current(request):
                if is_denied(exc):
                    reason = self.tr("access denied (these credentials may not read it)")
                else:
                    reason = describe_error(exc, bucket, entry.key)
                self._say(self.tr("Details not available: {error}").format(error=reason))
            return
        if not self._current(request):
            return  # another selection since: these details are not about it
        self._say("")
        self._show(entry.name, object_rows(info), info.path)
        self.detailsShown.emit(entry.key)

    def _current(self, request: int) -> bool:
        return shiboken6.isValid(self) and request == self._request

    def _show(self, title: str, rows: list[Row], path: str) -> None:
        self.title_label.setText(title)
        self._path = path
        self.copy_path_button.setVisible(bool(path))
        self.copy_path_button.setToolTip(self.tr("Copy {path}").format(path=path))
        while self._form.rowCount():
            self._form.removeRow(0)
        self.fields = []
        previous: QWidget = self.copy_path_button
        for row in rows:
            if row.heading:
                heading = QLabel(row.label)
                heading.setFont(self.title_label.font())
                self._form.addRow(heading)
                continue
            field = InfoField(row)
            label = QLabel(row.label)
            label.setBuddy(field)
            self._form.addRow(label, field)
            QWidget.setTabOrder(previous, field)  # after the ones above, in reading order
            previous = field
            self.fields.append(field)

    # ------------------------------------------------------------------ reading it back

    def field(self, name: str) -> InfoField | None:
        """The value named ``name`` (its accessible name), if shown."""
        return next((f for f in self.fields if f.accessibleName() == name), None)

    def values(self) -> dict[str, str]:
        """Every value shown, by accessible name."""
        return {f.accessibleName(): f.text() for f in self.fields}

    def copy_path(self) -> None:
        if self._path:
            QApplication.clipboard().setText(self._path)
            self.pathCopied.emit(self._path)
