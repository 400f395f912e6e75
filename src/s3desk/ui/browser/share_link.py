"""A share link to the selected object: how long it stays valid, then a presigned link made
off the UI thread and put on the clipboard."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog

from s3desk.core.bucket.browse import SHARE_EXPIRY_CHOICES, Entry, share_link
from s3desk.core.storage.demo import DEMO_LABEL
from s3desk.ui.browser.texts import expiry_words
from s3desk.ui.common.core_phrases import describe_error

if TYPE_CHECKING:
    from s3desk.ui.browser.view import BrowserView


class ShareLinks(QObject):
    def __init__(self, view: BrowserView) -> None:
        super().__init__(view)
        self.view = view

    def ask_share_link(self) -> None:
        entry = self.view.selected_object()
        if entry is None:
            return
        choices = [expiry_words(s) for s in SHARE_EXPIRY_CHOICES]
        text = self.tr("Anyone with the link can download '%1' until it expires.").replace(
            "%1", entry.name
        )
        if self.view.account == DEMO_LABEL:  # its address is 127.0.0.1, its data in memory
            text += "\n" + self.tr(
                "The demo storage runs inside s3desk: this link works only on this computer, "
                "and only until s3desk quits."
            )
        choice, ok = QInputDialog.getItem(
            self.view, self.tr("Share link"), text + "\n" + self.tr("Valid for:"),
            choices, 0, False,
        )  # fmt: skip
        if ok:
            self.make_share_link(entry, SHARE_EXPIRY_CHOICES[choices.index(choice)])

    def make_share_link(self, entry: Entry, expires_in: int) -> None:
        self.view.keep(self._share(self.view.bucket, entry, expires_in))

    async def _share(self, bucket: str, entry: Entry, expires_in: int) -> None:
        view = self.view
        assert view.client is not None
        client_of = view.client
        loop = asyncio.get_running_loop()
        try:
            audit, account = view.audit, view.account  # the worker must not hold the widget
            link = await loop.run_in_executor(
                None,
                lambda: share_link(
                    client_of(), bucket, entry.key, expires_in, audit=audit, account=account
                ),
            )
        except Exception as exc:
            message = str(exc) if isinstance(exc, ValueError) else describe_error(exc, bucket)
            view.fail(message)
            return
        if not shiboken6.isValid(view):
            return
        QGuiApplication.clipboard().setText(link.url)
        text = self.tr("Share link copied to the clipboard, valid for {time}.").format(
            time=expiry_words(link.expires_in)
        )
        view.say(f"{text} {link.note}".strip())
        view.shareLinkMade.emit(link.url)
