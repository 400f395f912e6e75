"""The question before transfers that have not finished are left: quitting, or switching to
another storage. It names them and says what leaving does to them."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from s3desk.core.transfer.jobs import JobState, JobView
from s3desk.ui.common.names import name_list
from s3desk.ui.common.questions import confirm


class LeavingQuestions(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window

    def confirm_quit(self, jobs: list[JobView], resumable: bool) -> bool:
        text = self.unfinished_question(jobs, resumable) + "\n\n" + self.tr("Quit now?")
        return self._confirm(text, self.tr("Quit"), self.tr("Don't quit"))

    def confirm_switch(
        self, jobs: list[JobView], resumable: bool, leaving: str, chosen: str
    ) -> bool:
        """Switching from the storage named ``leaving`` to ``chosen``."""
        text = self.unfinished_question(jobs, resumable, leaving)
        text += "\n\n" + self.tr("Switch to {storage} now?").format(storage=chosen)
        return self._confirm(text, self.tr("Switch"), self.tr("Don't switch"))

    def _confirm(self, text: str, act: str, keep: str) -> bool:
        return confirm(self._window, self.tr("Transfers have not finished"), text, act, keep)

    def unfinished_question(self, jobs: list[JobView], resumable: bool, leaving: str = "") -> str:
        """How many uploads and downloads have not finished, by name, and what leaving does
        to them: quitting, or switching away from the storage named ``leaving``. Uploads go
        on later where a journal keeps them (``resumable``); downloads stop."""
        uploads = [job for job in jobs if not job.target]
        downloads = [job for job in jobs if job.target]
        parts = []
        if uploads:
            parts.append(self._uploads_left(uploads, resumable, leaving))
        elif not downloads:  # quitting while a folder is still read: no rows yet
            parts.append(
                self.tr("Some files have not finished uploading. If you quit now, they are "
                        "paused and go on from where they stopped the next time you open s3desk.")
                if resumable
                else self.tr("Some files have not finished uploading. The local demo storage "
                             "is cleared when s3desk quits, so these uploads will be lost.")
            )  # fmt: skip
        if downloads:
            parts.append(
                self.tr("%n download(s) have not finished: {names}. They stop now and leave "
                        "no partial file.", "", len(downloads))
                .format(names=name_list([job.name for job in downloads]))
            )  # fmt: skip
        return "\n\n".join(parts)

    def _uploads_left(self, uploads: list[JobView], resumable: bool, leaving: str) -> str:
        n, names = len(uploads), name_list([job.name for job in uploads])
        if resumable and leaving:
            text = self.tr(
                "%n upload(s) have not finished: {names}. If you switch now, they go on from "
                "where they stopped when you choose {storage} again.", "", n,
            ).format(names=names, storage=leaving)  # fmt: skip
        elif resumable:
            text = self.tr(
                "%n upload(s) have not finished: {names}. If you quit now, they go on from where "
                "they stopped the next time you open s3desk.", "", n,
            ).format(names=names)  # fmt: skip
        elif leaving:
            return self.tr(
                "%n upload(s) have not finished: {names}. The local demo storage keeps nothing "
                "unfinished when you switch away, so they will be lost.", "", n,
            ).format(names=names)  # fmt: skip
        else:
            return self.tr(
                "%n upload(s) have not finished: {names}. The local demo storage is cleared "
                "when s3desk quits, so they will be lost.", "", n,
            ).format(names=names)  # fmt: skip
        paused = sum(job.state is JobState.PAUSED for job in uploads)
        if paused == n:
            text += " " + self.tr(
                "All %n paused: they stay paused until you resume them.", "", paused
            )
        elif paused:
            text += " " + self.tr(
                "%n of them are paused and stay paused until you resume them.", "", paused
            )
        return text
