"""Downloading the selection: ask where to, count what it covers off the UI thread, ask about
local files that exist, then hand the plan to the window's transfer queue."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QDir, QObject, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox

from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.transfer.download.plan import DownloadPlan, PlanCancelled, plan_download
from s3desk.core.transfer.jobs import JobState, JobView
from s3desk.ui.browser.texts import download_summary, downloaded_summary, refused_note
from s3desk.ui.common.core_phrases import describe_error
from s3desk.ui.common.names import name_list

if TYPE_CHECKING:
    from s3desk.ui.browser.view import BrowserView


class Downloading(QObject):
    def __init__(self, view: BrowserView) -> None:
        super().__init__(view)
        self.view = view
        self.download_folder = ""  # the folder chosen last time
        self._ended: set[int] = set()  # downloads already summed up
        self._refused = ""  # what of the last download could not be saved, said again after

    def download_selected(self) -> None:
        """Ask where to, count what the selection covers, ask about local files that exist,
        then hand the plan to the transfer queue (``BrowserView.downloadRequested``)."""
        view = self.view
        entries = view.selected_entries()
        if not view.bucket or not entries or view.client is None:
            return
        dest = self.choose_download_folder()
        if not dest:
            return
        self.download_folder = dest
        selection = [(e.key, e.size, e.etag, e.modified) for e in entries]
        view.keep(self._download(selection, view.bucket, view.prefix, dest))

    def choose_download_folder(self) -> str:
        return QFileDialog.getExistingDirectory(
            self.view, self.tr("Download to folder"), self.suggested_folder()
        )

    def suggested_folder(self) -> str:
        """The folder the dialog opens on: the one chosen last time, else the Downloads
        folder, else home. It exists: a missing one leaves the dialog nothing to choose."""
        downloads = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DownloadLocation
        )
        for folder in (self.download_folder, downloads):
            if folder and os.path.isdir(folder):
                return folder
        return QDir.homePath()

    async def _download(self, selection: list[Any], bucket: str, prefix: str, dest: str) -> None:
        view = self.view
        assert view.client is not None
        client_of = view.client
        view.say(self.tr("Counting what will be downloaded…"))

        def plan() -> tuple[DownloadPlan | None, str]:
            # Runs in a worker: the message is made here, so no exception (holding frames
            # that hold widgets) comes back to the UI thread.
            try:
                return plan_download(client_of(), bucket, selection, prefix, dest), ""
            except PlanCancelled:
                return None, ""
            except Exception as exc:
                return None, describe_error(exc, bucket)

        planned, problem = await asyncio.get_running_loop().run_in_executor(None, plan)
        if not shiboken6.isValid(view):
            return
        if planned is None:
            view.fail(self.tr("Download failed: {error}").format(error=problem))
            return
        conflict = ConflictPolicy.RENAME
        if planned.taken:
            answer = self.ask_download_conflict(planned, dest)
            if answer is None:
                view.say(self.tr("Nothing was downloaded."))
                return
            conflict = answer
        view.say(download_summary(planned, dest), about="download")
        self._refused = refused_note(planned)
        view.message_label.setToolTip(
            "\n".join(f"{key}: {why}" for key, why in planned.refused[:50])
        )
        if planned.items or planned.folders:
            view.downloadRequested.emit(planned, conflict)

    def ended(self, jobs: Iterable[JobView]) -> str:
        """What the downloads that ended since the last call did, for when the queue runs
        dry: "Downloaded 4 files (11.0 MiB) to …; 1 failed"."""
        ended = [job for job in jobs if job.target and job.state.finished]
        new = [job for job in ended if job.id not in self._ended]
        self._ended.update(job.id for job in new)
        done = [job for job in new if job.state is JobState.DONE]
        failed = sum(job.state is JobState.FAILED for job in new)
        return downloaded_summary(len(done), sum(job.size for job in done), failed,
                                  self.download_folder, self._refused)  # fmt: skip

    def forget_ended(self) -> None:
        """Another queue follows, whose jobs are numbered afresh."""
        self._ended.clear()

    def ask_download_conflict(self, plan: DownloadPlan, dest: str) -> ConflictPolicy | None:
        """Local files with these names exist: replace them, keep both, or skip them?"""
        count = len(plan.taken)
        names = name_list([os.path.basename(item.target) for item in plan.taken])
        box = QMessageBox(self.view)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Files already exist"))
        box.setText(
            self.tr("%n file(s) to download already exist in {folder}: {names}", "", count).format(
                folder=dest, names=names
            )
        )
        box.setInformativeText(self.tr("Replace them, keep both (the download gets a new "
                                       "name), or skip them?"))  # fmt: skip
        replace = box.addButton(self.tr("Replace"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("Keep both"), QMessageBox.ButtonRole.AcceptRole)
        skip = box.addButton(self.tr("Skip"), QMessageBox.ButtonRole.RejectRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        chosen = box.clickedButton()
        answers = {replace: ConflictPolicy.OVERWRITE, keep: ConflictPolicy.RENAME,
                   skip: ConflictPolicy.SKIP}  # fmt: skip
        return next((policy for button, policy in answers.items() if button is chosen), None)
