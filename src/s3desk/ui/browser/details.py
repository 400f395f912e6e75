"""The line under the listing about the one object selected: read off the UI thread, and
hidden the moment another object (or none) is selected, so that it never describes an
object that is no longer the one chosen."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from s3desk.core.bucket.browse import Entry, details
from s3desk.ui.browser.texts import details_text
from s3desk.ui.common.core_phrases import describe_error

if TYPE_CHECKING:
    from s3desk.ui.browser.view import BrowserView


class DetailsLine(QLabel):
    def __init__(self, view: BrowserView) -> None:
        super().__init__()
        self.view = view
        self.setObjectName("browserDetails")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setVisible(False)
        self._described: Entry | None = None  # the object the text is about
        self._task: asyncio.Future[None] | None = None

    def show_for(self, entry: Entry | None) -> None:
        """Describe ``entry`` (the one object selected) once its details arrive; None:
        nothing is described."""
        if entry is None or entry != self._described:
            self._described = None
            self.setVisible(False)
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if entry is not None:
            self._task = asyncio.ensure_future(self._show(self.view.bucket, entry))

    async def _show(self, bucket: str, entry: Entry) -> None:
        view = self.view
        assert view.client is not None
        client_of = view.client
        loop = asyncio.get_running_loop()
        try:
            info = await loop.run_in_executor(None, lambda: details(client_of(), bucket, entry.key))
        except Exception as exc:
            text = self.tr("Details not available: {error}").format(
                error=describe_error(exc, bucket, entry.key)
            )
        else:
            text = details_text(info)
        if not shiboken6.isValid(self) or view.selected_object() != entry:
            return
        self._described = entry
        self.setText(text)
        self.setVisible(True)
        view.detailsShown.emit(entry.key)
