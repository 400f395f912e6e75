"""The browser's table: one folder's entries, added page by page as the listing streams in.

Folders stay above objects whatever the sort, as in a file manager. Sorting a folder of
100,000 entries is done in Python on the entry list (one ``layoutChanged``), not by a proxy
model comparing through Qt for every pair.

A selection is on entries, not on row numbers: every reordering (sort, filter, a page of
folders arriving) moves the persistent indexes, and so the selection, to the rows where
the same keys are now. What is deleted is what the person sees highlighted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from s3desk.core.bucket.browse import Entry
from s3desk.ui.common.icons import icon
from s3desk.ui.common.units import human_size

Index = QModelIndex | QPersistentModelIndex
EntryRole = Qt.ItemDataRole.UserRole + 1


class BrowserModel(QAbstractTableModel):
    NAME, SIZE, MODIFIED, STORAGE_CLASS = range(4)
    HEADERS = (  # translated in headerData
        QT_TRANSLATE_NOOP("BrowserModel", "Name"),
        QT_TRANSLATE_NOOP("BrowserModel", "Size"),
        QT_TRANSLATE_NOOP("BrowserModel", "Modified"),
        QT_TRANSLATE_NOOP("BrowserModel", "Storage class"),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[Entry] = []  # everything loaded, in sort order
        self._shown: list[Entry] = []  # what the filter lets through
        self._filter = ""
        self._sort_column = self.NAME
        self._descending = False
        self._icons = {True: icon("folder"), False: icon("text-x-generic")}

    # -- feeding -----------------------------------------------------------------------

    def clear(self) -> None:
        self.beginResetModel()
        self._all, self._shown = [], []
        self.endResetModel()

    def add_page(self, entries: list[Entry]) -> None:
        """Append a page of the listing; a sort other than by name is kept up as pages come."""
        if not entries:
            return
        if self._sort_column != self.NAME or self._descending or self._filter:

            def extend() -> None:
                self._all.extend(entries)
                self._resort()

            self._relayout(extend)
            return
        # The server lists in name order already, folders first within each page: append.
        shown = self._merge_folders(entries)
        start = len(self._shown)
        if shown is not None:  # a page brought folders: they go above the objects

            def merge() -> None:
                self._all = shown
                self._shown = list(shown)

            self._relayout(merge)
            return
        self.beginInsertRows(QModelIndex(), start, start + len(entries) - 1)
        self._all.extend(entries)
        self._shown.extend(entries)
        self.endInsertRows()

    def _merge_folders(self, entries: list[Entry]) -> list[Entry] | None:
        if not any(e.is_folder for e in entries) or not self._all:
            return None
        if self._all[-1].is_folder:
            return None  # nothing but folders so far: appending keeps folders first
        both = self._all + entries
        return [e for e in both if e.is_folder] + [e for e in both if not e.is_folder]

    def set_filter(self, text: str) -> None:
        """Show only entries whose name contains ``text`` (case-insensitive)."""

        def refilter() -> None:
            self._filter = text.casefold()
            self._apply_filter()

        self._relayout(refilter)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        def resort() -> None:
            self._sort_column = column
            self._descending = order == Qt.SortOrder.DescendingOrder
            self._resort()

        self._relayout(resort)

    def _relayout(self, change: Callable[[], None]) -> None:
        """Run ``change`` (which reorders or filters the rows shown) and move every
        persistent index to the row of the same entry; an entry no longer shown loses
        its indexes, so a filtered-out entry drops out of the selection."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        keys = [(self._shown[index.row()].key, index.column()) for index in old]
        change()
        row_of = {entry.key: row for row, entry in enumerate(self._shown)} if keys else {}
        new = [
            self.index(row_of[key], column) if key in row_of else QModelIndex()
            for key, column in keys
        ]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _resort(self) -> None:
        key = {
            self.NAME: lambda e: e.name.casefold(),
            self.SIZE: lambda e: e.size,
            self.MODIFIED: lambda e: e.modified.timestamp() if e.modified else 0.0,
            self.STORAGE_CLASS: lambda e: e.storage_class,
        }[self._sort_column]
        folders = sorted((e for e in self._all if e.is_folder), key=lambda e: e.name.casefold())
        objects = sorted(
            (e for e in self._all if not e.is_folder), key=key, reverse=self._descending
        )
        if self._descending and self._sort_column == self.NAME:
            folders.reverse()
        self._all = folders + objects
        self._apply_filter()

    def _apply_filter(self) -> None:
        text = self._filter
        self._shown = [e for e in self._all if text in e.name.casefold()] if text else self._all

    # -- reading -----------------------------------------------------------------------

    def entry_at(self, row: int) -> Entry:
        return self._shown[row]

    def loaded_count(self) -> int:
        return len(self._all)

    def entries(self) -> list[Entry]:
        return list(self._shown)

    # -- Qt model interface ------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("BrowserModel", str(self.HEADERS[section]))
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self._shown[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NAME:
                return entry.name + ("/" if entry.is_folder else "")
            if column == self.SIZE:
                return "" if entry.is_folder else human_size(entry.size)
            if column == self.MODIFIED:  # the listing is in UTC; people read local time
                return (
                    entry.modified.astimezone().strftime("%Y-%m-%d %H:%M") if entry.modified else ""
                )
            if column == self.STORAGE_CLASS:
                return entry.storage_class
        if role == EntryRole:
            return entry
        if role == Qt.ItemDataRole.DecorationRole and column == self.NAME:
            return self._icons[entry.is_folder]
        if role == Qt.ItemDataRole.ToolTipRole and column == self.NAME:
            return entry.key
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
