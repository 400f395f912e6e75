"""The selected object's versions, shown under the listing while "Show versions" is on, and
making an older one the current one again.

Where versioning is off, S3 lists the one version an object has with the id "null": the
panel says that versioning is off instead, and there is nothing to restore."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from s3desk.core.bucket.browse import Entry
from s3desk.core.bucket.versions import Version, list_versions, restore_version
from s3desk.ui.common.core_phrases import describe_error
from s3desk.ui.common.units import human_size

# The id S3 gives a version stored while versioning was off.
UNVERSIONED = "null"

if TYPE_CHECKING:
    from s3desk.ui.browser.view import BrowserView


class VersionsPanel(QWidget):
    def __init__(self, view: BrowserView) -> None:
        super().__init__()
        self.view = view
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.note_label = QLabel()
        self.note_label.setObjectName("versionsNote")
        self.note_label.setWordWrap(True)
        self.note_label.setVisible(False)
        box.addWidget(self.note_label)
        self.versions_table = QTableWidget(0, 4)
        self.versions_table.setHorizontalHeaderLabels(
            [self.tr("Version"), self.tr("Modified"), self.tr("Size"), ""]
        )
        self.versions_table.verticalHeader().setVisible(False)
        self.versions_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.versions_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.versions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.versions_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.versions_table.setMaximumHeight(160)
        self.versions_table.setWordWrap(False)
        self.versions_table.verticalHeader().setDefaultSectionSize(24)
        for column, width in ((1, 160), (2, 90), (3, 140)):
            self.versions_table.setColumnWidth(column, width)
        box.addWidget(self.versions_table)
        row = QHBoxLayout()
        row.addStretch(1)
        self.restore_button = QPushButton(self.tr("Restore this version"))
        self.restore_button.setToolTip(
            self.tr("Make the chosen version the current one again; the others stay")
        )
        self.restore_button.clicked.connect(self.restore_selected_version)
        self.restore_button.setEnabled(False)
        self.versions_table.itemSelectionChanged.connect(self._update_restore)
        row.addWidget(self.restore_button)
        box.addLayout(row)
        self.setVisible(False)
        self._versions: list[Version] = []

    async def show_versions(self, bucket: str, entry: Entry) -> None:
        """List the versions of ``entry`` (off the UI thread); the version chosen before
        stays chosen where it is in the new list."""
        view = self.view
        assert view.client is not None
        client_of = view.client
        loop = asyncio.get_running_loop()
        try:
            versions = await loop.run_in_executor(
                None, lambda: list_versions(client_of(), bucket, entry.key)
            )
        except Exception as exc:
            view.fail(
                self.tr("Versions not available: {error}").format(
                    error=describe_error(exc, bucket)
                ),
                about="selection",
            )
            return
        if not shiboken6.isValid(self) or view.selected_object() != entry:
            return
        chosen = self._chosen_version()
        self._versions = versions
        table = self.versions_table
        table.clearSelection()  # a row number means another version in the new list
        table.setRowCount(len(versions))
        for row, version in enumerate(versions):
            when = (
                version.modified.astimezone().strftime("%Y-%m-%d %H:%M:%S")
                if version.modified
                else ""
            )
            label = self.tr("delete marker") if version.is_delete_marker else ""
            if version.is_latest:
                label = (label + ", " if label else "") + self.tr("current")
            size = "" if version.is_delete_marker else human_size(version.size)
            shown_id = "" if version.version_id == UNVERSIONED else version.version_id
            for column, text in enumerate((shown_id, when, size, label)):
                table.setItem(row, column, QTableWidgetItem(text))
        unversioned = all(version.version_id == UNVERSIONED for version in versions)
        self.note_label.setText(
            self.tr("Versioning is off for this bucket: only the current version is kept, "
                    "so there is no earlier one to restore.")
        )  # fmt: skip
        self.note_label.setVisible(unversioned)
        ids = [version.version_id for version in versions]
        if chosen is not None and chosen.key == entry.key and chosen.version_id in ids:
            table.selectRow(ids.index(chosen.version_id))  # the version chosen, where it is now
        self._update_restore()
        self.setVisible(True)
        view.versionsShown.emit(len(versions))

    def _update_restore(self) -> None:
        """Restore works on a version that is neither the current one nor a delete marker."""
        chosen = self._chosen_version()
        self.restore_button.setEnabled(
            chosen is not None and not chosen.is_latest and not chosen.is_delete_marker
        )

    def _chosen_version(self) -> Version | None:
        rows = {index.row() for index in self.versions_table.selectionModel().selectedRows()}
        return self._versions[rows.pop()] if len(rows) == 1 else None

    def restore_selected_version(self) -> None:
        view = self.view
        version = self._chosen_version()
        entry = view.selected_object()
        if version is None or entry is None:
            view.fail(self.tr("Choose the version to restore in the list of versions."))
            return
        if version.is_delete_marker:
            view.fail(self.tr("A delete marker has no content to restore; choose a version."))
            return
        if version.is_latest:
            view.fail(self.tr("This is the current version already; choose an earlier one."))
            return
        view.keep(self._restore(view.bucket, entry, version.version_id))

    async def _restore(self, bucket: str, entry: Entry, version_id: str) -> None:
        view = self.view
        assert view.client is not None
        client_of = view.client
        loop = asyncio.get_running_loop()
        try:
            audit, account = view.audit, view.account  # the worker must not hold the widget
            new_id = await loop.run_in_executor(
                None,
                lambda: restore_version(
                    client_of(), bucket, entry.key, version_id, audit=audit, account=account
                ),
            )
        except Exception as exc:
            view.fail(
                self.tr("Restore failed: {error}").format(
                    error=describe_error(exc, bucket, entry.key)
                ),
                about="selection",
            )
            return
        if not shiboken6.isValid(self):
            return
        view.say(
            self.tr("Restored an earlier version of {name}").format(name=entry.name),
            about="selection",
        )
        view.versionRestored.emit(new_id)
        if view.selected_object() == entry:
            view.keep(self.show_versions(bucket, entry))
