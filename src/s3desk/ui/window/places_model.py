"""The sidebar's rows: the accounts, under each its favourites (in a group of their own) and
its buckets, or a line saying why there are none to show.

Rows carry what they stand for in roles (``KIND``, ``ACCOUNT``, ``BUCKET``, ``PREFIX``);
every row has an accessible text, and the current account an accessible description.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QIcon, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QStyle

from s3desk.core.config.favourites import Favourite

KIND = Qt.ItemDataRole.UserRole + 1
ACCOUNT = Qt.ItemDataRole.UserRole + 2
BUCKET = Qt.ItemDataRole.UserRole + 3
PREFIX = Qt.ItemDataRole.UserRole + 4
LABEL = Qt.ItemDataRole.UserRole + 5  # a favourite's label as stored: an edit differs from it
LISTED = Qt.ItemDataRole.UserRole + 6  # an account's buckets: "" not asked, "asked", "shown"

# What a row stands for (KIND).
ACCOUNT_ROW, BUCKET_ROW, FAVOURITES_ROW, FAVOURITE_ROW, NOTE_ROW = (
    "account", "bucket", "favourites", "favourite", "note",
)  # fmt: skip

Index = QModelIndex | QPersistentModelIndex


def _icon(pixmap: QStyle.StandardPixmap, theme: str = "") -> QIcon:
    fallback = QApplication.style().standardIcon(pixmap)
    return QIcon.fromTheme(theme, fallback) if theme else fallback


class PlacesModel(QStandardItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.current = ""

    # ------------------------------------------------------------------ accounts

    def set_accounts(self, entries: list[tuple[str, str]], current: str) -> None:
        """One row per (key, name); each shows that its buckets are being listed until they
        are (the row can be expanded before anything was listed)."""
        self.clear()
        self.current = current
        sp = QStyle.StandardPixmap
        for key, name in entries:
            item = QStandardItem(_icon(sp.SP_DriveNetIcon, "network-server"), name)
            item.setEditable(False)
            item.setData(ACCOUNT_ROW, KIND)
            item.setData(key, ACCOUNT)
            item.setData("", LISTED)
            self._mark(item, key == current)
            item.appendRow(self._note(key, self.tr("Listing buckets…")))
            self.appendRow(item)

    def _mark(self, item: QStandardItem, current: bool) -> None:
        font = QFont(item.font())
        font.setBold(current)
        item.setFont(font)
        name = item.text()
        item.setData(name, Qt.ItemDataRole.AccessibleTextRole)
        description = self.tr("current account") if current else ""
        item.setData(description, Qt.ItemDataRole.AccessibleDescriptionRole)
        item.setToolTip(self.tr("{name} (the account in use)").format(name=name) if current
                        else name)  # fmt: skip

    def account_item(self, key: str) -> QStandardItem | None:
        for row in range(self.rowCount()):
            item = self.item(row)
            if item is not None and item.data(ACCOUNT) == key:
                return item
        return None

    def account_keys(self) -> list[str]:
        return [str(self.item(row).data(ACCOUNT)) for row in range(self.rowCount())]

    # ------------------------------------------------------------------ buckets

    def show_buckets(self, key: str, names: list[str]) -> None:
        rows = []
        for name in names:
            item = QStandardItem(_icon(QStyle.StandardPixmap.SP_DirIcon, "folder"), name)
            item.setEditable(False)
            item.setData(BUCKET_ROW, KIND)
            item.setData(key, ACCOUNT)
            item.setData(name, BUCKET)
            item.setData("", PREFIX)
            item.setData(self.tr("Bucket {name}").format(name=name),
                         Qt.ItemDataRole.AccessibleTextRole)  # fmt: skip
            item.setToolTip(f"s3://{name}/")
            rows.append(item)
        if not rows:
            rows.append(self._note(key, self.tr("No buckets")))
        self._replace_buckets(key, rows, "shown")

    def show_note(
        self, key: str, text: str, *, problem: bool = False, listed: str = "shown"
    ) -> None:
        """A line instead of the buckets: why there are none to show, or that they come."""
        self._replace_buckets(key, [self._note(key, text, problem=problem)], listed)

    def _replace_buckets(self, key: str, rows: list[QStandardItem], listed: str) -> None:
        account = self.account_item(key)
        if account is None:
            return
        keep = 1 if self._favourites_group(account) is not None else 0
        account.removeRows(keep, account.rowCount() - keep)
        account.appendRows(rows)
        account.setData(listed, LISTED)

    def _note(self, key: str, text: str, *, problem: bool = False) -> QStandardItem:
        item = QStandardItem(text)
        if problem:
            item.setIcon(_icon(QStyle.StandardPixmap.SP_MessageBoxWarning, "dialog-warning"))
        item.setEditable(False)
        item.setData(NOTE_ROW, KIND)
        item.setData(key, ACCOUNT)
        item.setData(text, Qt.ItemDataRole.AccessibleTextRole)
        item.setToolTip(text)
        return item

    # ------------------------------------------------------------------ favourites

    def show_favourites(self, key: str, favourites: list[Favourite], problem: str = "") -> None:
        """The account's favourites in a group first under it; no group without any (unless
        the favourites could not be read: then it says why)."""
        account = self.account_item(key)
        if account is None:
            return
        if self._favourites_group(account) is not None:
            account.removeRow(0)
        if not favourites and not problem:
            return
        title = self.tr("Favourites")
        group = QStandardItem(_icon(QStyle.StandardPixmap.SP_DirLinkIcon, "starred"), title)
        group.setEditable(False)
        group.setData(FAVOURITES_ROW, KIND)
        group.setData(key, ACCOUNT)
        group.setData(title, Qt.ItemDataRole.AccessibleTextRole)
        if problem:
            group.appendRow(self._note(key, problem, problem=True))
        for favourite in favourites:
            group.appendRow(self._favourite(favourite))
        account.insertRow(0, [group])

    def _favourite(self, favourite: Favourite) -> QStandardItem:
        icon = _icon(QStyle.StandardPixmap.SP_DirLinkIcon, "folder-bookmark")
        item = QStandardItem(icon, favourite.label)
        item.setEditable(True)  # F2 renames it
        item.setData(FAVOURITE_ROW, KIND)
        item.setData(favourite.account, ACCOUNT)
        item.setData(favourite.bucket, BUCKET)
        item.setData(favourite.prefix, PREFIX)
        item.setData(favourite.label, LABEL)
        where = f"s3://{favourite.place}"
        item.setData(self.tr("Favourite {name}, {where}").format(name=favourite.label, where=where),
                     Qt.ItemDataRole.AccessibleTextRole)  # fmt: skip
        item.setToolTip(where)
        return item

    def favourites_group(self, key: str) -> QStandardItem | None:
        account = self.account_item(key)
        return self._favourites_group(account) if account is not None else None

    @staticmethod
    def _favourites_group(account: QStandardItem) -> QStandardItem | None:
        first = account.child(0)
        return first if first is not None and first.data(KIND) == FAVOURITES_ROW else None

    def find(self, key: str, kind: str, bucket: str, prefix: str) -> QModelIndex:
        """The row of account ``key`` that stands for that (invalid if there is none)."""
        account = self.account_item(key)
        if account is None:
            return QModelIndex()
        if kind == ACCOUNT_ROW:
            return account.index()
        group = self._favourites_group(account)
        rows = [account.child(row) for row in range(account.rowCount())]
        if group is not None:
            rows += [group.child(row) for row in range(group.rowCount())]
        for item in rows:
            if item is None or item.data(KIND) != kind or kind == NOTE_ROW:
                continue
            if (str(item.data(BUCKET) or ""), str(item.data(PREFIX) or "")) == (bucket, prefix):
                return item.index()
        return QModelIndex()

    @staticmethod
    def favourite_at(index: Index) -> Favourite | None:
        if index.data(KIND) != FAVOURITE_ROW:
            return None
        return Favourite(str(index.data(ACCOUNT)), str(index.data(BUCKET)),
                         str(index.data(PREFIX)))  # fmt: skip
