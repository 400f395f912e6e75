"""The status table's model, fed with coalesced snapshots from the engine."""

from __future__ import annotations

from collections import Counter
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon

from s3desk.core.compliance import content_types
from s3desk.core.transfer.jobs import JobState, JobView
from s3desk.ui.common.core_phrases import shown
from s3desk.ui.common.icons import icon
from s3desk.ui.common.theme import state_colour
from s3desk.ui.common.units import human_duration, human_rate, human_size

Index = QModelIndex | QPersistentModelIndex

# Role carrying the progress fraction (0..1) for the progress-bar delegate.
FractionRole = Qt.ItemDataRole.UserRole + 1
JobIdRole = Qt.ItemDataRole.UserRole + 2
StateRole = Qt.ItemDataRole.UserRole + 3

# The status's colour in these states (theme.state_colour's names): read when a row is
# painted, so it is the appearance's in effect then.
_STATE_COLOURS = {
    JobState.FAILED: "failed",
    JobState.DONE: "done",
    JobState.CANCELLED: "cancelled",
    JobState.SKIPPED: "waiting",
    JobState.RETRYING: "waiting",
    JobState.PAUSED: "paused",
}

# The engine's state names, as the table shows them (translated).
_STATE_NAMES = {
    JobState.QUEUED: QT_TRANSLATE_NOOP("TransferModel", "Queued"),
    JobState.UPLOADING: QT_TRANSLATE_NOOP("TransferModel", "Uploading"),
    JobState.DOWNLOADING: QT_TRANSLATE_NOOP("TransferModel", "Downloading"),
    JobState.RETRYING: QT_TRANSLATE_NOOP("TransferModel", "Retrying"),
    JobState.PAUSED: QT_TRANSLATE_NOOP("TransferModel", "Paused"),
    JobState.CONFLICT: QT_TRANSLATE_NOOP("TransferModel", "Exists"),
    JobState.DONE: QT_TRANSLATE_NOOP("TransferModel", "Done"),
    JobState.FAILED: QT_TRANSLATE_NOOP("TransferModel", "Failed"),
    JobState.CANCELLED: QT_TRANSLATE_NOOP("TransferModel", "Cancelled"),
    JobState.SKIPPED: QT_TRANSLATE_NOOP("TransferModel", "Skipped"),
}
assert set(_STATE_NAMES) == set(JobState), "every state needs a name"

_NO_PROGRESS = frozenset({JobState.FAILED, JobState.CANCELLED, JobState.SKIPPED})
_MOVING = frozenset({JobState.UPLOADING, JobState.DOWNLOADING})


class TransferModel(QAbstractTableModel):
    NAME, DESTINATION, SIZE, TYPE, PROGRESS, SPEED, STATUS = range(7)
    HEADERS = (
        QT_TRANSLATE_NOOP("TransferModel", "Name"),
        QT_TRANSLATE_NOOP("TransferModel", "Destination"),
        QT_TRANSLATE_NOOP("TransferModel", "Size"),
        QT_TRANSLATE_NOOP("TransferModel", "Type"),
        QT_TRANSLATE_NOOP("TransferModel", "Progress"),
        QT_TRANSLATE_NOOP("TransferModel", "Speed"),
        QT_TRANSLATE_NOOP("TransferModel", "Status"),
    )

    # A person typed a content type for these waiting uploads (checked and tidied); the
    # window passes it to the engine, and the next snapshot shows it.
    contentTypeEdited = Signal(list, str)
    # What was typed is no content type: the reason, for the status bar.
    contentTypeRefused = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[JobView] = []
        self._row_of: dict[int, int] = {}
        self._states: Counter[JobState] = Counter()  # rows in each state
        self._icons: dict[bool, QIcon] = {}  # download? -> arrow

    # -- feeding -----------------------------------------------------------------------

    def apply(self, views: list[JobView]) -> None:
        """Take one snapshot: new jobs become rows at the end, changed ones are repainted."""
        if not views:
            return
        new = [v for v in views if v.id not in self._row_of]
        changed_rows = [self._row_of[v.id] for v in views if v.id in self._row_of]
        for view in views:
            row = self._row_of.get(view.id)
            if row is not None:
                self._states[self._rows[row].state] -= 1
                self._states[view.state] += 1
                self._rows[row] = view
        if changed_rows:
            first, last = min(changed_rows), max(changed_rows)
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.HEADERS) - 1))
        if new:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            for offset, view in enumerate(new):
                self._row_of[view.id] = start + offset
            self._rows.extend(new)
            self._states.update(view.state for view in new)
            self.endInsertRows()

    def remove_finished(self, states: frozenset[JobState]) -> list[int]:
        """Drop rows in ``states`` (e.g. Done); returns their job ids."""
        keep = [v for v in self._rows if v.state not in states]
        removed = [v.id for v in self._rows if v.state in states]
        if removed:
            # One layout change, not a reset: the selection stays on the same jobs.
            self.layoutAboutToBeChanged.emit()
            old = self.persistentIndexList()
            ids = [(self._rows[index.row()].id, index.column()) for index in old]
            self._rows = keep
            self._row_of = {v.id: i for i, v in enumerate(keep)}
            self._states = Counter(v.state for v in keep)
            new = [
                self.index(self._row_of[job_id], column)
                if job_id in self._row_of
                else QModelIndex()
                for job_id, column in ids
            ]
            self.changePersistentIndexList(old, new)
            self.layoutChanged.emit()
        return removed

    def job_at(self, row: int) -> JobView:
        return self._rows[row]

    def row_of(self, job_id: int) -> int | None:
        return self._row_of.get(job_id)

    def views(self) -> list[JobView]:
        return list(self._rows)

    def states(self) -> frozenset[JobState]:
        """The states some row is in."""
        return frozenset(state for state, count in self._states.items() if count > 0)

    # -- Qt model interface ------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("TransferModel", str(self.HEADERS[section]))
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        editable = index.isValid() and index.column() == self.TYPE
        if editable and self._rows[index.row()].content_type_editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        job = self._rows[index.row()]
        try:
            chosen = content_types.check(str(value))
        except content_types.InvalidContentType as exc:
            self.contentTypeRefused.emit(str(exc))
            return False
        if chosen != job.content_type:
            self.contentTypeEdited.emit([job.id], chosen)
        return True

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        job = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(job, column)
        if role == Qt.ItemDataRole.EditRole and column == self.TYPE:
            return job.content_type
        if role == FractionRole:
            return job.fraction
        if role == JobIdRole:
            return job.id
        if role == StateRole:
            return job.state
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(job, column)
        if role == Qt.ItemDataRole.DecorationRole and column == self.NAME:
            return self._direction_icon(bool(job.target))
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATUS:
            colour = _STATE_COLOURS.get(job.state)
            return state_colour(colour) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.SIZE, self.SPEED):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _direction_icon(self, download: bool) -> QIcon:
        if download not in self._icons:
            self._icons[download] = icon("go-down" if download else "go-up")
        return self._icons[download]

    def _display(self, job: JobView, column: int) -> str:
        if column == self.NAME:
            return job.name
        if column == self.DESTINATION:
            if job.target:
                return job.target
            return f"s3://{job.bucket}/{job.key}" if job.bucket else job.key
        if column == self.SIZE:
            return "" if job.state is JobState.SKIPPED else human_size(job.size)
        if column == self.TYPE:
            return job.content_type
        if column == self.PROGRESS:
            return "" if job.state in _NO_PROGRESS else f"{job.fraction:.0%}"
        if column == self.SPEED:
            return human_rate(job.speed) if job.state in _MOVING and job.speed else ""
        if column == self.STATUS:
            return status_text(job)
        return ""


def _tooltip(job: JobView, column: int) -> str | None:
    if column == TransferModel.STATUS:
        # All of it, however narrow the column: and the reason, when a note stands first.
        text = status_text(job)
        reason = shown(job.error) if job.error else ""
        return f"{text}\n{reason}" if reason and reason not in text else text
    if column == TransferModel.TYPE and job.content_type_editable:
        return QCoreApplication.translate(
            "TransferModel", "Stored as {type}; double-click or press F2 to change it"
        ).format(type=job.content_type)
    if column in (TransferModel.NAME, TransferModel.DESTINATION):
        if job.target:
            return f"{job.source}\n→ {job.target}"
        return f"{job.source}\n→ s3://{job.bucket}/{job.key}"
    return None


def state_name(state: JobState) -> str:
    return QCoreApplication.translate("TransferModel", str(_STATE_NAMES[state]))


def status_text(job: JobView) -> str:
    if job.state in _MOVING and job.eta:
        return QCoreApplication.translate("TransferModel", "{state} — {time} left").format(
            state=state_name(job.state), time=human_duration(job.eta)
        )
    if job.note:
        return shown(job.note)
    if job.error:
        return QCoreApplication.translate("TransferModel", "{state} — {reason}").format(
            state=state_name(job.state), reason=shown(job.error)
        )
    return state_name(job.state)
