"""A new folder in the folder shown: its name asked, the folder made off the UI thread,
then the folder listed again."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog

from s3desk.core.bucket.browse import create_folder
from s3desk.ui.common.core_phrases import describe_error

if TYPE_CHECKING:
    from s3desk.ui.browser.view import BrowserView


class NewFolder(QObject):
    def __init__(self, view: BrowserView) -> None:
        super().__init__(view)
        self.view = view

    def ask_new_folder(self) -> None:
        name, ok = QInputDialog.getText(self.view, self.tr("New folder"), self.tr("Folder name:"))
        if ok and name:
            self.create_folder_named(name)

    def create_folder_named(self, name: str) -> None:
        """Make ``name`` in the folder shown (off the UI thread), then list it again."""
        self.view.keep(self._create_folder(self.view.bucket, self.view.prefix, name))

    async def _create_folder(self, bucket: str, prefix: str, name: str) -> None:
        view = self.view
        assert view.client is not None
        client_of = view.client
        audit, account = view.audit, view.account  # the worker must not hold the widget
        loop = asyncio.get_running_loop()
        try:
            key = await loop.run_in_executor(
                None,
                lambda: create_folder(
                    client_of(), bucket, prefix, name, audit=audit, account=account
                ),
            )
        except Exception as exc:
            message = str(exc) if isinstance(exc, ValueError) else describe_error(exc, bucket)
            view.fail(message)
            return
        if shiboken6.isValid(view):
            view.say(self.tr("Made the folder {name}").format(name=name))
            view.folderCreated.emit(key)
            if (bucket, prefix) == (view.bucket, view.prefix):
                view.refresh()
